package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"supportbot/inbound"
	"supportbot/notice"
	"supportbot/store"
)

// The adapter's side of the queue (queue.go): what goes into it, the
// workers that drain it in order per chat, and how a queued message is
// handled, forgotten, or set aside. The give-up rule and the stuck check
// are in stuck.go. See docs/whatsapp.md, "Files and the event loop".

// needsQueue says whether a message must be handled off the event loop:
// it carries a file that will be downloaded, or its chat has messages
// queued already.
func (a *Adapter) needsQueue(chat string, m *media) bool {
	if m != nil && a.cfg.MediaDir != "" && m.size <= a.cfg.MaxFileBytes {
		return true
	}
	return a.q.queued(chat)
}

// deferMessage stores e for the workers; once this returns nil the message may be
// acknowledged.
func (a *Adapter) deferMessage(ctx context.Context, e *events.Message, c contact, at time.Time) error {
	info := e.Info
	raw, err := proto.Marshal(e.Message)
	if err != nil {
		return fmt.Errorf("queue message %s: %w", info.ID, err)
	}
	p := store.WhatsAppPending{Chat: info.Chat.ToNonAD().String(), MessageID: info.ID, Sender: info.Sender.String(),
		Address: c.addr, At: at, SentAt: info.Timestamp, FromMe: info.IsFromMe, Message: raw}
	if !info.IsFromMe { // the company writing first opens no chat for the bot
		if err := a.st.TouchWhatsAppContact(ctx, store.WhatsAppContact{Address: c.addr, JID: c.jid.String(), LastAt: at}); err != nil {
			return err
		}
	}
	fresh, err := a.st.AddWhatsAppPending(ctx, &p)
	if err != nil || !fresh {
		return err
	}
	a.cfg.Log.Debug("message queued off the event loop", "message_id", info.ID, "queued", a.q.size()+1)
	a.q.push(p)
	a.startWorkers()
	return nil
}

// resume loads the messages queued before a restart.
func (a *Adapter) resume(ctx context.Context) {
	ps, err := a.st.WhatsAppPendingList(ctx)
	if err != nil {
		a.cfg.Log.Error("load queued messages", "err", err)
		return
	}
	if len(ps) == 0 {
		return
	}
	a.cfg.Log.Info("messages queued before the restart are handled now", "count", len(ps))
	a.mu.Lock()
	a.queueUnsure = true
	a.mu.Unlock()
	for _, p := range ps {
		a.q.push(p)
	}
	a.startWorkers()
}

// startWorkers starts the download workers once; they stop when the
// adapter closes.
func (a *Adapter) startWorkers() {
	a.q.start.Do(func() {
		for range a.cfg.DownloadWorkers {
			go a.worker()
		}
	})
}

func (a *Adapter) worker() {
	for {
		chat := a.q.take()
		if chat == "" {
			select {
			case <-a.stop:
				return
			case <-a.q.wake:
				continue
			}
		}
		if !a.drain(chat) {
			return
		}
	}
}

// drain handles chat's queued messages in order. It returns false when the
// adapter is closing (the rest stay stored for the next start).
func (a *Adapter) drain(chat string) bool {
	for {
		p, ok := a.q.head(chat)
		if !ok {
			return true
		}
		if !a.begin() {
			a.q.release(chat)
			return false
		}
		err := a.handlePending(p)
		var kept *unforgotten
		if err != nil && !errors.As(err, &kept) {
			err = a.failedRound(p, err)
		}
		a.end()
		if errors.As(err, &kept) {
			// Dealt with: not a failed round. Only the delete is left.
			a.cfg.Log.Warn("queued message handled, but not yet deleted from the queue; deleted in a minute", "message_id", p.MessageID, "err", kept.err)
			a.q.release(chat)
			return true
		}
		if err != nil {
			a.cfg.Log.Error("queued message not handled; tried again in a minute", "message_id", p.MessageID, "err", err)
			a.q.release(chat)
			return true
		}
		a.q.pop(chat)
	}
}

// unforgotten is the error of a queued message that was dealt with (the
// engine has it, or it was set aside) but could not be deleted from the
// queue: the round did not fail, and the next one only deletes it, with
// the notice that goes with it.
type unforgotten struct{ err error }

func (u *unforgotten) Error() string { return "delete from the queue: " + u.err.Error() }
func (u *unforgotten) Unwrap() error { return u.err }

// forgetDealtWith deletes p, dealt with, from the queue with its notice ev
// (nil: none). When that fails, p is marked so that later rounds only try
// the delete again: a handled message never counts as a failed round, is
// never given up and never handed to the engine twice.
func (a *Adapter) forgetDealtWith(p store.WhatsAppPending, ev notice.Event) error {
	if err := a.forget(a.base, p, ev); err != nil {
		a.q.dealtWith(p.ID, ev)
		return &unforgotten{err}
	}
	return nil
}

// handledBefore reports whether the engine already has p (it records each
// message's id in its chat in the transaction that handles it): a restart
// after a round that handled p but could not delete it, or a try whose
// answer was lost after the engine's commit. Such a message is only
// forgotten, without a word.
func (a *Adapter) handledBefore(ctx context.Context, p store.WhatsAppPending) (bool, error) {
	return a.st.ChatInboundSeen(ctx, inbound.TransportWhatsApp, p.Chat, p.MessageID)
}

