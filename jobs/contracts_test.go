package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// Customer P-7 has two phones and a bronze product whose support ends at
// 1405/10/11 00:00 (2027-01-01): its last day is Wednesday 1405/10/10.
const (
	phoneP7a = "+989121230007"
	phoneP7b = "+989121230008"
)

func (f *jobsFixture) endingContract(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	if err := f.DB.UpsertCustomer(ctx, store.Customer{ID: "P-7", Name: "شرکت هفت", City: "تهران"}); err != nil {
		tb.Fatal(err)
	}
	if err := f.DB.SetImportedPhones(ctx, "P-7", []string{phoneP7a, phoneP7b}); err != nil {
		tb.Fatal(err)
	}
	date := func(y, m, d int) rules.Date { return rules.Date{Year: y, Month: time.Month(m), Day: d} }
	c := rules.Contract{ID: "K-7", CustomerID: "P-7", Kind: rules.KindProduct, Tier: rules.TierBronze, Subject: "ماژول انبار",
		PurchasedOn: date(2025, 12, 20), DeliveredOn: date(2025, 12, 25), ConfirmedOn: date(2026, 1, 1)}
	if err := f.DB.UpsertContract(ctx, c); err != nil {
		tb.Fatal(err)
	}
}

// reminders lists the messages sent to P-7 as "phone at".
func (f *jobsFixture) p7Messages(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for _, m := range f.Outbox(tb) {
		if m.To == string(outbox.WhatsApp(phoneP7a)) || m.To == string(outbox.WhatsApp(phoneP7b)) {
			if !f.Policy.Calendar.IsContactOpen(m.CreatedAt) {
				tb.Errorf("reminder at %s, outside contact hours", m.CreatedAt.In(f.Loc))
			}
			out = append(out, strings.TrimPrefix(m.To, "whatsapp:")+" "+m.CreatedAt.In(f.Loc).Format("2006-01-02 15:04"))
		}
	}
	return out
}

