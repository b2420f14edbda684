package bot

import (
	"context"
	"fmt"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// contractReminder is one contract-end reminder: days before the support
// end, sent at at.
type contractReminder struct {
	days int
	end  time.Time // the exclusive end of support
	at   time.Time
}

// contractReminders lists c's end reminders: for each configured number of
// days, the first contact-hours moment of the day that many days before the
// support end (the next contact opening when that day has none), kept only
// while support has started by then.
func (j *Jobs) contractReminders(c rules.Contract) []contractReminder {
	start, ok := c.SupportStart(j.loc)
	if !ok {
		return nil
	}
	end, _ := c.SupportEnd(j.loc, j.desk.policy.Hourly)
	var rs []contractReminder
	for _, days := range j.cfg.ContractEndDays {
		at := j.cal.NextContactOpening(end.AddDate(0, 0, -days))
		if at.IsZero() || at.Before(start) || !at.Before(end) {
			continue
		}
		rs = append(rs, contractReminder{days: days, end: end, at: at})
	}
	return rs
}

// contractEndSchedule fires at every contract-end reminder instant.
type contractEndSchedule struct{ j *Jobs }

// Next is the earliest contract-end reminder after t; the zero Time when
// there is none.
func (s contractEndSchedule) Next(t time.Time) time.Time {
	cs, err := s.j.st.ListContracts(context.Background())
	if err != nil {
		return t.Add(retryAfter)
	}
	var next time.Time
	for _, c := range cs {
		for _, r := range s.j.contractReminders(c) {
			if r.at.After(t) && (next.IsZero() || r.at.Before(next)) {
				next = r.at
			}
		}
	}
	return next
}

// Recheck looks again hourly for contracts imported since the last look.
func (contractEndSchedule) Recheck() time.Duration { return time.Hour }

// RunContractEnd reminds customers, on every phone, that an active
// contract's support ends in the configured number of days; each reminder
// goes out at most once, inside contact hours.
func (j *Jobs) RunContractEnd(ctx context.Context, now time.Time) error {
	if !j.cal.IsContactOpen(now) {
		return nil
	}
	cs, err := j.st.ListContracts(ctx)
	if err != nil {
		return fmt.Errorf("contract reminders: %w", err)
	}
	for _, c := range cs {
		for _, r := range j.contractReminders(c) {
			if !due(r.at, now) {
				continue
			}
			if err := j.st.InTx(ctx, func(tx store.Store) error { return j.remindContractEnd(ctx, tx, c, r, now) }); err != nil {
				return err
			}
		}
	}
	return nil
}

func (j *Jobs) remindContractEnd(ctx context.Context, tx store.Store, c rules.Contract, r contractReminder, now time.Time) error {
	d, p := j.desk, j.desk.p
	u, err := tx.Usage(ctx, c.ID, d.window(c, now))
	if err != nil {
		return fmt.Errorf("contract reminders: usage of %s: %w", c.ID, err)
	}
	if d.policy.Status(c, u, now) != rules.StatusActive {
		return nil
	}
	key := fmt.Sprintf("contract_end:%s:%d:%s", c.ID, r.days, rules.DateOf(r.end.In(j.loc)))
	fresh, err := tx.RecordNotice(ctx, key, r.at)
	if err != nil || !fresh {
		return err
	}
	cu, err := d.customer(ctx, tx, c.CustomerID)
	if err != nil {
		return err
	}
	text := p.T("jobs.contract_end.customer", map[string]any{
		"subject": subjectOf(p, c), "kind": c.Kind, "tier": c.Tier, "date": lastDay(r.end), "days": r.days,
	})
	for _, phone := range cu.Phones {
		if _, err := d.post(ctx, tx, now, Post{To: WhatsAppAddr(phone), Text: text}); err != nil {
			return err
		}
	}
	return nil
}
