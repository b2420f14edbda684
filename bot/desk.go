package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"supportbot/inbound"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// Chats a staff input can come from, as replay scripts and the Telegram
// adapter name them.
const (
	ChatStaff    = inbound.ChatStaff
	ChatManagers = inbound.ChatManagers
	ChatPrivate  = inbound.ChatPrivate
)

// cardButtons are the inline buttons under every ticket card; the transport
// turns each into callback data with CallbackData.
var cardButtons = []string{"claim", "close", "decline", "log"}

// Desk is the staff side of the bot: it posts ticket cards to the staff
// group, relays answers between staff and customers, and runs the staff and
// manager commands. It never talks to a transport: everything it says goes
// to the outbox inside the caller's transaction, so a command and its
// answers commit or roll back together.
type Desk struct {
	policy   *rules.Policy
	printer  *locales.Printer // words every message the desk sends
	loc      *time.Location
	managers map[int64]bool
	cfg      DeskConfig
	intake   PhoneIntake // for /open; nil until SetIntake
	resumer  LinkResumer // nil: /link starts the conversation afresh
}

// DeskConfig is who may do what on the staff side.
type DeskConfig struct {
	Managers         []int64 // Telegram user ids allowed to use manager commands
	StaffChatID      int64   // the staff group's Telegram chat id (for the adapter)
	HasManagersGroup bool    // manager alerts go to the managers group, else to each manager
	FilesDir         string  // where files the bot makes (digest charts) are kept; "" makes none
	SupportPhone     string  // {support_phone} in saved replies
	Lifecycle        LifecycleConfig
	// StaffNames are the names customers see for staff, by Telegram user
	// id (config desk.staff_names); others are «کارشناس پشتیبانی».
	StaffNames map[int64]string
	// Topics gives each ticket its own forum topic in the staff group
	// (config telegram.topics): what is about a ticket goes there, and
	// staff write to the customer there without replying.
	Topics bool
}

// NewDesk returns a desk that applies p and speaks through staff, the
// Persian printer used for both staff and customers.
func NewDesk(p *rules.Policy, staff *locales.Printer, cfg DeskConfig) *Desk {
	loc := time.UTC
	if p != nil && p.Calendar != nil && p.Calendar.Loc != nil {
		loc = p.Calendar.Loc
	}
	m := make(map[int64]bool, len(cfg.Managers))
	for _, id := range cfg.Managers {
		m[id] = true
	}
	return &Desk{policy: p, printer: staff, loc: loc, managers: m, cfg: cfg}
}

// ManagerAddresses is where alerts and digests for managers go: the managers
// group when there is one, else each manager's private chat.
func (d *Desk) ManagerAddresses() []outbox.Address {
	if d.cfg.HasManagersGroup {
		return []outbox.Address{outbox.ManagersGroup}
	}
	out := make([]outbox.Address, 0, len(d.cfg.Managers))
	for _, id := range d.cfg.Managers {
		out = append(out, outbox.TelegramUser(id))
	}
	return out
}

// StaffInput is inbound.StaffInput: one message or button press from
// Telegram, transport-free.
type StaffInput = inbound.StaffInput

// staffIn is a staff input as the desk handles it: with what the audit
// trail records of it (desk_audit.go), filled in on the way.
type staffIn struct {
	StaffInput
	audit *auditNote
}

// HandleStaff acts on one staff input inside the caller's transaction:
// a button press, a command, or a reply that answers a customer. Mistakes
// in what staff typed are answered in the chat they came from and change
// nothing; only storage failures are returned.
func (d *Desk) HandleStaff(ctx context.Context, tx store.Store, input StaffInput) error {
	in := staffIn{StaffInput: input}
	if in.IsBot {
		return nil
	}
	if !d.cfg.Topics || in.Chat != ChatStaff {
		in.Thread = 0
	}
	switch {
	case in.Anonymous:
		return d.anonymousPost(ctx, tx, in)
	case in.Edited:
		return d.staffEdit(ctx, tx, in)
	}
	if err := d.rememberStaff(ctx, tx, in); err != nil {
		return err
	}
	in.audit = &auditNote{}
	err := d.watched(ctx, tx, in.At, func(tx store.Store) error { return d.staffInput(ctx, tx, in) })
	var ue *userError
	if errors.As(err, &ue) {
		_, err = d.post(ctx, tx, in.At, outbox.Post{To: replyAddr(in.StaffInput), TicketID: ue.ticket, Thread: answerThread(in.StaffInput), Text: d.printer.T(ue.key, ue.args)})
		return err
	}
	if err != nil {
		return err
	}
	return d.recordAudit(ctx, tx, in)
}

