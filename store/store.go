// Package store declares the records the bot keeps and the small interfaces
// through which the rest of the program reads and changes them. The SQLite
// implementation lives in store/sqlite. Every multi-step change runs inside
// one transaction that the caller owns (Store.InTx).
package store

import (
	"context"
	"errors"
	"time"

	"supportbot/rules"
)

// Errors mapped once at the store boundary; callers use errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)

// Customer is an organisation the company supports.
type Customer struct {
	ID     string
	Name   string
	City   string
	Phones []string // E.164, sorted
	// Addresses are hidden WhatsApp addresses ("lid:DIGITS") staff linked
	// to the customer, sorted; filled by ListCustomers.
	Addresses []string
}

// Address is a hidden WhatsApp address linked to a customer.
type Address struct {
	Address    string // "lid:DIGITS"
	CustomerID string
	// Phone is the number WhatsApp revealed behind the address once it
	// turned out to be the customer's own ("" until then).
	Phone string
}

// PhoneSource says how a contact phone came to belong to a customer.
type PhoneSource string

// Phone sources: an import brought it, or staff linked it with /link.
const (
	PhoneImported PhoneSource = "import"
	PhoneLinked   PhoneSource = "link"
)

// TicketStatus is where a ticket stands (docs/interface.md).
type TicketStatus string

// Ticket statuses.
const (
	TicketNew      TicketStatus = "new"
	TicketAnswered TicketStatus = "answered"
	TicketClosed   TicketStatus = "closed"
	TicketDeclined TicketStatus = "declined"
	// TicketWaiting: answered, and waiting on the customer (/wait); still open.
	TicketWaiting TicketStatus = "waiting"
	// TicketMerged: joined into another ticket (MergedInto); no longer counts.
	TicketMerged TicketStatus = "merged"
)

// Open reports whether the customer can still add to the ticket.
func (s TicketStatus) Open() bool {
	return s == TicketNew || s == TicketAnswered || s == TicketWaiting
}

// Ticket is one support request.
type Ticket struct {
	ID               int64
	ContractID       string
	CustomerID       string
	Phone            string // the contact who opened it; staff replies go here
	Kind             rules.RequestKind
	Severity         rules.Severity // "" when not asked
	Status           TicketStatus
	DeclineReason    rules.DeclineReason // "" unless declined
	Description      string
	OpenedAt         time.Time
	FirstResponseDue time.Time
	FirstResponseAt  time.Time // zero until staff first answer
	ClosedAt         time.Time // zero while open
	Assignee         int64     // Telegram user id, 0 when nobody
	AssigneeName     string
	LoggedMin        int // minutes logged by staff
	ChargedMin       int // minutes charged to an hourly package

	// The lifecycle of docs/lifecycle.md.
	WaitingSince time.Time // when staff put it to wait on the customer; kept only while waiting
	NudgedAt     time.Time // when the customer was reminded during this wait; zero before
	MergedInto   int64     // the ticket it joined, when merged
	CSAT         int       // the customer's score 1-5, 0 when none
	CSATAskedAt  time.Time // when the customer was asked for a score; zero when never
	CSATPending  bool      // the question waits for its answer
}

// ReopenCSAT lets the satisfaction question of a ticket being reopened
// lapse: a score now would rate an open request. Unless the customer has
// already given one, the next close asks again (docs/lifecycle.md).
func (t *Ticket) ReopenCSAT() {
	t.CSATPending = false
	if t.CSAT == 0 {
		t.CSATAskedAt = time.Time{}
	}
}

// MessageDirection says who wrote a ticket message.
type MessageDirection string

// Message directions.
const (
	FromCustomer MessageDirection = "customer"
	FromStaff    MessageDirection = "staff"
	StaffNote    MessageDirection = "note" // internal, never shown to the customer
)

// FileKind is what sort of file an attachment is: how transports send it
// and how staff see it described.
type FileKind string

// File kinds.
const (
	FileImage    FileKind = "image"
	FileDocument FileKind = "document"
	FileAudio    FileKind = "audio"
	FileVoice    FileKind = "voice"
	FileVideo    FileKind = "video"
)

// File is an attachment on a ticket message.
type File struct {
	Kind  FileKind
	Name  string
	MIME  string
	Bytes int64
	Path  string // where the content is kept, empty when only described
}

// Message is one message on a ticket.
type Message struct {
	ID        int64
	TicketID  int64
	At        time.Time
	Direction MessageDirection
	Author    string // phone for customers, Telegram name or id for staff
	UserID    int64  // the Telegram user who wrote a staff message or note, 0 for customers
	Text      string
	File      *File
}

