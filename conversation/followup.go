package conversation

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// maxListed is the most tickets a list shows (newest first).
const maxListed = 10

// maxPending is the most messages kept while the customer is asked which
// ticket they belong to; later ones are still relayed once a ticket is
// picked, the oldest extra ones are dropped.
const maxPending = 20

// message is the inbound message as a message to keep or file.
func (t *turn) message() pending {
	return pending{Text: t.in.Text, File: t.in.File, Ref: t.in.Received, At: t.in.At, SentAt: t.in.SentAt}
}

// openTickets lists the customer's open tickets (new or answered), newest
// first. Tickets are the customer's, not the phone's: a colleague's message
// may follow up a ticket another contact opened.
func (t *turn) openTickets() ([]store.Ticket, error) {
	ts, err := t.st.ListTickets(t.ctx, store.TicketFilter{CustomerID: t.cust.ID, OpenOnly: true})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("open tickets of %s: %w", t.cust.ID, err)
	}
	open := ts[:0:0]
	for _, tk := range ts {
		if tk.CustomerID == t.cust.ID && tk.Status.Open() {
			open = append(open, tk)
		}
	}
	slices.SortFunc(open, func(a, b store.Ticket) int { return cmp.Compare(b.ID, a.ID) })
	return open, nil
}

// fileFollowUps adds the messages to the ticket, tells staff and
// acknowledges (once per ticket in quietFor).
func (t *turn) fileFollowUps(tk store.Ticket, msgs []pending) error {
	return t.file(tk, msgs, false)
}

func (t *turn) file(tk store.Ticket, msgs []pending, reopened bool) error {
	for _, p := range msgs {
		if p.Text == "" && p.File == nil {
			continue
		}
		m := store.Message{
			TicketID: tk.ID, At: t.in.At, Direction: store.FromCustomer,
			Author: t.in.Phone, Text: p.Text, File: p.File,
		}
		if err := t.st.AddMessage(t.ctx, &m); err != nil {
			return fmt.Errorf("ticket %d message: %w", tk.ID, err)
		}
		if err := t.route(p.Ref, tk.ID, store.RouteTicket); err != nil {
			return err
		}
		t.events = append(t.events, Event{Kind: FollowUp, Ticket: tk, Message: m, Phone: t.in.Phone, Text: p.Text,
			Customer: t.cust, Reopened: reopened})
		reopened = false // staff hear of the reopening once
	}
	t.sess.to(stateIdle)
	t.ack(tk)
	return nil
}

// ack tells the customer their message was added to tk, at most once per
// ticket in quietFor (a burst of photos gets one reply): with the promised
// time while the ticket has no first answer, with its status after.
func (t *turn) ack(tk store.Ticket) {
	d := &t.sess.data
	if last, ok := d.Acks[tk.ID]; ok && t.in.At.Sub(last) < quietFor && !t.in.At.Before(last) {
		return
	}
	d.Acks = ackedNow(d.Acks, tk.ID, t.in.At)
	if tk.FirstResponseAt.IsZero() && !tk.FirstResponseDue.IsZero() {
		t.say("followup.added_due", kv{"id": int(tk.ID), "due": t.when(tk.FirstResponseDue)})
		return
	}
	status := tk.Status
	if status == store.TicketWaiting {
		// This very message ends the wait (the desk marks the ticket
		// answered as it relays it): "waiting for you" would be false.
		status = store.TicketAnswered
	}
	t.say("followup.added_status", kv{"id": int(tk.ID), "status": ticketStatus(status)})
}

// ackedNow records an acknowledgement of ticket id at at, forgetting those
// that no longer silence anything.
func ackedNow(acks map[int64]time.Time, id int64, at time.Time) map[int64]time.Time {
	out := map[int64]time.Time{id: at}
	for k, v := range acks {
		if k != id && at.Sub(v) < quietFor {
			out[k] = v
		}
	}
	return out
}

