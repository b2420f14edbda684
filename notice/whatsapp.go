package notice

import (
	"time"

	"supportbot/store"
)

// The WhatsApp connection's situations. Staff are told of each once, and of
// its end once (WhatsAppBack), however often WhatsApp repeats it and across
// restarts.

// WhatsAppNotPaired: the session file holds no account at start, so
// customers are not heard until `Command` pairs it.
type WhatsAppNotPaired struct {
	Command string // the command that pairs the account ("supportbot pair -config …")
}

// WhatsAppLoggedOut: WhatsApp unlinked the bot (or the phone removed it);
// nothing is heard or sent until Command pairs it again.
type WhatsAppLoggedOut struct {
	Command string
}

// WhatsAppDown: reconnecting has lasted longer than a short drop.
type WhatsAppDown struct {
	Since time.Time     // when the link was lost
	For   time.Duration // how long it has been down
}

// WhatsAppReplaced: another process connected with the same session (two
// copies running); the bot takes it back with a growing wait.
type WhatsAppReplaced struct{}

// WhatsAppOutdated: WhatsApp refuses this whatsmeow version (405).
type WhatsAppOutdated struct {
	Version string // the whatsmeow version presented
}

// WhatsAppBanned: WhatsApp banned the account for a while; nothing is sent
// until Until.
type WhatsAppBanned struct {
	Code  int       // WhatsApp's ban code (events.TempBanReason)
	Until time.Time // when sending is tried again
	// LengthKnown is false when WhatsApp gave no length: Until is then
	// only when the bot looks again.
	LengthKnown bool
}

// WhatsAppBack: the connection is up again. Staff hear of it only when they
// were told of a problem.
type WhatsAppBack struct{}

// WhatsAppPhoneSilent: the company phone has not been online since Seen;
// WhatsApp unlinks companion devices after about 14 days of that.
type WhatsAppPhoneSilent struct {
	Seen time.Time
	Days int // whole days since Seen
}

// Messages and calls.

// WhatsAppUndelivered: a message the bot sent (outbox row OutboxID) did not
// reach the customer: WhatsApp refused it, or no delivery receipt came
// within Wait. The adapter reports each message once.
type WhatsAppUndelivered struct {
	OutboxID int64
	Ticket   int64  // 0 when the message was not about a ticket
	Address  string // the customer's address (E.164 or lid:DIGITS)
	Refused  bool   // WhatsApp said it failed; else no receipt came
	Wait     time.Duration
}

// WhatsAppMissedCall: a customer called the company's WhatsApp, which the
// bot cannot answer; the customer is asked to write instead.
type WhatsAppMissedCall struct {
	Address string
	At      time.Time // the call's time, as WhatsApp gave it
}

// WhatsAppEdited is a customer's edit of an earlier message when no engine
// places it beside that message.
type WhatsAppEdited struct {
	Address string
	Text    string // the new text
}

// WhatsAppRevoked is a customer's deletion of an earlier message when no
// engine places it beside that message.
type WhatsAppRevoked struct {
	Address string
}

// WhatsAppUndecryptable: a message arrived that could not be opened; the
// phone was asked to send it again.
type WhatsAppUndecryptable struct {
	Address string
}

// The queue of messages handled off the event loop (files to download,
// and their chats' later messages): docs/whatsapp.md, "A queued message
// that keeps failing".

// WhatsAppQueueStuck: the oldest of Count queued messages arrived at Oldest
// and has waited Waited; customers in those chats get no answer meanwhile.
// The adapter reports it when the queue becomes stuck.
type WhatsAppQueueStuck struct {
	Count  int
	Oldest time.Time
	Waited time.Duration
}

// WhatsAppQueueMoving: the queue is not stuck (reported when it moves
// again, and at the first check after a restart that found messages
// queued). Staff hear of it only when they were told it was stuck.
type WhatsAppQueueMoving struct{}

// WhatsAppQueuedGivenUp: a queued message kept failing (Attempts rounds,
// the last with Error) and was given up so its chat goes on: handled
// without its file (FileLost), else set aside, its Text for staff to read.
// Unreadable: it could not even be read back from the queue (no Text).
// A customer's message held for a person instead is told by the engine.
// Each message (Chat, MessageID) is told once, however often reported.
type WhatsAppQueuedGivenUp struct {
	Address   string
	Chat      string // the chat's JID; MessageID is unique in it
	MessageID string
	At        time.Time // when it was received; zero when not known
	Attempts  int
	Text      string
	File      *store.File // the file it carried, not received; nil when none
	Error     string
	FileLost  bool
	// Unreadable: the stored message could not be read back at all.
	Unreadable bool
}

// Kind implementations: stable names for logs.

func (WhatsAppNotPaired) Kind() string     { return "whatsapp_not_paired" }
func (WhatsAppLoggedOut) Kind() string     { return "whatsapp_logged_out" }
func (WhatsAppDown) Kind() string          { return "whatsapp_down" }
func (WhatsAppReplaced) Kind() string      { return "whatsapp_replaced" }
func (WhatsAppOutdated) Kind() string      { return "whatsapp_outdated" }
func (WhatsAppBanned) Kind() string        { return "whatsapp_banned" }
func (WhatsAppBack) Kind() string          { return "whatsapp_back" }
func (WhatsAppPhoneSilent) Kind() string   { return "whatsapp_phone_silent" }
func (WhatsAppUndelivered) Kind() string   { return "whatsapp_undelivered" }
func (WhatsAppMissedCall) Kind() string    { return "whatsapp_missed_call" }
func (WhatsAppEdited) Kind() string        { return "whatsapp_edited" }
func (WhatsAppRevoked) Kind() string       { return "whatsapp_revoked" }
func (WhatsAppUndecryptable) Kind() string { return "whatsapp_undecryptable" }
func (WhatsAppQueueStuck) Kind() string    { return "whatsapp_queue_stuck" }
func (WhatsAppQueueMoving) Kind() string   { return "whatsapp_queue_moving" }
func (WhatsAppQueuedGivenUp) Kind() string { return "whatsapp_queued_given_up" }
