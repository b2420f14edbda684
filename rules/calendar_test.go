package rules

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// Weekdays of the dates these tests use, checked by
// TestCalendarTestDatesAreWhatTheCommentsSay:
//
//	2026-11-25 Wed (1405/09/04)   2026-11-28 Sat   2026-11-29 Sun   2026-12-01 Tue
//	2026-12-22 Tue (1405/10/01)   2026-12-23 Wed, holiday: Birth of Imam Ali (1405/10/02)
//	2027-03-17 Wed (1405/12/26)   2027-03-18 Thu (1405/12/27)
//	2027-03-20 Sat, holiday: 29 Esfand, Oil Nationalisation Day (1405 is a common year)
//	2027-03-21..24 Sun–Wed, holidays: Nowruz 1406/01/01–04
//	2027-03-27 Sat (1406/01/07), the first office day of 1406
//	2027-03-31 Wed (1406/01/11)   2027-04-01 Thu, 2027-04-02 Fri: 12 and 13 Farvardin
//	2027-04-03 Sat, holiday (estimate): Martyrdom of Imam Sadiq (1406/01/14)

// lunchCalendar works 08:30–12:30 and 13:30–17:30, Saturday to Wednesday:
// an 8-hour office day.
func lunchCalendar(loc *time.Location) *Calendar {
	c := DefaultCalendar(loc)
	day := []Interval{{510, 750}, {810, 1050}}
	for _, wd := range []time.Weekday{time.Saturday, time.Sunday, time.Monday, time.Tuesday, time.Wednesday} {
		c.Office[wd] = day
	}
	return c
}

func TestCalendarTestDatesAreWhatTheCommentsSay(t *testing.T) {
	h := ShippedHolidays()
	tests := []struct {
		date    string
		wd      time.Weekday
		jalali  [3]int
		holiday bool
	}{
		{"2026-11-25", time.Wednesday, [3]int{1405, 9, 4}, false},
		{"2026-11-28", time.Saturday, [3]int{1405, 9, 7}, false},
		{"2026-11-29", time.Sunday, [3]int{1405, 9, 8}, false},
		{"2026-11-30", time.Monday, [3]int{1405, 9, 9}, false},
		{"2026-12-01", time.Tuesday, [3]int{1405, 9, 10}, false},
		{"2026-12-22", time.Tuesday, [3]int{1405, 10, 1}, false},
		{"2026-12-23", time.Wednesday, [3]int{1405, 10, 2}, true},
		{"2026-12-26", time.Saturday, [3]int{1405, 10, 5}, false},
		{"2027-03-17", time.Wednesday, [3]int{1405, 12, 26}, false},
		{"2027-03-18", time.Thursday, [3]int{1405, 12, 27}, false},
		{"2027-03-20", time.Saturday, [3]int{1405, 12, 29}, true},
		{"2027-03-21", time.Sunday, [3]int{1406, 1, 1}, true},
		{"2027-03-24", time.Wednesday, [3]int{1406, 1, 4}, true},
		{"2027-03-27", time.Saturday, [3]int{1406, 1, 7}, false},
		{"2027-03-28", time.Sunday, [3]int{1406, 1, 8}, false},
		{"2027-03-29", time.Monday, [3]int{1406, 1, 9}, false},
		{"2027-03-31", time.Wednesday, [3]int{1406, 1, 11}, false},
		{"2027-04-01", time.Thursday, [3]int{1406, 1, 12}, true},
		{"2027-04-02", time.Friday, [3]int{1406, 1, 13}, true},
		{"2027-04-03", time.Saturday, [3]int{1406, 1, 14}, true},
		{"2027-04-04", time.Sunday, [3]int{1406, 1, 15}, false},
	}
	for _, tt := range tests {
		d := MustDate(t, tt.date)
		y, m, dd := d.Jalali()
		_, hol := h[d]
		if d.Weekday() != tt.wd || [3]int{y, m, dd} != tt.jalali || hol != tt.holiday {
			t.Errorf("%s is a %s, %d/%02d/%02d, holiday %v; the comments say %s, %v, %v",
				tt.date, d.Weekday(), y, m, dd, hol, tt.wd, tt.jalali, tt.holiday)
		}
	}
}

