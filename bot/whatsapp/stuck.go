package whatsapp

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"supportbot/inbound"
	"supportbot/notice"
	"supportbot/store"
)

// A queued message that keeps failing must neither hold its chat for ever
// nor be lost: after Config.QueueAttempts failed rounds, or
// Config.QueueGiveUpAfter after its first failure, it is given up (giveUp).
// A queue whose oldest message has waited Config.QueueStuckAfter is stuck:
// staff and managers are told once (checkQueue) and /healthz is degraded
// (QueueStats). See docs/whatsapp.md, "A queued message that keeps failing".

// Holder keeps a customer message that could not be handled aside for a
// person to answer, and tells staff; *bot.Engine is one. It must treat an
// id it has seen before as a no-op.
type Holder interface {
	HoldCustomer(ctx context.Context, m inbound.CustomerMessage, why string) error
}

// maxErrorRunes bounds the error kept with a failing queued message.
const maxErrorRunes = 300

// failedRound counts a failed round of p (cause) and gives p up once the
// rule says so; nil means p is done with and its chat goes on.
func (a *Adapter) failedRound(p store.WhatsAppPending, cause error) error {
	ctx := a.base
	now := a.cfg.Now()
	why := []rune(cause.Error())
	p = a.q.failed(p.Chat, now, string(why[:min(len(why), maxErrorRunes)]))
	if err := a.st.FailWhatsAppPending(ctx, p); err != nil {
		// The count in memory still holds until a restart.
		a.cfg.Log.Warn("count a queued message's failure", "message_id", p.MessageID, "err", err)
	}
	if p.Attempts < a.cfg.QueueAttempts && now.Sub(p.FailedAt) < a.cfg.QueueGiveUpAfter {
		return cause
	}
	return a.giveUp(ctx, p)
}

// giveUp handles p, which kept failing, the best way left: without its
// file (marked as not received); else, a customer's message, held for a
// person (the Holder tells staff); else set aside with its text told to
// staff. Staff are told in the transaction that forgets p, so once. When
// that delete fails (the database failing), p stays queued marked as
// dealt with: later rounds only try the delete, with the notice.
func (a *Adapter) giveUp(ctx context.Context, p store.WhatsAppPending) error {
	log := a.cfg.Log.With("message_id", p.MessageID, "attempts", p.Attempts, "failing_since", p.FailedAt, "last_err", p.LastError)
	tctx, cancel := context.WithTimeout(ctx, a.cfg.HandleTimeout)
	defer cancel()
	done, err := a.handledBefore(tctx, p)
	if err != nil {
		return err // no give-up on a guess: the next round looks again
	}
	if done {
		// A try that failed after the engine's commit (its answer lost):
		// the message and its file are on the ticket, nothing is lost.
		log.Warn("a queued message that seemed to keep failing had been handled; deleted from the queue")
		return a.forgetDealtWith(p, nil)
	}
	err = a.pending(tctx, p, true)
	var msg waE2E.Message
	_ = proto.Unmarshal(p.Message, &msg) // handlePending set p aside already if unreadable
	text, media := content(&msg)
	told := notice.WhatsAppQueuedGivenUp{Address: p.Address, Chat: p.Chat, MessageID: p.MessageID, At: p.At,
		Attempts: p.Attempts, Text: strings.TrimSpace(text), Error: p.LastError}
	if media != nil {
		told.File = a.notReceived(media)
		told.File.Name = media.file.Name // the name as sent, not as marked
	}
	var ev notice.Event
	switch {
	case err == nil && media == nil:
		log.Warn("a queued message that kept failing was handled at last")
	case err == nil:
		log.Error("a queued message kept failing; handled without its file")
		told.FileLost = true
		ev = told
	default:
		// A fresh deadline: the bare try may have used all of its own.
		hctx, hcancel := context.WithTimeout(ctx, a.cfg.HandleTimeout)
		herr := a.holdPending(hctx, p, &msg, text, media, err)
		hcancel()
		if herr == nil {
			log.Error("a queued message kept failing; held for a person to answer, staff told", "err", err)
			break
		}
		log.Error("a queued message kept failing and could not be held; set aside, staff told", "err", errors.Join(err, herr))
		ev = told
	}
	return a.forgetDealtWith(p, ev)
}

