package jobs_test

import (
	"context"
	"strings"
	"testing"

	"supportbot/export"
	"supportbot/outbox"
	"supportbot/rules"
)

// hourly adds an h50 package of customer P-3 bought on a Jalali date.
func (f *jobsFixture) hourly(tb testing.TB, id string, jy, jm, jd int) rules.Contract {
	tb.Helper()
	d, err := rules.JalaliDate(jy, jm, jd)
	if err != nil {
		tb.Fatal(err)
	}
	c := rules.Contract{ID: id, CustomerID: "P-3", Kind: rules.KindHourly, Tier: rules.TierH50, Subject: "بسته ساعتی", PurchasedOn: d, ProjectID: "A-3"}
	if err := f.DB.UpsertContract(context.Background(), c); err != nil {
		tb.Fatal(err)
	}
	return c
}

// usageAt is a contract's export as of a Tehran wall-clock time.
func (f *jobsFixture) usageAt(tb testing.TB, contractID, at string) export.Contract {
	tb.Helper()
	snap, err := export.Take(context.Background(), f.DB, f.Policy, f.Time(tb, at))
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range snap.Contracts {
		if c.ID == contractID {
			return c
		}
	}
	tb.Fatalf("no contract %s in the export", contractID)
	return export.Contract{}
}

// entries is a contract's hourly entries as "kind month minutes at".
func (f *jobsFixture) entries(tb testing.TB, contractID string) []string {
	tb.Helper()
	es, err := f.DB.HourlyEntries(context.Background(), contractID)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, string(e.Kind)+" "+e.Month+" "+itoa(int64(e.Minutes))+" "+e.At.In(f.Loc).Format("2006-01-02 15:04:05"))
	}
	return out
}

func TestMonthEndSettlement(t *testing.T) {
	// Azar 1405 runs from 2026-11-22 to 2026-12-21; 1 Dey is 2026-12-22.
	const azarEnd = "2026-12-21 23:59:59"
	tests := []struct {
		name  string
		setup func(t *testing.T, f *jobsFixture) string // the package to look at
		want  []string
		used  int // hours_used_min after the month end
	}{
		{"1h used in Azar: charged up to 5h", func(t *testing.T, f *jobsFixture) string {
			f.Charge(t, "A-4", "2026-12-06 10:00", 60)
			return "A-4"
		}, []string{"settlement 1405-09 240 " + azarEnd}, 300},
		{"5h or more used: nothing to charge", func(t *testing.T, f *jobsFixture) string {
			f.Charge(t, "A-4", "2026-12-06 10:00", 360)
			return "A-4"
		}, nil, 360},
		{"never more than the package has left", func(t *testing.T, f *jobsFixture) string {
			f.Charge(t, "A-4", "2026-11-10 10:00", 2900) // in Aban
			return "A-4"
		}, []string{"settlement 1405-09 100 " + azarEnd}, 3000},
		{"bought during the month: the first month counts from the purchase", func(t *testing.T, f *jobsFixture) string {
			f.hourly(t, "H-2", 1405, 9, 19)
			return "H-2"
		}, []string{"settlement 1405-09 300 " + azarEnd}, 300},
		{"bought on 1 Dey: Azar is not its month", func(t *testing.T, f *jobsFixture) string {
			f.hourly(t, "H-3", 1405, 10, 1)
			return "H-3"
		}, nil, 0},
		{"expired in Farvardin: nothing", func(t *testing.T, f *jobsFixture) string {
			f.hourly(t, "H-4", 1404, 3, 1)
			return "H-4"
		}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newJobsFixture(t, defaultJobs)
			id := tt.setup(t, f)
			from, to := f.Time(t, "2026-12-21 12:00"), f.Time(t, "2026-12-22 12:00")
			f.run(t, from, to)
			f.run(t, from, to) // twice: charged once
			f.restart(t)
			f.run(t, from, to)
			got := f.entries(t, id)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("entries %q, want %q", got, tt.want)
			}
			c := f.usageAt(t, id, "2026-12-22 10:00")
			if c.Usage.HoursUsedMin != nil && *c.Usage.HoursUsedMin != tt.used {
				t.Errorf("hours_used_min = %d, want %d", *c.Usage.HoursUsedMin, tt.used)
			}
			if c.Usage.MonthUsedMin != nil && *c.Usage.MonthUsedMin != 0 {
				t.Errorf("Dey month_used_min = %d, want 0 (the settlement belongs to Azar)", *c.Usage.MonthUsedMin)
			}
			if len(c.HourlyEntries) != len(tt.want) {
				t.Errorf("export lists %d hourly entries, want %d", len(c.HourlyEntries), len(tt.want))
			}
		})
	}
}

func TestSettlementCountsInItsMonth(t *testing.T) {
	f := newJobsFixture(t, defaultJobs)
	f.Charge(t, "A-4", "2026-12-06 10:00", 60)
	f.run(t, f.Time(t, "2026-12-21 12:00"), f.Time(t, "2026-12-22 12:00"))
	azar := f.usageAt(t, "A-4", "2026-12-21 20:00")
	if got := *azar.Usage.MonthUsedMin; got != 300 {
		t.Errorf("Azar month_used_min = %d, want 300 (the 5h minimum)", got)
	}
	if e := azar.HourlyEntries[0]; e.At == nil || *e.At != "2026-12-21T23:59:59+03:30" || e.Kind != "settlement" || e.Minutes != 240 || e.Month != "1405-09" {
		t.Errorf("export entry %+v", e)
	}
}

