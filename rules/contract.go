package rules

import "time"

// acceptanceDays is how long after delivery silence counts as acceptance:
// with no confirmation (or problem report) within a week, support starts.
const acceptanceDays = 7

// startDate is the civil date support begins, false while a product or
// project contract is not delivered (or a contract has no purchase date).
func (c Contract) startDate() (Date, bool) {
	switch c.Kind {
	case KindHourly, KindCRM:
		return c.PurchasedOn, !c.PurchasedOn.IsZero()
	default:
		// A confirmation wins even when it came after the week: the
		// customer may have reported a problem in that week, which
		// defers acceptance, and the data does not record reports.
		if !c.ConfirmedOn.IsZero() {
			return c.ConfirmedOn, true
		}
		if !c.DeliveredOn.IsZero() {
			return c.DeliveredOn.AddDays(acceptanceDays), true
		}
		return Date{}, false
	}
}

// SupportStart is midnight in loc of the day support begins: the delivery
// confirmation, else delivery + 7 days, for products and projects; the
// purchase for hourly packages and the CRM service. False while a product or
// project is not delivered yet, so it stays pending.
func (c Contract) SupportStart(loc *time.Location) (time.Time, bool) {
	d, ok := c.startDate()
	if !ok {
		return time.Time{}, false
	}
	return d.Time(loc), true
}

// SupportEnd is the exclusive instant support ends (midnight in loc): one
// Jalali year after the start, or the hourly expiry (HourlyExpiry). False
// when there is no start yet.
func (c Contract) SupportEnd(loc *time.Location, h HourlyRules) (time.Time, bool) {
	d, ok := c.startDate()
	if !ok {
		return time.Time{}, false
	}
	if c.Kind == KindHourly {
		return HourlyExpiry(d, loc, h), true
	}
	return AddJalaliYears(d, 1).Time(loc), true
}

// HourlyExpiry is the exclusive instant an hourly package bought on
// purchased stops being valid: hours expire at the end of the Jalali year,
// except that a package bought from h.CarryFromMonth on (Dey, Bahman,
// Esfand) carries over and lasts one year from purchase. Never later than
// one year from purchase.
func HourlyExpiry(purchased Date, loc *time.Location, h HourlyRules) time.Time {
	oneYear := AddJalaliYears(purchased, 1).Time(loc)
	if _, m, _ := purchased.Jalali(); m >= h.CarryFromMonth {
		return oneYear
	}
	yearEnd := JalaliYearEnd(purchased.Time(loc))
	if yearEnd.Before(oneYear) {
		return yearEnd
	}
	return oneYear
}

// ContractYear returns the contract year that holds at, [start, end):
// allowances (on-site visits, reinstalls, reviews, customisation and
// training hours) count per contract year, so the store counts usage in
// this window. Before the start it is the first year; both are zero while
// support has no start (not delivered).
func (c Contract) ContractYear(at time.Time, loc *time.Location) (start, end time.Time) {
	d, ok := c.startDate()
	if !ok {
		return time.Time{}, time.Time{}
	}
	sy, _, _ := d.Jalali()
	ay, _, _ := JalaliOf(at.In(loc))
	k := max(ay-sy, 0)
	// Each year's start is counted from the first start, not from the
	// previous year, so an Esfand 30 start is clamped only in short years.
	for k > 0 && AddJalaliYears(d, k).Time(loc).After(at) {
		k--
	}
	return AddJalaliYears(d, k).Time(loc), AddJalaliYears(d, k+1).Time(loc)
}

// RefundUntil is the instant the full-refund window closes: one Jalali
// month after purchase confirmation. Staff answer refund questions; the bot
// only says whether the window is open.
func (c Contract) RefundUntil(loc *time.Location) time.Time {
	return AddJalaliMonths(c.PurchasedOn, 1).Time(loc)
}

// Refundable reports whether a full refund is still due at: less than one
// month has passed since purchase confirmation. False without a purchase date.
func (c Contract) Refundable(at time.Time, loc *time.Location) bool {
	if c.PurchasedOn.IsZero() {
		return false
	}
	return at.Before(c.RefundUntil(loc))
}

// Status is c's state at an instant: pending before support starts (or
// while not delivered), expired from the end instant on, exhausted when an
// hourly package has no hours left, else active. Decide refuses every
// request of a contract that is not active.
func (p *Policy) Status(c Contract, u Usage, at time.Time) Status {
	loc := p.loc()
	start, ok := c.SupportStart(loc)
	if !ok || at.Before(start) {
		return StatusPending
	}
	if end, _ := c.SupportEnd(loc, p.Hourly); !at.Before(end) {
		return StatusExpired
	}
	if c.Kind == KindHourly {
		if r, ok := p.TierOf(c); ok && HoursLeftMin(r.Hours, u.HoursUsedMin) == 0 {
			return StatusExhausted
		}
	}
	return StatusActive
}

// loc is the policy's time zone: contract dates are days in the office's zone.
func (p *Policy) loc() *time.Location {
	if p.Calendar != nil && p.Calendar.Loc != nil {
		return p.Calendar.Loc
	}
	return time.UTC
}
