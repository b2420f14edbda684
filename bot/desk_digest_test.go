package bot

import (
	"strings"
	"testing"
	"time"

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
	got := f.desk.slaCounts(ts, at)
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
	text, err := f.desk.Digest(t.Context(), f.db, f.at)
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
