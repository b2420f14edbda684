package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// A ticket's card is edited in place whenever what it shows changes: it is
// claimed, answered, put to wait, closed, declined, reopened, merged,
// reassigned or logged (docs/telegram.md, "Cards"). The edit
// is an outbox message like any other (durable, retried, paced), whose Edit
// names the card it replaces. In topics mode the same edit carries the
// topic's title, so the topic's name follows the status.

// ticketWatch is a transaction that notes which tickets changed, so the
// cards of exactly those are brought up to date before it commits. Every
// status change goes through UpdateTicket or MoveTicketHistory. (A
// customer's file alone does not edit the card: the list of files on it
// catches up at the next change, and the file itself is posted under it.)
// It keeps the ticket each UpdateTicket stored, so the card is drawn from
// it instead of reading it back (docs/performance.md).
type ticketWatch struct {
	store.Store
	changed []changedTicket
}

// changedTicket is a ticket the watch saw change, with the ticket as the
// last UpdateTicket stored it when that is what reading it back gives.
type changedTicket struct {
	id     int64
	stored store.Ticket
	known  bool
}

func (w *ticketWatch) note(id int64) *changedTicket {
	if id == 0 {
		return nil
	}
	for i := range w.changed {
		if w.changed[i].id == id {
			return &w.changed[i]
		}
	}
	w.changed = append(w.changed, changedTicket{id: id})
	return &w.changed[len(w.changed)-1]
}

// UpdateTicket stores t and notes it changed.
func (w *ticketWatch) UpdateTicket(ctx context.Context, t store.Ticket) error {
	err := w.Store.UpdateTicket(ctx, t)
	if err == nil {
		if c := w.note(t.ID); c != nil {
			c.stored, c.known = t, readsBackAsIs(t)
		}
	}
	return err
}

// readsBackAsIs reports whether reading t back after storing it gives t's
// status: waiting and merged are stored as answered and declined with the
// time or ticket they need, and read back as such only when those are set
// (every desk path sets them).
func readsBackAsIs(t store.Ticket) bool {
	switch t.Status {
	case store.TicketWaiting:
		return !t.WaitingSince.IsZero() || !t.OpenedAt.IsZero()
	case store.TicketMerged:
		return t.MergedInto != 0
	}
	return true
}

// MoveTicketHistory moves the history and notes both tickets changed.
func (w *ticketWatch) MoveTicketHistory(ctx context.Context, from, to int64) error {
	err := w.Store.MoveTicketHistory(ctx, from, to)
	if err == nil {
		w.note(from)
		w.note(to)
	}
	return err
}

// phoneStateWatch is a ticketWatch over a store that reads a phone's
// session and customer in one statement (store.PhoneStates): the wrapper
// passes that on, or every customer message would read them in three
// (docs/performance.md).
type phoneStateWatch struct{ *ticketWatch }

func (w phoneStateWatch) PhoneState(ctx context.Context, phone string) (store.PhoneState, error) {
	return w.Store.(store.PhoneStates).PhoneState(ctx, phone)
}

// watched runs fn in tx and then edits the cards of the tickets fn changed,
// in the same transaction.
func (d *Desk) watched(ctx context.Context, tx store.Store, at time.Time, fn func(tx store.Store) error) error {
	w := &ticketWatch{Store: tx}
	var inner store.Store = w
	if _, ok := tx.(store.PhoneStates); ok {
		inner = phoneStateWatch{w}
	}
	if err := fn(inner); err != nil {
		return err
	}
	for _, c := range w.changed {
		var known *store.Ticket
		if c.known {
			known = &c.stored
		}
		if err := d.refreshCard(ctx, tx, c.id, at, known); err != nil {
			return err
		}
	}
	return nil
}

// shown is what a card shows (text, buttons and topic title), kept as
// store.Card.Shown so an edit is made only when something changed.
func shown(p outbox.Post) string {
	return p.Text + "\x00" + strings.Join(p.Buttons, ",") + "\x00" + p.Topic
}

// cardPost is the card of t as it should look now: its text, the buttons
// an open ticket has (none once it is closed, declined or merged), and the
// title of its topic.
func (d *Desk) cardPost(ctx context.Context, tx store.Store, t store.Ticket, k known) (outbox.Post, []store.Message, error) {
	text, msgs, err := d.cardWith(ctx, tx, t, k)
	if err != nil {
		return outbox.Post{}, nil, err
	}
	p := outbox.Post{To: outbox.StaffGroup, TicketID: t.ID, Text: text, Kind: store.OutboxCard}
	if t.Status.Open() {
		p.Buttons = cardButtons
	}
	if d.cfg.Topics {
		title, err := d.topicTitle(ctx, tx, t, k)
		if err != nil {
			return outbox.Post{}, nil, err
		}
		p.Topic = title
	}
	return p, msgs, nil
}

// maxTopicRunes is Telegram's limit on a forum topic's name.
const maxTopicRunes = 128

// topicTitle names a ticket's topic: tracking number, customer, kind and
// status.
func (d *Desk) topicTitle(ctx context.Context, tx store.Store, t store.Ticket, k known) (string, error) {
	var name string
	if k.customer != nil && k.customer.ID == t.CustomerID {
		name = k.customer.Name
	} else {
		c, err := d.customer(ctx, tx, t.CustomerID)
		if err != nil {
			return "", err
		}
		name = c.Name
	}
	title := d.printer.T("desk.topic.title", map[string]any{
		"id": t.ID, "customer": locales.Raw(clip(outbox.ScrubMarks(name), 48)), "kind": t.Kind, "status": d.status(t.Status),
	})
	return clip(title, maxTopicRunes), nil
}