// TimeLog is staff time spent on a ticket.
type TimeLog struct {
	ID       int64
	TicketID int64
	At       time.Time
	Minutes  int
	StaffID  int64
}

// Denial is a refused intake, kept so managers and exports can see it.
type Denial struct {
	ID         int64
	At         time.Time
	Phone      string
	CustomerID string // "" for unknown numbers
	ContractID string // "" when no contract was chosen
	Kind       rules.RequestKind
	Reason     rules.Denial
}

// TicketFilter selects tickets; zero fields match everything.
type TicketFilter struct {
	CustomerID string
	ContractID string
	Phone      string
	OpenOnly   bool
	// ActiveSince, when set, keeps the tickets that are still open or that
	// opened, were first answered, fell due or closed at or after it: what
	// a report on recent days needs, without years of closed history.
	ActiveSince time.Time
}

// UsageWindow names the periods a contract's usage is counted in.
type UsageWindow struct {
	MonthStart, MonthEnd time.Time // the Jalali month
	YearStart, YearEnd   time.Time // the contract year
	Hourly               bool      // count hourly charges
}

// Customers reads and changes customers and their phones.
type Customers interface {
	UpsertCustomer(ctx context.Context, c Customer) error
	Customer(ctx context.Context, id string) (Customer, error)
	CustomerByPhone(ctx context.Context, phone string) (Customer, error)
	ListCustomers(ctx context.Context) ([]Customer, error)
	// SetImportedPhones makes phones the customer's imported numbers: new
	// ones are added, imported ones not listed are removed, linked ones stay.
	SetImportedPhones(ctx context.Context, customerID string, phones []string) error
	// LinkPhone attaches phone to the customer as a staff link, moving it
	// from any other customer.
	LinkPhone(ctx context.Context, phone, customerID string) error
	// LinkAddress makes a hidden WhatsApp address the customer's contact
	// (CustomerByPhone finds the customer by it), moving it from any other.
	LinkAddress(ctx context.Context, address, customerID string, at time.Time) error
	// Address reads a linked hidden address; ErrNotFound when none.
	Address(ctx context.Context, address string) (Address, error)
	// JoinAddress records the customer's own number revealed behind a
	// linked address.
	JoinAddress(ctx context.Context, address, phone string) error
	// Unmatched lists the customer's linked hidden addresses whose number
	// WhatsApp has not revealed yet, sorted: any of them may be the person
	// behind any of the customer's numbers.
	Unmatched(ctx context.Context, customerID string) ([]string, error)
}

// Contracts reads and changes contracts and counts their usage.
type Contracts interface {
	UpsertContract(ctx context.Context, c rules.Contract) error
	Contract(ctx context.Context, id string) (rules.Contract, error)
	ContractsOf(ctx context.Context, customerID string) ([]rules.Contract, error) // by id
	ListContracts(ctx context.Context) ([]rules.Contract, error)                  // by id
	Usage(ctx context.Context, contractID string, w UsageWindow) (rules.Usage, error)
}

// Tickets reads and changes tickets, their messages and time logs.
type Tickets interface {
	CreateTicket(ctx context.Context, t *Ticket) error // sets t.ID
	Ticket(ctx context.Context, id int64) (Ticket, error)
	UpdateTicket(ctx context.Context, t Ticket) error
	ListTickets(ctx context.Context, f TicketFilter) ([]Ticket, error) // by id
	AddMessage(ctx context.Context, m *Message) error                  // sets m.ID
	Messages(ctx context.Context, ticketID int64) ([]Message, error)
	AddTimeLog(ctx context.Context, l *TimeLog) error // sets l.ID
	TimeLogs(ctx context.Context, ticketID int64) ([]TimeLog, error)
	// PeriodTickets returns the contract's tickets opened in [from, to) or
	// with time logged in it, by id, each with the minutes logged in it: a
	// statement's month, read without the rest of the contract's history.
	PeriodTickets(ctx context.Context, contractID string, from, to time.Time) ([]PeriodTicket, error)
}

// PeriodTicket is a ticket and the staff time logged on it in a period.
type PeriodTicket struct {
	Ticket    Ticket
	LoggedMin int // in the period; Ticket.LoggedMin is all of it
}

// Denials records refused intakes.
type Denials interface {
	AddDenial(ctx context.Context, d *Denial) error
	ListDenials(ctx context.Context) ([]Denial, error)
}

