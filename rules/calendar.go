package rules

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Interval is a span of a day in minutes since midnight, [Start, End).
type Interval struct {
	Start, End int
}

// String formats iv as "08:30-17:30", the way office hours are written.
func (iv Interval) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", iv.Start/60, iv.Start%60, iv.End/60, iv.End%60)
}

// Calendar knows when the office works (the SLA clock runs only then) and
// when people answer customers (contact hours), in one time zone. Its
// methods work in Loc and return instants in Loc; Loc must be set (Validate
// says so), the methods panic without it.
type Calendar struct {
	Loc      *time.Location
	Office   [7][]Interval   // by time.Weekday; sorted, non-overlapping
	Contact  [7][]Interval   // by time.Weekday
	Holidays map[Date]string // office and contact days off, with their names
}

// maxSearchDays bounds every search for open time, so a calendar with no
// open time at all (every day a holiday, say) answers instead of hanging.
const maxSearchDays = 3 * 366

// dayLen is the length of a wall-clock day; intervals may end at 24:00.
const dayLen = 24 * time.Hour

// DefaultCalendar returns SPEC's calendar in loc: office hours Saturday to
// Wednesday 08:30–17:30, contact hours Saturday to Thursday 08:30–17:30, and
// the shipped official holidays.
func DefaultCalendar(loc *time.Location) *Calendar {
	day := func() []Interval { return []Interval{{Start: 8*60 + 30, End: 17*60 + 30}} }
	c := &Calendar{Loc: loc, Holidays: ShippedHolidays()}
	for _, wd := range []time.Weekday{time.Saturday, time.Sunday, time.Monday, time.Tuesday, time.Wednesday} {
		c.Office[wd] = day()
		c.Contact[wd] = day()
	}
	c.Contact[time.Thursday] = day()
	return c
}

// Validate reports the first mistake in a configured calendar, naming the
// weekday and interval, so a bad config fails at start-up rather than
// producing wrong deadlines.
func (c *Calendar) Validate() error {
	if c.Loc == nil {
		return errors.New("calendar: time zone not set")
	}
	if err := validateWeek("office hours", &c.Office); err != nil {
		return err
	}
	if err := validateWeek("contact hours", &c.Contact); err != nil {
		return err
	}
	open := false
	for _, ivs := range c.Office {
		open = open || len(ivs) > 0
	}
	if !open {
		return errors.New("calendar: office hours: no office time in the week")
	}
	for d := range c.Holidays {
		if civilFromDays(daysFromCivil(d.Year, d.Month, d.Day)) != d {
			return fmt.Errorf("calendar: holiday %04d-%02d-%02d is not a date", d.Year, int(d.Month), d.Day)
		}
	}
	return nil
}

func validateWeek(what string, week *[7][]Interval) error {
	for wd, ivs := range week {
		for i, iv := range ivs {
			if iv.Start < 0 || iv.End > 24*60 || iv.Start >= iv.End {
				return fmt.Errorf("calendar: %s %s: interval %s: want 00:00 <= start < end <= 24:00", what, time.Weekday(wd), iv)
			}
			if i > 0 && iv.Start < ivs[i-1].End {
				return fmt.Errorf("calendar: %s %s: interval %s overlaps or precedes %s", what, time.Weekday(wd), iv, ivs[i-1])
			}
		}
	}
	return nil
}

// IsHoliday reports whether d is a day off for office and contact hours.
func (c *Calendar) IsHoliday(d Date) bool {
	_, ok := c.Holidays[d]
	return ok
}

// IsOfficeDay reports whether the SLA clock runs on d at all: a weekday
// with office hours that is not a holiday. The digest and its schedule
// count such days.
func (c *Calendar) IsOfficeDay(d Date) bool {
	return len(c.Office[d.Weekday()]) > 0 && !c.IsHoliday(d)
}

// IsOfficeOpen reports whether the SLA clock runs at t.
func (c *Calendar) IsOfficeOpen(t time.Time) bool {
	return c.isOpen(&c.Office, t)
}

// IsContactOpen reports whether people answer customers at t; outside
// contact hours replies say when they will.
func (c *Calendar) IsContactOpen(t time.Time) bool {
	return c.isOpen(&c.Contact, t)
}

