package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"supportbot/store"
)

// ExportMessage is one message of `export -messages` (docs/interface.md): every
// customer message received, with where it went, and every staff message
// written about a ticket (notes and "!" messages internal).
type ExportMessage struct {
	At       *string           `json:"at"`
	From     string            `json:"from"` // customer or staff
	Phone    string            `json:"phone"`
	User     *int64            `json:"user"`   // the staff member's Telegram user id
	Ticket   *int64            `json:"ticket"` // null while on no ticket
	Text     string            `json:"text"`
	File     *OutputFile       `json:"file"`
	Courtesy bool              `json:"courtesy"`
	Held     *store.HeldReason `json:"held"` // why it was held aside (flood, too_long, …), null when not
	Internal bool              `json:"internal"`

	// Beyond docs/interface.md: where a customer message went (ticket, menu,
	// courtesy, waiting, unknown, denied, held), and who wrote a staff one.
	Route *string `json:"route"`
	Name  *string `json:"name"`
}

// ExportMessages lists every customer message received and every staff
// message on a ticket, in time order, with times in loc.
func ExportMessages(ctx context.Context, st store.Store, loc *time.Location) ([]ExportMessage, error) {
	out := []ExportMessage{}
	type item struct {
		at time.Time
		m  ExportMessage
	}
	var items []item
	instant := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		s := t.In(loc).Format(time.RFC3339)
		return &s
	}
	err := st.InTx(ctx, func(tx store.Store) error {
		rs, err := tx.ListReceived(ctx)
		if err != nil {
			return err
		}
		for _, r := range rs {
			items = append(items, item{r.At, ExportMessage{
				At: instant(r.At), From: string(store.FromCustomer), Phone: r.Phone,
				Ticket: nullIfZero(r.TicketID), Text: r.Text, File: outputFile(r.File),
				Courtesy: r.Courtesy, Held: nullIfEmpty(r.Held), Route: nullIfEmpty(r.Route),
			}})
		}
		ts, err := tx.ListTickets(ctx, store.TicketFilter{})
		if err != nil {
			return err
		}
		for _, t := range ts {
			ms, err := tx.Messages(ctx, t.ID)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if m.Direction == store.FromCustomer {
					continue // listed as received, with where it went
				}
				items = append(items, item{m.At, ExportMessage{
					At: instant(m.At), From: string(store.FromStaff), Phone: t.Phone, User: nullIfZero(m.UserID),
					Ticket: nullIfZero(t.ID), Text: m.Text, File: outputFile(m.File),
					Internal: m.Direction == store.StaffNote, Name: nullIfEmpty(m.Author),
				}})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("export messages: %w", err)
	}
	slices.SortStableFunc(items, func(a, b item) int { return cmp.Compare(a.at.UnixNano(), b.at.UnixNano()) })
	for _, it := range items {
		out = append(out, it.m)
	}
	return out, nil
}

// outputFile describes a file as replay and export show it; nil for none.
func outputFile(f *store.File) *OutputFile {
	if f == nil {
		return nil
	}
	return &OutputFile{Kind: f.Kind, Name: f.Name, Bytes: f.Bytes}
}
