package rules

import (
	"testing"
	"time"
	_ "time/tzdata"
)

// tehranFixed is Asia/Tehran as it has been since Iran dropped daylight
// saving in 2022: UTC+03:30 all year.
var tehranFixed = time.FixedZone("Asia/Tehran", 3*3600+1800)

// MustTehran loads Asia/Tehran from the embedded tzdata.
func MustTehran(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		tb.Fatalf("load Asia/Tehran: %v", err)
	}
	return loc
}

// MustTime reads "2006-01-02 15:04" in loc.
func MustTime(tb testing.TB, loc *time.Location, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		tb.Fatalf("parse time %q: %v", s, err)
	}
	return t
}

// MustDate reads "2006-01-02".
func MustDate(tb testing.TB, s string) Date {
	tb.Helper()
	d, err := ParseISODate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// MustJalali returns the Gregorian date of a valid Jalali date.
func MustJalali(tb testing.TB, y, m, d int) Date {
	tb.Helper()
	g, err := JalaliDate(y, m, d)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

func TestJalaliConversion(t *testing.T) {
	tests := []struct {
		name      string
		gregorian string
		y, m, d   int
	}{
		{"SPEC's example date", "2026-11-27", 1405, 9, 6},
		{"Nowruz 1405", "2026-03-21", 1405, 1, 1},
		{"last day of 1404, a common year", "2026-03-20", 1404, 12, 29},
		{"29 Esfand 1405, last day of a common year", "2027-03-20", 1405, 12, 29},
		{"Nowruz 1406", "2027-03-21", 1406, 1, 1},
		{"30 Esfand 1403, a leap year", "2025-03-20", 1403, 12, 30},
		{"Nowruz 1404 follows it", "2025-03-21", 1404, 1, 1},
		{"31 Shahrivar, last 31-day month day", "2026-09-22", 1405, 6, 31},
		{"1 Mehr, first 30-day month", "2026-09-23", 1405, 7, 1},
		{"library README example", "2014-08-04", 1393, 5, 13},
		{"Gregorian leap day", "2028-02-29", 1406, 12, 10},
		{"Nowruz 1407 after a Gregorian leap year", "2028-03-20", 1407, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := MustDate(t, tt.gregorian)
			y, m, d := g.Jalali()
			if y != tt.y || m != tt.m || d != tt.d {
				t.Errorf("%s.Jalali() = %d/%02d/%02d, want %d/%02d/%02d", g, y, m, d, tt.y, tt.m, tt.d)
			}
			back, err := JalaliDate(tt.y, tt.m, tt.d)
			if err != nil || back != g {
				t.Errorf("JalaliDate(%d, %d, %d) = %v, %v; want %s", tt.y, tt.m, tt.d, back, err, g)
			}
		})
	}
}

func TestJalaliLeapYears(t *testing.T) {
	// 30 Esfand exists only in leap years: 1399, 1403 and 1408 around now.
	for y := 1398; y <= 1410; y++ {
		leap := y == 1399 || y == 1403 || y == 1408
		_, err := JalaliDate(y, 12, 30)
		if (err == nil) != leap {
			t.Errorf("JalaliDate(%d, 12, 30) error = %v, want leap year = %v", y, err, leap)
		}
	}
}

func TestJalaliDateInvalid(t *testing.T) {
	tests := []struct {
		name    string
		y, m, d int
	}{
		{"month 13", 1405, 13, 1},
		{"month 0", 1405, 0, 1},
		{"day 0", 1405, 1, 0},
		{"32 Farvardin", 1405, 1, 32},
		{"31 Mehr", 1405, 7, 31},
		{"31 Bahman", 1405, 11, 31},
		{"30 Esfand in a common year", 1405, 12, 30},
		{"year out of range", 4000, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d, err := JalaliDate(tt.y, tt.m, tt.d); err == nil {
				t.Errorf("JalaliDate(%d, %d, %d) = %s, want an error", tt.y, tt.m, tt.d, d)
			}
		})
	}
}

func TestJalaliRoundTripEveryDay(t *testing.T) {
	// Every day from 1390 to 1420: converting back gives the same day, and
	// the Jalali date advances by exactly one day at a time.
	start := MustJalali(t, 1390, 1, 1)
	py, pm, pd := 1389, 12, 29 // 1389 was a common year
	for d := start; d.Before(MustJalali(t, 1420, 1, 1)); d = d.AddDays(1) {
		y, m, dd := d.Jalali()
		if back, err := JalaliDate(y, m, dd); err != nil || back != d {
			t.Fatalf("%s -> %d/%d/%d -> %v, %v", d, y, m, dd, back, err)
		}
		switch {
		case y == py && m == pm && dd == pd+1:
		case y == py && m == pm+1 && dd == 1:
		case y == py+1 && m == 1 && dd == 1 && pm == 12:
		default:
			t.Fatalf("%s is %d/%d/%d after %d/%d/%d", d, y, m, dd, py, pm, pd)
		}
		py, pm, pd = y, m, dd
	}
}