func TestYearEndExpiry(t *testing.T) {
	f := newJobsFixture(t, defaultJobs)
	ordibehesht := f.hourly(t, "H-5", 1405, 2, 10) // expires at the end of 1405
	dey := f.hourly(t, "H-6", 1405, 10, 15)        // Dey: carried into 1406, valid one year
	f.Charge(t, "H-5", "2027-03-01 10:00", 120)

	// 1 Farvardin 1406 is 2027-03-21: Esfand is settled, then H-5 expires.
	f.run(t, f.Time(t, "2027-03-20 12:00"), f.Time(t, "2027-03-21 12:00"))
	const esfandEnd = "2027-03-20 23:59:59"
	if got, want := strings.Join(f.entries(t, ordibehesht.ID), "\n"), "settlement 1405-12 180 "+esfandEnd+"\nexpiry 1405-12 2700 "+esfandEnd; got != want {
		t.Errorf("H-5 entries:\n%s\nwant\n%s", got, want)
	}
	h5 := f.usageAt(t, ordibehesht.ID, "2027-03-21 10:00")
	if h5.Status != rules.StatusExpired || *h5.Usage.HoursUsedMin != 3000 || *h5.Usage.HoursLeftMin != 0 || *h5.Usage.MonthUsedMin != 0 {
		t.Errorf("H-5 after the year end: %s, used %d, left %d, month %d; want expired, 3000, 0, 0",
			h5.Status, *h5.Usage.HoursUsedMin, *h5.Usage.HoursLeftMin, *h5.Usage.MonthUsedMin)
	}
	if got, want := strings.Join(f.entries(t, dey.ID), "\n"), "settlement 1405-12 300 "+esfandEnd; got != want {
		t.Errorf("H-6 (bought in Dey) at the year end: %s, want only Esfand's minimum", got)
	}
	if h6 := f.usageAt(t, dey.ID, "2027-03-21 10:00"); h6.Status != rules.StatusActive {
		t.Errorf("H-6 after the year end: %s, want active", h6.Status)
	}

	// H-6 expires on 1406/10/15 (2028-01-05) with what it has left.
	f.run(t, f.Time(t, "2028-01-04 12:00"), f.Time(t, "2028-01-05 12:00"))
	f.restart(t)
	f.run(t, f.Time(t, "2028-01-04 12:00"), f.Time(t, "2028-01-05 12:00"))
	got := f.entries(t, dey.ID)
	if len(got) != 2 || got[1] != "expiry 1406-10 2700 2028-01-04 23:59:59" {
		t.Errorf("H-6 entries %q, want its expiry of 2700 minutes once", got)
	}
}

func TestHourlyScheduleFiresAtMonthStartsAndExpiries(t *testing.T) {
	f := newJobsFixture(t, defaultJobs)
	s := f.schedule(t, "hourly_settlement").When
	at := f.Time(t, "2027-02-10 12:00") // 1405/11/21; A-4 expires at the year end
	var got []string
	for range 4 {
		at = s.Next(at)
		if at.IsZero() {
			break
		}
		got = append(got, at.In(f.Loc).Format("2006-01-02 15:04"))
	}
	want := []string{"2027-02-20 00:00", "2027-03-21 00:00"} // 1 Esfand, 1 Farvardin; then A-4 is gone
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("instants %v, want %v", got, want)
	}
}

func TestPackageNotes(t *testing.T) {
	f := newJobsFixture(t, defaultJobs)
	f.Charge(t, "A-4", "2026-11-28 10:00", 2500) // 500 of 3000 minutes left: under 20%
	from, to := f.Time(t, "2026-11-29 12:00"), f.Time(t, "2026-12-01 12:00")
	f.run(t, from, to)
	f.run(t, from, to)
	f.restart(t)
	f.run(t, from, to)

	f.Charge(t, "A-4", "2026-12-01 11:00", 500) // none left
	f.run(t, to, f.Time(t, "2026-12-06 12:00"))

	var got []string
	for _, m := range f.Outbox(t) {
		if m.TicketID == 0 && (m.To == string(outbox.StaffGroup) || m.To == string(outbox.WhatsApp(phoneProj))) {
			if !f.Policy.Calendar.IsContactOpen(m.CreatedAt) {
				t.Errorf("note at %s, outside contact hours", m.CreatedAt)
			}
			got = append(got, m.To+" "+m.CreatedAt.In(f.Loc).Format("2006-01-02 15:04"))
		}
	}
	want := []string{
		string(outbox.StaffGroup) + " 2026-11-30 08:30", string(outbox.WhatsApp(phoneProj)) + " 2026-11-30 08:30", // low, at the next contact opening
		string(outbox.StaffGroup) + " 2026-12-02 08:30", string(outbox.WhatsApp(phoneProj)) + " 2026-12-02 08:30", // out, once
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes %q, want %q", got, want)
	}
}