// Settings keeps small switches such as the outage notice.
type Settings interface {
	Setting(ctx context.Context, key string) (string, error) // ErrNotFound when unset
	SetSetting(ctx context.Context, key, value string) error
}

// Session is a customer's conversation state, kept between messages so a
// restart or a new replay phase picks up where the customer left off.
type Session struct {
	Phone     string
	State     string
	Data      string // the conversation package's own JSON
	UpdatedAt time.Time
}

// Sessions keeps conversation state per phone.
type Sessions interface {
	Session(ctx context.Context, phone string) (Session, error) // ErrNotFound when none
	SaveSession(ctx context.Context, s Session) error
}

// OutboxStatus is where an outbox message stands.
type OutboxStatus string

// Outbox statuses.
const (
	OutboxPending OutboxStatus = "pending"
	OutboxSent    OutboxStatus = "sent"
	OutboxFailed  OutboxStatus = "failed" // gave up; staff were told
)

// OutboxMessage is a message the bot has decided to send. It is written in
// the same transaction as the change that caused it and delivered later.
type OutboxMessage struct {
	ID          int64
	CreatedAt   time.Time
	To          string // whatsapp:+98…, telegram:staff, telegram:managers, telegram:user:ID
	TicketID    int64  // 0 when not about a ticket
	Text        string
	Buttons     []string
	ReplyTo     int64 // outbox id this message answers or threads under, 0 when none
	File        *File
	Status      OutboxStatus
	Attempts    int
	NextAttempt time.Time
	SentAt      time.Time
	ExternalID  string // the transport's id once sent (Telegram message id, WhatsApp message id)
	LastError   string
	Edit        int64  // outbox id of the message this one replaces in place (a card edit), 0 for a new message
	Thread      int64  // ticket whose forum topic this goes to (topics mode), 0 for the main chat
	Kind        string // what the message is (Outbox* kinds), for the send budget; "" for an ordinary one
	Topic       string // the title the ticket's topic should carry (cards and their edits), "" otherwise
	// ReplyToMessage is the transport's id of a message in the recipient
	// chat that this one answers when it is not the bot's own (a staff
	// member's edited message): the answer quotes it. 0 when none.
	ReplyToMessage int64
}

// Outbox message kinds: the send budget sends customer-relevant messages
// (cards, their edits, customers' follow-ups, replies) before background
// ones (reminders, digests, alerts), and joins follow-ups.
const (
	OutboxCard       = "card"       // a ticket's card
	OutboxFollowUp   = "followup"   // a customer's words relayed to staff
	OutboxBackground = "background" // reminders, digests, alerts: after everything else
)

// Outbox stores outbound messages until a transport confirms them.
type Outbox interface {
	Enqueue(ctx context.Context, m *OutboxMessage) error // sets m.ID
	OutboxMessage(ctx context.Context, id int64) (OutboxMessage, error)
	// DueOutbox lists pending messages whose next attempt is at or before now, oldest first.
	DueOutbox(ctx context.Context, now time.Time, limit int) ([]OutboxMessage, error)
	MarkSent(ctx context.Context, id int64, at time.Time, externalID string) error
	MarkRetry(ctx context.Context, id int64, next time.Time, errText string) error // attempts+1
	// Postpone schedules the next attempt without counting one: the
	// transport asked to wait (429) or could not be reached at all.
	Postpone(ctx context.Context, id int64, next time.Time, errText string) error
	MarkFailed(ctx context.Context, id int64, errText string) error
	// SentByExternal finds a sent message by recipient and transport id, for
	// routing a staff reply to the ticket it answers.
	SentByExternal(ctx context.Context, to, externalID string) (OutboxMessage, error)
}

// Inbox deduplicates inbound transport messages.
type Inbox interface {
	// RecordInbound remembers a transport message id; it returns false when
	// the id was recorded before (a redelivery), and then nothing is to be done.
	// Use it for ids unique across the transport (Telegram update ids).
	RecordInbound(ctx context.Context, transport, externalID string, at time.Time) (bool, error)
	// RecordChatInbound is RecordInbound for ids unique only within a
	// chat (WhatsApp message ids): the chat is part of the key.
	RecordChatInbound(ctx context.Context, transport, chat, externalID string, at time.Time) (bool, error)
	// PruneInbound forgets the ids recorded for messages sent before
	// `before`, among the next limit ids after `after` in key order (the
	// zero key is the start), in one transaction; it returns where the next
	// call starts, how many ids it forgot, and done when no ids follow.
	// Counts still counts the forgotten messages.
	PruneInbound(ctx context.Context, before time.Time, after InboundKey, limit int) (next InboundKey, pruned int, done bool, err error)
}