// staffInput is HandleStaff's work: a button, a command, or a reply.
func (d *Desk) staffInput(ctx context.Context, tx store.Store, in staffIn) error {
	switch text := strings.TrimSpace(in.Text); {
	case in.Callback != "":
		return d.handleCallback(ctx, tx, in)
	case strings.HasPrefix(dropMarks(text), "/"):
		// Ids copied from the bot's own messages carry direction marks.
		return d.handleCommand(ctx, tx, in, dropMarks(text))
	case in.Chat == ChatStaff:
		return d.relayReply(ctx, tx, in)
	}
	return nil
}

// userError is a mistake in what staff typed (or a refusal): it is said to
// the chat instead of failing the transaction. Handlers return it before
// changing anything.
type userError struct {
	ticket int64
	key    string
	args   map[string]any
}

func (e *userError) Error() string { return "staff input: " + e.key }

// fail is the userError for key with args.
func fail(key string, args map[string]any) error { return &userError{key: key, args: args} }

// replyAddr is the chat a command's answer goes back to.
func replyAddr(in StaffInput) outbox.Address {
	switch in.Chat {
	case ChatManagers:
		return outbox.ManagersGroup
	case ChatPrivate:
		return outbox.TelegramUser(in.UserID)
	default:
		return outbox.StaffGroup
	}
}

// mainChat as a outbox.Post's Thread keeps a message about a ticket in the staff
// group's main chat in topics mode (an answer to a command typed there).
const mainChat = -1

// answerThread is where in's answer goes: the topic it was written in, else
// the main chat.
func answerThread(in StaffInput) int64 {
	if in.Thread != 0 {
		return in.Thread
	}
	return mainChat
}

// post enqueues p, wrapping the error with the desk's context. In topics
// mode a staff group message about a ticket goes to the ticket's topic
// unless p says otherwise.
func (d *Desk) post(ctx context.Context, tx store.Store, at time.Time, p outbox.Post) (int64, error) {
	switch {
	case !d.cfg.Topics || p.To != outbox.StaffGroup || p.Thread == mainChat:
		p.Thread = 0
	case p.Thread == 0:
		p.Thread = p.TicketID
	}
	id, err := outbox.Enqueue(ctx, tx, at, p)
	if err != nil {
		return 0, fmt.Errorf("desk: %w", err)
	}
	return id, nil
}

// answer says key in the chat in came from, about ticket (0 for none).
func (d *Desk) answer(ctx context.Context, tx store.Store, in staffIn, ticket int64, text string) error {
	_, err := d.post(ctx, tx, in.At, outbox.Post{To: replyAddr(in.StaffInput), TicketID: ticket, Thread: answerThread(in.StaffInput), Text: text})
	return err
}

// staffName is how a staff member is named to customers and in notes.
func (d *Desk) staffName(in staffIn) string {
	if n := strings.TrimSpace(in.UserName); n != "" {
		return clip(n, 64)
	}
	return d.printer.T("desk.staff_colleague", nil)
}

// publicName is how a staff member is named to customers: only as
// configured (desk.staff_names), never by their Telegram display name.
func (d *Desk) publicName(userID int64) string {
	if n := strings.TrimSpace(d.cfg.StaffNames[userID]); n != "" {
		return n
	}
	return d.printer.T("desk.staff_public", nil)
}

// dropMarks removes the invisible direction marks and isolates the bot
// puts around ids, phones and numbers, so that text copied from its
// messages works in commands. ZWNJ, part of Persian spelling, stays.
func dropMarks(s string) string {
	return strings.Map(func(r rune) rune {
		if isMark(r) {
			return -1
		}
		return r
	}, s)
}

