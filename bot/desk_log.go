package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// cmdLog records staff time on a ticket. For an hourly package it
// recomputes the ticket's charge and warns when the package's month cap or
// hours are exceeded; for the yearly customisation and training hours of a
// project contract it shows what is left.
func (d *Desk) cmdLog(ctx context.Context, tx store.Store, in staffIn, args string) error {
	t, rest, err := d.ticketArg(ctx, tx, args, "desk.syntax.log")
	if err != nil {
		return err
	}
	if rest == "" {
		return &userError{ticket: t.ID, key: "desk.err.missing_duration", args: map[string]any{"usage": d.raw("desk.syntax.log")}}
	}
	dur, err := rules.ParseDuration(rest)
	if err != nil {
		return &userError{ticket: t.ID, key: "desk.err.bad_duration", args: map[string]any{"arg": clip(rest, 32), "usage": d.raw("desk.syntax.log")}}
	}
	c, err := d.contract(ctx, tx, t.ContractID)
	if err != nil {
		return err
	}
	n := int(dur / time.Minute)
	if err := tx.AddTimeLog(ctx, &store.TimeLog{TicketID: t.ID, At: in.At, Minutes: n, StaffID: in.UserID}); err != nil {
		return fmt.Errorf("desk: log time on ticket %d: %w", t.ID, err)
	}
	t.LoggedMin += n
	d.charge(&t, c)
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return fmt.Errorf("desk: log time on ticket %d: %w", t.ID, err)
	}
	lines := []string{d.printer.T("desk.logged", map[string]any{"id": t.ID, "added": dur, "total": minutes(t.LoggedMin)})}
	more, err := d.budgetLines(ctx, tx, t, c, in.At)
	if err != nil {
		return err
	}
	return d.answer(ctx, tx, in, t.ID, strings.Join(append(lines, more...), "\n"))
}

// budgetLines tells staff, after time was logged on t, what is left of the
// hours that time comes out of, and warns when they are overdrawn.
func (d *Desk) budgetLines(ctx context.Context, tx store.Store, t store.Ticket, c rules.Contract, at time.Time) ([]string, error) {
	hourly := c.Kind == rules.KindHourly
	yearly := c.Kind == rules.KindProject && (t.Kind == rules.RequestCustomization || t.Kind == rules.RequestTraining)
	if !hourly && !yearly {
		return nil, nil
	}
	u, err := tx.Usage(ctx, c.ID, d.window(c, at))
	if err != nil {
		return nil, fmt.Errorf("desk: usage of contract %s: %w", c.ID, err)
	}
	l := d.policy.Limits(c)
	p := d.printer
	var lines []string
	if hourly {
		lines = append(lines,
			p.T("desk.charged", map[string]any{"charged": minutes(t.ChargedMin)}),
			p.T("desk.logged.hours", map[string]any{
				"contract_id": c.ID,
				"left":        minutes(max(l.HoursTotalMin-u.HoursUsedMin, 0)),
				"total":       minutes(l.HoursTotalMin),
				"month":       minutes(u.MonthUsedMin),
				"cap":         minutes(l.MonthCapMin),
			}))
		if u.MonthUsedMin > l.MonthCapMin {
			lines = append(lines, p.T("desk.warn.month_cap", map[string]any{
				"contract_id": c.ID, "month": minutes(u.MonthUsedMin), "cap": minutes(l.MonthCapMin),
			}))
		}
		if u.HoursUsedMin > l.HoursTotalMin {
			lines = append(lines, p.T("desk.warn.hours", map[string]any{
				"contract_id": c.ID, "used": minutes(u.HoursUsedMin), "total": minutes(l.HoursTotalMin),
			}))
		}
		return lines, nil
	}
	limit, used := l.CustomizationMin, u.CustomizationMin
	if t.Kind == rules.RequestTraining {
		limit, used = l.TrainingMin, u.TrainingMin
	}
	if limit <= 0 {
		// Not offered (the intake refuses it) or without a yearly cap.
		return nil, nil
	}
	args := map[string]any{
		"contract_id": c.ID, "kind": t.Kind,
		"used": minutes(used), "left": minutes(max(limit-used, 0)), "total": minutes(limit),
	}
	lines = append(lines, p.T("desk.logged.yearly", args))
	if used > limit {
		lines = append(lines, p.T("desk.warn.yearly", args))
	}
	return lines, nil
}

// window is the periods c's usage is counted in at an instant
// (store.WindowAt in the office's zone).
func (d *Desk) window(c rules.Contract, at time.Time) store.UsageWindow {
	return store.WindowAt(c, at, d.loc)
}