// InboundKey is a place in the recorded inbound ids, which are ordered by
// transport, chat, then id.
type InboundKey struct {
	Transport, Chat, ExternalID string
}

// HourlyKind is what an hourly entry charges for.
type HourlyKind string

// Hourly entry kinds.
const (
	HourlySettlement HourlyKind = "settlement" // month-end top-up to the monthly minimum
	HourlyExpiry     HourlyKind = "expiry"     // hours lost when the package expires
)

// HourlyEntry is a charge to an hourly package that is not ticket time: the
// month-end minimum or the hours lost at expiry. Usage counts them; at most
// one of each kind per contract and Jalali month, so a scheduler that runs
// twice charges once.
type HourlyEntry struct {
	ID         int64
	ContractID string
	At         time.Time // when it is charged; falls in the month it is for
	Month      string    // Jalali month, "1405-09"
	Kind       HourlyKind
	Minutes    int
	Note       string
}

// Hourly keeps the charges to hourly packages that scheduled work makes.
type Hourly interface {
	// AddHourlyEntry records a charge and sets e.ID; a second entry of the
	// same kind for the same contract and month is ErrConflict.
	AddHourlyEntry(ctx context.Context, e *HourlyEntry) error
	HourlyEntries(ctx context.Context, contractID string) ([]HourlyEntry, error) // in the order added
}

// Notices remembers what scheduled work has already said (a reminder, a
// breach alert, a digest, a contract-end notice), under a key that names
// it, so a restart or a second run at the same instant sends nothing twice.
// Callers record the notice in the transaction that enqueues its messages.
type Notices interface {
	// RecordNotice remembers key as sent at at; it returns false when key
	// was recorded before, and then nothing is to be sent.
	RecordNotice(ctx context.Context, key string, at time.Time) (bool, error)
}

// ContractEnds keeps the contract-end reminders that were due but wait for
// the hourly cap on such messages, and what the cap has counted in the
// latest hour, so neither is lost across a restart (docs/store.md).
type ContractEnds interface {
	// ContractEndWaiting lists the notice keys of the waiting reminders,
	// sorted.
	ContractEndWaiting(ctx context.Context) ([]string, error)
	// WaitContractEnd adds a reminder's notice key to the waiting ones;
	// one waiting already stays as it is.
	WaitContractEnd(ctx context.Context, key string) error
	// DropContractEndWaiting forgets waiting reminders; keys not waiting
	// are ignored.
	DropContractEndWaiting(ctx context.Context, keys ...string) error
	// ContractEndHour is the latest clock hour ("2026-12-02T08", office
	// time) reminders were sent in and how many messages went; "" and 0
	// before the first.
	ContractEndHour(ctx context.Context) (hour string, sent int, err error)
	// SetContractEndHour records sent messages in hour, replacing the
	// earlier hour's count.
	SetContractEndHour(ctx context.Context, hour string, sent int) error
}

// Deadlines finds the tickets whose first-response clock is still running,
// for deadline reminders and breach alerts.
type Deadlines interface {
	// UnansweredTickets lists tickets with status new, no first answer and
	// a first-response deadline after after, earliest deadline first (then
	// by id).
	UnansweredTickets(ctx context.Context, after time.Time) ([]Ticket, error)
}

// WhatsAppContact is a WhatsApp chat that wrote to the company. The bot
// answers only people who wrote first, and only to the chat they wrote from.
type WhatsAppContact struct {
	// Address is the outbox address without "whatsapp:": the E.164 phone,
	// or "lid:NNN" for a sender whose phone number WhatsApp did not reveal.
	Address string
	JID     string // the chat replies go to, e.g. 989121234567@s.whatsapp.net
	FirstAt time.Time
	LastAt  time.Time
}

// WhatsAppSent is one WhatsApp message the bot sent, followed until the
// recipient's phone confirms it (delivery and read receipts).
type WhatsAppSent struct {
	MessageID   string // WhatsApp's id
	OutboxID    int64
	Address     string // as in WhatsAppContact
	TicketID    int64  // 0 when not about a ticket
	SentAt      time.Time
	DeliveredAt time.Time // zero until delivered
	ReadAt      time.Time // zero until read
	FailedAt    time.Time // zero unless WhatsApp reported it undeliverable
	Reported    bool      // staff were told it was not delivered
}