// ticketMention is a tracking number as customers name it in a sentence:
// «درخواست ۲»، «تیکت شماره ۲»، «شماره پیگیری ٢»، «#2» (text folded, so any
// digit script).
var ticketMention = regexp.MustCompile(`(?:درخواست|تیکت|پیگیری|شماره|#)\s*(?:شماره\s*)?(?:پیگیری\s*)?#?\s*([0-9]{1,9})`)

// namedTicket is the one open ticket text names by its tracking number
// («درخواست ۲ چی شد؟»): the customer said which, so the picker is not
// needed. ok is false when text names none of them or several.
func namedTicket(text string, open []store.Ticket) (store.Ticket, bool) {
	var found store.Ticket
	for _, m := range ticketMention.FindAllStringSubmatch(rules.Fold(text), -1) {
		id, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			continue
		}
		for _, tk := range open {
			if tk.ID != id {
				continue
			}
			if found.ID != 0 && found.ID != id {
				return store.Ticket{}, false
			}
			found = tk
		}
	}
	return found, found.ID != 0
}

// askTicket asks which open ticket the messages belong to.
func (t *turn) askTicket(open []store.Ticket, msgs []pending) error {
	open = open[:min(len(open), maxListed)]
	t.sess.to(statePickTicket)
	for _, tk := range open {
		t.sess.data.Tickets = append(t.sess.data.Tickets, tk.ID)
	}
	t.sess.data.Pending = msgs
	for _, p := range msgs {
		if err := t.route(p.Ref, 0, store.RouteWaiting); err != nil {
			return err
		}
	}
	t.sess.data.Quiet = t.in.At
	t.say("followup.which", nil)
	t.showTicketPick(open)
	return nil
}

// showTicketPick lists the open tickets by their tracking numbers (no
// second numbering) with kind and the first words of the description.
func (t *turn) showTicketPick(ts []store.Ticket) {
	for _, tk := range ts {
		if w := firstWords(tk.Description, 6); w != "" {
			t.say("ticket_pick.item", kv{"id": int(tk.ID), "kind": tk.Kind, "words": w})
		} else {
			t.say("ticket_pick.item_plain", kv{"id": int(tk.ID), "kind": tk.Kind})
		}
	}
	t.say("followup.which_hint", nil)
}

// firstWords is the first n words of s, with "…" when there are more.
func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) <= n {
		return strings.Join(f, " ")
	}
	return strings.Join(f[:n], " ") + "…"
}

// onPickTicket reads which ticket the waiting messages go to: a listed
// tracking number in any digit script ("0" is read before, as a new
// request). Anything else is kept with them (a customer often sends a
// screenshot right after the text) and the question is repeated, once in
// quietFor.
func (t *turn) onPickTicket() error {
	d := &t.sess.data
	n, number := parseChoice(t.in.Text, nil)
	if t.in.File != nil {
		number = false
	}
	if number && slices.Contains(d.Tickets, int64(n)) {
		id := int64(n)
		tk, err := t.st.Ticket(t.ctx, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return fmt.Errorf("ticket %d: %w", id, err)
		case tk.CustomerID == t.cust.ID && tk.Status.Open():
			return t.fileFollowUps(tk, d.Pending)
		}
		t.say("followup.closed", kv{"id": n})
		return t.refile(d.Pending)
	}
	listed, err := t.listedTickets()
	if err != nil {
		return err
	}
	if number || (t.in.Text == "" && t.in.File == nil) || (t.in.File == nil && isGreeting(t.in.Text)) {
		if len(listed) == 0 {
			return t.refile(d.Pending)
		}
		t.say("ticket_pick.invalid", nil)
		t.showTicketPick(listed)
		return nil
	}
	if err := t.keep(&d.Pending); err != nil {
		return err
	}
	if len(listed) == 0 {
		return t.refile(d.Pending)
	}
	if !d.Quiet.IsZero() && t.in.At.Sub(d.Quiet) < quietFor {
		return nil
	}
	d.Quiet = t.in.At
	t.say("followup.which", nil)
	t.showTicketPick(listed)
	return nil
}

