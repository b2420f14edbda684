package jobs

import (
	"context"
	"fmt"
	"time"

	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// waitSchedule fires at the reminder and auto-close instants of the
// tickets waiting on the customer (Desk.NudgeAt, Desk.AutoCloseAt).
type waitSchedule struct{ j *Work }

// Next is the earliest reminder or auto-close after t; zero when none.
func (s waitSchedule) Next(t time.Time) time.Time {
	ts, err := s.j.st.WaitingTickets(context.Background())
	if err != nil {
		return t.Add(retryAfter)
	}
	var next time.Time
	for _, tk := range ts {
		for _, at := range []time.Time{s.j.pendingNudge(tk), s.j.env.Desk.AutoCloseAt(tk)} {
			if !at.IsZero() && at.After(t) && (next.IsZero() || at.Before(next)) {
				next = at
			}
		}
	}
	return next
}

// Recheck asks a real-time scheduler to look again each minute: a ticket
// put to wait since the last look may fall due before the instant Next gave.
func (waitSchedule) Recheck() time.Duration { return time.Minute }

// pendingNudge is when tk's customer is still to be reminded; zero when
// reminded already or never.
func (j *Work) pendingNudge(tk store.Ticket) time.Time {
	if !tk.NudgedAt.IsZero() {
		return time.Time{}
	}
	return j.env.Desk.NudgeAt(tk)
}

// RunWaiting reminds the customers of waiting tickets whose reminder is due
// and closes, with a notice, those that waited their full time. Each ticket
// is handled in its own transaction and re-read there, so a customer's
// message that ended the wait meanwhile wins.
func (j *Work) RunWaiting(ctx context.Context, now time.Time) error {
	ts, err := j.st.WaitingTickets(ctx)
	if err != nil {
		return fmt.Errorf("waiting tickets: %w", err)
	}
	for _, tk := range ts {
		err := j.st.InTx(ctx, func(tx store.Store) error {
			return j.env.Desk.Watched(ctx, tx, now, func(tx store.Store) error { return j.waitStep(ctx, tx, tk.ID, now) })
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// waitStep does what is due for one waiting ticket at now.
func (j *Work) waitStep(ctx context.Context, tx store.Store, id int64, now time.Time) error {
	p, desk := j.p, j.env.Desk
	t, err := tx.Ticket(ctx, id)
	if err != nil {
		return fmt.Errorf("waiting ticket %d: %w", id, err)
	}
	if t.Status != store.TicketWaiting {
		return nil
	}
	card, err := desk.Card(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	if at := desk.AutoCloseAt(t); !at.IsZero() && !at.After(now) {
		c, err := contract(ctx, tx, t.ContractID)
		if err != nil {
			return err
		}
		t.Status, t.ClosedAt = store.TicketClosed, at
		if c.Kind == rules.KindHourly { // charged as when staff close it
			t.ChargedMin = rules.TicketCharge(t.LoggedMin, true, false, j.env.Policy.Hourly)
		}
		if err := tx.UpdateTicket(ctx, t); err != nil {
			return fmt.Errorf("auto-close ticket %d: %w", t.ID, err)
		}
		args := map[string]any{"id": t.ID, "days": j.env.AutoCloseDays}
		if _, err := desk.Post(ctx, tx, at, outbox.Post{To: outbox.WhatsApp(t.Phone), TicketID: t.ID, Text: p.T("lifecycle.autoclose.customer", args)}); err != nil {
			return err
		}
		if _, err := desk.Post(ctx, tx, at, outbox.Post{To: outbox.StaffGroup, TicketID: t.ID, ReplyTo: card, Text: p.T("lifecycle.autoclose.staff", args)}); err != nil {
			return err
		}
		return audit(ctx, tx, store.AuditRecord{At: at, Action: "autoclose", TicketID: t.ID})
	}
	if at := j.pendingNudge(t); !at.IsZero() && !at.After(now) {
		t.NudgedAt = at
		if err := tx.UpdateTicket(ctx, t); err != nil {
			return fmt.Errorf("remind on ticket %d: %w", t.ID, err)
		}
		args := map[string]any{"id": t.ID, "close": desk.AutoCloseAt(t)}
		key := "lifecycle.nudge.customer"
		if args["close"].(time.Time).IsZero() {
			key = "lifecycle.nudge.customer_no_close"
		}
		if _, err := desk.Post(ctx, tx, at, outbox.Post{To: outbox.WhatsApp(t.Phone), TicketID: t.ID, Text: p.T(key, args)}); err != nil {
			return err
		}
		if _, err := desk.Post(ctx, tx, at, outbox.Post{To: outbox.StaffGroup, TicketID: t.ID, ReplyTo: card, Text: p.T("lifecycle.nudge.staff", map[string]any{"id": t.ID})}); err != nil {
			return err
		}
		return audit(ctx, tx, store.AuditRecord{At: at, Action: "nudge", TicketID: t.ID})
	}
	return nil
}
