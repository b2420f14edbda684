// Package conversation is the customer side of the support desk: the
// WhatsApp dialogue that greets a customer, shows the menus, walks a new
// request through the rules (contract, kind, severity, description), files
// follow-ups on open tickets and asks unknown numbers who they are.
//
// It is an explicit state machine over one session per contact (see
// states.go for the states and their transitions; a request under way
// follows a customer across a number and a hidden address, Machine.load
// and docs/whatsapp.md). It knows no transport and no clock:
// the time of each message comes in Inbound.At, everything it decides is
// stored through the caller's transaction, and what to say comes back as
// catalog keys with typed arguments (Reply, Line) that the locales printer
// renders. Staff-side consequences come back as Events.
package conversation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// Inbound is one customer message as the transport received it.
type Inbound struct {
	Phone string // E.164
	At    time.Time
	Text  string      // the message, or a file's caption
	File  *store.File // nil for text only
	// Received is the id of the message as the caller recorded it
	// (store.Received, route "menu"); the conversation records where it
	// went when that is somewhere else. 0 when the caller recorded none.
	Received int64
	// SentAt is WhatsApp's time for the message (the sender's phone),
	// zero when none; only shown to staff (Event.Sent).
	SentAt time.Time
}

// Line is one catalog entry to say: Key names it in locales/*/conversation.json
// (or common.json) and Args fill its {placeholders} with typed values, so the
// printer formats numbers, dates and durations for the reader's language.
type Line struct {
	Key  string
	Args map[string]any
}

// Reply is one WhatsApp message to the customer; its lines are rendered and
// joined by newlines.
type Reply struct {
	Lines []Line
}

// EventKind says what an Event tells the staff desk.
type EventKind int

// Event kinds.
const (
	// TicketOpened: a new ticket was stored; the desk posts its card.
	TicketOpened EventKind = iota + 1
	// FollowUp: a customer message (text and/or file) was added to an open
	// ticket; the desk relays it to staff.
	FollowUp
	// UnknownContact: a number that belongs to no customer wrote; the desk
	// shows Phone and Text so staff can link it with /link.
	UnknownContact
)

