package jobs

import (
	"context"
	"fmt"
	"time"

	"supportbot/jobs/digest"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// hourlySchedule fires at every Jalali month start (the settlement of the
// month that ended) and at every hourly package's expiry, while some
// package is still valid.
type hourlySchedule struct{ j *Work }

// Next is the first month start or package expiry after t; the zero Time
// when no hourly package is valid after t.
func (s hourlySchedule) Next(t time.Time) time.Time {
	cs, err := s.j.st.ListContracts(context.Background())
	if err != nil {
		return t.Add(retryAfter)
	}
	var next time.Time
	for _, c := range cs {
		end, ok := c.SupportEnd(s.j.loc, s.j.env.Policy.Hourly)
		if c.Kind != rules.KindHourly || !ok || !end.After(t) {
			continue
		}
		if next.IsZero() || end.Before(next) {
			next = end
		}
	}
	if next.IsZero() {
		return next
	}
	if month := rules.JalaliMonthEnd(t.In(s.j.loc)); month.Before(next) {
		next = month
	}
	return next
}

// Recheck looks again hourly for packages imported since the last look.
func (hourlySchedule) Recheck() time.Duration { return time.Hour }

// RunHourly settles the Jalali month that ended at the month start before
// now and expires the packages whose validity ended, recording each charge
// as an hourly entry (store.Hourly), at most once per contract, kind and
// month. Both are done only within a day of their instant (catchUp).
func (j *Work) RunHourly(ctx context.Context, now time.Time) error {
	cs, err := j.st.ListContracts(ctx)
	if err != nil {
		return fmt.Errorf("hourly: %w", err)
	}
	monthStart := rules.JalaliMonthStart(now.In(j.loc))
	for _, c := range cs {
		start, ok := c.SupportStart(j.loc)
		if c.Kind != rules.KindHourly || !ok {
			continue
		}
		end, _ := c.SupportEnd(j.loc, j.env.Policy.Hourly)
		// The month is settled when it ends inside the package's
		// validity; the month of purchase counts from the purchase.
		if due(monthStart, now) && monthStart.After(start) && !monthStart.After(end) {
			prev := rules.JalaliMonthStart(monthStart.Add(-time.Nanosecond))
			if err := j.st.InTx(ctx, func(tx store.Store) error { return j.settle(ctx, tx, c, prev, monthStart) }); err != nil {
				return err
			}
		}
		if due(end, now) {
			if err := j.st.InTx(ctx, func(tx store.Store) error { return j.expire(ctx, tx, c, end) }); err != nil {
				return err
			}
		}
	}
	return nil
}

// hasEntry reports whether c already has an entry of kind (for month, or
// for any month when month is "").
func hasEntry(ctx context.Context, tx store.Store, contractID string, kind store.HourlyKind, month string) (bool, error) {
	es, err := tx.HourlyEntries(ctx, contractID)
	if err != nil {
		return false, fmt.Errorf("hourly: %w", err)
	}
	for _, e := range es {
		if e.Kind == kind && (month == "" || e.Month == month) {
			return true, nil
		}
	}
	return false, nil
}

// settle charges c the month-end minimum for the Jalali month [from, to):
// up to the minimum monthly consumption, never more than the package has
// left (rules.MonthEndTopUp). The entry is dated the last second of the
// month, so it counts in that month's consumption.
func (j *Work) settle(ctx context.Context, tx store.Store, c rules.Contract, from, to time.Time) error {
	month := rules.JalaliMonthKey(from)
	if done, err := hasEntry(ctx, tx, c.ID, store.HourlySettlement, month); err != nil || done {
		return err
	}
	u, err := tx.Usage(ctx, c.ID, store.UsageWindow{MonthStart: from, MonthEnd: to, Hourly: true})
	if err != nil {
		return fmt.Errorf("hourly: usage of %s: %w", c.ID, err)
	}
	h := j.env.Policy.Hourly
	left := rules.HoursLeftMin(j.env.Policy.Limits(c).HoursTotalMin/60, u.HoursUsedMin)
	top := rules.MonthEndTopUp(u.MonthUsedMin, left, h)
	if top <= 0 {
		return nil
	}
	e := store.HourlyEntry{
		ContractID: c.ID, At: to.Add(-time.Second), Month: month, Kind: store.HourlySettlement, Minutes: top,
		Note: fmt.Sprintf("month used %d min, minimum %d min", u.MonthUsedMin, h.MonthMinimumMin),
	}
	if err := tx.AddHourlyEntry(ctx, &e); err != nil {
		return fmt.Errorf("hourly: settle %s: %w", c.ID, err)
	}
	return nil
}

// expire records the hours c had left when its validity ended at end (the
// Dey–Esfand rule, rules.HourlyExpiry), dated the last second of validity.
func (j *Work) expire(ctx context.Context, tx store.Store, c rules.Contract, end time.Time) error {
	if done, err := hasEntry(ctx, tx, c.ID, store.HourlyExpiry, ""); err != nil || done {
		return err
	}
	u, err := tx.Usage(ctx, c.ID, store.UsageWindow{Hourly: true})
	if err != nil {
		return fmt.Errorf("hourly: usage of %s: %w", c.ID, err)
	}
	left := rules.HoursLeftMin(j.env.Policy.Limits(c).HoursTotalMin/60, u.HoursUsedMin)
	if left <= 0 {
		return nil
	}
	at := end.Add(-time.Second)
	e := store.HourlyEntry{
		ContractID: c.ID, At: at, Month: rules.JalaliMonthKey(at.In(j.loc)), Kind: store.HourlyExpiry, Minutes: left,
		Note: "unused hours at expiry",
	}
	if err := tx.AddHourlyEntry(ctx, &e); err != nil {
		return fmt.Errorf("hourly: expire %s: %w", c.ID, err)
	}
	return nil
}

// RunPackageNotes tells the staff group, and the customer on every phone,
// once each, when a valid hourly package has less than digest.LowPercent
// of its hours left and again when it has none. It runs when contact hours
// open, so customers hear it when people can answer.
func (j *Work) RunPackageNotes(ctx context.Context, now time.Time) error {
	if !j.cal.IsContactOpen(now) {
		return nil
	}
	cs, err := j.st.ListContracts(ctx)
	if err != nil {
		return fmt.Errorf("package notes: %w", err)
	}
	for _, c := range cs {
		if c.Kind != rules.KindHourly {
			continue
		}
		if err := j.st.InTx(ctx, func(tx store.Store) error { return j.packageNote(ctx, tx, c, now) }); err != nil {
			return err
		}
	}
	return nil
}

func (j *Work) packageNote(ctx context.Context, tx store.Store, c rules.Contract, now time.Time) error {
	p, policy := j.p, j.env.Policy
	u, err := tx.Usage(ctx, c.ID, store.WindowAt(c, now, j.loc))
	if err != nil {
		return fmt.Errorf("package notes: usage of %s: %w", c.ID, err)
	}
	if st := policy.Status(c, u, now); st != rules.StatusActive && st != rules.StatusExhausted {
		return nil
	}
	total := policy.Limits(c).HoursTotalMin
	left := rules.HoursLeftMin(total/60, u.HoursUsedMin)
	level := "low"
	switch {
	case total <= 0:
		return nil
	case left == 0:
		level = "out"
	case left*100 >= total*digest.LowPercent:
		return nil
	}
	fresh, err := tx.RecordNotice(ctx, "hourly_"+level+":"+c.ID, now)
	if err != nil || !fresh {
		return err
	}
	cu, err := customer(ctx, tx, c.CustomerID)
	if err != nil {
		return err
	}
	args := map[string]any{
		"contract_id": c.ID, "name": cu.Name, "subject": subjectOf(p, c),
		"left": minutes(left), "total": minutes(total), "percent": digest.LowPercent,
	}
	if _, err := j.env.Desk.Post(ctx, tx, now, outbox.Post{To: outbox.StaffGroup, Text: p.T("jobs.hourly."+level+".staff", args), Kind: store.OutboxBackground}); err != nil {
		return err
	}
	for _, phone := range cu.Phones {
		if _, err := j.env.Desk.Post(ctx, tx, now, outbox.Post{To: outbox.WhatsApp(phone), Text: p.T("jobs.hourly."+level+".customer", args)}); err != nil {
			return err
		}
	}
	return nil
}

// subjectOf names a contract to its customer, as a message argument: its
// subject, else its tier.
func subjectOf(p *locales.Printer, c rules.Contract) any {
	if c.Subject != "" {
		return c.Subject
	}
	return locales.Raw(p.T(c.Tier.LocaleKey(), nil))
}

// minutes is a minute count as a duration, which the printer writes in
// hours and minutes.
func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }
