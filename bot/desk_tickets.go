package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// maxListed bounds the lines of /tickets, to stay within one Telegram message.
const maxListed = 40

// cmdTickets lists open tickets, the earliest first-response deadline
// first, marking the overdue ones.
func (d *Desk) cmdTickets(ctx context.Context, tx store.Store, in staffIn, _ string) error {
	ts, err := tx.ListTickets(ctx, store.TicketFilter{OpenOnly: true})
	if err != nil {
		return fmt.Errorf("desk: open tickets: %w", err)
	}
	if len(ts) == 0 {
		return d.answer(ctx, tx, in, 0, d.printer.T("desk.tickets.empty", nil))
	}
	slices.SortStableFunc(ts, func(a, b store.Ticket) int {
		if c := a.FirstResponseDue.Compare(b.FirstResponseDue); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	names := map[string]string{}
	lines := []string{d.printer.T("desk.tickets.header", map[string]any{"count": len(ts)})}
	for i, t := range ts {
		if i == maxListed {
			lines = append(lines, d.printer.T("desk.tickets.more", map[string]any{"count": len(ts) - maxListed}))
			break
		}
		name, err := d.customerName(ctx, tx, t.CustomerID, names)
		if err != nil {
			return err
		}
		line := d.printer.T("desk.tickets.line", map[string]any{
			"id": t.ID, "customer": name, "kind": t.Kind, "due": t.FirstResponseDue,
		})
		switch {
		case t.Status == store.TicketAnswered:
			line += " " + d.printer.T("desk.tickets.answered", nil)
		case !t.FirstResponseDue.After(in.At):
			line += " " + d.printer.T("desk.tickets.overdue", nil)
		}
		if t.Assignee != 0 {
			who, err := d.staffRef(ctx, tx, t.Assignee, t.AssigneeName)
			if err != nil {
				return err
			}
			line += " " + d.printer.T("desk.tickets.assignee", map[string]any{"name": who})
		}
		lines = append(lines, line)
	}
	return d.answer(ctx, tx, in, 0, strings.Join(lines, "\n"))
}

// customerName looks a customer's name up once per command.
func (d *Desk) customerName(ctx context.Context, tx store.Store, id string, cache map[string]string) (string, error) {
	if n, ok := cache[id]; ok {
		return n, nil
	}
	c, err := d.customer(ctx, tx, id)
	if err != nil {
		return "", err
	}
	cache[id] = c.Name
	return c.Name, nil
}

// cmdTicket shows a ticket's card again, with its messages and notes.
func (d *Desk) cmdTicket(ctx context.Context, tx store.Store, in staffIn, args string) error {
	t, _, err := d.ticketArg(ctx, tx, args, "desk.syntax.ticket")
	if err != nil {
		return err
	}
	card, err := d.card(ctx, tx, t)
	if err != nil {
		return err
	}
	if _, err := d.post(ctx, tx, in.At, outbox.Post{To: outbox.StaffGroup, TicketID: t.ID, Text: card, Buttons: cardButtons}); err != nil {
		return err
	}
	history, err := d.history(ctx, tx, t)
	if err != nil {
		return err
	}
	trail, err := d.auditText(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	if trail != "" {
		history += "\n\n" + trail
	}
	return d.answer(ctx, tx, in, t.ID, history)
}

// cmdClaim makes the sender the ticket's assignee.
func (d *Desk) cmdClaim(ctx context.Context, tx store.Store, in staffIn, args string) error {
	t, _, err := d.ticketArg(ctx, tx, args, "desk.syntax.claim")
	if err != nil {
		return err
	}
	if err := d.mustBeOpen(t); err != nil {
		return err
	}
	t.Assignee, t.AssigneeName = in.UserID, d.staffName(in)
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return fmt.Errorf("desk: claim ticket %d: %w", t.ID, err)
	}
	return d.answer(ctx, tx, in, t.ID, d.printer.T("desk.claimed", map[string]any{"id": t.ID, "name": t.AssigneeName}))
}

// cmdAssign makes a staff member (by Telegram user id, optionally followed
// by a name) the ticket's assignee.
func (d *Desk) cmdAssign(ctx context.Context, tx store.Store, in staffIn, args string) error {
	t, rest, err := d.ticketArg(ctx, tx, args, "desk.syntax.assign")
	if err != nil {
		return err
	}
	field, name := nextField(rest)
	user, err := strconv.ParseInt(strings.TrimPrefix(rules.Fold(field), "@"), 10, 64)
	if err != nil || user <= 0 {
		return fail("desk.err.bad_user", map[string]any{"arg": clip(field, 32), "usage": d.raw("desk.syntax.assign")})
	}
	if err := d.mustBeOpen(t); err != nil {
		return err
	}
	t.Assignee, t.AssigneeName = user, clip(name, 64)
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return fmt.Errorf("desk: assign ticket %d: %w", t.ID, err)
	}
	who, err := d.staffRef(ctx, tx, t.Assignee, t.AssigneeName)
	if err != nil {
		return err
	}
	return d.answer(ctx, tx, in, t.ID, d.printer.T("desk.assigned", map[string]any{"id": t.ID, "name": who}))
}

// assigneeName is how the assignee is named in reports that group by
// person: the name staff gave, else the user id (never a mention).
func (d *Desk) assigneeName(t store.Ticket) string {
	if t.AssigneeName != "" {
		return t.AssigneeName
	}
	return string(userID(t.Assignee))
}

// cmdClose closes a ticket and thanks the customer. A ticket closed without
// an answer counts as answered when closed; an hourly ticket is charged at
// least the per-ticket minimum.
func (d *Desk) cmdClose(ctx context.Context, tx store.Store, in staffIn, args string) error {
	t, _, err := d.ticketArg(ctx, tx, args, "desk.syntax.close")
	if err != nil {
		return err
	}
	if err := d.mustBeOpen(t); err != nil {
		return err
	}
	c, err := d.contract(ctx, tx, t.ContractID)
	if err != nil {
		return err
	}
	t.Status, t.ClosedAt = store.TicketClosed, in.At
	if t.FirstResponseAt.IsZero() {
		t.FirstResponseAt = in.At
	}
	d.charge(&t, c)
	ask := d.askCSAT(&t, in.At)
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return fmt.Errorf("desk: close ticket %d: %w", t.ID, err)
	}
	if _, err := d.post(ctx, tx, in.At, outbox.Post{To: outbox.WhatsApp(t.Phone), TicketID: t.ID, Text: d.printer.T("desk.closed.customer", map[string]any{"id": t.ID})}); err != nil {
		return err
	}
	if ask {
		if err := d.sendCSATQuestion(ctx, tx, t, in.At); err != nil {
			return err
		}
	}
	text := d.printer.T("desk.closed", map[string]any{"id": t.ID})
	if c.Kind == rules.KindHourly {
		text += "\n" + d.printer.T("desk.charged", map[string]any{"charged": minutes(t.ChargedMin)})
	}
	return d.answer(ctx, tx, in, t.ID, text)
}