// NextOfficeOpening returns t when the office is open at t, else the moment
// it next opens: when the SLA clock of a ticket opened at t starts. It
// returns the zero Time when the calendar has no office time within three
// years.
func (c *Calendar) NextOfficeOpening(t time.Time) time.Time {
	return c.nextOpening(&c.Office, t)
}

// NextContactOpening returns t when people answer at t, else the moment
// they next do, for "we answer from ..." replies. It returns the zero Time
// when the calendar has no contact time within three years.
func (c *Calendar) NextContactOpening(t time.Time) time.Time {
	return c.nextOpening(&c.Contact, t)
}

// AddOfficeTime returns the earliest instant by which d of office time has
// passed since t: SLA deadlines and reminders run on office time only. Time
// before the next opening does not count, and when d runs out exactly at
// closing time the result is that closing time, not the next opening. For
// d <= 0 it returns t. It returns the zero Time when the calendar runs out
// of office time (no office time for three years in a row).
func (c *Calendar) AddOfficeTime(t time.Time, d time.Duration) time.Time {
	t = t.In(c.Loc)
	if d <= 0 {
		return t
	}
	day, pos := c.locate(t)
	var totals [7]time.Duration
	haveTotals := false
	idle := 0
	for {
		if pos == 0 && d > 8*7*dayLen {
			// Far away: jump whole weeks, minus the office time holidays
			// take, leaving a little for the day-by-day walk to finish.
			if !haveTotals {
				totals, haveTotals = dayTotals(&c.Office), true
			}
			week := weekTotal(&totals)
			if week > 0 && d > 8*week {
				weeks := int((d - 1) / week)
				used := time.Duration(weeks)*week - c.holidayTime(&totals, day.n, day.n+7*weeks)
				if used > 0 {
					d -= used
					day = dayOf(day.n + 7*weeks)
					idle = 0
					continue
				}
			}
		}
		if ivs := c.Office[day.wd]; len(ivs) > 0 && !c.IsHoliday(day.d) {
			for _, iv := range ivs {
				s, e := span(iv)
				from := max(pos, s)
				if from >= e {
					continue
				}
				if d <= e-from {
					return c.at(day, from+d)
				}
				d -= e - from
				pos = e
				idle = 0
			}
		}
		day, pos = day.next(), 0
		if idle++; idle > maxSearchDays {
			return time.Time{}
		}
	}
}

// OfficeTimeBetween returns how much office time passes from a to b, the
// SLA clock's reading; it is 0 when b is not after a.
func (c *Calendar) OfficeTimeBetween(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	da, pa := c.locate(a.In(c.Loc))
	db, pb := c.locate(b.In(c.Loc))
	if da.n == db.n {
		return c.dayTime(da, pa, pb)
	}
	total := c.dayTime(da, pa, dayLen) + c.dayTime(db, 0, pb)
	day := da.next()
	if db.n-day.n > 8*7 {
		totals := dayTotals(&c.Office)
		weeks := (db.n - day.n) / 7
		total += time.Duration(weeks)*weekTotal(&totals) - c.holidayTime(&totals, day.n, day.n+7*weeks)
		day = dayOf(day.n + 7*weeks)
	}
	for ; day.n < db.n; day = day.next() {
		total += c.dayTime(day, 0, dayLen)
	}
	return total
}

// OfficeDayLength returns the office time of the longest office day of the
// week (9h with SPEC's hours): the length of one business day in deadlines.
func (c *Calendar) OfficeDayLength() time.Duration {
	totals := dayTotals(&c.Office)
	return slices.Max(totals[:])
}

// BusinessDeadline returns when a response due within days business days of
// opened is due: days office days' worth of office time, counted from
// opened, or from the next opening when opened outside office hours (SPEC
// "Time"). For days <= 0 it returns opened; it returns the zero Time when
// the calendar has no office time to count.
func (c *Calendar) BusinessDeadline(opened time.Time, days int) time.Time {
	day := c.OfficeDayLength()
	if days > 0 && day == 0 {
		return time.Time{}
	}
	return c.AddOfficeTime(opened, time.Duration(days)*day)
}