// unreadable is the notice of a queued message that cannot be read back
// (its stored message or chat damaged), nil when p can be read. Such a
// message is set aside at once, with staff told who wrote.
func (a *Adapter) unreadable(p store.WhatsAppPending) notice.Event {
	var msg waE2E.Message
	why := ""
	if err := proto.Unmarshal(p.Message, &msg); err != nil {
		why = "unreadable: " + err.Error()
	} else if _, err := types.ParseJID(p.Chat); err != nil {
		why = "bad chat: " + err.Error()
	}
	if why == "" {
		return nil
	}
	a.cfg.Log.Error("queued message cannot be read back; set aside, staff told", "message_id", p.MessageID, "chat", p.Chat, "why", why)
	return notice.WhatsAppQueuedGivenUp{Address: p.Address, Chat: p.Chat, MessageID: p.MessageID, At: p.At, Attempts: p.Attempts + 1,
		Error: why, Unreadable: true}
}

// handlePending handles one queued message, retrying a failed store a few
// times, and forgets it once the engine has it.
func (a *Adapter) handlePending(p store.WhatsAppPending) error {
	if ev, ok := a.q.wasDealtWith(p.ID); ok {
		return a.forgetDealtWith(p, ev)
	}
	if ev := a.unreadable(p); ev != nil {
		return a.forgetDealtWith(p, ev)
	}
	ctx := a.base
	log := a.cfg.Log.With("message_id", p.MessageID)
	for attempt := 1; ; attempt++ {
		// One try: the download has its own deadline; the rest (the store,
		// the engine, presence) must not hold a worker for ever either.
		tctx, cancel := context.WithTimeout(ctx, a.cfg.DownloadTimeout+a.cfg.HandleTimeout)
		done, err := a.handledBefore(tctx, p)
		if err == nil && !done {
			err = a.pending(tctx, p, false)
		} else if done {
			log.Info("queued message handled before; deleted from the queue")
		}
		cancel()
		if err == nil {
			return a.forgetDealtWith(p, nil)
		}
		if attempt >= a.cfg.HandleAttempts {
			return err
		}
		wait := time.Duration(attempt) * time.Second
		log.Warn("handling a queued message failed; will retry", "attempt", attempt, "retry_in", wait, "err", err)
		if err := a.cfg.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// pending downloads a queued message's file and hands the message to the
// engine, which ignores an id it has seen (a retry after a crash). bare
// hands it on without downloading, the file described and marked as not
// received (the give-up rule, giveUp).
func (a *Adapter) pending(ctx context.Context, p store.WhatsAppPending, bare bool) error {
	var msg waE2E.Message
	if err := proto.Unmarshal(p.Message, &msg); err != nil {
		return fmt.Errorf("queued message %s: %w", p.MessageID, err) // unreadable() sets such a message aside first
	}
	chat, err := types.ParseJID(p.Chat)
	if err != nil {
		return fmt.Errorf("queued message %s: %w", p.MessageID, err)
	}
	sender, _ := types.ParseJID(p.Sender)
	info := types.MessageInfo{MessageSource: types.MessageSource{Chat: chat, Sender: sender, IsFromMe: p.FromMe}, ID: p.MessageID, Timestamp: p.SentAt}
	if msg.GetProtocolMessage() != nil {
		_, err := a.protocol(ctx, &events.Message{Info: info, Message: &msg}, contact{addr: p.Address, jid: chat})
		return err
	}
	text, media := content(&msg)
	if strings.TrimSpace(text) == "" && media == nil {
		text = a.describe(&msg)
	}
	if !p.FromMe {
		a.presence(ctx, chat, types.ChatPresenceComposing)
		defer a.presence(ctx, chat, types.ChatPresencePaused)
	}
	var file *store.File
	switch {
	case media != nil && bare:
		file = a.notReceived(media)
	case media != nil:
		file = a.keep(ctx, p.MessageID, media, a.cfg.Log.With("message_id", p.MessageID))
	}
	if p.FromMe {
		h, ok := a.h.(CompanyPhone)
		if !ok {
			return nil
		}
		err = h.HandleCompanyPhone(ctx, inbound.CompanyMessage{ID: p.MessageID, Chat: p.Chat, Phone: p.Address, At: p.At, Text: text, File: file})
	} else {
		err = a.h.HandleCustomer(ctx, inbound.CustomerMessage{ID: p.MessageID, Chat: p.Chat, Phone: p.Address, At: p.At, SentAt: p.SentAt, Text: text, File: file})
	}
	if err != nil {
		return err
	}
	if p.FromMe {
		a.answeredByPhone(ctx, p.Address)
	} else {
		a.markRead(ctx, info, p.Address)
	}
	a.cfg.Worked()
	a.cfg.Handled()
	return nil
}

// waitIdle waits until nothing is queued or being handled, or timeout.
func (a *Adapter) waitIdle(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		a.q.mu.Lock()
		busy := len(a.q.chats) > 0 || len(a.q.active) > 0
		a.q.mu.Unlock()
		if !busy {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}