func TestContractEndReminders(t *testing.T) {
	tests := []struct {
		name string
		days []int
		want []string
	}{
		{"30 and 7 days: the Friday one waits for Saturday's contact hours", []int{30, 7}, []string{
			phoneP7a + " 2026-12-02 08:30", phoneP7b + " 2026-12-02 08:30", // Wednesday
			phoneP7a + " 2026-12-26 08:30", phoneP7b + " 2026-12-26 08:30", // 2026-12-25 is a Friday
		}},
		{"off", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := defaultJobs
			cfg.ContractEndDays = tt.days
			f := newJobsFixture(t, cfg)
			f.endingContract(t)
			from, to := f.Time(t, "2026-11-25 12:00"), f.Time(t, "2027-01-05 12:00")
			f.run(t, from, to)
			f.run(t, from, to)
			f.restart(t)
			f.run(t, from, to)
			if got := f.p7Messages(t); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("reminders:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestContractEndReminderText(t *testing.T) {
	f := newJobsFixture(t, defaultJobs)
	f.endingContract(t)
	f.run(t, f.Time(t, "2026-12-01 12:00"), f.Time(t, "2026-12-02 12:00"))
	ms := f.p7Messages(t)
	if len(ms) != 2 {
		t.Fatalf("reminders %v, want one to each phone", ms)
	}
	var text string
	for _, m := range f.Outbox(t) {
		if m.To == string(outbox.WhatsApp(phoneP7a)) {
			text = m.Text
		}
	}
	for _, want := range []string{"ماژول انبار", "۱۰ دی ۱۴۰۵", "۳۰ روز", f.Printer.T("tier.bronze", nil)} {
		if !strings.Contains(text, want) {
			t.Errorf("reminder lacks %q:\n%s", want, text)
		}
	}
	if strings.ContainsAny(text, "0123456789") {
		t.Errorf("reminder has ASCII digits:\n%s", text)
	}
}

// Many contracts ending on the same day: at most the cap of reminder
// messages per clock hour, the rest in the following contact hours (across
// nights and past the one-day catch-up), each exactly once, in order,
// across a restart and repeated runs.
func TestContractEndRemindersSpreadOut(t *testing.T) {
	tests := []struct {
		name      string
		contracts int
		perHour   int
	}{
		{"12 under a cap of 5 an hour", 12, 5},
		{"40 under a cap of 2 an hour: days of backlog", 40, 2},
		{"no cap: all at once", 6, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := defaultJobs
			cfg.ContractEndDays = []int{30}
			cfg.ContractEndPerHour = tt.perHour
			f := newJobsFixture(t, cfg)
			ctx := context.Background()
			var phones []string
			for i := range tt.contracts {
				id := fmt.Sprintf("Z-%02d", i)
				phone := fmt.Sprintf("+9891255%05d", i)
				phones = append(phones, phone)
				if err := f.DB.UpsertCustomer(ctx, store.Customer{ID: id, Name: "شرکت " + id, City: "تهران"}); err != nil {
					t.Fatal(err)
				}
				if err := f.DB.SetImportedPhones(ctx, id, []string{phone}); err != nil {
					t.Fatal(err)
				}
				c := rules.Contract{ID: "K" + id, CustomerID: id, Kind: rules.KindProduct, Tier: rules.TierBronze, Subject: "ماژول انبار",
					PurchasedOn: rules.Date{Year: 2025, Month: 12, Day: 20}, DeliveredOn: rules.Date{Year: 2025, Month: 12, Day: 25},
					ConfirmedOn: rules.Date{Year: 2026, Month: 1, Day: 1}}
				if err := f.DB.UpsertContract(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			// Run in steps with a restart in the middle, and each step twice.
			from := f.Time(t, "2026-11-25 12:00")
			for _, to := range []string{"2026-12-02 09:10", "2026-12-02 12:40", "2026-12-03 10:00", "2026-12-20 12:00"} {
				end := f.Time(t, to)
				f.run(t, from, end)
				f.run(t, from, end)
				f.restart(t)
				from = end
			}
			perHour := map[string]int{}
			seen := map[string]int{}
			var last time.Time
			for _, m := range f.Outbox(t) {
				phone, ok := strings.CutPrefix(m.To, "whatsapp:")
				if !ok || !strings.HasPrefix(phone, "+9891255") {
					continue
				}
				seen[phone]++
				perHour[m.CreatedAt.In(f.Loc).Format("2006-01-02T15")]++
				if !f.Policy.Calendar.IsContactOpen(m.CreatedAt) {
					t.Errorf("reminder at %s, outside contact hours", m.CreatedAt.In(f.Loc))
				}
				if m.CreatedAt.Before(last) {
					t.Errorf("reminders out of order at %s", m.CreatedAt.In(f.Loc))
				}
				last = m.CreatedAt
				if !strings.Contains(m.Text, "ماژول انبار") {
					t.Errorf("reminder text %q", m.Text)
				}
			}
			for _, p := range phones {
				if seen[p] != 1 {
					t.Errorf("%s got %d reminders, want 1", p, seen[p])
				}
			}
			for h, n := range perHour {
				if tt.perHour > 0 && n > tt.perHour {
					t.Errorf("%d reminders in the hour %s, cap %d", n, h, tt.perHour)
				}
			}
			if tt.perHour == 0 && len(perHour) != 1 {
				t.Errorf("without a cap the reminders went in %d hours, want 1", len(perHour))
			}
			if tt.perHour > 0 {
				if want := (tt.contracts + tt.perHour - 1) / tt.perHour; len(perHour) < want {
					t.Errorf("reminders in %d hours, want at least %d", len(perHour), want)
				}
			}
			w, err := f.DB.ContractEndWaiting(ctx)
			if err != nil || len(w) != 0 {
				t.Errorf("still waiting: %v %v", w, err)
			}
		})
	}
}
