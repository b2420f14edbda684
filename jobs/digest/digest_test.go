package digest

import (
	"context"
	"strings"
	"testing"
	"time"

	"supportbot/jobs/jobstest"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// digestFixture is the test world and the digest's environment in it,
// with charts kept in a temporary folder.
type digestFixture struct {
	*jobstest.World
	env Env
}

func newDigestFixture(tb testing.TB) *digestFixture {
	tb.Helper()
	w := jobstest.New(tb)
	post := func(ctx context.Context, tx store.Store, at time.Time, p outbox.Post) (int64, error) {
		return outbox.Enqueue(ctx, tx, at, p)
	}
	return &digestFixture{World: w, env: Env{Policy: w.Policy, Printer: w.Printer, Loc: w.Loc, FilesDir: tb.TempDir(), Post: post}}
}

// ticket opens a ticket at the clock.
func (f *digestFixture) ticket(tb testing.TB, contractID, phone string, kind rules.RequestKind, sev rules.Severity) store.Ticket {
	tb.Helper()
	return f.Ticket(tb, f.DB, contractID, phone, kind, sev)
}

func TestSLACounts(t *testing.T) {
	f := newDigestFixture(t)
	at := f.At // Sunday 10:00
	h := func(hours float64) time.Time { return at.Add(time.Duration(hours * float64(time.Hour))) }
	ts := []store.Ticket{
		// Opened yesterday, answered yesterday in time.
		{ID: 1, Status: store.TicketAnswered, OpenedAt: h(-20), FirstResponseDue: h(5), FirstResponseAt: h(-19)},
		// Opened yesterday, due yesterday, answered today late: breached yesterday.
		{ID: 2, Status: store.TicketAnswered, OpenedAt: h(-21), FirstResponseDue: h(-12), FirstResponseAt: h(-1)},
		// Opened two days ago, due today before now, unanswered: breached today and overdue.
		{ID: 3, Status: store.TicketNew, OpenedAt: h(-48), FirstResponseDue: h(-2)},
		// Opened today, due later today: due today.
		{ID: 4, Status: store.TicketNew, OpenedAt: h(-1), FirstResponseDue: h(3)},
		// Opened today, due tomorrow: neither.
		{ID: 5, Status: store.TicketNew, OpenedAt: h(-0.5), FirstResponseDue: h(24)},
		// Declined today before its deadline: answered in time, not open.
		{ID: 6, Status: store.TicketDeclined, OpenedAt: h(-0.2), FirstResponseDue: h(1), FirstResponseAt: h(-0.1)},
	}
	got := f.env.slaCounts(ts, at)
	want := slaCounts{
		Yesterday: slaDay{Opened: 2, Answered: 1, OnTime: 1, Breached: 1},
		Today:     slaDay{Opened: 3, Answered: 2, OnTime: 1, Breached: 1},
		DueToday:  1,
		Overdue:   1,
	}
	if got != want {
		t.Errorf("slaCounts = %+v, want %+v", got, want)
	}
}

func TestDigestText(t *testing.T) {
	f := newDigestFixture(t)
	// Three tickets today, as the desk's tests open them.
	f.ticket(t, "A-1", jobstest.PhoneSilver, rules.RequestProblem, rules.SeverityImportant)
	f.ticket(t, "A-4", jobstest.PhoneProj, rules.RequestCustomization, "")
	f.ticket(t, "A-3", jobstest.PhoneProj, rules.RequestCustomization, "")
	text, err := Text(t.Context(), f.DB, f.env, f.At)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"۸ آذر ۱۴۰۵", f.Printer.T("digest.yesterday", nil), f.Printer.T("digest.today", nil), "۳ تیکت تازه"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "[") {
		t.Errorf("digest has a missing key:\n%s", text)
	}
}

func TestDigestPeriod(t *testing.T) {
	f := newDigestFixture(t)
	tests := []struct{ at, from string }{
		{"2026-11-29 08:00", "2026-11-28"}, // Sunday: Saturday
		{"2026-11-28 08:00", "2026-11-25"}, // Saturday: from Wednesday, over the weekend
		{"2026-11-26 11:00", "2026-11-25"}, // Thursday, on demand: Wednesday
		{"2026-12-26 08:00", "2026-12-22"}, // Saturday after the Wednesday holiday: from Tuesday
	}
	for _, tt := range tests {
		at, _ := time.ParseInLocation("2006-01-02 15:04", tt.at, f.Loc)
		from, to := f.env.period(at)
		if got := from.Format("2006-01-02"); got != tt.from || !to.Equal(time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, f.Loc)) {
			t.Errorf("period(%s) = %s – %s, want %s – that day", tt.at, from, to, tt.from)
		}
	}
}

func TestDigestWatchLists(t *testing.T) {
	f := newDigestFixture(t)
	ctx := context.Background()
	// A-1 (silver, 10 a month) at its limit; A-4 with 500 of 3000 minutes
	// left; B-9 ending within 30 days.
	for range 10 {
		f.ticket(t, "A-1", jobstest.PhoneSilver, rules.RequestQuestion, "")
	}
	f.Charge(t, "A-4", "2026-11-28 10:00", 2500)
	b9 := rules.Contract{ID: "B-9", CustomerID: "P-1", Kind: rules.KindProduct, Tier: rules.TierBronze,
		PurchasedOn: rules.Date{Year: 2025, Month: 11, Day: 20}, DeliveredOn: rules.Date{Year: 2025, Month: 12, Day: 1}, ConfirmedOn: rules.Date{Year: 2025, Month: 12, Day: 2}}
	if err := f.DB.UpsertContract(ctx, b9); err != nil {
		t.Fatal(err)
	}
	text, err := Text(ctx, f.DB, f.env, f.At)
	if err != nil {
		t.Fatal(err)
	}
	p := f.Printer
	for _, want := range []string{
		p.T("digest.at_limit", nil),
		p.T("digest.limit_item", map[string]any{"name": "شرکت نمونه یک", "contract_id": "A-1", "used": 10, "limit": 10}),
		p.T("digest.hourly", map[string]any{"percent": LowPercent, "days": aheadDays}),
		"A-4",
		p.T("digest.ending", map[string]any{"days": aheadDays}),
		"B-9",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "G-1") {
		t.Errorf("digest lists G-1, which needs nothing:\n%s", text)
	}
}
