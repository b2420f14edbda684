package whatsapp

import (
	"context"
	"time"

	"go.mau.fi/whatsmeow/types"

	"supportbot/store"
)

// When a customer's messages are marked read (Config.MarkRead, config
// whatsapp.mark_read; docs/whatsapp.md "Read receipts").
const (
	// MarkReadImmediate: as soon as the message is stored and answered.
	MarkReadImmediate = "immediate"
	// MarkReadAfterAnswer: when a person answers (a staff reply reaches the
	// customer, or the company phone writes in the chat); the bot's own
	// automatic replies do not count.
	MarkReadAfterAnswer = "after_answer"
	// MarkReadNever: the customer never sees blue ticks from the bot.
	MarkReadNever = "never"
)

// MarkReadModes lists the valid modes, for config checks.
var MarkReadModes = []string{MarkReadImmediate, MarkReadAfterAnswer, MarkReadNever}

// markReadTimeout bounds one read receipt.
const markReadTimeout = 10 * time.Second

// maxHeldReads bounds the unread ids kept per customer (the newest win:
// marking the last messages read shows the chat as read).
const maxHeldReads = 50

// heldRead is a message waiting for its read receipt: the store keeps
// them per customer address until an answer (MarkReadAfterAnswer).
type heldRead = store.UnreadMessage

// markRead marks a stored message read, now or after an answer as
// configured. addr is the customer's address; "" for a redelivery, which
// was dealt with the first time.
func (a *Adapter) markRead(ctx context.Context, info types.MessageInfo, addr string) {
	switch a.cfg.MarkRead {
	case MarkReadNever:
		return
	case MarkReadAfterAnswer:
		if addr != "" {
			a.holdRead(ctx, addr, heldRead{ID: info.ID, Chat: info.Chat.String(), Sender: info.Sender.String()})
		}
		return
	}
	a.sendRead(ctx, []types.MessageID{info.ID}, info.Chat, info.Sender)
}

// sendRead sends one read receipt, with a deadline; a failure only costs
// the blue ticks.
func (a *Adapter) sendRead(ctx context.Context, ids []types.MessageID, chat, sender types.JID) {
	rctx, cancel := context.WithTimeout(ctx, markReadTimeout)
	defer cancel()
	if err := a.link.Client.MarkRead(rctx, ids, a.cfg.Now(), chat, sender); err != nil {
		a.cfg.Log.Debug("mark read", "message_ids", ids, "err", err)
	}
}

func (a *Adapter) heldReads(ctx context.Context, addr string) ([]heldRead, error) {
	return a.st.Unread(ctx, addr)
}

// holdRead keeps h until someone answers addr.
func (a *Adapter) holdRead(ctx context.Context, addr string, h heldRead) {
	if err := a.st.HoldUnread(ctx, addr, h, maxHeldReads); err != nil {
		a.cfg.Log.Warn("keep a message unread until it is answered", "err", err)
	}
}

// readHeld marks read what addr wrote since the last answer.
func (a *Adapter) readHeld(ctx context.Context, addr string) {
	hs, err := a.heldReads(ctx, addr)
	if err != nil || len(hs) == 0 {
		if err != nil {
			a.cfg.Log.Warn("unread messages", "err", err)
		}
		return
	}
	type key struct{ chat, sender string }
	var order []key
	ids := map[key][]types.MessageID{}
	for _, h := range hs {
		k := key{h.Chat, h.Sender}
		if _, ok := ids[k]; !ok {
			order = append(order, k)
		}
		ids[k] = append(ids[k], h.ID)
	}
	for _, k := range order {
		chat, err1 := types.ParseJID(k.chat)
		sender, err2 := types.ParseJID(k.sender)
		if err1 != nil || err2 != nil {
			continue
		}
		a.sendRead(ctx, ids[k], chat, sender)
	}
	if err := a.st.ForgetUnread(ctx, addr); err != nil {
		a.cfg.Log.Warn("forget unread messages", "err", err)
	}
}

// answeredByPhone: the company phone wrote to addr, which is an answer.
func (a *Adapter) answeredByPhone(ctx context.Context, addr string) {
	if a.cfg.MarkRead == MarkReadAfterAnswer {
		a.readHeld(ctx, addr)
	}
}

// staffAnswer reports whether m carries a person's answer on its ticket:
// the ticket has a staff message written when m was made (the desk stores
// the answer and enqueues its relay together).
func (a *Adapter) staffAnswer(ctx context.Context, m store.OutboxMessage) bool {
	if m.TicketID == 0 {
		return false
	}
	ms, err := a.st.Messages(ctx, m.TicketID)
	if err != nil {
		a.cfg.Log.Warn("messages of the ticket", "ticket", m.TicketID, "err", err)
		return false
	}
	for _, tm := range ms {
		if tm.Direction == store.FromStaff && tm.At.Equal(m.CreatedAt) {
			return true
		}
	}
	return false
}
