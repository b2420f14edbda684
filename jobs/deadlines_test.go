package jobs_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"supportbot/outbox"
	"supportbot/rules"
)

// notice is a deadline message as the tests compare them.
type notice struct {
	to, kind string // kind: "reminder" or "breach"
	at       string // Tehran wall clock
}

// deadlineNotices lists the reminders and breach alerts sent about ticket.
func (f *jobsFixture) deadlineNotices(tb testing.TB, ticket int64) []notice {
	tb.Helper()
	var out []notice
	for _, m := range f.Outbox(tb) {
		if m.TicketID != ticket {
			continue
		}
		kind := ""
		switch {
		case strings.HasPrefix(m.Text, "⏰"):
			kind = "reminder"
		case strings.HasPrefix(m.Text, "⛔"):
			kind = "breach"
		default:
			continue
		}
		out = append(out, notice{to: m.To, kind: kind, at: m.CreatedAt.In(f.Loc).Format("2006-01-02 15:04")})
	}
	return out
}

func TestDeadlineReminderInstants(t *testing.T) {
	manager := outbox.TelegramUser(managerReza)
	tests := []struct {
		name, contract, opened string
		want                   []notice
	}{
		{"gold, Wednesday 16:00: due Saturday 16:00 after the weekend", "G-1", "2026-11-25 16:00", []notice{
			{string(outbox.StaffGroup), "reminder", "2026-11-28 14:00"},
			{string(outbox.StaffGroup), "reminder", "2026-11-28 15:30"},
			{string(outbox.StaffGroup), "breach", "2026-11-28 16:00"},
			{string(manager), "breach", "2026-11-28 16:00"},
		}},
		{"gold, Wednesday 10:00: the 2h reminder walks back over the weekend", "G-1", "2026-11-25 10:00", []notice{
			{string(outbox.StaffGroup), "reminder", "2026-11-25 17:00"},
			{string(outbox.StaffGroup), "reminder", "2026-11-28 09:30"},
			{string(outbox.StaffGroup), "breach", "2026-11-28 10:00"},
			{string(manager), "breach", "2026-11-28 10:00"},
		}},
		{"gold, opened on Friday: the clock starts Saturday 08:30", "G-1", "2026-11-27 11:00", []notice{
			{string(outbox.StaffGroup), "reminder", "2026-11-28 15:30"},
			{string(outbox.StaffGroup), "reminder", "2026-11-28 17:00"},
			{string(outbox.StaffGroup), "breach", "2026-11-28 17:30"},
			{string(manager), "breach", "2026-11-28 17:30"},
		}},
		{"gold, Tuesday 16:00 over the Wednesday holiday (1405/10/02)", "G-1", "2026-12-22 16:00", []notice{
			{string(outbox.StaffGroup), "reminder", "2026-12-26 14:00"},
			{string(outbox.StaffGroup), "reminder", "2026-12-26 15:30"},
			{string(outbox.StaffGroup), "breach", "2026-12-26 16:00"},
			{string(manager), "breach", "2026-12-26 16:00"},
		}},
		{"gold, Wednesday 1405/12/26 16:00 over 29 Esfand and Nowruz", "G-1", "2027-03-17 16:00", []notice{
			{string(outbox.StaffGroup), "reminder", "2027-03-27 14:00"},
			{string(outbox.StaffGroup), "reminder", "2027-03-27 15:30"},
			{string(outbox.StaffGroup), "breach", "2027-03-27 16:00"},
			{string(manager), "breach", "2027-03-27 16:00"},
		}},
		{"silver, two business days from Sunday 16:00", "A-1", "2026-11-29 16:00", []notice{
			{string(outbox.StaffGroup), "reminder", "2026-12-01 14:00"},
			{string(outbox.StaffGroup), "reminder", "2026-12-01 15:30"},
			{string(outbox.StaffGroup), "breach", "2026-12-01 16:00"},
			{string(manager), "breach", "2026-12-01 16:00"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newJobsFixture(t, defaultJobs)
			phone := phoneGold
			if tt.contract == "A-1" {
				phone = phoneSilver
			}
			tk := f.openAt(t, tt.opened, tt.contract, phone)
			f.run(t, tk.OpenedAt, tk.FirstResponseDue.AddDate(0, 0, 3))
			if got := f.deadlineNotices(t, tk.ID); !slices.Equal(got, tt.want) {
				t.Errorf("due %s; notices:\n%v\nwant\n%v", tk.FirstResponseDue.Format("Mon 2006-01-02 15:04"), got, tt.want)
			}
			card := f.card(t, tk.ID)
			for _, m := range f.Outbox(t) {
				if m.TicketID == tk.ID && m.To == string(outbox.StaffGroup) && m.ID != card && m.ReplyTo != card {
					t.Errorf("staff notice %q is not threaded under the card", m.Text)
				}
			}
		})
	}
}

func TestBreachAlertExactlyOnce(t *testing.T) {
	f := newJobsFixture(t, defaultJobs)
	tk := f.openAt(t, "2026-11-25 16:00", "G-1", phoneGold)
	end := f.Time(t, "2026-11-30 12:00")
	mid := f.Time(t, "2026-11-28 15:00") // after the 2h reminder, before the 30m one

	f.run(t, tk.OpenedAt, mid)
	f.run(t, tk.OpenedAt, mid) // the same window again
	f.restart(t)               // a restart that looks back over the window
	f.run(t, tk.OpenedAt.Add(time.Hour), end)
	f.run(t, tk.OpenedAt, end)
	f.restart(t)
	f.run(t, tk.OpenedAt, end)

	counts := map[notice]int{}
	for _, n := range f.deadlineNotices(t, tk.ID) {
		counts[n]++
	}
	if len(counts) != 4 {
		t.Errorf("notices %v, want two reminders and two breach alerts", counts)
	}
	for n, c := range counts {
		if c != 1 {
			t.Errorf("%v sent %d times", n, c)
		}
	}
}

func TestNoDeadlineNoticesForAnsweredTickets(t *testing.T) {
	f := newJobsFixture(t, defaultJobs)
	answered := f.openAt(t, "2026-11-29 10:00", "A-1", phoneSilver)
	closed := f.ticket(t, "A-3", phoneProj, rules.RequestProblem, rules.SeverityNormal)
	declined := f.ticket(t, "G-1", phoneGold, rules.RequestProblem, rules.SeverityNormal)
	late := f.ticket(t, "G-1", phoneGold, rules.RequestQuestion, "")
	waiting := f.ticket(t, "A-4", phoneProj, rules.RequestQuestion, "")

	f.At = f.Time(t, "2026-11-29 11:00")
	reply := f.staff("بررسی می‌کنیم")
	reply.ReplyToTicket = answered.ID
	f.handle(t, reply)
	f.handle(t, f.staff("/close "+itoa(closed.ID)))
	f.handle(t, f.staff("/decline "+itoa(declined.ID)+" misuse"))

	// The late one is answered after its 2h reminder, before the 30m one.
	f.run(t, f.At, f.Time(t, "2026-11-30 09:00"))
	f.At = f.Time(t, "2026-11-30 09:00")
	reply.At, reply.ReplyToTicket = f.At, late.ID
	f.handle(t, reply)
	f.run(t, f.At, f.Time(t, "2026-12-10 12:00"))

	for _, id := range []int64{answered.ID, closed.ID, declined.ID} {
		if got := f.deadlineNotices(t, id); len(got) != 0 {
			t.Errorf("ticket %d (answered, closed or declined): notices %v", id, got)
		}
	}
	// Due Monday 10:00: the 2h reminder is Sunday 17:00, the 30m one Monday
	// 09:30, after the answer.
	if got, want := f.deadlineNotices(t, late.ID), []notice{{string(outbox.StaffGroup), "reminder", "2026-11-29 17:00"}}; !slices.Equal(got, want) {
		t.Errorf("ticket answered between its reminders: notices %v, want %v", got, want)
	}
	if got := f.deadlineNotices(t, waiting.ID); len(got) != 4 {
		t.Errorf("unanswered ticket: notices %v, want two reminders and two breach alerts", got)
	}
}

func TestDeadlineNoticeMentions(t *testing.T) {
	f := newJobsFixture(t, defaultJobs)
	gold := f.openAt(t, "2026-11-29 10:00", "G-1", phoneGold)
	silver := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityNormal)
	claimed := f.ticket(t, "A-3", phoneProj, rules.RequestProblem, rules.SeverityNormal)
	f.handle(t, f.staff("/claim "+itoa(claimed.ID)))
	f.run(t, f.At, f.Time(t, "2026-12-05 12:00"))

	texts := func(id int64) string {
		var b strings.Builder
		for _, m := range f.Outbox(t) {
			if m.TicketID == id && strings.HasPrefix(m.Text, "⏰") {
				b.WriteString(m.Text + "\n")
			}
		}
		return b.String()
	}
	tests := []struct {
		id   int64
		want string
	}{
		{gold.ID, "\u2068" + itoa(dedicated) + "\u2069"}, // the gold product's dedicated person, never seen: the bare id
		{silver.ID, "/claim ۲"},                          // nobody yet: an invitation to claim
		{claimed.ID, "Sara"},                             // the assignee by name
		{claimed.ID, "\x1e" + itoa(staffSara) + "\x1f"},  // and as a mention
	}
	for _, tt := range tests {
		if got := texts(tt.id); !strings.Contains(got, tt.want) {
			t.Errorf("ticket %d reminders lack %q:\n%s", tt.id, tt.want, got)
		}
	}
}

func TestDeadlineScheduleFollowsTheStore(t *testing.T) {
	f := newJobsFixture(t, defaultJobs)
	s := f.schedule(t, "deadlines").When
	start := f.Time(t, "2026-11-25 09:00")
	if got := s.Next(start); !got.IsZero() {
		t.Errorf("Next with no tickets = %s, want zero", got)
	}
	tk := f.openAt(t, "2026-11-25 16:00", "G-1", phoneGold)
	want := []string{"2026-11-28 14:00", "2026-11-28 15:30", "2026-11-28 16:00"}
	at := start
	for _, w := range want {
		at = s.Next(at)
		if got := at.In(f.Loc).Format("2006-01-02 15:04"); got != w {
			t.Fatalf("Next = %s, want %s", got, w)
		}
	}
	if got := s.Next(at); !got.IsZero() {
		t.Errorf("Next after the deadline = %s, want zero", got)
	}
	reply := f.staff("پاسخ")
	reply.ReplyToTicket = tk.ID
	f.handle(t, reply)
	if got := s.Next(start); !got.IsZero() {
		t.Errorf("Next once answered = %s, want zero", got)
	}
}
