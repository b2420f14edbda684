package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/store"
)

// LifecycleConfig times waiting on the customer and the satisfaction
// question (config lifecycle.*; docs/lifecycle.md).
type LifecycleConfig struct {
	// NudgeDays is how many office days a waiting ticket waits before the
	// customer is reminded, once; 0 sends no reminder.
	NudgeDays int
	// AutoCloseDays is how many office days a waiting ticket waits before
	// it closes with a notice; 0 never closes it.
	AutoCloseDays int
	// CSATDays is how long after a close a bare score 1-5 still answers
	// the satisfaction question; 0 asks no question.
	CSATDays int
}

// DefaultLifecycle are the shipped defaults of config.example.yaml.
func DefaultLifecycle() LifecycleConfig {
	return LifecycleConfig{NudgeDays: 2, AutoCloseDays: 5, CSATDays: 7}
}

// cmdWait puts a ticket to wait on the customer: "/wait N [TEXT]". The
// text, when given, goes to the customer as an answer; without it the
// customer gets a short standard line. A waiting ticket has been answered,
// so its first-response clock stops.
func (d *Desk) cmdWait(ctx context.Context, tx store.Store, in staffIn, args string) error {
	t, text, err := d.ticketArg(ctx, tx, args, "lifecycle.syntax.wait")
	if err != nil {
		return err
	}
	if err := d.mustBeOpen(t); err != nil {
		return err
	}
	name := d.staffName(in)
	if text == "" {
		text = d.printer.T("lifecycle.wait.customer_default", map[string]any{"id": t.ID})
	}
	m := store.Message{TicketID: t.ID, At: in.At, Direction: store.FromStaff, Author: name, Text: text, File: in.File}
	if err := tx.AddMessage(ctx, &m); err != nil {
		return fmt.Errorf("desk: wait on ticket %d: %w", t.ID, err)
	}
	if t.FirstResponseAt.IsZero() {
		t.FirstResponseAt = in.At
	}
	t.Status, t.WaitingSince, t.NudgedAt = store.TicketWaiting, in.At, time.Time{}
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return fmt.Errorf("desk: wait on ticket %d: %w", t.ID, err)
	}
	if _, err := d.post(ctx, tx, in.At, outbox.Post{
		To: outbox.WhatsApp(t.Phone), TicketID: t.ID, File: in.File,
		Text: d.printer.T("desk.relay.to_customer", map[string]any{"id": t.ID, "name": name, "text": locales.Raw(text)}),
	}); err != nil {
		return err
	}
	lines := []string{d.printer.T("lifecycle.wait.staff", map[string]any{"id": t.ID})}
	if nudge := d.nudgeAt(t); !nudge.IsZero() {
		lines = append(lines, d.printer.T("lifecycle.wait.staff_nudge", map[string]any{"at": nudge}))
	}
	if closeAt := d.autoCloseAt(t); !closeAt.IsZero() {
		lines = append(lines, d.printer.T("lifecycle.wait.staff_close", map[string]any{"at": closeAt}))
	}
	return d.answer(ctx, tx, in, t.ID, strings.Join(lines, "\n"))
}

// nudgeAt is when a waiting ticket's customer is reminded: NudgeDays
// office days after the wait began; zero when there is no reminder.
func (d *Desk) nudgeAt(t store.Ticket) time.Time {
	n := d.cfg.Lifecycle.NudgeDays
	if t.Status != store.TicketWaiting || n <= 0 || d.policy.Calendar == nil {
		return time.Time{}
	}
	return d.policy.Calendar.BusinessDeadline(t.WaitingSince, n)
}

// autoCloseAt is when a waiting ticket closes by itself; zero when never.
func (d *Desk) autoCloseAt(t store.Ticket) time.Time {
	n := d.cfg.Lifecycle.AutoCloseDays
	if t.Status != store.TicketWaiting || n <= 0 || d.policy.Calendar == nil {
		return time.Time{}
	}
	return d.policy.Calendar.BusinessDeadline(t.WaitingSince, n)
}