func TestJalaliOfUsesLocation(t *testing.T) {
	// 21:00 UTC on 20 March 2027 is already 00:30 on Nowruz in Tehran.
	utc := time.Date(2027, 3, 20, 21, 0, 0, 0, time.UTC)
	if y, m, d := JalaliOf(utc); y != 1405 || m != 12 || d != 29 {
		t.Errorf("JalaliOf(UTC) = %d/%d/%d, want 1405/12/29", y, m, d)
	}
	for _, loc := range []*time.Location{tehranFixed, MustTehran(t)} {
		if y, m, d := JalaliOf(utc.In(loc)); y != 1406 || m != 1 || d != 1 {
			t.Errorf("JalaliOf(%s) = %d/%d/%d, want 1406/01/01", loc, y, m, d)
		}
	}
	if y, m, d := (Date{}).Jalali(); y != 0 || m != 0 || d != 0 {
		t.Errorf("zero Date Jalali() = %d/%d/%d, want zeros", y, m, d)
	}
}

func TestJalaliMonthIsTheQuotaMonth(t *testing.T) {
	// 1405/09/30 is 2026-12-21 and 1405/10/01 is 2026-12-22: both in
	// Gregorian December, but in different quota months. 2026-11-30 and
	// 2026-12-01 straddle a Gregorian month end but share Azar.
	for _, loc := range []*time.Location{tehranFixed, MustTehran(t)} {
		t.Run(loc.String(), func(t *testing.T) {
			tests := []struct {
				at, key, start, end string
			}{
				{"2026-12-21 23:59", "1405-09", "2026-11-22 00:00", "2026-12-22 00:00"},
				{"2026-12-22 00:00", "1405-10", "2026-12-22 00:00", "2027-01-21 00:00"},
				{"2026-11-30 23:59", "1405-09", "2026-11-22 00:00", "2026-12-22 00:00"},
				{"2026-12-01 00:00", "1405-09", "2026-11-22 00:00", "2026-12-22 00:00"},
				{"2027-03-20 12:00", "1405-12", "2027-02-20 00:00", "2027-03-21 00:00"}, // Esfand of a common year: 29 days
				{"2025-03-20 12:00", "1403-12", "2025-02-19 00:00", "2025-03-21 00:00"}, // Esfand of a leap year: 30 days
				{"2026-09-22 08:00", "1405-06", "2026-08-23 00:00", "2026-09-23 00:00"}, // Shahrivar: 31 days
			}
			for _, tt := range tests {
				at := MustTime(t, loc, tt.at)
				if got := JalaliMonthKey(at); got != tt.key {
					t.Errorf("JalaliMonthKey(%s) = %q, want %q", tt.at, got, tt.key)
				}
				if got, want := JalaliMonthStart(at), MustTime(t, loc, tt.start); !got.Equal(want) || got.Location() != loc {
					t.Errorf("JalaliMonthStart(%s) = %s, want %s", tt.at, got, want)
				}
				if got, want := JalaliMonthEnd(at), MustTime(t, loc, tt.end); !got.Equal(want) || got.Location() != loc {
					t.Errorf("JalaliMonthEnd(%s) = %s, want %s", tt.at, got, want)
				}
			}
		})
	}
}

func TestJalaliYear(t *testing.T) {
	loc := tehranFixed
	tests := []struct {
		at, start, end string
	}{
		{"2026-11-27 10:00", "2026-03-21 00:00", "2027-03-21 00:00"},
		{"2027-03-20 23:59", "2026-03-21 00:00", "2027-03-21 00:00"},
		{"2027-03-21 00:00", "2027-03-21 00:00", "2028-03-20 00:00"}, // 1406 is 365 days over a 29 February
		{"2025-03-20 09:00", "2024-03-20 00:00", "2025-03-21 00:00"}, // 1403, a leap year
	}
	for _, tt := range tests {
		at := MustTime(t, loc, tt.at)
		if got, want := JalaliYearStart(at), MustTime(t, loc, tt.start); !got.Equal(want) {
			t.Errorf("JalaliYearStart(%s) = %s, want %s", tt.at, got, want)
		}
		if got, want := JalaliYearEnd(at), MustTime(t, loc, tt.end); !got.Equal(want) {
			t.Errorf("JalaliYearEnd(%s) = %s, want %s", tt.at, got, want)
		}
	}
}