// String names the kind for logs and test failures.
func (k EventKind) String() string {
	switch k {
	case TicketOpened:
		return "TicketOpened"
	case FollowUp:
		return "FollowUp"
	case UnknownContact:
		return "UnknownContact"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is something the staff side must hear about.
type Event struct {
	Kind    EventKind
	Ticket  store.Ticket  // TicketOpened, FollowUp
	Message store.Message // the customer's message as stored (for UnknownContact: not stored, TicketID 0)
	Phone   string
	Text    string
	// Customer and Contract are the ticket's customer and contract as the
	// conversation read them in the caller's transaction (zero when it did
	// not), so the desk need not read them again.
	Customer store.Customer
	Contract rules.Contract
	// Reopened marks a FollowUp that reopened a closed ticket.
	Reopened bool
	// NewCard marks an UnknownContact that is the number's first message
	// of the day: staff get a card; later ones go under it.
	NewCard bool
	// Sent and Arrived, for TicketOpened: the earliest WhatsApp time of
	// the messages the ticket was opened with (its description and files,
	// however many messages they took) and the earliest time one of them
	// reached the bot; zero when unknown. Staff see when the customer
	// began writing when that was well before the bot heard any of it (a
	// backlog after downtime).
	Sent, Arrived time.Time
}

// Result is what one inbound message produced: messages to send back to the
// customer, in order, and events for the staff desk.
type Result struct {
	Replies []Reply
	Events  []Event
}

// Store is the part of store.Store the conversation reads and changes. The
// caller passes its transaction, so one message's changes land together.
type Store interface {
	CustomerByPhone(ctx context.Context, phone string) (store.Customer, error)
	ContractsOf(ctx context.Context, customerID string) ([]rules.Contract, error)
	Usage(ctx context.Context, contractID string, w store.UsageWindow) (rules.Usage, error)
	ListTickets(ctx context.Context, f store.TicketFilter) ([]store.Ticket, error)
	CreateTicket(ctx context.Context, t *store.Ticket) error
	Ticket(ctx context.Context, id int64) (store.Ticket, error)
	UpdateTicket(ctx context.Context, t store.Ticket) error
	RouteReceived(ctx context.Context, id, ticketID int64, route string, courtesy bool) error
	AddMessage(ctx context.Context, m *store.Message) error
	AddDenial(ctx context.Context, d *store.Denial) error
	Setting(ctx context.Context, key string) (string, error)
	Session(ctx context.Context, phone string) (store.Session, error)
	SaveSession(ctx context.Context, s store.Session) error
	Unmatched(ctx context.Context, customerID string) ([]string, error)
}

var _ Store = store.Store(nil)

// Config holds the conversation's settings.
type Config struct {
	// IdleTimeout drops an unfinished flow when the customer comes back
	// later than this (default 30 minutes).
	IdleTimeout time.Duration
	// Phones shown to customers: support, sales, and the number to call
	// while the power-outage notice is on.
	SupportPhone, SalesPhone, FallbackPhone string
	// CompanyName is how the bot names the company it speaks for; empty
	// means the catalogs' spelling of the company of the support terms.
	CompanyName string
	// ReopenDays is how many calendar days after a close a customer's
	// message reopens the ticket (default 7; negative: never).
	ReopenDays int
}

// DefaultIdleTimeout is SPEC's idle timeout, used when Config leaves it zero.
const DefaultIdleTimeout = 30 * time.Minute

// DefaultReopenDays is the reopen window used when Config leaves it zero.
const DefaultReopenDays = 7

// quietFor is how long the bot stays quiet about more of the same (a burst
// of photos, a second thanks): one acknowledgement per ticket in this time.
const quietFor = 2 * time.Minute

// catalogName is a name kept in the catalogs (so each language spells it),
// used as an argument.
type catalogName string

// LocaleKey names the catalog entry that spells the name.
func (n catalogName) LocaleKey() string { return string(n) }

// company is the company's name as an argument: the configured name, or the
// catalogs' own spelling of the company of the support terms.
func (m *Machine) company() any {
	if m.cfg.CompanyName != "" {
		return m.cfg.CompanyName
	}
	return catalogName("company.name")
}

// Machine runs customer conversations under one policy. It keeps no state of
// its own (sessions live in the store), so one Machine serves every phone
// and survives restarts.
type Machine struct {
	p   *rules.Policy
	cfg Config
}

// New returns a Machine that applies p's rules with cfg's settings.
func New(p *rules.Policy, cfg Config) *Machine {
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.ReopenDays == 0 {
		cfg.ReopenDays = DefaultReopenDays
	}
	return &Machine{p: p, cfg: cfg}
}

// Handle answers one customer message: it loads the phone's session, moves
// the state machine, stores what it decided (tickets, messages, denials, the
// session) through st, the caller's transaction, and returns the replies and
// staff events. It never sends anything. A returned error means the
// transaction should be rolled back.
func (m *Machine) Handle(ctx context.Context, st Store, in Inbound) (Result, error) {
	in.Text = cleanText(in.Text)
	t := &turn{m: m, ctx: ctx, st: st, in: in}
	key, sess, cust, err := m.load(ctx, st, in.Phone, in.At)
	if err != nil {
		return Result{}, err
	}
	t.key, t.sess = key, sess
	newConversation := sess.fresh || in.At.Sub(sess.updatedAt) > m.cfg.IdleTimeout
	t.newConv = newConversation

	switch err = cust.err; {
	case errors.Is(err, store.ErrNotFound):
		err = t.unknown()
	case err != nil:
		return Result{}, fmt.Errorf("customer of %s: %w", in.Phone, err)
	default:
		t.cust = cust.c
		err = t.known(newConversation)
	}
	if err != nil {
		return Result{}, err
	}
	if err := t.finish(); err != nil {
		return Result{}, err
	}
	return t.result(), nil
}

// result is what the turn says and tells staff; a turn that stays quiet
// (a second photo of a burst) has no reply.
func (t *turn) result() Result {
	r := Result{Events: t.events}
	if len(t.lines) > 0 {
		r.Replies = []Reply{{Lines: t.lines}}
	}
	return r
}

// Linked goes on with a number that staff just linked to a customer: when
// it wrote a description-like message while unknown, the request starts
// with it as if it had just come from the customer (the bot asks only what
// is missing); otherwise the conversation starts afresh. The replies follow
// the desk's welcome.
func (m *Machine) Linked(ctx context.Context, st Store, phone string, at time.Time) (Result, error) {
	sess, err := loadSession(ctx, st, phone)
	if err != nil {
		return Result{}, err
	}
	cust, err := st.CustomerByPhone(ctx, phone)
	if err != nil {
		return Result{}, fmt.Errorf("customer of %s: %w", phone, err)
	}
	t := &turn{m: m, ctx: ctx, st: st, in: Inbound{Phone: phone, At: at}, cust: cust, sess: sess, key: phone}
	draft := sess.data.Draft
	if sess.state != stateIdentify || len(draft) == 0 {
		// Nothing to go on with: the next message starts afresh.
		if err := st.SaveSession(ctx, store.Session{Phone: phone, UpdatedAt: at}); err != nil {
			return Result{}, fmt.Errorf("reset conversation of %s: %w", phone, err)
		}
		return Result{}, nil
	}
	t.sess.to(stateIdle)
	t.sess.data.Draft = draft
	t.kept = true // the desk's welcome says the message was kept
	if err := t.startRequest(); err != nil {
		return Result{}, err
	}
	if err := t.finish(); err != nil {
		return Result{}, err
	}
	return t.result(), nil
}

// load reads what a message from phone at at goes on with: the session
// (its own, or the one it continues, see follow), where that session is
// kept, and the customer the contact belongs to.
func (m *Machine) load(ctx context.Context, st Store, phone string, at time.Time) (string, session, customerLookup, error) {
	own, cust, err := loadPhone(ctx, st, phone)
	if err != nil {
		return "", session{}, customerLookup{}, err
	}
	if cust.err != nil || m.onScreen(own, at) {
		return phone, own, cust, nil
	}
	// The sender's own conversation shows nothing: it may go on with what
	// the same person started by the customer's other address.
	var others []string
	switch {
	case slices.Contains(cust.unmatched, phone):
		others = cust.c.Phones
	case len(cust.unmatched) > 0 && slices.Contains(cust.c.Phones, phone):
		others = cust.unmatched
	}
	key, sess, found := phone, own, 0
	for _, o := range others {
		s, err := loadSession(ctx, st, o)
		if err != nil {
			return "", session{}, customerLookup{}, err
		}
		if m.onScreen(s, at) {
			key, sess, found = o, s, found+1
		}
	}
	if found != 1 {
		// None, or several people of the customer mid-way: no guessing.
		return phone, own, cust, nil
	}
	return key, sess, cust, nil
}

// onScreen reports whether s has a menu or a question of a known
// customer's conversation on screen at at: not idle, not timed out.
func (m *Machine) onScreen(s session, at time.Time) bool {
	return !s.fresh && s.state != stateIdle && s.state != stateIdentify && at.Sub(s.updatedAt) <= m.cfg.IdleTimeout
}

// loadPhone reads the phone's session and the customer the number belongs
// to: err is a failure to read the session, the customer lookup's own
// error (store.ErrNotFound for an unknown number) comes with the customer.
// One statement does both when the store offers it.
func loadPhone(ctx context.Context, st Store, phone string) (session, customerLookup, error) {
	if ps, ok := st.(store.PhoneStates); ok {
		s, err := ps.PhoneState(ctx, phone)
		if err != nil {
			return session{}, customerLookup{}, fmt.Errorf("session of %s: %w", phone, err)
		}
		sess := session{state: stateIdle, fresh: true}
		if s.HasSession {
			sess = decodeSession(s.Session)
		}
		if !s.HasCustomer {
			return sess, customerLookup{err: fmt.Errorf("customer by phone %s: %w", phone, store.ErrNotFound)}, nil
		}
		return sess, customerLookup{c: s.Customer, unmatched: s.Unmatched}, nil
	}
	sess, err := loadSession(ctx, st, phone)
	if err != nil {
		return session{}, customerLookup{}, err
	}
	c, err := st.CustomerByPhone(ctx, phone)
	if err != nil {
		return sess, customerLookup{err: err}, nil
	}
	un, err := st.Unmatched(ctx, c.ID)
	if err != nil {
		return session{}, customerLookup{}, fmt.Errorf("hidden addresses of %s: %w", c.ID, err)
	}
	return sess, customerLookup{c: c, unmatched: un}, nil
}

// customerLookup is the outcome of looking up a phone's customer, with the
// customer's hidden addresses whose number is not known.
type customerLookup struct {
	c         store.Customer
	unmatched []string
	err       error
}

// maxTextBytes bounds what one chat message may carry into the database;
// WhatsApp allows about 64 KB, so nothing a customer can type is cut.
const maxTextBytes = 64 << 10

// cleanText makes chat text safe to store and match: valid UTF-8, no NUL
// bytes, surrounding whitespace trimmed, at most maxTextBytes.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	s = strings.TrimSpace(s)
	if len(s) > maxTextBytes {
		cut := maxTextBytes
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// turn is the work of one Handle call: the message, the session as loaded
// and as it will be saved, and what to say and tell staff.
type turn struct {
	m    *Machine
	ctx  context.Context
	st   Store
	in   Inbound
	cust store.Customer // zero for unknown numbers
	sess session
	key  string // where sess is kept: the sender's, or the session it continues (Machine.load)

	lines    []Line
	events   []Event
	newConv  bool                   // the first message after a pause longer than the idle timeout
	opened   bool                   // a ticket was opened: the confirmation carries the notices
	courtesy bool                   // only courtesy: the conversation's state and clock stay as they were
	kept     bool                   // the message joined the draft and the reply said so
	mentions bool                   // the reply asks the customer to call a phone
	hint     bool                   // no menu is left on screen: say how to get it back
	outage   *bool                  // the outage setting, read once when needed
	usages   map[string]rules.Usage // by contract id, counted once per turn
	// others are a customer's other contracts, none of them active, told
	// after the refusal of the one the request was refused for.
	others []rules.Contract
}

// say appends one line to the reply.
func (t *turn) say(key string, args map[string]any) {
	t.lines = append(t.lines, Line{Key: key, Args: args})
}

// sayCall appends a line that gives a phone number to call; such replies
// carry the outage notice while it is on.
func (t *turn) sayCall(key string, phone string) {
	t.mentions = true
	t.say(key, kv{"phone": phone})
}

// kv is shorthand for a line's arguments.
type kv = map[string]any

// finish appends the notices that close every reply (the outage number when
// the reply mentions calling, how to get the menu back when none is on
// screen, the out-of-hours lines outside contact hours) and saves the
// session.
func (t *turn) finish() error {
	if t.mentions {
		on, err := t.outageOn()
		if err != nil {
			return err
		}
		if on && t.m.cfg.FallbackPhone != "" {
			t.say("outage.notice", kv{"phone": t.m.cfg.FallbackPhone})
		}
	}
	if t.hint && (t.sess.state == stateIdle || t.sess.state == stateMainMenu) {
		t.say("hint.menu", nil)
	}
	if (t.newConv || t.opened) && !t.courtesy && len(t.lines) > 0 {
		t.sayOffHours()
	}
	at := t.in.At
	if t.courtesy && !t.sess.fresh {
		at = t.sess.updatedAt
	}
	return t.sess.save(t.ctx, t.st, t.key, at)
}

// route records where kept message ref (a store.Received id) went.
func (t *turn) route(ref, ticketID int64, route string) error {
	if ref == 0 {
		return nil
	}
	if err := t.st.RouteReceived(t.ctx, ref, ticketID, route, route == store.RouteCourtesy); err != nil {
		return fmt.Errorf("route message %d: %w", ref, err)
	}
	return nil
}

// outageOn reports whether managers switched the power-outage notice on.
func (t *turn) outageOn() (bool, error) {
	if t.outage != nil {
		return *t.outage, nil
	}
	v, err := t.st.Setting(t.ctx, store.SettingOutage)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, fmt.Errorf("outage setting: %w", err)
	}
	on := strings.EqualFold(strings.TrimSpace(v), "on")
	t.outage = &on
	return on, nil
}

// loc is the office's time zone.
func (t *turn) loc() *time.Location {
	if c := t.m.p.Calendar; c != nil && c.Loc != nil {
		return c.Loc
	}
	return time.UTC
}

// ReopenDays is the reopen window in calendar days (negative: never).
func (m *Machine) ReopenDays() int { return m.cfg.ReopenDays }
