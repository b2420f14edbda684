package bot

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"supportbot/export"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

func TestSLACounts(t *testing.T) {
	f := newDeskFixture(t)
	at := f.at // Sunday 10:00
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
	got := f.desk.digestEnv().slaCounts(ts, at)
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
	f := newDeskFixture(t)
	threeTickets(t, f)
	text, err := digestText(t.Context(), f.db, f.desk.digestEnv(), f.at)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"۸ آذر ۱۴۰۵", f.p.T("desk.digest.yesterday", nil), f.p.T("desk.digest.today", nil), "۳ تیکت تازه"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "[") {
		t.Errorf("digest has a missing key:\n%s", text)
	}
}

func TestDigestPeriod(t *testing.T) {
	f := newDeskFixture(t)
	tests := []struct{ at, from string }{
		{"2026-11-29 08:00", "2026-11-28"}, // Sunday: Saturday
		{"2026-11-28 08:00", "2026-11-25"}, // Saturday: from Wednesday, over the weekend
		{"2026-11-26 11:00", "2026-11-25"}, // Thursday, on demand: Wednesday
		{"2026-12-26 08:00", "2026-12-22"}, // Saturday after the Wednesday holiday: from Tuesday
	}
	for _, tt := range tests {
		at, _ := time.ParseInLocation("2006-01-02 15:04", tt.at, f.loc)
		from, to := f.desk.digestEnv().digestPeriod(at)
		if got := from.Format("2006-01-02"); got != tt.from || !to.Equal(time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, f.loc)) {
			t.Errorf("digestPeriod(%s) = %s – %s, want %s – that day", tt.at, from, to, tt.from)
		}
	}
}