// calDay is a day the calendar walks through: its number (days since
// 1970-01-01), civil date and weekday, kept together so that stepping to
// the next day needs no division.
type calDay struct {
	n  int
	d  Date
	wd time.Weekday
}

func dayOf(n int) calDay { return calDay{n: n, d: civilFromDays(n), wd: weekdayOf(n)} }

func (c calDay) next() calDay {
	c.n++
	c.wd = (c.wd + 1) % 7
	c.d.Day++
	if c.d.Day > monthDays(c.d.Year, c.d.Month) {
		c.d.Day = 1
		if c.d.Month++; c.d.Month > time.December {
			c.d.Month = time.January
			c.d.Year++
		}
	}
	return c
}

func monthDays(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// locate splits t (already in c.Loc) into its day and the wall-clock time
// since that day's midnight.
func (c *Calendar) locate(t time.Time) (calDay, time.Duration) {
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	pos := time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
	n := daysFromCivil(y, m, d)
	return calDay{n: n, d: Date{Year: y, Month: m, Day: d}, wd: t.Weekday()}, pos
}

// at is the inverse of locate.
func (c *Calendar) at(day calDay, pos time.Duration) time.Time {
	return time.Date(day.d.Year, day.d.Month, day.d.Day, 0, 0, 0, int(pos), c.Loc)
}

func (c *Calendar) isOpen(week *[7][]Interval, t time.Time) bool {
	day, pos := c.locate(t.In(c.Loc))
	if c.IsHoliday(day.d) {
		return false
	}
	for _, iv := range week[day.wd] {
		if s, e := span(iv); s <= pos && pos < e {
			return true
		}
	}
	return false
}

func (c *Calendar) nextOpening(week *[7][]Interval, t time.Time) time.Time {
	t = t.In(c.Loc)
	day, pos := c.locate(t)
	for range maxSearchDays + 7 {
		if ivs := week[day.wd]; len(ivs) > 0 && !c.IsHoliday(day.d) {
			for _, iv := range ivs {
				s, e := span(iv)
				if pos >= e || s >= e {
					continue
				}
				if pos >= s {
					return t
				}
				return c.at(day, s)
			}
		}
		day, pos = day.next(), 0
	}
	return time.Time{}
}

// dayTime returns the office time of one day between the wall-clock
// positions from and to.
func (c *Calendar) dayTime(day calDay, from, to time.Duration) time.Duration {
	ivs := c.Office[day.wd]
	if len(ivs) == 0 || c.IsHoliday(day.d) {
		return 0
	}
	return officeIn(ivs, from, to)
}

// holidayTime returns the office time that holidays take from the days
// numbered [from, to), given the office time of each weekday.
func (c *Calendar) holidayTime(totals *[7]time.Duration, from, to int) time.Duration {
	var sum time.Duration
	for d := range c.Holidays {
		if n := daysFromCivil(d.Year, d.Month, d.Day); from <= n && n < to {
			sum += totals[weekdayOf(n)]
		}
	}
	return sum
}

// officeIn returns the time within ivs between from and to. It walks the
// intervals the same way AddOfficeTime does, so the two always agree.
func officeIn(ivs []Interval, from, to time.Duration) time.Duration {
	var sum time.Duration
	for _, iv := range ivs {
		s, e := span(iv)
		s, e = max(s, from), min(e, to)
		if s < e {
			sum += e - s
			from = e
		}
	}
	return sum
}

func dayTotals(week *[7][]Interval) [7]time.Duration {
	var t [7]time.Duration
	for wd, ivs := range week {
		t[wd] = officeIn(ivs, 0, dayLen)
	}
	return t
}

func weekTotal(totals *[7]time.Duration) time.Duration {
	var sum time.Duration
	for _, t := range totals {
		sum += t
	}
	return sum
}

// span returns iv as wall-clock offsets, clamped to the day.
func span(iv Interval) (s, e time.Duration) {
	s = time.Duration(min(max(iv.Start, 0), 24*60)) * time.Minute
	e = time.Duration(min(max(iv.End, 0), 24*60)) * time.Minute
	return s, e
}