// holdPending hands p to the Holder, when the handler is one and p is a
// customer's message.
func (a *Adapter) holdPending(ctx context.Context, p store.WhatsAppPending, msg *waE2E.Message, text string, m *media, cause error) error {
	h, ok := a.h.(Holder)
	if !ok || p.FromMe || msg.GetProtocolMessage() != nil {
		return cause
	}
	if strings.TrimSpace(text) == "" && m == nil {
		text = a.describe(msg)
	}
	var file *store.File
	if m != nil {
		file = a.notReceived(m)
	}
	return h.HoldCustomer(ctx, inbound.CustomerMessage{ID: p.MessageID, Chat: p.Chat, Phone: p.Address, At: p.At, SentAt: p.SentAt,
		Text: text, File: file}, p.LastError)
}

// forget deletes p from the queue, reporting ev (unless nil) in the same
// transaction, so staff are told once.
func (a *Adapter) forget(ctx context.Context, p store.WhatsAppPending, ev notice.Event) error {
	now := a.cfg.Now()
	err := a.st.InTx(ctx, func(tx store.Store) error {
		if ev != nil {
			if err := a.cfg.Notify.Notify(ctx, tx, now, ev); err != nil {
				return err
			}
		}
		return tx.DeleteWhatsAppPending(ctx, p.ID)
	})
	if err == nil {
		a.cfg.Handled()
	}
	return err
}

// notReceived describes a file that was not downloaded, its name marked so
// staff see on the ticket that the customer sent a file the bot does not
// have.
func (a *Adapter) notReceived(m *media) *store.File {
	f := m.file
	f.Bytes = max(m.size, 0)
	f.Path = ""
	if strings.TrimSpace(f.Name) == "" {
		f.Name = a.cfg.Say("whatsapp.queue.file_unnamed", nil)
	} else {
		f.Name = a.cfg.Say("whatsapp.queue.file_name", map[string]any{"name": f.Name})
	}
	return &f
}

// QueueStats is how many WhatsApp messages wait to be handled off the
// event loop and when the oldest was received (zero when none), for
// /healthz and /metrics.
func (a *Adapter) QueueStats() (count int, oldest time.Time) { return a.q.stats() }

// checkQueue reports a stuck queue (its oldest message has waited
// QueueStuckAfter) and its end when the state changes, and where it stands
// at the first check after a restart that found messages queued (the
// restart may have ended a spell staff were told of). The core tells
// staff and managers once per stuck spell, and staff once when it ends.
func (a *Adapter) checkQueue(ctx context.Context, now time.Time) {
	n, oldest := a.q.stats()
	stuck := n > 0 && now.Sub(oldest) >= a.cfg.QueueStuckAfter
	a.mu.Lock()
	reported, unsure := a.queueStuck, a.queueUnsure
	a.mu.Unlock()
	if !unsure && reported == stuck {
		return
	}
	var ev notice.Event = notice.WhatsAppQueueMoving{}
	if stuck {
		waited := now.Sub(oldest)
		a.cfg.Log.Error("WhatsApp messages wait to be handled: the queue is stuck", "queued", n, "oldest", oldest, "waited", waited)
		ev = notice.WhatsAppQueueStuck{Count: n, Oldest: oldest, Waited: waited}
	} else if !unsure {
		a.cfg.Log.Info("the WhatsApp queue moves again")
	}
	if !a.begin() {
		return
	}
	defer a.end()
	if a.notify(ctx, ev) {
		a.mu.Lock()
		a.queueStuck, a.queueUnsure = stuck, false
		a.mu.Unlock()
	}
}
