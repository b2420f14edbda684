package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// askCSAT marks a ticket being closed by staff as asked for a score, unless
// it was asked and not reopened since (store.Ticket.ReopenCSAT); it reports
// whether to send the question.
func (d *Desk) askCSAT(t *store.Ticket, at time.Time) bool {
	if d.cfg.Lifecycle.CSATDays <= 0 || !t.CSATAskedAt.IsZero() || t.Phone == "" {
		return false
	}
	t.CSATAskedAt, t.CSATPending = at, true
	return true
}

// sendCSATQuestion asks the customer for a score from 1 to 5.
func (d *Desk) sendCSATQuestion(ctx context.Context, tx store.Store, t store.Ticket, at time.Time) error {
	_, err := d.post(ctx, tx, at, outbox.Post{To: outbox.WhatsApp(t.Phone), TicketID: t.ID, Text: d.printer.T("lifecycle.csat.question", map[string]any{"id": t.ID})})
	return err
}

// csatScore reads a message that is only a score 1-5, in any digit script.
func csatScore(text string) (int, bool) {
	n, ok := rules.ParseMenuChoice(text)
	return n, ok && n >= 1 && n <= 5
}

// AnswerCSAT is the step before the customer conversation: when the
// sender's last closed ticket waits for a satisfaction score, the message
// is one and no menu of the conversation is on screen and the customer has
// not used the conversation since the question (menuOnScreen, given when
// the question was asked; a number then picks from the menu or means what
// the conversation makes of it), the score is stored on the ticket (with the message),
// the customer thanked, and a 1 or 2 alerts the managers; it reports true
// and the conversation never sees the message. Anything else goes on to
// the conversation as an ordinary message (it may reopen the ticket); the
// question stays open until its window ends or the ticket is reopened.
func (d *Desk) AnswerCSAT(ctx context.Context, tx store.Store, phone string, at time.Time, text string, file *store.File,
	menuOnScreen func(asked time.Time) (bool, error)) (bool, error) {
	if d.cfg.Lifecycle.CSATDays <= 0 {
		return false, nil
	}
	// Only a bare score can answer the question, and nearly every message
	// is not one: it is let through without a look at the tickets, and a
	// question that lapsed meanwhile is cleared by the next score-like one.
	score, ok := csatScore(text)
	if !ok || file != nil {
		return false, nil
	}
	t, err := tx.PendingCSAT(ctx, phone)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("desk: satisfaction question: %w", err)
	}
	expired := at.Sub(t.CSATAskedAt) > time.Duration(d.cfg.Lifecycle.CSATDays)*24*time.Hour
	if t.Status != store.TicketClosed || expired {
		t.CSATPending = false // reopened, merged or too late: the question lapses
		if err := tx.UpdateTicket(ctx, t); err != nil {
			return false, fmt.Errorf("desk: satisfaction question of ticket %d: %w", t.ID, err)
		}
		return false, nil
	}
	if menuOnScreen != nil {
		if busy, err := menuOnScreen(t.CSATAskedAt); err != nil || busy {
			return false, err
		}
	}
	t.CSAT, t.CSATPending = score, false
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return false, fmt.Errorf("desk: score of ticket %d: %w", t.ID, err)
	}
	m := store.Message{TicketID: t.ID, At: at, Direction: store.FromCustomer, Author: phone, Text: text}
	if err := tx.AddMessage(ctx, &m); err != nil {
		return false, fmt.Errorf("desk: score of ticket %d: %w", t.ID, err)
	}
	key := "lifecycle.csat.thanks"
	if score <= 2 {
		key = "lifecycle.csat.thanks_low"
	}
	if _, err := d.post(ctx, tx, at, outbox.Post{To: outbox.WhatsApp(phone), TicketID: t.ID, Text: d.printer.T(key, map[string]any{"id": t.ID})}); err != nil {
		return false, err
	}
	if score > 2 {
		return true, nil
	}
	name := t.CustomerID
	if c, err := tx.Customer(ctx, t.CustomerID); err == nil {
		name = c.Name
	}
	alert := d.printer.T("lifecycle.csat.alert", map[string]any{
		"id": t.ID, "score": score, "name": name, "customer_id": t.CustomerID, "assignee": d.csatStaff(t),
	})
	for _, addr := range d.ManagerAddresses() {
		if _, err := d.post(ctx, tx, at, outbox.Post{To: addr, TicketID: t.ID, Text: alert}); err != nil {
			return false, err
		}
	}
	return true, nil
}

// csatStaff is whom a score is credited to: the assignee, else nobody in
// particular.
func (d *Desk) csatStaff(t store.Ticket) string {
	if t.Assignee != 0 {
		return d.assigneeName(t)
	}
	return d.printer.T("lifecycle.csat.unassigned", nil)
}