func TestJalaliPeriodsBracketEveryInstant(t *testing.T) {
	// With the real zone, including the years Iran still moved its clocks
	// (the jump was at midnight on Nowruz, so that day began at 01:00):
	// start <= t < end, start is the 1st, and the instant before start is
	// in the previous period.
	loc := MustTehran(t)
	for at := time.Date(2019, 1, 1, 0, 0, 0, 0, loc); at.Year() < 2024; at = at.Add(3 * time.Hour) {
		ms, me := JalaliMonthStart(at), JalaliMonthEnd(at)
		ys, ye := JalaliYearStart(at), JalaliYearEnd(at)
		if at.Before(ms) || !at.Before(me) || at.Before(ys) || !at.Before(ye) {
			t.Fatalf("%s not in month [%s, %s) or year [%s, %s)", at, ms, me, ys, ye)
		}
		y, m, d := JalaliOf(ms)
		_, pm, _ := JalaliOf(ms.Add(-time.Nanosecond))
		if d != 1 || pm == m || JalaliMonthKey(at) != JalaliMonthKey(ms) {
			t.Fatalf("%s: month start %s is %d/%d/%d, the instant before is month %d", at, ms, y, m, d, pm)
		}
		yy, ym, yd := JalaliOf(ys)
		if py, _, _ := JalaliOf(ys.Add(-time.Nanosecond)); ym != 1 || yd != 1 || py != yy-1 {
			t.Fatalf("%s: year start %s is %d/%d/%d, the instant before is year %d", at, ys, yy, ym, yd, py)
		}
	}
}

func TestAddJalali(t *testing.T) {
	tests := []struct {
		name         string
		from         [3]int
		years, month int
		want         [3]int
	}{
		{"a year later, same day", [3]int{1405, 9, 6}, 1, 0, [3]int{1406, 9, 6}},
		{"30 Esfand to a common year clamps to 29", [3]int{1403, 12, 30}, 1, 0, [3]int{1404, 12, 29}},
		{"30 Esfand four years on: 1407 is common", [3]int{1403, 12, 30}, 4, 0, [3]int{1407, 12, 29}},
		{"30 Esfand five years on: 1408 is leap", [3]int{1403, 12, 30}, 5, 0, [3]int{1408, 12, 30}},
		{"a year back", [3]int{1405, 1, 1}, -1, 0, [3]int{1404, 1, 1}},
		{"31 Shahrivar plus a month clamps to 30 Mehr", [3]int{1405, 6, 31}, 0, 1, [3]int{1405, 7, 30}},
		{"30 Bahman plus a month clamps to 29 Esfand", [3]int{1405, 11, 30}, 0, 1, [3]int{1405, 12, 29}},
		{"30 Bahman plus a month in a leap year", [3]int{1403, 11, 30}, 0, 1, [3]int{1403, 12, 30}},
		{"Esfand plus a month is next Farvardin", [3]int{1405, 12, 29}, 0, 1, [3]int{1406, 1, 29}},
		{"twelve months is a year", [3]int{1405, 9, 6}, 0, 12, [3]int{1406, 9, 6}},
		{"a month back across Nowruz", [3]int{1405, 1, 31}, 0, -1, [3]int{1404, 12, 29}},
		{"three months back across the year", [3]int{1405, 2, 10}, 0, -3, [3]int{1404, 11, 10}},
		{"fourteen months back", [3]int{1405, 2, 10}, 0, -14, [3]int{1403, 12, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := MustJalali(t, tt.from[0], tt.from[1], tt.from[2])
			want := MustJalali(t, tt.want[0], tt.want[1], tt.want[2])
			got := from
			if tt.years != 0 {
				got = AddJalaliYears(from, tt.years)
			} else {
				got = AddJalaliMonths(from, tt.month)
			}
			if got != want {
				y, m, d := got.Jalali()
				t.Errorf("got %s (%d/%02d/%02d), want %s (%v)", got, y, m, d, want, tt.want)
			}
		})
	}
	if got := AddJalaliYears(Date{}, 1); !got.IsZero() {
		t.Errorf("AddJalaliYears(zero) = %s, want zero", got)
	}
	if got := AddJalaliMonths(Date{}, 1); !got.IsZero() {
		t.Errorf("AddJalaliMonths(zero) = %s, want zero", got)
	}
}

func TestJalaliMonthNames(t *testing.T) {
	_, m, _ := MustDate(t, "2026-11-27").Jalali()
	if got := JalaliMonthNames[m-1]; got != "Azar" {
		t.Errorf("month of 2026-11-27 = %q, want Azar", got)
	}
	if JalaliMonthNames[0] != "Farvardin" || JalaliMonthNames[11] != "Esfand" {
		t.Errorf("JalaliMonthNames = %q", JalaliMonthNames)
	}
}