// WhatsApp keeps what the WhatsApp transport needs between messages.
type WhatsApp interface {
	// TouchWhatsAppContact records that c wrote at c.LastAt, creating the
	// contact (FirstAt = LastAt) or updating its JID and LastAt.
	TouchWhatsAppContact(ctx context.Context, c WhatsAppContact) error
	WhatsAppContact(ctx context.Context, address string) (WhatsAppContact, error) // ErrNotFound when it never wrote
	AddWhatsAppSent(ctx context.Context, s WhatsAppSent) error
	// SendingWhatsApp records s before it is sent, so its echo and its
	// receipts are known whatever becomes of the send; a retry of the
	// same id moves SentAt to the new try and changes nothing else.
	SendingWhatsApp(ctx context.Context, s WhatsAppSent) error
	WhatsAppSent(ctx context.Context, messageID string) (WhatsAppSent, error)
	UpdateWhatsAppSent(ctx context.Context, s WhatsAppSent) error
	// UndeliveredWhatsApp lists sent messages with no delivery receipt, not
	// failed and not reported, sent before before, oldest first.
	UndeliveredWhatsApp(ctx context.Context, before time.Time) ([]WhatsAppSent, error)
	// InboundSeen reports whether RecordInbound saw the id, without recording it.
	InboundSeen(ctx context.Context, transport, externalID string) (bool, error)
	// ChatInboundSeen reports whether RecordChatInbound saw the id in chat.
	ChatInboundSeen(ctx context.Context, transport, chat, externalID string) (bool, error)
}

// WhatsAppPending is a WhatsApp message stored before it was acknowledged
// and handled later, off whatsmeow's event loop: one with a file to
// download, or one queued behind such a message in the same chat.
type WhatsAppPending struct {
	ID        int64
	Chat      string // the chat's JID; message ids are unique within it
	MessageID string
	Sender    string    // the sender's JID, for the read receipt
	Address   string    // who wrote, as WhatsAppContact.Address
	At        time.Time // when it was received, by our clock
	SentAt    time.Time // WhatsApp's timestamp; zero when none
	FromMe    bool      // typed on the company phone into the chat
	Message   []byte    // the waE2E.Message, protobuf
	// Attempts is how many rounds of handling failed, FailedAt when the
	// first did (zero before) and LastError why the last did: the give-up
	// rule reads them.
	Attempts  int
	FailedAt  time.Time
	LastError string
}

// WhatsAppQueue keeps the WhatsAppPending messages.
type WhatsAppQueue interface {
	// AddWhatsAppPending stores p and sets p.ID; false when p's chat and
	// message id are pending already (a redelivery), and then nothing
	// changed.
	AddWhatsAppPending(ctx context.Context, p *WhatsAppPending) (bool, error)
	// WhatsAppPendingList lists every pending message, oldest first.
	WhatsAppPendingList(ctx context.Context) ([]WhatsAppPending, error)
	// FailWhatsAppPending stores p's Attempts, FailedAt and LastError.
	FailWhatsAppPending(ctx context.Context, p WhatsAppPending) error
	DeleteWhatsAppPending(ctx context.Context, id int64) error
}

// Counts is the bot's activity as the metrics endpoint shows it, counted
// from the database so that it survives restarts.
type Counts struct {
	Inbound       map[string]int64 // inbound messages by transport
	Sent          map[string]int64 // outbox messages sent, by address prefix ("whatsapp", "telegram")
	Failed        map[string]int64 // outbox messages given up on, by address prefix
	Pending       int64            // outbox depth: messages not yet sent
	TicketsOpened int64
	Denials       map[string]int64 // by denial code
	Breached      int64            // tickets that missed their first-response deadline as of now
}

// Stats counts activity for monitoring.
type Stats interface {
	Counts(ctx context.Context, now time.Time) (Counts, error)
	// Ping reads the database, cheaply whatever its size: for health
	// checks.
	Ping(ctx context.Context) error
}

// States of the database as the health probe finds it (docs/durability.md).
const (
	DBOK       = "ok"
	DBLowDisk  = "low_disk"  // writes work, free space is under the warning threshold
	DBDiskFull = "disk_full" // a write failed for lack of space, or none is left
	DBLocked   = "locked"    // a write waited too long for the lock
	DBReadOnly = "read_only" // the file or its file system refuses writes
	DBFailing  = "failing"   // any other write failure (I/O error, damage)
)