func TestBusinessDeadline(t *testing.T) {
	tests := []struct {
		name   string
		opened string
		days   int
		want   string
	}{
		{"SPEC: Wednesday 17:00 + 1 day is Saturday 17:00 (30m Wed, 8h30 Sat)", "2026-11-25 17:00", 1, "2026-11-28 17:00"},
		{"Sunday 16:00 + 2 days is Tuesday 16:00", "2026-11-29 16:00", 2, "2026-12-01 16:00"},
		{"opened at 08:30 + 1 day closes the same evening", "2026-11-28 08:30", 1, "2026-11-28 17:30"},
		{"opened at 08:29 counts from 08:30", "2026-11-28 08:29", 1, "2026-11-28 17:30"},
		{"opened at 17:30 counts from the next morning", "2026-11-28 17:30", 1, "2026-11-29 17:30"},
		{"opened at 17:31 counts from the next morning", "2026-11-28 17:31", 1, "2026-11-29 17:30"},
		{"opened on Friday counts from Saturday 08:30", "2026-11-27 11:00", 1, "2026-11-28 17:30"},
		{"opened on Friday, bronze: 3 days", "2026-11-27 11:00", 3, "2026-11-30 17:30"},
		{"opened on Thursday (contact hours, no office)", "2026-11-26 10:00", 1, "2026-11-28 17:30"},
		{"a Wednesday holiday is skipped: Tue 5h30 + Sat 3h30", "2026-12-22 12:00", 1, "2026-12-26 12:00"},
		{"opened on the holiday itself", "2026-12-23 10:00", 1, "2026-12-26 17:30"},
		{"bronze over 29 Esfand and Nowruz: Wed 7h30, Sat 27 and Sun 28 March, then 1h30", "2027-03-17 10:00", 3, "2027-03-29 10:00"},
		{"gold opened Wed 1405/12/26: 7h30, then 1h30 on 1406/01/07", "2027-03-17 10:00", 1, "2027-03-27 10:00"},
		{"gold opened Thu 1405/12/27: clock starts Sat 1406/01/07", "2027-03-18 09:00", 1, "2027-03-27 17:30"},
		{"12 and 13 Farvardin fall on Thu/Fri in 1406, 14 Farvardin is a Saturday holiday", "2027-03-31 10:00", 1, "2027-04-04 10:00"},
		{"0 days is the opening instant", "2026-11-27 11:00", 0, "2026-11-27 11:00"},
	}
	for _, loc := range []*time.Location{tehranFixed, MustTehran(t)} {
		c := DefaultCalendar(loc)
		for _, tt := range tests {
			t.Run(loc.String()+"/"+tt.name, func(t *testing.T) {
				got := c.BusinessDeadline(MustTime(t, loc, tt.opened), tt.days)
				if want := MustTime(t, loc, tt.want); !got.Equal(want) {
					t.Errorf("BusinessDeadline(%s, %d) = %s, want %s", tt.opened, tt.days, got.Format("Mon 2006-01-02 15:04"), want.Format("Mon 2006-01-02 15:04"))
				}
				if got.Location() != loc {
					t.Errorf("result in %s, want %s", got.Location(), loc)
				}
			})
		}
	}
}