// newFromPending starts a new request with the messages waiting for a
// ticket pick as its description («۰» in the picker).
func (t *turn) newFromPending() error {
	msgs := t.sess.data.Pending
	t.sess.to(stateIdle)
	t.sess.data.Draft = msgs
	return t.startRequest()
}

// refile routes waiting messages again after the ticket they were meant for
// closed: to the one open ticket, or asks again; with none left, they start
// a new request.
func (t *turn) refile(msgs []pending) error {
	open, err := t.openTickets()
	if err != nil {
		return err
	}
	switch len(open) {
	case 0:
		t.sess.to(stateIdle)
		t.sess.data.Draft = msgs
		return t.startRequest()
	case 1:
		return t.fileFollowUps(open[0], msgs)
	}
	return t.askTicket(open, msgs)
}

// listedTickets reloads the tickets on the pick list that are still open,
// in list order.
func (t *turn) listedTickets() ([]store.Ticket, error) {
	var out []store.Ticket
	for _, id := range t.sess.data.Tickets {
		tk, err := t.st.Ticket(t.ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("ticket %d: %w", id, err)
		}
		if tk.CustomerID == t.cust.ID && tk.Status.Open() {
			out = append(out, tk)
		}
	}
	if len(out) != len(t.sess.data.Tickets) {
		return nil, nil // the list is out of date; refile lists again
	}
	return out, nil
}

// reopenable is the customer's ticket closed most recently, when staff
// closed it (not declined) within the reopen window: ReopenDays calendar
// days, counted in the office's time zone.
func (t *turn) reopenable() (store.Ticket, bool, error) {
	days := t.m.cfg.ReopenDays
	if days < 0 {
		return store.Ticket{}, false, nil
	}
	ts, err := t.st.ListTickets(t.ctx, store.TicketFilter{CustomerID: t.cust.ID})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return store.Ticket{}, false, fmt.Errorf("tickets of %s: %w", t.cust.ID, err)
	}
	var last store.Ticket
	for _, tk := range ts {
		if tk.CustomerID != t.cust.ID || tk.Status != store.TicketClosed || tk.ClosedAt.IsZero() {
			continue
		}
		if last.ID == 0 || tk.ClosedAt.After(last.ClosedAt) {
			last = tk
		}
	}
	if last.ID == 0 || last.ClosedAt.After(t.in.At) {
		return store.Ticket{}, false, nil
	}
	loc := t.loc()
	limit := rules.DateOf(last.ClosedAt.In(loc)).AddDays(days)
	if limit.Before(rules.DateOf(t.in.At.In(loc))) {
		return store.Ticket{}, false, nil
	}
	return last, true, nil
}

// reopen opens a closed ticket again for the customer's message: answered
// when it had a first answer, new otherwise. It is the same request, so it
// counts nothing new against the monthly quota.
func (t *turn) reopen(tk store.Ticket) error {
	tk.Status = store.TicketNew
	if !tk.FirstResponseAt.IsZero() {
		tk.Status = store.TicketAnswered
	}
	tk.ClosedAt = time.Time{}
	tk.ReopenCSAT()
	all, err := t.contracts()
	if err != nil {
		return err
	}
	if c, ok := findContract(all, tk.ContractID); ok && c.Kind == rules.KindHourly {
		tk.ChargedMin = rules.TicketCharge(tk.LoggedMin, false, false, t.m.p.Hourly)
	}
	if err := t.st.UpdateTicket(t.ctx, tk); err != nil {
		return fmt.Errorf("reopen ticket %d: %w", tk.ID, err)
	}
	t.say("followup.reopened", kv{"id": int(tk.ID)})
	t.sess.data.Acks = ackedNow(t.sess.data.Acks, tk.ID, t.in.At)
	return t.file(tk, []pending{t.message()}, true)
}
