package jobs_test

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

// slaDay is one day's first-response numbers as the digest's line names
// them.
type slaDay struct{ Opened, Answered, OnTime, Breached int }

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
		tk.Status, tk.FirstResponseAt = s.status, f.Time(t, s.answered)
		if s.status == store.TicketDeclined {
			tk.DeclineReason, tk.ClosedAt = rules.DeclineMisuse, tk.FirstResponseAt
		}
		if err := f.DB.UpdateTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		if s.by != "" {
			m := store.Message{TicketID: tk.ID, At: tk.FirstResponseAt, Direction: store.FromStaff, Author: s.by, Text: "پاسخ"}
			if err := f.DB.AddMessage(ctx, &m); err != nil {
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
	at := f.Time(t, "2026-11-29 08:00")
	f.run(t, f.Time(t, "2026-11-28 20:00"), f.Time(t, "2026-11-29 09:00"))

	snap, err := export.Take(context.Background(), f.DB, f.Policy, at)
	if err != nil {
		t.Fatal(err)
	}
	from, to := f.Time(t, "2026-11-28 00:00"), f.Time(t, "2026-11-29 00:00")
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
	for _, m := range f.Outbox(t) {
		if m.To != string(outbox.TelegramUser(managerReza)) {
			continue
		}
		if !m.CreatedAt.Equal(at) {
			t.Errorf("manager message at %s, want the digest at 08:00", m.CreatedAt.In(f.Loc))
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
	p := f.Printer
	for _, line := range []string{
		p.T("digest.title", map[string]any{"date": rules.DateOf(at)}),
		p.T("digest.day", map[string]any{"day": locales.Raw(p.T("digest.yesterday", nil)), "opened": want.Opened,
			"answered": want.Answered, "on_time": want.OnTime, "breached": want.Breached}),
		p.T("digest.open", map[string]any{"due_today": dueToday, "overdue": overdue}),
		p.T("digest.group", map[string]any{"label": "Sara", "count": 1, "median": time.Hour}),
		// Wednesday 10:00–17:30 and Saturday 08:30–12:00 of office time.
		p.T("digest.group", map[string]any{"label": "Ali", "count": 1, "median": 11 * time.Hour}),
		p.T("digest.group", map[string]any{"label": locales.Raw(p.T("digest.tier", map[string]any{"kind": rules.KindProduct, "tier": rules.TierGold})), "count": 1, "median": 11 * time.Hour}),
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
	if err != nil || img.Bounds().Dx() < 100 || int64(len(data)) != chart.File.Bytes {
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
			from, to := f.Time(t, tt.from), f.Time(t, tt.to)
			f.run(t, from, to)
			f.restart(t)
			f.run(t, from, to)
			var got []string
			for _, m := range f.Outbox(t) {
				if m.To == string(outbox.TelegramUser(managerReza)) && m.File == nil {
					if m.CreatedAt.In(f.Loc).Format("15:04") != "08:00" {
						t.Errorf("digest at %s", m.CreatedAt.In(f.Loc))
					}
					got = append(got, m.CreatedAt.In(f.Loc).Format("2006-01-02"))
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("digests on %v, want %v", got, tt.want)
			}
		})
	}
}