// charge recomputes what an hourly ticket costs its package; other
// contracts are not charged by the minute.
func (d *Desk) charge(t *store.Ticket, c rules.Contract) {
	if c.Kind != rules.KindHourly {
		return
	}
	t.ChargedMin = rules.TicketCharge(t.LoggedMin, t.Status == store.TicketClosed, t.Status == store.TicketDeclined, d.policy.Hourly)
}

// cmdReopen opens a closed or declined ticket again.
func (d *Desk) cmdReopen(ctx context.Context, tx store.Store, in staffIn, args string) error {
	t, _, err := d.ticketArg(ctx, tx, args, "desk.syntax.reopen")
	if err != nil {
		return err
	}
	if t.Status.Open() {
		return &userError{ticket: t.ID, key: "desk.err.already_open", args: map[string]any{"id": t.ID}}
	}
	if t.Status == store.TicketMerged {
		return &userError{ticket: t.ID, key: "lifecycle.merge.err_reopen", args: map[string]any{"id": t.ID, "into": t.MergedInto}}
	}
	c, err := d.contract(ctx, tx, t.ContractID)
	if err != nil {
		return err
	}
	t.Status = store.TicketNew
	if !t.FirstResponseAt.IsZero() {
		t.Status = store.TicketAnswered
	}
	t.ClosedAt, t.DeclineReason = time.Time{}, ""
	t.ReopenCSAT()
	d.charge(&t, c)
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return fmt.Errorf("desk: reopen ticket %d: %w", t.ID, err)
	}
	return d.answer(ctx, tx, in, t.ID, d.printer.T("desk.reopened", map[string]any{"id": t.ID, "status": d.status(t.Status)}))
}

