// Package bot wires the customer conversation, the staff desk, the outbox and
// the scheduled jobs to transports. Everything that happens for one inbound
// message (deduplication, state change, tickets, outbound messages) is
// written in one transaction, so a crash never leaves half of it behind.
package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"supportbot/conversation"
	"supportbot/locales"
	"supportbot/store"
)

// Transport names used for inbound deduplication.
const (
	TransportWhatsApp = "whatsapp"
	TransportTelegram = "telegram"
)

// CustomerMessage is a message from a customer's WhatsApp number.
type CustomerMessage struct {
	ID    string // the transport's message id; "" when the transport has none
	Phone string // E.164
	At    time.Time
	Text  string
	File  *store.File
}

// Engine handles inbound messages from both sides inside one transaction each.
type Engine struct {
	store   store.Store
	conv    *conversation.Machine
	desk    *Desk
	printer *locales.Printer
}

// NewEngine wires the conversation and the desk to a store. printer renders
// customer-facing text.
func NewEngine(st store.Store, conv *conversation.Machine, desk *Desk, printer *locales.Printer) *Engine {
	return &Engine{store: st, conv: conv, desk: desk, printer: printer}
}

// Store is the engine's database.
func (e *Engine) Store() store.Store { return e.store }

// Desk is the engine's staff desk.
func (e *Engine) Desk() *Desk { return e.desk }

// HandleCustomer stores and answers one customer message exactly once: a
// message whose transport id was seen before changes nothing.
func (e *Engine) HandleCustomer(ctx context.Context, m CustomerMessage) error {
	return e.store.InTx(ctx, func(tx store.Store) error {
		if m.ID != "" {
			fresh, err := tx.RecordInbound(ctx, TransportWhatsApp, m.ID, m.At)
			if err != nil || !fresh {
				return err
			}
		}
		res, err := e.conv.Handle(ctx, tx, conversation.Inbound{Phone: m.Phone, At: m.At, Text: m.Text, File: m.File})
		if err != nil {
			return fmt.Errorf("conversation with %s: %w", m.Phone, err)
		}
		return e.apply(ctx, tx, m, res)
	})
}

// apply renders the conversation's replies into the outbox and hands its
// events to the staff desk.
func (e *Engine) apply(ctx context.Context, tx store.Store, m CustomerMessage, res conversation.Result) error {
	var ticketID int64
	for _, ev := range res.Events {
		if ev.Ticket.ID != 0 {
			ticketID = ev.Ticket.ID
		}
	}
	for _, r := range res.Replies {
		if _, err := enqueue(ctx, tx, m.At, Post{To: WhatsAppAddr(m.Phone), TicketID: ticketID, Text: e.render(r.Lines)}); err != nil {
			return err
		}
	}
	for _, ev := range res.Events {
		var err error
		switch ev.Kind {
		case conversation.TicketOpened:
			err = e.desk.TicketOpened(ctx, tx, ev.Ticket, m.At)
		case conversation.FollowUp:
			err = e.desk.CustomerWrote(ctx, tx, ev.Ticket, ev.Message, m.At)
		case conversation.UnknownContact:
			err = e.desk.UnknownContact(ctx, tx, ev.Phone, ev.Text, m.At)
		}
		if err != nil {
			return fmt.Errorf("staff desk: %w", err)
		}
	}
	return nil
}

func (e *Engine) render(lines []conversation.Line) string {
	parts := make([]string, 0, len(lines))
	for _, l := range lines {
		parts = append(parts, e.printer.T(l.Key, l.Args))
	}
	return strings.Join(parts, "\n")
}

// HandleStaff handles one Telegram message or button press exactly once.
func (e *Engine) HandleStaff(ctx context.Context, id string, in StaffInput) error {
	return e.store.InTx(ctx, func(tx store.Store) error {
		if id != "" {
			fresh, err := tx.RecordInbound(ctx, TransportTelegram, id, in.At)
			if err != nil || !fresh {
				return err
			}
		}
		return e.desk.HandleStaff(ctx, tx, in)
	})
}
