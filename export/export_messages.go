package export

import (
	"context"
	"fmt"
	"iter"
	"time"

	"supportbot/store"
)

// Message is one message of `export -messages` (docs/interface.md): every
// customer message received, with where it went, and every staff message
// written about a ticket (notes and "!" messages internal).
type Message struct {
	At       *string           `json:"at"`
	From     string            `json:"from"` // customer or staff
	Phone    string            `json:"phone"`
	User     *int64            `json:"user"`   // the staff member's Telegram user id
	Ticket   *int64            `json:"ticket"` // null while on no ticket
	Text     string            `json:"text"`
	File     *File             `json:"file"`
	Courtesy bool              `json:"courtesy"`
	Held     *store.HeldReason `json:"held"` // why it was held aside (flood, too_long, …), null when not
	Internal bool              `json:"internal"`

	// Beyond docs/interface.md: where a customer message went (ticket, menu,
	// courtesy, waiting, unknown, denied, held), and who wrote a staff one.
	Route *string `json:"route"`
	Name  *string `json:"name"`
	// SentAt is WhatsApp's own time for a customer message (when the
	// customer's phone sent it); null when none. It differs from at after
	// downtime, when WhatsApp delivers what it held.
	SentAt *string `json:"sent_at"`
}

// Messages lists every customer message received and every staff
// message on a ticket, in time order, with times in loc.
func Messages(ctx context.Context, st store.Store, loc *time.Location) ([]Message, error) {
	var snap Snapshot
	err := st.ReadTx(ctx, func(tx store.Store) error { return exportMessages(ctx, tx, loc, (*snapshotSink)(&snap)) })
	if err != nil {
		return nil, fmt.Errorf("export messages: %w", err)
	}
	return *snap.Messages, nil
}

// exportMessages hands sink the customer messages received and the staff
// messages on tickets, merged in time order from two sequences the store
// reads in that order; at the same instant the customer's come first, then
// the staff's by ticket. Nothing is held but the next of each.
func exportMessages(ctx context.Context, tx store.Store, loc *time.Location, sink exportSink) error {
	instant := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		s := t.In(loc).Format(time.RFC3339)
		return &s
	}
	if err := sink.section("messages"); err != nil {
		return err
	}
	nextReceived, stopReceived := iter.Pull2(tx.EachReceived(ctx))
	defer stopReceived()
	nextStaff, stopStaff := iter.Pull2(tx.EachStaffMessage(ctx))
	defer stopStaff()
	r, rerr, rok := nextReceived()
	m, merr, mok := nextStaff()
	for rok || mok {
		if rerr != nil {
			return rerr
		}
		if merr != nil {
			return merr
		}
		var em Message
		if rok && (!mok || r.At.Compare(m.At) <= 0) {
			em = Message{
				At: instant(r.At), From: string(store.FromCustomer), Phone: r.Phone,
				Ticket: nullIfZero(r.TicketID), Text: r.Text, File: outputFile(r.File),
				Courtesy: r.Courtesy, Held: nullIfEmpty(r.Held), Route: nullIfEmpty(r.Route),
				SentAt: instant(r.SentAt),
			}
			r, rerr, rok = nextReceived()
		} else {
			em = Message{
				At: instant(m.At), From: string(store.FromStaff), Phone: m.Phone, User: nullIfZero(m.UserID),
				Ticket: nullIfZero(m.TicketID), Text: m.Text, File: outputFile(m.File),
				Internal: m.Direction == store.StaffNote, Name: nullIfEmpty(m.Author),
			}
			m, merr, mok = nextStaff()
		}
		if err := sink.item(em); err != nil {
			return err
		}
	}
	return nil
}

// File describes a file on a message, as replay's output does
// (docs/interface.md).
type File struct {
	Kind  store.FileKind `json:"kind"`
	Name  string         `json:"name"`
	Bytes int64          `json:"bytes"`
}

// outputFile describes a file as export shows it; nil for none.
func outputFile(f *store.File) *File {
	if f == nil {
		return nil
	}
	return &File{Kind: f.Kind, Name: f.Name, Bytes: f.Bytes}
}