// cmdDecline refuses an open ticket for one of the reasons the support
// terms allow, and explains it to the customer. Without a reason it asks
// for one with buttons.
func (d *Desk) cmdDecline(ctx context.Context, tx store.Store, in staffIn, args string) error {
	t, rest, err := d.ticketArg(ctx, tx, args, "desk.syntax.decline")
	if err != nil {
		return err
	}
	if err := d.mustBeOpen(t); err != nil {
		return err
	}
	if strings.TrimSpace(rest) == "" {
		return d.declinePicker(ctx, tx, in, t.ID)
	}
	reason, ok := parseDeclineReason(rest)
	if !ok {
		return &userError{ticket: t.ID, key: "desk.err.bad_reason", args: map[string]any{"arg": clip(rest, 40), "reasons": locales.Raw(d.reasonList())}}
	}
	c, err := d.contract(ctx, tx, t.ContractID)
	if err != nil {
		return err
	}
	t.Status, t.DeclineReason, t.ClosedAt = store.TicketDeclined, reason, in.At
	if t.FirstResponseAt.IsZero() {
		t.FirstResponseAt = in.At
	}
	d.charge(&t, c)
	if err := tx.UpdateTicket(ctx, t); err != nil {
		return fmt.Errorf("desk: decline ticket %d: %w", t.ID, err)
	}
	text := d.printer.T("desk.declined.customer", map[string]any{
		"id": t.ID, "reason": reason, "explain": d.raw("desk.decline.explain." + string(reason)),
	})
	if d.policy.Limits(c).RequestsPerMonth >= 0 {
		// Said only where the tier has a monthly quota to spare.
		text += "\n" + d.printer.T("desk.declined.quota", nil)
	}
	if _, err := d.post(ctx, tx, in.At, outbox.Post{To: outbox.WhatsApp(t.Phone), TicketID: t.ID, Text: text}); err != nil {
		return err
	}
	return d.answer(ctx, tx, in, t.ID, d.printer.T("desk.declined", map[string]any{"id": t.ID, "reason": reason}))
}

// declinePicker asks staff for a decline reason with one button per reason.
func (d *Desk) declinePicker(ctx context.Context, tx store.Store, in staffIn, id int64) error {
	t, err := d.ticket(ctx, tx, id)
	if err != nil {
		return err
	}
	if err := d.mustBeOpen(t); err != nil {
		return err
	}
	buttons := make([]string, 0, len(rules.AllDeclineReasons))
	for _, r := range rules.AllDeclineReasons {
		buttons = append(buttons, "decline:"+strconv.FormatInt(id, 10)+":"+string(r))
	}
	text := d.printer.T("desk.decline.pick", map[string]any{"id": id, "reasons": locales.Raw(d.reasonList())})
	_, err = d.post(ctx, tx, in.At, outbox.Post{To: replyAddr(in.StaffInput), TicketID: id, Text: text, Buttons: buttons})
	return err
}

// reasonList is the numbered list of decline reasons with their codes.
func (d *Desk) reasonList() string {
	lines := make([]string, 0, len(rules.AllDeclineReasons))
	for i, r := range rules.AllDeclineReasons {
		lines = append(lines, d.printer.T("desk.decline.reason_line", map[string]any{"n": i + 1, "reason": r, "code": string(r)}))
	}
	return strings.Join(lines, "\n")
}

// declineIndex maps every code and name, in reasonKey form, to its reason.
// The names staff may type instead of a code are words.decline.CODE in the
// catalogs (locales.Words).
var declineIndex = func() map[string]rules.DeclineReason {
	m := make(map[string]rules.DeclineReason)
	for _, r := range rules.AllDeclineReasons {
		m[reasonKey(string(r))] = r
		for _, n := range locales.Words("words.decline." + string(r)) {
			m[reasonKey(n)] = r
		}
	}
	return m
}()

// reasonKey folds a reason as staff type it, ignoring spaces, joiners,
// dashes and underscores.
func reasonKey(s string) string {
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(rules.Fold(s))
}

// parseDeclineReason reads a decline reason: its code (any case, "-" for
// "_"), its number in the list (1-7, any digit script) or a Persian name.
func parseDeclineReason(s string) (rules.DeclineReason, bool) {
	f := rules.Fold(s)
	if n, err := strconv.Atoi(f); err == nil {
		if n >= 1 && n <= len(rules.AllDeclineReasons) {
			return rules.AllDeclineReasons[n-1], true
		}
		return "", false
	}
	r, ok := declineIndex[reasonKey(f)]
	return r, ok
}

// cmdNote adds an internal note to a ticket; the customer never sees it.
func (d *Desk) cmdNote(ctx context.Context, tx store.Store, in staffIn, args string) error {
	t, text, err := d.ticketArg(ctx, tx, args, "desk.syntax.note")
	if err != nil {
		return err
	}
	if text == "" {
		return &userError{ticket: t.ID, key: "desk.err.missing_note", args: map[string]any{"usage": d.raw("desk.syntax.note")}}
	}
	m := store.Message{TicketID: t.ID, At: in.At, Direction: store.StaffNote, Author: d.staffName(in), UserID: in.UserID, Text: text, File: in.File}
	if err := tx.AddMessage(ctx, &m); err != nil {
		return fmt.Errorf("desk: note on ticket %d: %w", t.ID, err)
	}
	return d.answer(ctx, tx, in, t.ID, d.printer.T("desk.noted", map[string]any{"id": t.ID}))
}
