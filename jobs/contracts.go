package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"supportbot/outbox"
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
func (j *Work) contractReminders(c rules.Contract) []contractReminder {
	start, ok := c.SupportStart(j.loc)
	if !ok {
		return nil
	}
	end, _ := c.SupportEnd(j.loc, j.env.Policy.Hourly)
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
type contractEndSchedule struct{ j *Work }

// Next is the earliest contract-end reminder after t, or the next hour's
// start while reminders wait for the hourly cap; the zero Time when there
// is none.
func (s contractEndSchedule) Next(t time.Time) time.Time {
	cs, err := s.j.st.ListContracts(context.Background())
	if err != nil {
		return t.Add(retryAfter)
	}
	waiting, err := s.j.waitingReminders(context.Background(), s.j.st)
	if err != nil {
		return t.Add(retryAfter)
	}
	var next time.Time
	if len(waiting) > 0 {
		l := t.In(s.j.loc)
		next = s.j.cal.NextContactOpening(time.Date(l.Year(), l.Month(), l.Day(), l.Hour()+1, 0, 0, 0, s.j.loc))
	}
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
// goes out at most once, inside contact hours, oldest first, and at most
// ContractEndPerHour messages in a clock hour: the rest wait (stored, see
// store.ContractEnds) for the following hours.
func (j *Work) RunContractEnd(ctx context.Context, now time.Time) error {
	if !j.cal.IsContactOpen(now) {
		return nil
	}
	cs, err := j.st.ListContracts(ctx)
	if err != nil {
		return fmt.Errorf("contract reminders: %w", err)
	}
	waiting, err := j.waitingReminders(ctx, j.st)
	if err != nil {
		return err
	}
	type item struct {
		c rules.Contract
		r contractReminder
	}
	var todo []item
	for _, c := range cs {
		for _, r := range j.contractReminders(c) {
			if due(r.at, now) || (!r.at.After(now) && waiting[reminderKey(c, r, j.loc)]) {
				todo = append(todo, item{c, r})
			}
		}
	}
	slices.SortStableFunc(todo, func(a, b item) int { return a.r.at.Compare(b.r.at) })
	for _, it := range todo {
		err := j.st.InTx(ctx, func(tx store.Store) error { return j.remindContractEnd(ctx, tx, it.c, it.r, now) })
		if errors.Is(err, errHourFull) {
			err = j.st.WaitContractEnd(ctx, reminderKey(it.c, it.r, j.loc))
		}
		if err != nil {
			return err
		}
	}
	// A waiting reminder whose contract or reminder is gone (re-imported
	// with other dates, reminder days changed) is forgotten.
	if len(waiting) > 0 {
		live := map[string]bool{}
		for _, c := range cs {
			for _, r := range j.contractReminders(c) {
				live[reminderKey(c, r, j.loc)] = true
			}
		}
		var gone []string
		for k := range waiting {
			if !live[k] {
				gone = append(gone, k)
			}
		}
		if len(gone) > 0 {
			return j.st.DropContractEndWaiting(ctx, gone...)
		}
	}
	return nil
}

func reminderKey(c rules.Contract, r contractReminder, loc *time.Location) string {
	return fmt.Sprintf("contract_end:%s:%d:%s", c.ID, r.days, rules.DateOf(r.end.In(loc)))
}

// waitingReminders is the set of contract-end reminders waiting for the
// hourly cap (store.ContractEnds).
func (j *Work) waitingReminders(ctx context.Context, tx store.Store) (map[string]bool, error) {
	keys, err := tx.ContractEndWaiting(ctx)
	if err != nil {
		return nil, fmt.Errorf("contract reminders waiting: %w", err)
	}
	out := make(map[string]bool, len(keys))
	for _, k := range keys {
		out[k] = true
	}
	return out, nil
}

// errHourFull stops a reminder the hourly cap has no room for.
var errHourFull = errors.New("contract reminders: hourly cap reached")

// daysBetween is the number of calendar days from a to b.
func daysBetween(a, b rules.Date) int {
	return int(b.Time(time.UTC).Sub(a.Time(time.UTC)).Round(time.Hour).Hours() / 24)
}

// sentThisHour reads how many reminder messages went out in now's clock
// hour (in the office's zone), and that hour's key.
func (j *Work) sentThisHour(ctx context.Context, tx store.Store, now time.Time) (string, int, error) {
	hour := now.In(j.loc).Format("2006-01-02T15")
	h, count, err := tx.ContractEndHour(ctx)
	if err != nil {
		return hour, 0, fmt.Errorf("contract reminders this hour: %w", err)
	}
	if h < hour {
		return hour, 0, nil
	}
	// A run at an earlier instant (a second run of a past window) counts
	// against the latest hour: the budget never resets backwards.
	return h, count, nil
}

func (j *Work) remindContractEnd(ctx context.Context, tx store.Store, c rules.Contract, r contractReminder, now time.Time) error {
	p := j.p
	u, err := tx.Usage(ctx, c.ID, store.WindowAt(c, now, j.loc))
	if err != nil {
		return fmt.Errorf("contract reminders: usage of %s: %w", c.ID, err)
	}
	if j.env.Policy.Status(c, u, now) != rules.StatusActive {
		return nil
	}
	key := reminderKey(c, r, j.loc)
	fresh, err := tx.RecordNotice(ctx, key, r.at)
	if err != nil {
		return err
	}
	waiting, err := j.waitingReminders(ctx, tx)
	if err != nil {
		return err
	}
	waited := waiting[key]
	if waited {
		if err := tx.DropContractEndWaiting(ctx, key); err != nil {
			return fmt.Errorf("contract reminders waiting: %w", err)
		}
	}
	if !fresh {
		return nil
	}
	cu, err := customer(ctx, tx, c.CustomerID)
	if err != nil {
		return err
	}
	if limit := j.cfg.ContractEndPerHour; limit > 0 {
		hour, sent, err := j.sentThisHour(ctx, tx, now)
		if err != nil {
			return err
		}
		// One customer's phones go together; a customer with more phones
		// than the cap goes alone in an hour.
		if sent > 0 && sent+len(cu.Phones) > limit {
			return errHourFull // rolls back; the caller keeps the reminder waiting
		}
		if err := tx.SetContractEndHour(ctx, hour, sent+len(cu.Phones)); err != nil {
			return fmt.Errorf("contract reminders this hour: %w", err)
		}
	}
	// A reminder that waited says how many days are really left.
	days := r.days
	if left := daysBetween(rules.DateOf(now.In(j.loc)), rules.DateOf(r.end.In(j.loc))); waited && left < days {
		days = left
	}
	text := p.T("jobs.contract_end.customer", map[string]any{
		"subject": subjectOf(p, c), "kind": c.Kind, "tier": c.Tier, "date": lastDay(r.end), "days": days,
	})
	for _, phone := range cu.Phones {
		if _, err := j.env.Desk.Post(ctx, tx, now, outbox.Post{To: outbox.WhatsApp(phone), Text: text}); err != nil {
			return err
		}
	}
	return nil
}

// lastDay is the last day inside a period whose exclusive end (midnight) is
// end: what people mean by "valid until".
func lastDay(end time.Time) rules.Date {
	return rules.DateOf(end.Add(-time.Nanosecond))
}