// refreshCard edits ticket id's card when what it shows changed. A ticket
// without a card (none was posted) is left alone. known, when given, is
// the ticket as the transaction last stored it.
func (d *Desk) refreshCard(ctx context.Context, tx store.Store, id int64, at time.Time, known *store.Ticket) error {
	v, err := tx.CardView(ctx, id, known)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("desk: card of ticket %d: %w", id, err)
	}
	card := v.Card
	p, _, err := d.cardPost(ctx, tx, v.Ticket, viewKnown(v))
	if err != nil {
		return err
	}
	now := shown(p)
	prev := card.Shown
	if prev == "" {
		// A card posted before cards were edited: compare with the card.
		m, err := tx.OutboxMessage(ctx, card.OutboxID)
		if err != nil {
			return fmt.Errorf("desk: card of ticket %d: %w", id, err)
		}
		prev = shown(outbox.Post{Text: m.Text, Buttons: m.Buttons, Topic: m.Topic})
	}
	if prev == now {
		return nil
	}
	p.Edit = card.OutboxID
	if _, err := d.post(ctx, tx, at, p); err != nil {
		return err
	}
	card.Shown = now
	if err := tx.SetCard(ctx, card); err != nil {
		return fmt.Errorf("desk: card of ticket %d: %w", id, err)
	}
	return nil
}

// viewKnown is what a card view read, as the card drawing takes it: a
// customer or contract that is gone is what Desk.customer and
// Desk.contract make of it.
func viewKnown(v store.CardView) known {
	k := known{sentAt: v.Card.SentAt}
	cu, c := v.Customer, v.Contract
	if !v.HasCustomer {
		cu = store.Customer{ID: v.Ticket.CustomerID, Name: v.Ticket.CustomerID}
	}
	if !v.HasContract {
		c = rules.Contract{ID: v.Ticket.ContractID}
	}
	k.customer, k.contract = &cu, &c
	return k
}

// repostCard queues ticket id's card as it is now as an edit of the card,
// whatever the card last showed, and returns the queued message's outbox
// id: when the card is gone (its forum topic was deleted and made anew),
// the transport posts the edit as a new card in the new topic, and later
// edits change that one. A ticket without a card is left alone (id 0).
func (d *Desk) repostCard(ctx context.Context, tx store.Store, id int64, at time.Time) (int64, error) {
	v, err := tx.CardView(ctx, id, nil)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("desk: card of ticket %d: %w", id, err)
	}
	card := v.Card
	p, _, err := d.cardPost(ctx, tx, v.Ticket, viewKnown(v))
	if err != nil {
		return 0, err
	}
	p.Edit = card.OutboxID
	posted, err := d.post(ctx, tx, at, p)
	if err != nil {
		return 0, err
	}
	card.Shown = shown(p)
	if err := tx.SetCard(ctx, card); err != nil {
		return 0, fmt.Errorf("desk: card of ticket %d: %w", id, err)
	}
	return posted, nil
}

// rememberStaff keeps the name of someone writing in a staff chat, so
// cards and answers can name them.
func (d *Desk) rememberStaff(ctx context.Context, tx store.Store, in staffIn) error {
	name := strings.TrimSpace(in.UserName)
	if in.UserID <= 0 || name == "" || (in.Chat != ChatStaff && in.Chat != ChatManagers) {
		return nil
	}
	if v, err := tx.StaffName(ctx, in.UserID); err == nil && v == name {
		return nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("desk: staff name: %w", err)
	}
	if err := tx.SetStaffName(ctx, in.UserID, clip(name, 64)); err != nil {
		return fmt.Errorf("desk: staff name: %w", err)
	}
	return nil
}

// knownStaffName is the name of staff member id as staff know them: the
// configured name (desk.staff_names), else the name they write under; ""
// when neither is known.
func (d *Desk) knownStaffName(ctx context.Context, tx store.Store, id int64) (string, error) {
	if n := strings.TrimSpace(d.cfg.StaffNames[id]); n != "" {
		return n, nil
	}
	v, err := tx.StaffName(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("desk: staff name: %w", err)
	}
	return v, nil
}

// staffRef names staff member id for staff: given, the name the caller
// has (an /assign with a name); else the known name. A known person is a
// mention token (the adapter notifies them); an id nobody has named is
// shown as the number, never as a link.
func (d *Desk) staffRef(ctx context.Context, tx store.Store, id int64, given string) (locales.Raw, error) {
	name := strings.TrimSpace(given)
	if name == "" {
		n, err := d.knownStaffName(ctx, tx, id)
		if err != nil {
			return "", err
		}
		name = n
	}
	if name == "" {
		return locales.Raw(fsi + strconv.FormatInt(id, 10) + pdi), nil
	}
	return locales.Raw(outbox.MentionToken(id, d.printer.Format(clip(name, 64)))), nil
}

// Bidi isolates around ids shown as they are.
const (
	fsi = "\u2068"
	pdi = "\u2069"
)