// seedDigestDay opens and answers tickets around Saturday 1405/09/07
// (2026-11-28), the day Sunday's digest reports.
func seedDigestDay(t *testing.T, f *jobsFixture) {
	t.Helper()
	ctx := context.Background()
	seed := []struct {
		contract, phone, opened, answered, by string
		status                                store.TicketStatus
	}{
		{"A-1", phoneSilver, "2026-11-28 09:00", "2026-11-28 10:00", "Sara", store.TicketAnswered}, // in time
		{"G-1", phoneGold, "2026-11-28 10:00", "", "", store.TicketNew},                            // due Sunday 10:00
		{"G-1", phoneGold, "2026-11-25 10:00", "2026-11-28 12:00", "Ali", store.TicketAnswered},    // due Saturday 10:00: late
		{"G-1", phoneGold, "2026-11-25 11:00", "", "", store.TicketNew},                            // due Saturday 11:00: overdue
		{"A-3", phoneProj, "2026-11-28 15:00", "2026-11-28 16:00", "", store.TicketDeclined},       // declined in time
		{"A-1", phoneSilver, "2026-11-26 10:00", "", "", store.TicketNew},                          // Thursday: due Sunday 17:30
	}
	for _, s := range seed {
		tk := f.openAt(t, s.opened, s.contract, s.phone)
		if s.answered == "" {
			continue
		}
		tk.Status, tk.FirstResponseAt = s.status, f.time(t, s.answered)
		if s.status == store.TicketDeclined {
			tk.DeclineReason, tk.ClosedAt = rules.DeclineMisuse, tk.FirstResponseAt
		}
		if err := f.db.UpdateTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		if s.by != "" {
			m := store.Message{TicketID: tk.ID, At: tk.FirstResponseAt, Direction: store.FromStaff, Author: s.by, Text: "پاسخ"}
			if err := f.db.AddMessage(ctx, &m); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestDigestMatchesExport runs Sunday's digest over a seeded Saturday and
// checks its numbers against the tickets as `export` reports them.
func TestDigestMatchesExport(t *testing.T) {
	f := newJobsFixture(t, defaultJobs)
	seedDigestDay(t, f)
	at := f.time(t, "2026-11-29 08:00")
	f.run(t, f.time(t, "2026-11-28 20:00"), f.time(t, "2026-11-29 09:00"))

	snap, err := export.Take(context.Background(), f.db, f.desk.policy, at)
	if err != nil {
		t.Fatal(err)
	}
	from, to := f.time(t, "2026-11-28 00:00"), f.time(t, "2026-11-29 00:00")
	in := func(s *string) bool {
		if s == nil {
			return false
		}
		x, err := time.Parse(time.RFC3339, *s)
		return err == nil && !x.Before(from) && x.Before(to)
	}
	var want slaDay
	var dueToday, overdue int
	for _, tk := range snap.Tickets {
		if in(tk.OpenedAt) {
			want.Opened++
		}
		if in(tk.FirstResponseAt) {
			want.Answered++
			if !tk.Breached {
				want.OnTime++
			}
		}
		if in(tk.FirstResponseDue) && tk.Breached {
			want.Breached++
		}
		if tk.FirstResponseAt == nil && (tk.Status == store.TicketNew || tk.Status == store.TicketAnswered) {
			if tk.Breached {
				overdue++
			} else if due, _ := time.Parse(time.RFC3339, *tk.FirstResponseDue); due.Before(to.AddDate(0, 0, 1)) {
				dueToday++
			}
		}
	}
	if want != (slaDay{Opened: 3, Answered: 3, OnTime: 2, Breached: 2}) || dueToday != 2 || overdue != 1 {
		t.Fatalf("the seeded day reads %+v, due today %d, overdue %d from the export; the seed is wrong", want, dueToday, overdue)
	}

	var digest, chart *store.OutboxMessage
	for _, m := range f.outbox(t) {
		if m.To != string(outbox.TelegramUser(managerReza)) {
			continue
		}
		if !m.CreatedAt.Equal(at) {
			t.Errorf("manager message at %s, want the digest at 08:00", m.CreatedAt.In(f.loc))
		}
		if m.File == nil {
			digest = &m
		} else {
			chart = &m
		}
	}
	if digest == nil || chart == nil {
		t.Fatal("no digest or no chart sent to the manager")
	}
	p := f.p
	for _, line := range []string{
		p.T("desk.digest.title", map[string]any{"date": rules.DateOf(at)}),
		p.T("desk.digest.day", map[string]any{"day": f.desk.digestEnv().raw("desk.digest.yesterday"), "opened": want.Opened,
			"answered": want.Answered, "on_time": want.OnTime, "breached": want.Breached}),
		p.T("desk.digest.open", map[string]any{"due_today": dueToday, "overdue": overdue}),
		p.T("desk.digest.group", map[string]any{"label": "Sara", "count": 1, "median": time.Hour}),
		// Wednesday 10:00–17:30 and Saturday 08:30–12:00 of office time.
		p.T("desk.digest.group", map[string]any{"label": "Ali", "count": 1, "median": 11 * time.Hour}),
		p.T("desk.digest.group", map[string]any{"label": locales.Raw(p.T("desk.digest.tier", map[string]any{"kind": rules.KindProduct, "tier": rules.TierGold})), "count": 1, "median": 11 * time.Hour}),
	} {
		if !strings.Contains(digest.Text, line) {
			t.Errorf("digest lacks %q:\n%s", line, digest.Text)
		}
	}
	// Overdue and due-today tickets, oldest deadline first: 4, 2, 6.
	i4, i2, i6 := strings.Index(digest.Text, "تیکت ۴،"), strings.Index(digest.Text, "تیکت ۲،"), strings.Index(digest.Text, "تیکت ۶،")
	if i4 < 0 || i2 < 0 || i6 < 0 || !(i4 < i2 && i2 < i6) {
		t.Errorf("open tickets not listed oldest deadline first:\n%s", digest.Text)
	}

	if chart.File.Kind != "image" || chart.File.MIME != "image/png" || !strings.HasPrefix(chart.File.Name, "sla-1405-09-08") {
		t.Errorf("chart file %+v", chart.File)
	}
	data, err := os.ReadFile(chart.File.Path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil || img.Bounds().Dx() != chartW || int64(len(data)) != chart.File.Bytes {
		t.Errorf("chart: %v, %d bytes, recorded %d", err, len(data), chart.File.Bytes)
	}
}

func TestDigestOnOfficeDaysOnce(t *testing.T) {
	tests := []struct {
		name, from, to string
		want           []string
	}{
		{"a plain week: Saturday to Wednesday", "2026-11-27 12:00", "2026-12-04 12:00",
			[]string{"2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"}},
		{"a week with the Wednesday holiday", "2026-12-18 12:00", "2026-12-25 12:00",
			[]string{"2026-12-19", "2026-12-20", "2026-12-21", "2026-12-22"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newJobsFixture(t, defaultJobs)
			from, to := f.time(t, tt.from), f.time(t, tt.to)
			f.run(t, from, to)
			f.restart(t)
			f.run(t, from, to)
			var got []string
			for _, m := range f.outbox(t) {
				if m.To == string(outbox.TelegramUser(managerReza)) && m.File == nil {
					if m.CreatedAt.In(f.loc).Format("15:04") != "08:00" {
						t.Errorf("digest at %s", m.CreatedAt.In(f.loc))
					}
					got = append(got, m.CreatedAt.In(f.loc).Format("2006-01-02"))
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("digests on %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDigestWatchLists(t *testing.T) {
	f := newJobsFixture(t, defaultJobs)
	ctx := context.Background()
	// A-1 (silver, 10 a month) at its limit; A-4 with 500 of 3000 minutes
	// left; B-9 ending within 30 days.
	for range 10 {
		f.ticket(t, "A-1", phoneSilver, rules.RequestQuestion, "")
	}
	f.charge(t, "A-4", "2026-11-28 10:00", 2500)
	b9 := rules.Contract{ID: "B-9", CustomerID: "P-1", Kind: rules.KindProduct, Tier: rules.TierBronze,
		PurchasedOn: rules.Date{Year: 2025, Month: 11, Day: 20}, DeliveredOn: rules.Date{Year: 2025, Month: 12, Day: 1}, ConfirmedOn: rules.Date{Year: 2025, Month: 12, Day: 2}}
	if err := f.db.UpsertContract(ctx, b9); err != nil {
		t.Fatal(err)
	}
	text, err := digestText(ctx, f.db, f.desk.digestEnv(), f.at)
	if err != nil {
		t.Fatal(err)
	}
	p := f.p
	for _, want := range []string{
		p.T("desk.digest.at_limit", nil),
		p.T("desk.digest.limit_item", map[string]any{"name": "شرکت نمونه یک", "contract_id": "A-1", "used": 10, "limit": 10}),
		p.T("desk.digest.hourly", map[string]any{"percent": lowPercent, "days": digestAhead}),
		"A-4",
		p.T("desk.digest.ending", map[string]any{"days": digestAhead}),
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

func TestDigestCommandSendsTheChart(t *testing.T) {
	f := newJobsFixture(t, defaultJobs)
	seedDigestDay(t, f)
	f.at = f.time(t, "2026-11-29 11:00")
	in := f.staff("/گزارش")
	in.Chat, in.UserID = ChatPrivate, managerReza
	sent := f.handle(t, in)
	if len(sent) != 2 || sent[0].File != nil || sent[1].File == nil {
		t.Fatalf("sent %+v, want the digest and then its chart", sent)
	}
	for _, m := range sent {
		if m.To != string(outbox.TelegramUser(managerReza)) {
			t.Errorf("sent to %s, want the manager who asked", m.To)
		}
	}
	if !strings.HasPrefix(sent[1].File.Name, "sla-1405-09-08-1100") || sent[1].File.Bytes == 0 {
		t.Errorf("chart %+v", sent[1].File)
	}
	if _, err := os.Stat(sent[1].File.Path); err != nil {
		t.Errorf("chart file: %v", err)
	}
	// On demand nothing is recorded as sent: asking again answers again.
	if again := f.handle(t, in); len(again) != 2 {
		t.Errorf("second /digest sent %d messages, want 2", len(again))
	}
}
