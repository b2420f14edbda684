package rules

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestSubOfficeTime(t *testing.T) {
	tests := []struct {
		name string
		from string
		d    time.Duration
		want string
	}{
		{"inside one office day", "2026-11-29 16:00", 2 * time.Hour, "2026-11-29 14:00"},
		{"back over the weekend: Sat 10:00 - 2h is Wed 17:00", "2026-11-28 10:00", 2 * time.Hour, "2026-11-25 17:00"},
		{"runs out exactly at an opening: the opening", "2026-11-28 10:30", 2 * time.Hour, "2026-11-28 08:30"},
		{"from a closing time", "2026-11-28 17:30", 30 * time.Minute, "2026-11-28 17:00"},
		{"from Friday: counts from Wednesday's closing", "2026-11-27 12:00", 30 * time.Minute, "2026-11-25 17:00"},
		{"from before the opening", "2026-11-29 08:00", time.Hour, "2026-11-28 16:30"},
		{"a whole office day back from Saturday 16:00 is Wednesday 16:00", "2026-11-28 16:00", 9 * time.Hour, "2026-11-25 16:00"},
		{"the Wednesday holiday is skipped: Sat 10:00 - 2h is Tue 17:00", "2026-12-26 10:00", 2 * time.Hour, "2026-12-22 17:00"},
		{"back over Nowruz and 29 Esfand: Sat 1406/01/07 09:00 - 1h is Wed 1405/12/26 17:00", "2027-03-27 09:00", time.Hour, "2027-03-17 17:00"},
		{"0 is t", "2026-11-27 12:00", 0, "2026-11-27 12:00"},
		{"negative is t", "2026-11-29 12:00", -time.Hour, "2026-11-29 12:00"},
	}
	for _, loc := range []*time.Location{tehranFixed, MustTehran(t)} {
		c := DefaultCalendar(loc)
		for _, tt := range tests {
			t.Run(loc.String()+"/"+tt.name, func(t *testing.T) {
				from := MustTime(t, loc, tt.from)
				got := c.SubOfficeTime(from, tt.d)
				if want := MustTime(t, loc, tt.want); !got.Equal(want) {
					t.Errorf("SubOfficeTime(%s, %s) = %s, want %s", tt.from, tt.d, got.Format("Mon 2006-01-02 15:04"), want.Format("Mon 2006-01-02 15:04"))
				}
				if got.Location() != loc {
					t.Errorf("result in %s, want %s", got.Location(), loc)
				}
				if tt.d > 0 {
					if between := c.OfficeTimeBetween(got, from); between != tt.d {
						t.Errorf("OfficeTimeBetween(result, t) = %s, want %s", between, tt.d)
					}
				}
			})
		}
	}
}

func TestSubOfficeTimeLunchBreak(t *testing.T) {
	c := lunchCalendar(tehranFixed)
	tests := []struct {
		from string
		d    time.Duration
		want string
	}{
		{"2026-11-28 14:00", 30 * time.Minute, "2026-11-28 13:30"},
		{"2026-11-28 14:00", time.Hour, "2026-11-28 12:00"},        // over the lunch break
		{"2026-11-28 13:00", 10 * time.Minute, "2026-11-28 12:20"}, // from inside the break
	}
	for _, tt := range tests {
		got := c.SubOfficeTime(MustTime(t, tehranFixed, tt.from), tt.d)
		if want := MustTime(t, tehranFixed, tt.want); !got.Equal(want) {
			t.Errorf("SubOfficeTime(%s, %s) = %s, want %s", tt.from, tt.d, got.Format("15:04"), tt.want)
		}
	}
}

// TestSubOfficeTimeUndoesAddOfficeTime checks the reminder instants against
// the deadline arithmetic: walking back from a deadline by the whole budget
// lands on the moment the clock started, and by any lead the office time in
// between is that lead.
func TestSubOfficeTimeUndoesAddOfficeTime(t *testing.T) {
	for _, c := range []*Calendar{DefaultCalendar(tehranFixed), lunchCalendar(tehranFixed)} {
		r := rand.New(rand.NewPCG(5, 6))
		base := MustTime(t, tehranFixed, "2026-03-01 00:00")
		for range 300 {
			opened := base.Add(time.Duration(r.Int64N(int64(400*24*time.Hour))) / time.Minute * time.Minute)
			budget := time.Duration(1+r.IntN(3)) * c.OfficeDayLength()
			due := c.AddOfficeTime(opened, budget)
			if got, want := c.SubOfficeTime(due, budget), c.NextOfficeOpening(opened); !got.Equal(want) {
				t.Fatalf("opened %s, due %s: SubOfficeTime(due, %s) = %s, want the clock start %s", opened, due, budget, got, want)
			}
			lead := time.Duration(1+r.Int64N(int64(budget/time.Minute))) * time.Minute
			x := c.SubOfficeTime(due, lead)
			if between := c.OfficeTimeBetween(x, due); between != lead {
				t.Fatalf("due %s, lead %s: reminder %s leaves %s", due, lead, x, between)
			}
			if !c.IsOfficeOpen(x) && x.Before(due) {
				t.Fatalf("due %s, lead %s: reminder %s falls outside office hours", due, lead, x)
			}
		}
	}
}

func TestSubOfficeTimeWithNoOpenTime(t *testing.T) {
	c := &Calendar{Loc: tehranFixed}
	if got := c.SubOfficeTime(MustTime(t, tehranFixed, "2026-11-28 10:00"), time.Hour); !got.IsZero() {
		t.Errorf("SubOfficeTime with no office hours = %s, want zero", got)
	}
}