// HeldReason is why a customer message was held instead of acted on.
type HeldReason string

// Reasons a customer message was held instead of acted on.
const (
	HeldFlood        HeldReason = "flood"          // sent while the customer was over the rate limit
	HeldTooLong      HeldReason = "too_long"       // the whole text of a message that was cut
	HeldFileTooLarge HeldReason = "file_too_large" // a file over the size limit, refused
	HeldFailed       HeldReason = "failed"         // handling it failed on a bug; staff were told
)

// HeldMessage is a customer message, or the part of one, that the bot stored
// without acting on it, so that nothing a customer sends is lost.
type HeldMessage struct {
	ID     int64
	At     time.Time
	Phone  string
	Reason HeldReason
	Text   string
	File   *File
}

// Held keeps customer messages the bot did not act on.
type Held interface {
	Hold(ctx context.Context, m *HeldMessage) error // sets m.ID
	// HeldPage lists one page of what was held from phone: the limit
	// messages after the newest skip ones, oldest first, and how many are
	// held in all.
	HeldPage(ctx context.Context, phone string, skip, limit int) (page []HeldMessage, total int, err error)
	// PruneHeld forgets up to limit held messages stored before `before`,
	// oldest first, and says how many it forgot.
	PruneHeld(ctx context.Context, before time.Time, limit int) (int, error)
}

// Where a received customer message went (Received.Route).
const (
	RouteTicket   = "ticket"   // filed on a ticket (opened it, followed it up, reopened it)
	RouteMenu     = "menu"     // a menu answer, greeting or command: the conversation acted on it
	RouteCourtesy = "courtesy" // thanks, agreement or emoji: kept on the latest ticket, not relayed
	RouteWaiting  = "waiting"  // kept for a request or ticket the customer is still choosing
	RouteUnknown  = "unknown"  // from a number no customer has; staff were shown it
	RouteDenied   = "denied"   // the description of a request the rules refused
	RouteHeld     = "held"     // held aside (HeldMessage) and not acted on
	RouteScore    = "score"    // the answer to the satisfaction question after a close
	RouteEdit     = "edit"     // the new text of an earlier message the customer edited
)

// Received is one customer message as it was received and where it went,
// so that nothing a customer writes is lost from sight (export -messages).
type Received struct {
	ID       int64
	At       time.Time
	Phone    string
	TicketID int64  // 0 while on no ticket
	Route    string // Route*
	Courtesy bool
	Held     HeldReason // the HeldMessage reason when held, else ""
	Text     string
	// SentAt is WhatsApp's own time for the message (the sender's phone);
	// zero when none. Shown, never used for scheduling.
	SentAt time.Time
	File   *File
}

// ReceivedLog keeps every customer message received.
type ReceivedLog interface {
	// AddReceived stores a received message and sets r.ID.
	AddReceived(ctx context.Context, r *Received) error
	// RouteReceived records where received message id went: the ticket
	// (0 for none), the route and whether it was courtesy.
	RouteReceived(ctx context.Context, id, ticketID int64, route string, courtesy bool) error
	// ListReceived lists every received message, oldest first.
	ListReceived(ctx context.Context) ([]Received, error)
}

// Store is the whole database. InTx runs fn in one transaction: fn's error
// rolls everything back.
type Store interface {
	Customers
	Contracts
	Tickets
	Denials
	Settings
	Sessions
	Outbox
	OutboxLinks
	Cards
	Relays
	UnknownCards
	Telegram
	Topics
	Unread
	Inbox
	Hourly
	Notices
	ContractEnds
	Deadlines
	WhatsApp
	WhatsAppQueue
	Stats
	Held
	Lifecycle
	ReceivedLog
	Stream
	InTx(ctx context.Context, fn func(tx Store) error) error
	Close() error
}

// Setting keys.
const (
	// SettingOutage is "on" while the power-outage notice is shown to customers.
	SettingOutage = "outage"
)

// PhoneState is what one inbound customer message needs first: the phone's
// conversation state and the customer the number belongs to, each with
// whether it exists.
type PhoneState struct {
	Session     Session
	HasSession  bool
	Customer    Customer
	HasCustomer bool
	// Unmatched is Customers.Unmatched of the customer, when there is one.
	Unmatched []string
}

// PhoneStates is offered by a Store that can read a PhoneState in one go;
// it must read exactly what Session and CustomerByPhone would.
type PhoneStates interface {
	PhoneState(ctx context.Context, phone string) (PhoneState, error)
}
