package conversation

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"supportbot/rules"
	"supportbot/store"
)

// maxListed is the most tickets a list shows (newest first).
const maxListed = 10

// maxPending is the most messages kept while the customer is asked which
// ticket they belong to; later ones are still relayed once a ticket is
// picked, the oldest extra ones are dropped.
const maxPending = 20

// message is the inbound message as a follow-up to file.
func (t *turn) message() pending {
	return pending{Text: t.in.Text, File: t.in.File}
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

// fileFollowUps adds the messages to the ticket, tells staff and confirms.
func (t *turn) fileFollowUps(tk store.Ticket, msgs []pending) error {
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
		t.events = append(t.events, Event{Kind: FollowUp, Ticket: tk, Message: m, Phone: t.in.Phone, Text: p.Text, Customer: t.cust})
	}
	t.say("followup.added", kv{"id": int(tk.ID)})
	t.sess.to(stateIdle)
	return nil
}

// askTicket asks which open ticket the messages belong to.
func (t *turn) askTicket(open []store.Ticket, msgs []pending) {
	open = open[:min(len(open), maxListed)]
	t.sess.to(statePickTicket)
	for _, tk := range open {
		t.sess.data.Tickets = append(t.sess.data.Tickets, tk.ID)
	}
	t.sess.data.Pending = msgs
	t.say("followup.which", nil)
	t.showTicketPick(open)
}

func (t *turn) showTicketPick(ts []store.Ticket) {
	for i, tk := range ts {
		t.say("ticket_pick.item", kv{"n": i + 1, "id": int(tk.ID), "kind": tk.Kind, "date": rules.DateOf(tk.OpenedAt.In(t.loc()))})
	}
	t.say("followup.which_hint", nil)
}

// onPickTicket reads which ticket the waiting messages go to. Anything that
// is not a choice is kept with them (a customer often sends a screenshot
// right after the text) and the question is repeated.
func (t *turn) onPickTicket() error {
	d := &t.sess.data
	n, ok := choice(t.in.Text, len(d.Tickets))
	if !ok {
		if _, number := rules.ParseMenuChoice(t.in.Text); !number && (t.in.Text != "" || t.in.File != nil) {
			d.Pending = append(d.Pending, t.message())
			if len(d.Pending) > maxPending {
				d.Pending = d.Pending[len(d.Pending)-maxPending:]
			}
		}
		listed, err := t.listedTickets()
		if err != nil {
			return err
		}
		if len(listed) == 0 {
			return t.refile(d.Pending)
		}
		t.say("hint.invalid_choice", kv{"max": len(d.Tickets)})
		t.showTicketPick(listed)
		return nil
	}
	tk, err := t.st.Ticket(t.ctx, d.Tickets[n-1])
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return fmt.Errorf("ticket %d: %w", d.Tickets[n-1], err)
	case tk.CustomerID == t.cust.ID && tk.Status.Open():
		return t.fileFollowUps(tk, d.Pending)
	}
	t.say("followup.closed", kv{"id": int(d.Tickets[n-1])})
	return t.refile(d.Pending)
}

// refile routes waiting messages again after the ticket they were meant for
// closed: to the one open ticket, or asks again; with none left, the menu.
func (t *turn) refile(msgs []pending) error {
	open, err := t.openTickets()
	if err != nil {
		return err
	}
	switch len(open) {
	case 0:
		return t.mainMenu(false)
	case 1:
		return t.fileFollowUps(open[0], msgs)
	}
	t.askTicket(open, msgs)
	return nil
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
