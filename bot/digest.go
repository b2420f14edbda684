package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// slaDay counts one office-zone day of first responses.
type slaDay struct {
	Opened   int // tickets opened that day
	Answered int // first responses given that day
	OnTime   int // of those, given by the deadline
	Breached int // deadlines that fell that day (up to now) without an answer by then
}

// slaCounts is what the SLA digest reports at an instant.
type slaCounts struct {
	Yesterday, Today slaDay
	DueToday         int // unanswered tickets whose deadline is later today
	Overdue          int // unanswered open tickets past their deadline
}

// Digest is the managers' compact SLA summary for yesterday and today at
// at; the /digest command and the daily job send the same text.
func (d *Desk) Digest(ctx context.Context, tx store.Store, at time.Time) (string, error) {
	ts, err := tx.ListTickets(ctx, store.TicketFilter{})
	if err != nil {
		return "", fmt.Errorf("digest: tickets: %w", err)
	}
	n := d.slaCounts(ts, at)
	p := d.p
	day := func(label string, s slaDay) string {
		return p.T("desk.digest.day", map[string]any{
			"day": d.raw(label), "opened": s.Opened, "answered": s.Answered, "on_time": s.OnTime, "breached": s.Breached,
		})
	}
	return strings.Join([]string{
		p.T("desk.digest.title", map[string]any{"date": rules.DateOf(at.In(d.loc))}),
		day("desk.digest.yesterday", n.Yesterday),
		day("desk.digest.today", n.Today),
		p.T("desk.digest.open", map[string]any{"due_today": n.DueToday, "overdue": n.Overdue}),
	}, "\n"), nil
}

// slaCounts counts ts for the digest at an instant, by days in the
// office's time zone.
func (d *Desk) slaCounts(ts []store.Ticket, at time.Time) slaCounts {
	local := at.In(d.loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, d.loc)
	yesterday, tomorrow := today.AddDate(0, 0, -1), today.AddDate(0, 0, 1)
	in := func(t, from, to time.Time) bool { return !t.IsZero() && !t.Before(from) && t.Before(to) }
	var n slaCounts
	count := func(s *slaDay, t store.Ticket, from, to time.Time) {
		if in(t.OpenedAt, from, to) {
			s.Opened++
		}
		if in(t.FirstResponseAt, from, to) {
			s.Answered++
			if !t.FirstResponseAt.After(t.FirstResponseDue) {
				s.OnTime++
			}
		}
		due := t.FirstResponseDue
		if in(due, from, to) && !due.After(at) && (t.FirstResponseAt.IsZero() || t.FirstResponseAt.After(due)) {
			s.Breached++
		}
	}
	for _, t := range ts {
		count(&n.Yesterday, t, yesterday, today)
		count(&n.Today, t, today, tomorrow)
		if !t.Status.Open() || !t.FirstResponseAt.IsZero() {
			continue
		}
		switch {
		case !t.FirstResponseDue.After(at):
			n.Overdue++
		case t.FirstResponseDue.Before(tomorrow):
			n.DueToday++
		}
	}
	return n
}