func TestBusinessDeadlineConvertsToCalendarZone(t *testing.T) {
	// A ticket stamped in UTC: 13:30 UTC is 17:00 in Tehran.
	c := DefaultCalendar(MustTehran(t))
	got := c.BusinessDeadline(time.Date(2026, 11, 25, 13, 30, 0, 0, time.UTC), 1)
	if want := MustTime(t, c.Loc, "2026-11-28 17:00"); !got.Equal(want) || got.Location() != c.Loc {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestLunchBreak(t *testing.T) {
	c := lunchCalendar(tehranFixed)
	if got := c.OfficeDayLength(); got != 8*time.Hour {
		t.Fatalf("OfficeDayLength = %s, want 8h", got)
	}
	tests := []struct {
		name   string
		opened string
		days   int
		want   string
	}{
		{"from 12:00: 30m + 4h Saturday, 3h30 Sunday morning", "2026-11-28 12:00", 1, "2026-11-29 12:00"},
		{"from lunch: 4h Saturday afternoon + 4h Sunday morning ends at 12:30, not 13:30", "2026-11-28 12:45", 1, "2026-11-29 12:30"},
		{"from 08:30: the whole day", "2026-11-28 08:30", 1, "2026-11-28 17:30"},
		{"Wednesday 17:00: 30m, then 7h30 Saturday", "2026-11-25 17:00", 1, "2026-11-28 17:00"},
	}
	for _, tt := range tests {
		got := c.BusinessDeadline(MustTime(t, tehranFixed, tt.opened), tt.days)
		if want := MustTime(t, tehranFixed, tt.want); !got.Equal(want) {
			t.Errorf("%s: got %s, want %s", tt.name, got.Format("Mon 2006-01-02 15:04"), tt.want)
		}
	}
	if c.IsOfficeOpen(MustTime(t, tehranFixed, "2026-11-28 13:00")) {
		t.Error("office open during lunch")
	}
	if got, want := c.NextOfficeOpening(MustTime(t, tehranFixed, "2026-11-28 12:30")), MustTime(t, tehranFixed, "2026-11-28 13:30"); !got.Equal(want) {
		t.Errorf("NextOfficeOpening at lunch = %s, want %s", got, want)
	}
	if got := c.OfficeTimeBetween(MustTime(t, tehranFixed, "2026-11-28 12:00"), MustTime(t, tehranFixed, "2026-11-28 14:00")); got != time.Hour {
		t.Errorf("OfficeTimeBetween over lunch = %s, want 1h", got)
	}
}

func TestAddOfficeTime(t *testing.T) {
	c := DefaultCalendar(tehranFixed)
	tests := []struct {
		name string
		from string
		d    time.Duration
		want string
	}{
		{"used up exactly at closing: the closing time, not the next opening", "2026-11-28 08:30", 9 * time.Hour, "2026-11-28 17:30"},
		{"30m before closing + 30m", "2026-11-28 17:00", 30 * time.Minute, "2026-11-28 17:30"},
		{"one minute more spills into the next morning", "2026-11-28 17:00", 31 * time.Minute, "2026-11-29 08:31"},
		{"before opening", "2026-11-28 06:00", time.Minute, "2026-11-28 08:31"},
		{"Wednesday closing to Saturday", "2026-11-25 17:30", 2 * time.Hour, "2026-11-28 10:30"},
		{"zero duration outside office hours is t itself", "2026-11-27 03:00", 0, "2026-11-27 03:00"},
		{"negative duration is t itself", "2026-11-28 10:00", -time.Hour, "2026-11-28 10:00"},
		{"a whole office week (5 x 9h) from Saturday opening", "2026-11-28 08:30", 45 * time.Hour, "2026-12-02 17:30"},
	}
	for _, tt := range tests {
		got := c.AddOfficeTime(MustTime(t, tehranFixed, tt.from), tt.d)
		if want := MustTime(t, tehranFixed, tt.want); !got.Equal(want) {
			t.Errorf("%s: AddOfficeTime(%s, %s) = %s, want %s", tt.name, tt.from, tt.d, got.Format("Mon 2006-01-02 15:04"), tt.want)
		}
	}
	// Sub-minute precision survives.
	from := MustTime(t, tehranFixed, "2026-11-28 09:00").Add(1500 * time.Millisecond)
	if got := c.AddOfficeTime(from, 10*time.Second); !got.Equal(from.Add(10 * time.Second)) {
		t.Errorf("AddOfficeTime lost precision: %s", got)
	}
}

func TestAddOfficeTimeFarAhead(t *testing.T) {
	// Long durations take the week-jumping path; they must agree with the
	// day-by-day walk, which OfficeTimeBetween checks independently.
	c := DefaultCalendar(tehranFixed)
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		from := MustTime(t, tehranFixed, "2026-01-01 00:00").Add(time.Duration(r.Int64N(int64(3 * 365 * 24 * time.Hour))))
		d := time.Duration(r.Int64N(int64(4000 * time.Hour)))
		got := c.AddOfficeTime(from, d)
		if between := c.OfficeTimeBetween(from, got); between != d {
			t.Fatalf("AddOfficeTime(%s, %s) = %s, but OfficeTimeBetween = %s", from, d, got, between)
		}
		if d > 0 && c.OfficeTimeBetween(from, got.Add(-time.Nanosecond)) >= d {
			t.Fatalf("AddOfficeTime(%s, %s) = %s is not the earliest such instant", from, d, got)
		}
	}
}

func TestOfficeTimeBetween(t *testing.T) {
	c := DefaultCalendar(tehranFixed)
	tests := []struct {
		name string
		a, b string
		want time.Duration
	}{
		{"across a weekend: 1h30 Wednesday + 1h30 Saturday", "2026-11-25 16:00", "2026-11-28 10:00", 3 * time.Hour},
		{"within a morning", "2026-11-28 09:00", "2026-11-28 10:00", time.Hour},
		{"from before opening", "2026-11-28 07:00", "2026-11-28 08:45", 15 * time.Minute},
		{"past closing", "2026-11-28 17:00", "2026-11-28 20:00", 30 * time.Minute},
		{"night only", "2026-11-28 18:00", "2026-11-29 08:00", 0},
		{"Thursday and Friday count nothing", "2026-11-26 00:00", "2026-11-28 00:00", 0},
		{"across a Wednesday holiday: 5h30 Tuesday + 3h30 Saturday", "2026-12-22 12:00", "2026-12-26 12:00", 9 * time.Hour},
		{"across 29 Esfand and Nowruz: 30m + 30m", "2027-03-17 17:00", "2027-03-27 09:00", time.Hour},
		{"b before a", "2026-11-28 10:00", "2026-11-28 09:00", 0},
		{"b equal to a", "2026-11-28 10:00", "2026-11-28 10:00", 0},
		{"a full week", "2026-11-28 00:00", "2026-12-05 00:00", 45 * time.Hour},
	}
	for _, tt := range tests {
		got := c.OfficeTimeBetween(MustTime(t, tehranFixed, tt.a), MustTime(t, tehranFixed, tt.b))
		if got != tt.want {
			t.Errorf("%s: OfficeTimeBetween(%s, %s) = %s, want %s", tt.name, tt.a, tt.b, got, tt.want)
		}
	}
}

func TestOfficeTimeBetweenJalaliYear1405(t *testing.T) {
	// Over all of 1405 (2026-03-21 to 2027-03-21, 365 days): 52 weeks and
	// a Saturday, so 261 Sat–Wed days; the shipped list closes 17 of them
	// (the other 9 of its 26 holidays of 1405 fall on a Thursday or Friday).
	c := DefaultCalendar(tehranFixed)
	a, b := MustTime(t, tehranFixed, "2026-03-21 00:00"), MustTime(t, tehranFixed, "2027-03-21 00:00")
	workdays, closed := 0, 0
	for d := DateOf(a); d.Before(DateOf(b)); d = d.AddDays(1) {
		if len(c.Office[d.Weekday()]) > 0 {
			workdays++
			if c.IsHoliday(d) {
				closed++
			}
		}
	}
	if workdays != 261 || closed != 17 {
		t.Errorf("1405 has %d office weekdays, %d of them holidays; want 261 and 17", workdays, closed)
	}
	if got, want := c.OfficeTimeBetween(a, b), time.Duration(261-17)*9*time.Hour; got != want {
		t.Errorf("office time in 1405 = %s, want %s", got, want)
	}
}

func TestOfficeTimeBetweenMatchesMinuteByMinute(t *testing.T) {
	// A naive clock that ticks every minute agrees with the fast one, for
	// spans short and long enough to take the week-jumping path.
	for _, c := range []*Calendar{DefaultCalendar(tehranFixed), lunchCalendar(tehranFixed)} {
		r := rand.New(rand.NewPCG(3, 4))
		base := MustTime(t, tehranFixed, "2026-03-01 00:00")
		for i := range 30 {
			span := 10 * 24 * time.Hour
			if i%10 == 0 {
				span = 120 * 24 * time.Hour // over 8 weeks: the week-jumping path
			}
			a := base.Add(time.Duration(r.Int64N(int64(400*24*time.Hour))) / time.Minute * time.Minute)
			b := a.Add(time.Duration(r.Int64N(int64(span))) / time.Minute * time.Minute)
			var want time.Duration
			for m := a; m.Before(b); m = m.Add(time.Minute) {
				if c.IsOfficeOpen(m) {
					want += time.Minute
				}
			}
			if got := c.OfficeTimeBetween(a, b); got != want {
				t.Fatalf("OfficeTimeBetween(%s, %s) = %s, minute by minute %s", a, b, got, want)
			}
		}
	}
}

func TestNextOpening(t *testing.T) {
	c := DefaultCalendar(tehranFixed)
	tests := []struct {
		name            string
		at              string
		office, contact string
	}{
		{"open: t itself", "2026-11-28 10:00", "2026-11-28 10:00", "2026-11-28 10:00"},
		{"08:29", "2026-11-28 08:29", "2026-11-28 08:30", "2026-11-28 08:30"},
		{"17:30 Wednesday: office Saturday, contact Thursday", "2026-11-25 17:30", "2026-11-28 08:30", "2026-11-26 08:30"},
		{"Thursday: contact open, office from Saturday", "2026-11-26 10:00", "2026-11-28 08:30", "2026-11-26 10:00"},
		{"Friday", "2026-11-27 10:00", "2026-11-28 08:30", "2026-11-28 08:30"},
		{"on a Wednesday holiday: contact from Thursday", "2026-12-23 09:00", "2026-12-26 08:30", "2026-12-24 08:30"},
		{"Thursday 1405/12/27: 29 Esfand and Nowruz closed", "2027-03-18 18:00", "2027-03-27 08:30", "2027-03-25 08:30"},
	}
	for _, tt := range tests {
		at := MustTime(t, tehranFixed, tt.at)
		if got, want := c.NextOfficeOpening(at), MustTime(t, tehranFixed, tt.office); !got.Equal(want) {
			t.Errorf("%s: NextOfficeOpening(%s) = %s, want %s", tt.name, tt.at, got.Format("Mon 2006-01-02 15:04"), tt.office)
		}
		if got, want := c.NextContactOpening(at), MustTime(t, tehranFixed, tt.contact); !got.Equal(want) {
			t.Errorf("%s: NextContactOpening(%s) = %s, want %s", tt.name, tt.at, got.Format("Mon 2006-01-02 15:04"), tt.contact)
		}
	}
}

func TestCalendarWithNoOpenTime(t *testing.T) {
	// Never hangs: a calendar whose every office day is a holiday, or with
	// no hours at all, answers with the zero Time.
	at := MustTime(t, tehranFixed, "2026-11-28 10:00")
	allHolidays := DefaultCalendar(tehranFixed)
	allHolidays.Holidays = map[Date]string{}
	for d := DateOf(at); d.Before(DateOf(at).AddDays(5 * 366)); d = d.AddDays(1) {
		allHolidays.Holidays[d] = "closed"
	}
	noHours := &Calendar{Loc: tehranFixed}
	for name, c := range map[string]*Calendar{"all holidays": allHolidays, "no hours": noHours} {
		if got := c.NextOfficeOpening(at); !got.IsZero() {
			t.Errorf("%s: NextOfficeOpening = %s, want zero", name, got)
		}
		if got := c.NextContactOpening(at); !got.IsZero() {
			t.Errorf("%s: NextContactOpening = %s, want zero", name, got)
		}
		if got := c.BusinessDeadline(at, 1); !got.IsZero() {
			t.Errorf("%s: BusinessDeadline = %s, want zero", name, got)
		}
		if got := c.AddOfficeTime(at, time.Hour); !got.IsZero() {
			t.Errorf("%s: AddOfficeTime = %s, want zero", name, got)
		}
		if got := c.OfficeTimeBetween(at, at.AddDate(2, 0, 0)); got != 0 {
			t.Errorf("%s: OfficeTimeBetween = %s, want 0", name, got)
		}
	}
}

func TestIsOpen(t *testing.T) {
	c := DefaultCalendar(tehranFixed)
	tests := []struct {
		name            string
		at              string
		office, contact bool
	}{
		{"Saturday 08:30 opens", "2026-11-28 08:30", true, true},
		{"Saturday 08:29", "2026-11-28 08:29", false, false},
		{"Saturday 17:29", "2026-11-28 17:29", true, true},
		{"Saturday 17:30 is closed", "2026-11-28 17:30", false, false},
		{"Wednesday noon", "2026-11-25 12:00", true, true},
		{"Thursday noon: contact only", "2026-11-26 12:00", false, true},
		{"Friday noon", "2026-11-27 12:00", false, false},
		{"holiday closes both", "2026-12-23 12:00", false, false},
		{"29 Esfand closes both", "2027-03-20 12:00", false, false},
		{"Thursday holiday 1405/11/22 closes contact hours too", "2027-02-11 12:00", false, false},
	}
	for _, tt := range tests {
		at := MustTime(t, tehranFixed, tt.at)
		if got := c.IsOfficeOpen(at); got != tt.office {
			t.Errorf("%s: IsOfficeOpen = %v, want %v", tt.name, got, tt.office)
		}
		if got := c.IsContactOpen(at); got != tt.contact {
			t.Errorf("%s: IsContactOpen = %v, want %v", tt.name, got, tt.contact)
		}
	}
	// The same instant written in UTC.
	if !c.IsOfficeOpen(time.Date(2026, 11, 28, 5, 0, 0, 0, time.UTC)) {
		t.Error("05:00 UTC is 08:30 in Tehran: open")
	}
}

func TestOfficeDayLength(t *testing.T) {
	c := DefaultCalendar(tehranFixed)
	if got := c.OfficeDayLength(); got != 9*time.Hour {
		t.Errorf("default OfficeDayLength = %s, want 9h", got)
	}
	c.Office[time.Wednesday] = []Interval{{510, 780}} // half day
	if got := c.OfficeDayLength(); got != 9*time.Hour {
		t.Errorf("with a short Wednesday, OfficeDayLength = %s, want the longest day, 9h", got)
	}
	if got := lunchCalendar(tehranFixed).OfficeDayLength(); got != 8*time.Hour {
		t.Errorf("lunch OfficeDayLength = %s, want 8h", got)
	}
}

func TestValidate(t *testing.T) {
	if err := DefaultCalendar(tehranFixed).Validate(); err != nil {
		t.Fatalf("default calendar: %v", err)
	}
	if err := lunchCalendar(tehranFixed).Validate(); err != nil {
		t.Fatalf("lunch calendar: %v", err)
	}
	tests := []struct {
		name   string
		change func(c *Calendar)
		want   string
	}{
		{"no zone", func(c *Calendar) { c.Loc = nil }, "time zone"},
		{"start after end", func(c *Calendar) { c.Office[time.Monday] = []Interval{{1050, 510}} }, "office hours Monday: interval 17:30-08:30"},
		{"empty interval", func(c *Calendar) { c.Contact[time.Thursday] = []Interval{{600, 600}} }, "contact hours Thursday: interval 10:00-10:00"},
		{"past midnight", func(c *Calendar) { c.Office[time.Sunday] = []Interval{{510, 1441}} }, "office hours Sunday"},
		{"negative", func(c *Calendar) { c.Office[time.Sunday] = []Interval{{-1, 60}} }, "office hours Sunday"},
		{"overlap", func(c *Calendar) { c.Office[time.Tuesday] = []Interval{{510, 780}, {720, 1050}} }, "office hours Tuesday: interval 12:00-17:30 overlaps"},
		{"unsorted", func(c *Calendar) { c.Office[time.Saturday] = []Interval{{810, 1050}, {510, 750}} }, "office hours Saturday: interval 08:30-12:30"},
		{"no office week", func(c *Calendar) { c.Office = [7][]Interval{} }, "no office time"},
		{"bad holiday", func(c *Calendar) { c.Holidays[Date{2027, time.February, 30}] = "x" }, "holiday 2027-02-30"},
	}
	for _, tt := range tests {
		c := DefaultCalendar(tehranFixed)
		tt.change(c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate() = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
	// Touching intervals and a full day are fine.
	c := DefaultCalendar(tehranFixed)
	c.Office[time.Thursday] = []Interval{{0, 720}, {720, 1440}}
	if err := c.Validate(); err != nil {
		t.Errorf("touching intervals: %v", err)
	}
}

func TestShippedHolidays(t *testing.T) {
	h := ShippedHolidays()
	if len(h) != 53 {
		t.Errorf("%d shipped holidays, want the 53 lines of holidays.tsv", len(h))
	}
	for _, tt := range []struct {
		date string
		name string
	}{
		{"2026-03-21", "Nowruz; Eid al-Fitr"},
		{"2027-03-20", "Oil Nationalisation Day"},
		{"2027-03-24", "Nowruz"},
		{"2028-03-19", "Oil Nationalisation Day"},
	} {
		if got := h[MustDate(t, tt.date)]; got != tt.name {
			t.Errorf("holiday %s = %q, want %q", tt.date, got, tt.name)
		}
	}
	if name, ok := h[MustDate(t, "2026-11-28")]; ok {
		t.Errorf("2026-11-28 is listed as %q; the SPEC example needs it to be an office day", name)
	}
	// SPEC: the current and next Jalali year.
	for d := range h {
		if y, _, _ := d.Jalali(); y != 1405 && y != 1406 {
			t.Errorf("holiday %s is in Jalali year %d", d, y)
		}
	}
	// Callers get their own copy.
	delete(h, MustDate(t, "2027-03-20"))
	if _, ok := ShippedHolidays()[MustDate(t, "2027-03-20")]; !ok {
		t.Error("deleting from one copy changed the shipped list")
	}
}

func TestParseHolidays(t *testing.T) {
	good := "# comment\n\n2027-03-20\t1405/12/29\tofficial\tروز ملی شدن صنعت نفت\tOil Nationalisation Day\r\n" +
		"  # indented comment\n2027-03-21\t1406/01/01\testimate\tعید نوروز\tNowruz\n"
	h, err := ParseHolidays(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[Date{2027, time.March, 20}] != "Oil Nationalisation Day" || h[Date{2027, time.March, 21}] != "Nowruz" {
		t.Errorf("ParseHolidays = %v", h)
	}

	tests := []struct {
		name, text, want string
	}{
		{"too few fields", "# c\n2027-03-20\t1405/12/29\tofficial\tنفت\n", "line 2: want 5 tab-separated fields"},
		{"spaces for tabs", "2027-03-20 1405/12/29 official x y\n", "line 1: want 5"},
		{"bad gregorian", "\n\n2027-02-30\t1405/12/11\tofficial\tx\ty\n", "line 3: parse date \"2027-02-30\""},
		{"bad jalali", "2027-03-20\t1405-12-29\tofficial\tx\ty\n", "line 1: jalali date \"1405-12-29\""},
		{"impossible jalali", "2027-03-21\t1405/12/30\tofficial\tx\ty\n", "line 1: invalid Jalali date 1405/12/30"},
		{"columns disagree", "2027-03-20\t1405/12/28\tofficial\tx\ty\n", "line 1: jalali 1405/12/28 is 2027-03-19, but gregorian 2027-03-20 is 1405/12/29"},
		{"no status", "2027-03-20\t1405/12/29\t\tx\ty\n", "line 1: empty status"},
		{"no English name", "2027-03-20\t1405/12/29\tofficial\tx\t \n", "line 1: empty English name"},
		{"duplicate", "2027-03-20\t1405/12/29\tofficial\tx\ty\n#\n2027-03-20\t1405/12/29\tofficial\tx\tz\n", "line 3: 2027-03-20 already listed on line 1"},
	}
	for _, tt := range tests {
		_, err := ParseHolidays(strings.NewReader(tt.text))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ParseHolidays error = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func FuzzParseHolidays(f *testing.F) {
	f.Add(holidaysTSV)
	f.Add("2027-03-20\t1405/12/29\tofficial\tx\ty\n")
	f.Add("2027-03-20\t1405/12/29/1\tofficial\tx\ty\n")
	f.Fuzz(func(t *testing.T, text string) {
		h, err := ParseHolidays(strings.NewReader(text))
		if err != nil {
			return
		}
		for d, name := range h {
			if name == "" || civilFromDays(daysFromCivil(d.Year, d.Month, d.Day)) != d {
				t.Fatalf("accepted %v %q", d, name)
			}
		}
	})
}

func FuzzAddOfficeTime(f *testing.F) {
	f.Add(int64(0), int64(9*time.Hour), false)
	f.Add(int64(1795000000), int64(time.Minute), true)
	f.Add(int64(-1), int64(-1), false)
	f.Add(int64(1805000000), int64(5000*time.Hour), true)
	calendars := []*Calendar{DefaultCalendar(tehranFixed), lunchCalendar(tehranFixed)}
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	const window = 20 * 365 * 24 * 3600 // instants in 2020–2039
	const maxD = int64(3 * 365 * 24 * time.Hour)
	f.Fuzz(func(t *testing.T, sec, dur int64, lunch bool) {
		c := calendars[0]
		if lunch {
			c = calendars[1]
		}
		from := time.Unix(base+floorMod64(sec, window), floorMod64(dur, 1e9))
		d := time.Duration(dur % maxD)
		got := c.AddOfficeTime(from, d)
		if got.IsZero() {
			t.Fatalf("AddOfficeTime(%s, %s) = zero Time", from, d)
		}
		if got.Before(from) {
			t.Fatalf("AddOfficeTime(%s, %s) = %s, before the start", from, d, got)
		}
		if d <= 0 {
			if !got.Equal(from) {
				t.Fatalf("AddOfficeTime(%s, %s) = %s, want t", from, d, got)
			}
			return
		}
		if between := c.OfficeTimeBetween(from, got); (between - d).Abs() >= time.Minute {
			t.Fatalf("AddOfficeTime(%s, %s) = %s, but OfficeTimeBetween = %s", from, d, got, between)
		}
	})
}

func floorMod64(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
