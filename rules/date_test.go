package rules

import (
	"testing"
	"time"
)

func TestDateOfUsesLocation(t *testing.T) {
	// 22:00 UTC on 26 November is 01:30 on the 27th in Tehran.
	utc := time.Date(2026, 11, 26, 22, 0, 0, 0, time.UTC)
	if got, want := DateOf(utc), (Date{2026, time.November, 26}); got != want {
		t.Errorf("DateOf(UTC) = %s, want %s", got, want)
	}
	if got, want := DateOf(utc.In(tehranFixed)), (Date{2026, time.November, 27}); got != want {
		t.Errorf("DateOf(Tehran) = %s, want %s", got, want)
	}
}

func TestDateTime(t *testing.T) {
	d := Date{2026, time.November, 27}
	got := d.Time(tehranFixed)
	if want := time.Date(2026, 11, 26, 20, 30, 0, 0, time.UTC); !got.Equal(want) || got.Location() != tehranFixed {
		t.Errorf("Time = %s, want %s in Tehran", got, want)
	}
	if !(Date{}).Time(tehranFixed).IsZero() {
		t.Error("zero Date should give the zero Time")
	}
	// In 2021 Iran's clocks jumped from 00:00 to 01:00 as 22 March
	// (2 Farvardin 1400) began: that day had no midnight, and Time gives
	// its first instant, 01:00 +0430.
	loc := MustTehran(t)
	start := Date{2021, time.March, 22}.Time(loc)
	if DateOf(start) != (Date{2021, time.March, 22}) || DateOf(start.Add(-time.Nanosecond)) != (Date{2021, time.March, 21}) {
		t.Errorf("start of 2021-03-22 in Tehran = %s", start)
	}
}

func TestDateString(t *testing.T) {
	tests := []struct {
		d    Date
		want string
	}{
		{Date{2026, time.November, 27}, "2026-11-27"},
		{Date{987, time.January, 2}, "0987-01-02"},
		{Date{}, ""},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.d, got, tt.want)
		}
	}
	if !(Date{}).IsZero() || (Date{2026, 1, 1}).IsZero() {
		t.Error("IsZero is wrong")
	}
}

func TestDateAddDays(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-27", 1, "2026-11-28"},
		{"2026-11-27", 0, "2026-11-27"},
		{"2026-12-31", 1, "2027-01-01"},
		{"2028-02-28", 1, "2028-02-29"},
		{"2027-02-28", 1, "2027-03-01"},
		{"2100-02-28", 1, "2100-03-01"},
		{"2000-02-28", 1, "2000-02-29"},
		{"2026-03-01", -1, "2026-02-28"},
		{"2026-01-01", 365, "2027-01-01"},
		{"2026-01-01", -3653, "2016-01-01"}, // three leap days: 2016, 2020, 2024
	}
	for _, tt := range tests {
		if got := MustDate(t, tt.from).AddDays(tt.n); got.String() != tt.want {
			t.Errorf("%s.AddDays(%d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestDateBefore(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"2026-11-27", "2026-11-28", true},
		{"2026-11-28", "2026-11-27", false},
		{"2026-11-27", "2026-11-27", false},
		{"2026-12-01", "2027-01-01", true},
		{"2026-12-01", "2026-11-30", false},
		{"2025-12-31", "2026-01-01", true},
	}
	for _, tt := range tests {
		if got := MustDate(t, tt.a).Before(MustDate(t, tt.b)); got != tt.want {
			t.Errorf("%s.Before(%s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestDateArithmeticMatchesTimePackage(t *testing.T) {
	// Day numbers and weekdays agree with package time over four
	// centuries, BCE included.
	for _, start := range []int{-400, 1600, 1970, 2400} {
		tt := time.Date(start, 1, 1, 12, 0, 0, 0, time.UTC)
		d := DateOf(tt)
		for i := 0; i < 146097; i += 7 {
			want := DateOf(tt.AddDate(0, 0, i))
			got := d.AddDays(i)
			if got != want {
				t.Fatalf("%s.AddDays(%d) = %v, want %v", d, i, got, want)
			}
			if got.Weekday() != tt.AddDate(0, 0, i).Weekday() {
				t.Fatalf("%s.Weekday() = %s, want %s", got, got.Weekday(), tt.AddDate(0, 0, i).Weekday())
			}
		}
	}
	if got := MustDate(t, "2026-11-28").Weekday(); got != time.Saturday {
		t.Errorf("2026-11-28 is a %s, want Saturday", got)
	}
}

func TestParseISODate(t *testing.T) {
	if got, err := ParseISODate("2027-03-20"); err != nil || got != (Date{2027, time.March, 20}) {
		t.Errorf("ParseISODate = %v, %v", got, err)
	}
	for _, bad := range []string{"", "2027-3-20", "2027/03/20", "2027-02-30", "1405-13-01", "2027-03-20 ", "20-03-2027"} {
		if d, err := ParseISODate(bad); err == nil {
			t.Errorf("ParseISODate(%q) = %s, want an error", bad, d)
		}
	}
}

func FuzzParseISODate(f *testing.F) {
	for _, s := range []string{"2026-11-27", "0000-01-01", "2027-02-30", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseISODate(s)
		if err != nil {
			return
		}
		again, err := ParseISODate(d.String())
		if err != nil || again != d {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, d, d.String(), again, err)
		}
	})
}
