package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"supportbot/inbound"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// CompanyMessage is inbound.CompanyMessage.
type CompanyMessage = inbound.CompanyMessage

// HandleCompanyPhone records a message typed on the company phone to a
// customer exactly once. It is a staff answer from «گوشی شرکت»: on the
// customer's open ticket it is stored as one (stopping the first-response
// clock) and shown to staff under the card; the bot never answers it and
// never sends it to the customer again (the phone already did). With no
// open ticket it goes on the ticket closed last within the reopen window,
// without reopening it; with neither, staff are shown it on its own.
func (e *Engine) HandleCompanyPhone(ctx context.Context, m CompanyMessage) error {
	m.Text = outbox.ScrubMarks(strings.ToValidUTF8(m.Text, "\uFFFD"))
	if m.Chat == "" {
		m.Chat = m.Phone
	}
	return e.group.do(ctx, func(ctx context.Context, b *batch) error {
		// The answer edits the ticket's card, as a staff answer does.
		return e.desk.watched(ctx, b.tx, m.At, func(tx store.Store) error { return e.companyPhone(ctx, tx, m) })
	})
}

// companyPhone is HandleCompanyPhone's work, in tx.
func (e *Engine) companyPhone(ctx context.Context, tx store.Store, m CompanyMessage) error {
	if m.ID != "" {
		fresh, err := tx.RecordChatInbound(ctx, TransportWhatsApp, m.Chat, m.ID, m.At)
		if err != nil || !fresh {
			return err
		}
	}
	c, err := e.canonical(ctx, tx, CustomerMessage{Phone: m.Phone, Chat: m.Chat})
	if err != nil {
		return err
	}
	m.Phone = c.Phone
	reopen := -1
	if e.conv != nil {
		reopen = e.conv.ReopenDays()
	}
	t, open, err := companyTicket(ctx, tx, m.Phone, m.At, reopen, e.desk.loc)
	if err != nil {
		return err
	}
	return e.desk.companyAnswer(ctx, tx, m, t, open)
}

// companyTicket is the ticket a company-phone message to phone belongs to:
// the newest open ticket of the contact (else of its customer), or failing
// that the ticket closed last within reopenDays calendar days (open is then
// false); the zero ticket when there is none.
func companyTicket(ctx context.Context, tx store.Store, phone string, at time.Time, reopenDays int, loc *time.Location) (t store.Ticket, open bool, err error) {
	ts, err := tx.ListTickets(ctx, store.TicketFilter{Phone: phone})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return t, false, fmt.Errorf("company phone: tickets of %s: %w", phone, err)
	}
	if c, err := tx.CustomerByPhone(ctx, phone); err == nil {
		more, err := tx.ListTickets(ctx, store.TicketFilter{CustomerID: c.ID})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return t, false, fmt.Errorf("company phone: tickets of %s: %w", c.ID, err)
		}
		ts = append(ts, more...)
	} else if !errors.Is(err, store.ErrNotFound) {
		return t, false, fmt.Errorf("company phone: customer of %s: %w", phone, err)
	}
	// The contact's own open ticket wins over another contact's of the
	// same customer; the newest wins among equals.
	var best, closed store.Ticket
	for _, tk := range ts {
		switch {
		case tk.Status.Open():
			if best.ID == 0 || (tk.Phone == phone && best.Phone != phone) ||
				((tk.Phone == phone) == (best.Phone == phone) && tk.ID > best.ID) {
				best = tk
			}
		case tk.Status == store.TicketClosed && !tk.ClosedAt.IsZero() && !tk.ClosedAt.After(at):
			if closed.ID == 0 || tk.ClosedAt.After(closed.ClosedAt) {
				closed = tk
			}
		}
	}
	if best.ID != 0 {
		return best, true, nil
	}
	if closed.ID == 0 || reopenDays < 0 {
		return store.Ticket{}, false, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	limit := rules.DateOf(closed.ClosedAt.In(loc)).AddDays(reopenDays)
	if limit.Before(rules.DateOf(at.In(loc))) {
		return store.Ticket{}, false, nil
	}
	return closed, false, nil
}

// companyAnswer stores a company-phone message on t (when t.ID != 0) as a
// staff answer and shows it to staff.
func (d *Desk) companyAnswer(ctx context.Context, tx store.Store, m CompanyMessage, t store.Ticket, open bool) error {
	author := d.printer.T("desk.company_phone.name", nil)
	text := strings.TrimSpace(m.Text)
	shown := clip(text, maxRelayRunes)
	if shown == "" && m.File != nil {
		shown = d.fileText(*m.File)
	}
	if t.ID == 0 {
		name := ""
		if c, err := tx.CustomerByPhone(ctx, m.Phone); err == nil {
			name = c.Name
		} else if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("desk: customer of %s: %w", m.Phone, err)
		}
		key := "desk.company_phone.no_ticket"
		if name == "" {
			key = "desk.company_phone.no_ticket_unknown"
		}
		_, err := d.post(ctx, tx, m.At, outbox.Post{To: outbox.StaffGroup, File: m.File, Text: d.printer.T(key, map[string]any{
			"phone": m.Phone, "name": name, "text": locales.Raw(shown)})})
		return err
	}
	msg := store.Message{TicketID: t.ID, At: m.At, Direction: store.FromStaff, Author: author, Text: text, File: m.File}
	if err := tx.AddMessage(ctx, &msg); err != nil {
		return fmt.Errorf("desk: store company-phone answer on ticket %d: %w", t.ID, err)
	}
	if open && t.FirstResponseAt.IsZero() {
		t.FirstResponseAt = m.At
		if t.Status == store.TicketNew {
			t.Status = store.TicketAnswered
		}
		if err := tx.UpdateTicket(ctx, t); err != nil {
			return fmt.Errorf("desk: answer ticket %d: %w", t.ID, err)
		}
	}
	if !open {
		// The closed ticket's card says it was answered after the close.
		if err := d.refreshCard(ctx, tx, t.ID, m.At, nil); err != nil {
			return err
		}
	}
	if err := d.audit(ctx, tx, store.AuditRecord{At: m.At, UserName: author, Action: "company_phone",
		TicketID: t.ID, Detail: clip(text, maxAuditDetail)}); err != nil {
		return err
	}
	card, err := d.cardOf(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	key := "desk.company_phone.answered"
	if !open {
		key = "desk.company_phone.after_close"
	}
	_, err = d.post(ctx, tx, m.At, outbox.Post{To: outbox.StaffGroup, TicketID: t.ID, ReplyTo: card, File: m.File,
		Text: d.printer.T(key, map[string]any{"id": t.ID, "status": d.status(t.Status), "text": locales.Raw(shown)})})
	return err
}
