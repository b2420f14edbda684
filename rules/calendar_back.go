package rules

import "time"

// SubOfficeTime walks back from t by d of office time: the instant x from
// which exactly d of office time passes until t (OfficeTimeBetween(x, t) ==
// d), so a reminder "two office hours before the deadline" lands where the
// SLA clock reads two hours left. Time outside office hours does not count;
// when d runs out exactly at an opening the result is that opening, not the
// previous closing (people are there to read it). For d <= 0 it returns t.
// It returns the zero Time when the calendar runs out of office time (none
// for three years back).
func (c *Calendar) SubOfficeTime(t time.Time, d time.Duration) time.Time {
	t = t.In(c.Loc)
	if d <= 0 {
		return t
	}
	day, pos := c.locate(t)
	for idle := 0; idle <= maxSearchDays; idle++ {
		if ivs := c.Office[day.wd]; len(ivs) > 0 && !c.IsHoliday(day.d) {
			for i := len(ivs) - 1; i >= 0; i-- {
				s, e := span(ivs[i])
				to := min(pos, e)
				if to <= s {
					continue
				}
				if d <= to-s {
					return c.at(day, to-d)
				}
				d -= to - s
				pos = s
				idle = 0
			}
		}
		day, pos = day.prev(), dayLen
	}
	return time.Time{}
}

// prev is the day before c.
func (c calDay) prev() calDay { return dayOf(c.n - 1) }
