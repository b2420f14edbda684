package rules

import (
	"testing"
	"time"
)

// calSink keeps the compiler from dropping benchmarked calls.
var calSink time.Time

func BenchmarkBusinessDeadline(b *testing.B) {
	zones := []struct {
		name string
		loc  *time.Location
	}{{"fixed", tehranFixed}, {"tzdata", MustTehran(b)}}
	for _, z := range zones {
		loc, c := z.loc, DefaultCalendar(z.loc)
		cases := []struct {
			name   string
			opened time.Time
			days   int
		}{
			{"wednesday-evening/1d", MustTime(b, loc, "2026-11-25 17:00"), 1},
			{"friday/3d", MustTime(b, loc, "2026-11-27 11:00"), 3},
			{"nowruz/3d", MustTime(b, loc, "2027-03-17 10:00"), 3},
		}
		for _, tc := range cases {
			b.Run(z.name+"/"+tc.name, func(b *testing.B) {
				for b.Loop() {
					calSink = c.BusinessDeadline(tc.opened, tc.days)
				}
			})
		}
	}
}

func BenchmarkOfficeTimeBetween(b *testing.B) {
	c := DefaultCalendar(tehranFixed)
	a := MustTime(b, tehranFixed, "2026-11-25 16:00")
	cases := []struct {
		name string
		end  time.Time
	}{
		{"same-day", MustTime(b, tehranFixed, "2026-11-25 17:10")},
		{"weekend", MustTime(b, tehranFixed, "2026-11-28 10:00")},
		{"month", MustTime(b, tehranFixed, "2026-12-25 10:00")},
		{"year", MustTime(b, tehranFixed, "2027-11-25 10:00")},
	}
	var d time.Duration
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				d += c.OfficeTimeBetween(a, tc.end)
			}
		})
	}
	_ = d
}

func BenchmarkAddOfficeTimeYear(b *testing.B) {
	c := DefaultCalendar(tehranFixed)
	from := MustTime(b, tehranFixed, "2026-03-21 00:00")
	for b.Loop() {
		calSink = c.AddOfficeTime(from, 2000*time.Hour)
	}
}