// endWait ends t's wait when the customer wrote: the ticket is answered
// again and staff see the follow-up as usual. Other tickets are left alone.
func (d *Desk) endWait(ctx context.Context, tx store.Store, t *store.Ticket) error {
	if t.Status != store.TicketWaiting {
		return nil
	}
	t.Status, t.WaitingSince, t.NudgedAt = store.TicketAnswered, time.Time{}, time.Time{}
	if err := tx.UpdateTicket(ctx, *t); err != nil {
		return fmt.Errorf("desk: end the wait of ticket %d: %w", t.ID, err)
	}
	return nil
}

// cmdMerge joins ticket M into ticket N: "/merge N M". M's messages, files
// and logged time move to N, M becomes merged (it no longer counts as a
// request), and the customer hears it once.
func (d *Desk) cmdMerge(ctx context.Context, tx store.Store, in staffIn, args string) error {
	into, rest, err := d.ticketArg(ctx, tx, args, "lifecycle.syntax.merge")
	if err != nil {
		return err
	}
	from, _, err := d.ticketArg(ctx, tx, rest, "lifecycle.syntax.merge")
	if err != nil {
		return err
	}
	switch {
	case into.ID == from.ID:
		return &userError{ticket: into.ID, key: "lifecycle.merge.err_same", args: map[string]any{"id": into.ID}}
	case into.ContractID != from.ContractID || into.CustomerID != from.CustomerID:
		return &userError{ticket: into.ID, key: "lifecycle.merge.err_contracts", args: map[string]any{
			"into": into.ID, "from": from.ID, "into_contract": into.ContractID, "from_contract": from.ContractID,
		}}
	}
	if err := d.mustBeOpen(into); err != nil {
		return err
	}
	if err := d.mustBeOpen(from); err != nil {
		return err
	}
	c, err := d.contract(ctx, tx, into.ContractID)
	if err != nil {
		return err
	}
	if err := tx.MoveTicketHistory(ctx, from.ID, into.ID); err != nil {
		return fmt.Errorf("desk: merge ticket %d into %d: %w", from.ID, into.ID, err)
	}
	into.LoggedMin += from.LoggedMin
	if into.FirstResponseAt.IsZero() && !from.FirstResponseAt.IsZero() {
		into.FirstResponseAt = from.FirstResponseAt
		if into.Status == store.TicketNew {
			into.Status = store.TicketAnswered
		}
	}
	d.charge(&into, c)
	from.Status, from.MergedInto, from.ClosedAt = store.TicketMerged, into.ID, in.At
	from.LoggedMin, from.ChargedMin, from.CSATPending = 0, 0, false
	if err := tx.UpdateTicket(ctx, into); err != nil {
		return fmt.Errorf("desk: merge into ticket %d: %w", into.ID, err)
	}
	if err := tx.UpdateTicket(ctx, from); err != nil {
		return fmt.Errorf("desk: merge ticket %d: %w", from.ID, err)
	}
	note := store.Message{TicketID: into.ID, At: in.At, Direction: store.StaffNote, Author: d.staffName(in),
		Text: d.printer.T("lifecycle.merge.note", map[string]any{"from": from.ID, "into": into.ID})}
	if err := tx.AddMessage(ctx, &note); err != nil {
		return fmt.Errorf("desk: merge note on ticket %d: %w", into.ID, err)
	}
	told := map[string]bool{}
	for _, phone := range []string{into.Phone, from.Phone} {
		if phone == "" || told[phone] {
			continue
		}
		told[phone] = true
		text := d.printer.T("lifecycle.merge.customer", map[string]any{"from": from.ID, "into": into.ID})
		if _, err := d.post(ctx, tx, in.At, outbox.Post{To: outbox.WhatsApp(phone), TicketID: into.ID, Text: text}); err != nil {
			return err
		}
	}
	return d.answer(ctx, tx, in, into.ID, d.printer.T("lifecycle.merge.staff", map[string]any{
		"from": from.ID, "into": into.ID, "logged": minutes(into.LoggedMin),
	}))
}
