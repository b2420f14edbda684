// Package outbox is how the bot sends: a message is decided and stored
// (Enqueue) in the same transaction as the change that caused it, and the
// Dispatcher delivers it later through the transport its Address names,
// with retries, pacing and a report to staff when it gives up. Transports
// implement Sender and classify their errors with Permanent, Unavailable
// and RetryAfter.
package outbox

import (
	"context"
	"fmt"
	"time"

	"supportbot/locales"
	"supportbot/store"
)

// Post is one message the bot decides to send.
type Post struct {
	To       Address
	TicketID int64
	Text     string
	Buttons  []string
	ReplyTo  int64 // outbox id this message threads under
	File     *store.File
	Edit     int64  // outbox id of the message this one replaces in place (a card edit)
	Thread   int64  // ticket whose forum topic this goes to (topics mode); Desk.post sets it
	Kind     string // store.OutboxCard, OutboxFollowUp, OutboxBackground or "" (send budget)
	Topic    string // the title the ticket's topic should carry (cards and their edits)
	// ReplyToMessage is the transport's id of a message, not the bot's,
	// in the recipient chat that this one answers (store.OutboxMessage).
	ReplyToMessage int64
}

// Enqueue stores p in the outbox inside the caller's transaction, so the
// message exists exactly when the change that caused it does, and returns
// its outbox id. It is due at once: no next attempt is set, because at may
// come from the network (a WhatsApp message's own timestamp, from a phone
// whose clock can be minutes ahead of ours), and only the dispatcher's
// clock decides when a retry is due. at is kept as the creation time.
// Every line with Persian letters goes out right to left, whatever people
// typed first on it (locales.RightToLeftLines).
func Enqueue(ctx context.Context, tx store.Outbox, at time.Time, p Post) (int64, error) {
	m := store.OutboxMessage{
		CreatedAt:      at,
		To:             string(p.To),
		TicketID:       p.TicketID,
		Text:           locales.RightToLeftLines(p.Text),
		Buttons:        p.Buttons,
		ReplyTo:        p.ReplyTo,
		File:           p.File,
		Edit:           p.Edit,
		Thread:         p.Thread,
		Kind:           p.Kind,
		Topic:          p.Topic,
		Status:         store.OutboxPending,
		ReplyToMessage: p.ReplyToMessage,
	}
	if err := tx.Enqueue(ctx, &m); err != nil {
		return 0, fmt.Errorf("enqueue to %s: %w", p.To, err)
	}
	return m.ID, nil
}