// isMark reports an invisible direction or zero-width mark (not ZWNJ).
func isMark(r rune) bool {
	switch {
	case r == '\u200e', r == '\u200f', r == '\u061c', r == '\ufeff', r == '\u200b',
		r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// relayReply sends a staff reply to a ticket card or relayed customer
// message on to the customer. The first answer stops the first-response
// clock. A reply to any other bot message about a ticket (a reminder, an
// alert, a confirmation, history, a report), or one starting with "!",
// stays internal: it is stored as a note and the bot says so in one line.
// Anything that is not a reply to a ticket is ordinary group chat and
// ignored.
func (d *Desk) relayReply(ctx context.Context, tx store.Store, in staffIn) error {
	id, toCustomer, err := d.repliedTicket(ctx, tx, in)
	if err != nil {
		return err
	}
	if id == 0 {
		if in.ReplyToUnknown && (strings.TrimSpace(in.Text) != "" || in.File != nil) {
			// Not silence: the answer would be lost without a word.
			return fail("desk.err.reply_unknown", nil)
		}
		return nil
	}
	text := strings.TrimSpace(in.Text)
	if text == "" && in.File == nil {
		return nil
	}
	// A keyboard may put a direction mark before the "!".
	if bare := strings.TrimLeftFunc(text, isMark); strings.HasPrefix(bare, "!") || !toCustomer {
		return d.internalReply(ctx, tx, in, id, strings.TrimSpace(strings.TrimPrefix(bare, "!")))
	}
	if in.Forwarded || in.ReplyToOther {
		return d.staffTalk(ctx, tx, in, id, text)
	}
	t, err := tx.Ticket(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fail("desk.err.ticket_not_found", map[string]any{"id": id})
	}
	if err != nil {
		return fmt.Errorf("desk: reply to ticket %d: %w", id, err)
	}
	if !t.Status.Open() {
		return &userError{ticket: t.ID, key: "desk.reply.closed", args: map[string]any{"id": t.ID, "status": d.status(t.Status)}}
	}
	in.audit.note("reply", t.ID, text)
	name := d.publicName(in.UserID)
	m := store.Message{TicketID: t.ID, At: in.At, Direction: store.FromStaff, Author: d.staffName(in), UserID: in.UserID, Text: text, File: in.File}
	if err := tx.AddMessage(ctx, &m); err != nil {
		return fmt.Errorf("desk: store reply on ticket %d: %w", t.ID, err)
	}
	if t.FirstResponseAt.IsZero() {
		t.FirstResponseAt = in.At
		if t.Status == store.TicketNew {
			t.Status = store.TicketAnswered
		}
		if err := tx.UpdateTicket(ctx, t); err != nil {
			return fmt.Errorf("desk: answer ticket %d: %w", t.ID, err)
		}
	}
	key := "desk.relay.to_customer"
	if text == "" {
		key = "desk.relay.to_customer_file"
	}
	_, err = d.post(ctx, tx, in.At, outbox.Post{
		To:       outbox.WhatsApp(t.Phone),
		TicketID: t.ID,
		Text:     d.printer.T(key, map[string]any{"id": t.ID, "name": name, "text": locales.Raw(text)}),
		File:     in.File,
	})
	return err
}

// internalReply stores a staff reply that must not reach the customer as
// a note on ticket id, and says so in one short line.
func (d *Desk) internalReply(ctx context.Context, tx store.Store, in staffIn, id int64, text string) error {
	if text == "" && in.File == nil {
		return nil
	}
	if _, err := tx.Ticket(ctx, id); errors.Is(err, store.ErrNotFound) {
		return fail("desk.err.ticket_not_found", map[string]any{"id": id})
	} else if err != nil {
		return fmt.Errorf("desk: internal reply on ticket %d: %w", id, err)
	}
	in.audit.note("note", id, text)
	m := store.Message{TicketID: id, At: in.At, Direction: store.StaffNote, Author: d.staffName(in), UserID: in.UserID, Text: text, File: in.File}
	if err := tx.AddMessage(ctx, &m); err != nil {
		return fmt.Errorf("desk: note on ticket %d: %w", id, err)
	}
	key := "desk.reply.internal"
	if in.Thread != 0 {
		key = "desk.reply.internal_topic" // in a ticket's topic, plain messages reach the customer
	}
	return d.answer(ctx, tx, in, id, d.printer.T(key, map[string]any{"id": id}))
}

// repliedTicket is the ticket a staff message replies to, 0 when none, and
// whether the reply is for the customer: it quotes the ticket's card or a
// relayed customer message (or names the card by ReplyToTicket), not any
// other bot message about the ticket.
func (d *Desk) repliedTicket(ctx context.Context, tx store.Store, in staffIn) (id int64, toCustomer bool, err error) {
	if in.ReplyTo != 0 {
		m, err := tx.OutboxMessage(ctx, in.ReplyTo)
		switch {
		case err == nil && m.TicketID != 0:
			card, err := d.cardOf(ctx, tx, m.TicketID)
			if err != nil {
				return 0, false, err
			}
			if card == m.ID || (m.Edit != 0 && card == m.Edit) {
				return m.TicketID, true, nil // the card, or the card posted anew
			}
			relay, err := tx.IsRelay(ctx, m.ID)
			if err != nil {
				return 0, false, fmt.Errorf("desk: message replied to: %w", err)
			}
			return m.TicketID, relay, nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return 0, false, fmt.Errorf("desk: message replied to: %w", err)
		}
	}
	if in.ReplyToTicket > 0 {
		return in.ReplyToTicket, true, nil
	}
	if in.ReplyToUnknown {
		// A reply to a bot message not on record (a copy sent twice across
		// a crash, a pruned reminder) may quote internal text: never the
		// customer's, even in a ticket's topic.
		return max(in.Thread, 0), false, nil
	}
	// A reply to a colleague or a forward in a ticket's topic is staff
	// talk (relayReply keeps it internal); outside a topic, group chat.
	// Written in a ticket's topic without quoting a bot message: for the
	// customer.
	return max(in.Thread, 0), in.Thread > 0, nil
}

// postRelay posts p, a customer's words or file relayed to staff, and
// marks it so that a reply to it reaches the customer.
func (d *Desk) postRelay(ctx context.Context, tx store.Store, at time.Time, p outbox.Post) error {
	_, err := d.postRelayID(ctx, tx, at, p)
	return err
}

// postRelayID is postRelay that also returns the posted message's outbox id.
func (d *Desk) postRelayID(ctx context.Context, tx store.Store, at time.Time, p outbox.Post) (int64, error) {
	id, err := d.post(ctx, tx, at, p)
	if err != nil {
		return 0, err
	}
	if err := tx.MarkRelay(ctx, id, p.TicketID); err != nil {
		return 0, fmt.Errorf("desk: mark relayed message: %w", err)
	}
	return id, nil
}

// TicketOpened posts a new ticket's card to the staff group, with the
// customer's files under it, and remembers the card so follow-ups thread
// beneath it.
func (d *Desk) TicketOpened(ctx context.Context, tx store.Store, t store.Ticket, at time.Time) error {
	return d.ticketOpened(ctx, tx, t, at, known{})
}

// ticketOpened is TicketOpened with what the caller already read in tx.
func (d *Desk) ticketOpened(ctx context.Context, tx store.Store, t store.Ticket, at time.Time, k known) error {
	card, msgs, err := d.cardPost(ctx, tx, t, k)
	if err != nil {
		return err
	}
	cardID, err := d.post(ctx, tx, at, card)
	if err != nil {
		return err
	}
	if k.relayed != nil {
		*k.relayed = cardID
	}
	c := store.Card{TicketID: t.ID, OutboxID: cardID, Shown: shown(card)}
	if d.sentLine(k.sentAt, t.OpenedAt) != "" {
		c.SentAt = k.sentAt // shown at every redraw
	}
	if err := tx.SetCard(ctx, c); err != nil {
		return fmt.Errorf("desk: remember card of ticket %d: %w", t.ID, err)
	}
	// msgs are the card's: posting the card and remembering it changed none.
	for _, m := range msgs {
		if m.File == nil || m.Direction != store.FromCustomer {
			continue
		}
		text := d.printer.T("desk.card.file_posted", map[string]any{"id": t.ID, "file": locales.Raw(d.fileText(*m.File))})
		if err := d.postRelay(ctx, tx, at, outbox.Post{To: outbox.StaffGroup, TicketID: t.ID, Text: text, ReplyTo: cardID, File: m.File, Kind: store.OutboxFollowUp}); err != nil {
			return err
		}
	}
	return nil
}

// CustomerWrote relays a customer's follow-up on a ticket to the staff
// group, under the ticket's card; staff answer by replying to it.
func (d *Desk) CustomerWrote(ctx context.Context, tx store.Store, t store.Ticket, m store.Message, at time.Time) error {
	return d.customerWrote(ctx, tx, t, m, at, known{})
}

// customerWrote is CustomerWrote with what the caller already read in tx.
func (d *Desk) customerWrote(ctx context.Context, tx store.Store, t store.Ticket, m store.Message, at time.Time, k known) error {
	if err := d.endWait(ctx, tx, &t); err != nil {
		return err
	}
	name := t.CustomerID
	if k.customer != nil && k.customer.ID == t.CustomerID {
		name = outbox.ScrubMarks(k.customer.Name)
	} else if c, err := tx.Customer(ctx, t.CustomerID); err == nil {
		name = outbox.ScrubMarks(c.Name)
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("desk: customer of ticket %d: %w", t.ID, err)
	}
	args := map[string]any{"id": t.ID, "name": name, "text": locales.Raw(clip(strings.TrimSpace(m.Text), maxRelayRunes))}
	key := "desk.customer.wrote"
	switch {
	case k.reopened:
		key = "desk.customer.reopened"
		if strings.TrimSpace(m.Text) == "" && m.File != nil {
			args["text"] = locales.Raw(d.fileText(*m.File))
		}
	case strings.TrimSpace(m.Text) == "" && m.File != nil:
		key = "desk.customer.wrote_file"
		args["file"] = locales.Raw(d.fileText(*m.File))
	}
	cardID, err := d.cardOf(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	text := d.printer.T(key, args)
	if sent := d.sentLine(k.sentAt, at); sent != "" {
		text += "\n" + sent
	}
	id, err := d.postRelayID(ctx, tx, at, outbox.Post{To: outbox.StaffGroup, TicketID: t.ID, Text: text, ReplyTo: cardID, File: m.File, Kind: store.OutboxFollowUp})
	if k.relayed != nil {
		*k.relayed = id
	}
	return err
}

// UnknownContact shows staff a message from a number no customer has, with
// the /link command that would attach it to one: one card a day per
// number, later messages of the day under it.
func (d *Desk) UnknownContact(ctx context.Context, tx store.Store, phone, text string, at time.Time) error {
	if done, err := d.underUnknownCard(ctx, tx, phone, text, at); err != nil || done {
		return err
	}
	// A "lid:" sender is one whose number WhatsApp hid: /link has nothing
	// to match, so the card says so instead of offering it.
	hidden, empty := strings.HasPrefix(phone, "lid:"), strings.TrimSpace(text) == ""
	key := "desk.unknown.card"
	switch {
	case hidden && empty:
		key = "desk.unknown.card_hidden_no_text"
	case hidden:
		key = "desk.unknown.card_hidden"
	case empty:
		key = "desk.unknown.card_no_text"
	}
	id, err := d.post(ctx, tx, at, outbox.Post{To: outbox.StaffGroup, Text: d.printer.T(key, map[string]any{
		"phone": phone, "text": locales.Raw(clip(strings.TrimSpace(text), maxRelayRunes)),
	})})
	if err != nil {
		return err
	}
	return d.rememberUnknownCard(ctx, tx, phone, at, id)
}

// cardOf is the outbox id of a ticket's card, 0 when none was posted.
func (d *Desk) cardOf(ctx context.Context, tx store.Store, ticketID int64) (int64, error) {
	c, err := tx.Card(ctx, ticketID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("desk: card of ticket %d: %w", ticketID, err)
	}
	return c.OutboxID, nil
}

// status is a ticket status in words, ready to be inserted in a message.
func (d *Desk) status(s store.TicketStatus) locales.Raw { return d.raw("ticket_status." + string(s)) }

// raw renders a message without arguments for insertion into another.
func (d *Desk) raw(key string) locales.Raw { return locales.Raw(d.printer.T(key, nil)) }

// maxRelayRunes bounds relayed and echoed text, below Telegram's 4096
// characters a message.
const maxRelayRunes = 3000

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// shorten cuts s to at most n runes plus the mark of the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
