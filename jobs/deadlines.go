package jobs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// deadlineEvent is a moment of a ticket's first-response clock that the
// staff hear about: a reminder when lead of office time is left, or the
// breach alert at the deadline (lead 0).
type deadlineEvent struct {
	at   time.Time
	lead time.Duration
}

// deadlineEvents lists t's reminders and its deadline, in time order. A
// reminder is the instant lead of office time before the deadline
// (rules.Calendar.SubOfficeTime); one that would come before the ticket
// opened is left out.
func (j *Work) deadlineEvents(t store.Ticket) []deadlineEvent {
	if t.FirstResponseDue.IsZero() {
		return nil
	}
	evs := make([]deadlineEvent, 0, len(j.cfg.Reminders)+1)
	for _, lead := range j.cfg.Reminders { // longest first: earliest first
		at := j.cal.SubOfficeTime(t.FirstResponseDue, lead)
		if !at.IsZero() && at.After(t.OpenedAt) && at.Before(t.FirstResponseDue) {
			evs = append(evs, deadlineEvent{at: at, lead: lead})
		}
	}
	return append(evs, deadlineEvent{at: t.FirstResponseDue})
}

// deadlineKey names a deadline notice of a ticket for store.Notices.
func deadlineKey(ticketID int64, lead time.Duration) string {
	id := strconv.FormatInt(ticketID, 10)
	if lead == 0 {
		return "breach:" + id
	}
	return "remind:" + id + ":" + lead.String()
}

// deadlineSchedule fires at every reminder and breach instant of the
// tickets still waiting for a first answer. Its Next asks the store, so a
// replayed month costs one run per instant instead of one per minute.
type deadlineSchedule struct{ j *Work }

// Next is the earliest reminder or deadline after t of the tickets waiting
// for a first answer; the zero Time when there is none.
func (s deadlineSchedule) Next(t time.Time) time.Time {
	ts, err := s.j.st.UnansweredTickets(context.Background(), t)
	if err != nil {
		return t.Add(retryAfter)
	}
	var next time.Time
	for _, tk := range ts {
		if !next.IsZero() && !tk.OpenedAt.Before(next) {
			continue // all its events come after it opened, so after next
		}
		for _, e := range s.j.deadlineEvents(tk) {
			if e.at.After(t) && (next.IsZero() || e.at.Before(next)) {
				next = e.at
				break // events are in time order
			}
		}
	}
	return next
}

// Recheck asks a real-time scheduler to look again each minute: a ticket
// opened since the last look may have a reminder before the instant Next
// gave.
func (deadlineSchedule) Recheck() time.Duration { return time.Minute }

// RunDeadlines reminds the staff group of the deadlines due at now and
// alerts the staff group and the managers to those that passed without an
// answer. A reminder whose deadline has already passed (a late run) is
// left out: the breach alert says more.
func (j *Work) RunDeadlines(ctx context.Context, now time.Time) error {
	ts, err := j.st.UnansweredTickets(ctx, now.Add(-catchUp))
	if err != nil {
		return fmt.Errorf("deadlines: %w", err)
	}
	for _, t := range ts {
		for _, e := range j.deadlineEvents(t) {
			if !due(e.at, now) || (e.lead > 0 && !now.Before(t.FirstResponseDue)) {
				continue
			}
			if err := j.st.InTx(ctx, func(tx store.Store) error { return j.sendDeadline(ctx, tx, t.ID, e) }); err != nil {
				return err
			}
		}
	}
	return nil
}

// sendDeadline sends one reminder or breach alert, once, if the ticket is
// still waiting for its first answer with the same deadline.
func (j *Work) sendDeadline(ctx context.Context, tx store.Store, ticketID int64, e deadlineEvent) error {
	p, desk := j.p, j.env.Desk
	t, err := tx.Ticket(ctx, ticketID)
	if err != nil {
		return fmt.Errorf("deadlines: ticket %d: %w", ticketID, err)
	}
	if t.Status != store.TicketNew || !t.FirstResponseAt.IsZero() || !j.hasEvent(t, e) {
		return nil // answered, closed or re-timed since the look-up
	}
	fresh, err := tx.RecordNotice(ctx, deadlineKey(t.ID, e.lead), e.at)
	if err != nil || !fresh {
		return err
	}
	cu, err := customer(ctx, tx, t.CustomerID)
	if err != nil {
		return err
	}
	c, err := contract(ctx, tx, t.ContractID)
	if err != nil {
		return err
	}
	card, err := desk.Card(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	args := map[string]any{
		"id": t.ID, "name": cu.Name, "due": t.FirstResponseDue, "left": e.lead,
		"kind": c.Kind, "tier": c.Tier,
	}
	if args["who"], err = j.responsible(ctx, tx, t, c); err != nil {
		return err
	}
	if e.lead > 0 {
		_, err := desk.Post(ctx, tx, e.at, outbox.Post{To: outbox.StaffGroup, TicketID: t.ID, ReplyTo: card, Text: p.T("jobs.reminder", args), Kind: store.OutboxBackground})
		return err
	}
	if _, err := desk.Post(ctx, tx, e.at, outbox.Post{To: outbox.StaffGroup, TicketID: t.ID, ReplyTo: card, Text: p.T("jobs.breach.staff", args), Kind: store.OutboxBackground}); err != nil {
		return err
	}
	for _, addr := range j.env.Managers {
		if _, err := desk.Post(ctx, tx, e.at, outbox.Post{To: addr, TicketID: t.ID, Text: p.T("jobs.breach.managers", args), Kind: store.OutboxBackground}); err != nil {
			return err
		}
	}
	return nil
}

// hasEvent reports whether e is still one of t's deadline events.
func (j *Work) hasEvent(t store.Ticket, e deadlineEvent) bool {
	for _, x := range j.deadlineEvents(t) {
		if x.lead == e.lead && x.at.Equal(e.at) {
			return true
		}
	}
	return false
}

// responsible names who should answer t, as a line of the reminder: the
// assignee, else the dedicated person of a contract whose tier has one,
// else an invitation to claim it. People are mentioned in the plain-text
// form the Telegram adapter turns into mentions (known staff only).
func (j *Work) responsible(ctx context.Context, tx store.Store, t store.Ticket, c rules.Contract) (locales.Raw, error) {
	p := j.p
	if t.Assignee != 0 {
		who, err := j.env.Desk.StaffRef(ctx, tx, t.Assignee, t.AssigneeName)
		return locales.Raw(p.T("jobs.deadline.assignee_id", map[string]any{"mention": who})), err
	}
	if r, ok := j.env.Policy.TierOf(c); ok && r.Dedicated && c.DedicatedStaff != 0 {
		who, err := j.env.Desk.StaffRef(ctx, tx, c.DedicatedStaff, "")
		return locales.Raw(p.T("jobs.deadline.dedicated", map[string]any{"mention": who})), err
	}
	return locales.Raw(p.T("jobs.deadline.unclaimed", map[string]any{"id": t.ID})), nil
}
