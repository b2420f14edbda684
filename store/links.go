package store

import (
	"context"
	"time"

	"supportbot/rules"
)

// Card is the staff-group message that stands for a ticket: the outbox
// message that posted it (edits replace it in place) and what it shows now.
type Card struct {
	TicketID int64
	OutboxID int64
	// Shown is what the card shows (text, buttons, topic title), compared
	// whole so the card is edited only when it changes; "" when not known
	// (a card posted before cards were edited).
	Shown string
	// SentAt is WhatsApp's own time for the customer message that opened
	// the ticket, when the card shows it (it came late); zero otherwise.
	SentAt time.Time
}

// Cards keeps each ticket's card.
type Cards interface {
	// SetCard creates or replaces the card of c.TicketID.
	SetCard(ctx context.Context, c Card) error
	Card(ctx context.Context, ticketID int64) (Card, error) // ErrNotFound when none was posted
	// CardView reads, in one go, ticket ticketID's card and what the
	// card is drawn from: the ticket, its customer and its contract, as
	// Card, Ticket, Customer and Contract would (the customer without
	// its phones). Given known, the ticket the caller holds, the ticket
	// is not read again: its customer and contract are. ErrNotFound when
	// the ticket has no card (or, without known, is gone).
	CardView(ctx context.Context, ticketID int64, known *Ticket) (CardView, error)
}

// CardView is what redrawing a ticket's card reads (Cards.CardView).
type CardView struct {
	Card   Card
	Ticket Ticket // the known ticket when one was given
	// Customer has ID and Name, and Contract every field, when
	// HasCustomer and HasContract say they exist.
	Customer    Customer
	HasCustomer bool
	Contract    rules.Contract
	HasContract bool
}

// Relays links the staff-group messages that show a customer's words to
// what they show, so a staff reply or a customer's edit finds its way.
type Relays interface {
	// MarkRelay records that outbox message outboxID relays a customer's
	// words or file on ticketID to staff: a reply to it reaches the
	// customer.
	MarkRelay(ctx context.Context, outboxID, ticketID int64) error
	IsRelay(ctx context.Context, outboxID int64) (bool, error)
	// SetMessageRelay records the outbox message (a relay or a card) that
	// showed staff the customer's message messageID in chat.
	SetMessageRelay(ctx context.Context, chat, messageID string, outboxID int64) error
	MessageRelay(ctx context.Context, chat, messageID string) (int64, error) // ErrNotFound when none
}

// OutboxLinks keeps what delivering an outbox message leaves behind beyond
// its row: the transport messages it went out as, and whether it is a
// failure report.
type OutboxLinks interface {
	// SetOutboxParts records the transport message ids the outbox message
	// has gone out as in chat so far, in order, replacing the earlier list
	// for that chat: a retry sends only the rest. chat is the transport's
	// (a Telegram chat id; "" for WhatsApp, whose ids name the chat).
	SetOutboxParts(ctx context.Context, outboxID int64, chat string, externalIDs []string) error
	// OutboxParts lists what SetOutboxParts recorded for chat; none when
	// nothing was.
	OutboxParts(ctx context.Context, outboxID int64, chat string) ([]string, error)
	// OutboxByPart is the outbox message a transport message in chat is a
	// part of; ErrNotFound when none.
	OutboxByPart(ctx context.Context, chat, externalID string) (int64, error)
	// MarkOutboxReport records that outbox message reportID tells staff
	// that failedID was given up on: a report that fails is not reported.
	MarkOutboxReport(ctx context.Context, reportID, failedID int64) error
	IsOutboxReport(ctx context.Context, id int64) (bool, error)
}

// UnknownCard is a staff-group card about a contact no customer has:
// `/link CUSTOMER_ID` in reply to it links the contact, and the contact's
// later messages that day go under it.
type UnknownCard struct {
	OutboxID int64
	Contact  string // the phone or hidden address, as the desk names it
	Day      string // the office date it was posted, "2006-01-02"
}

// UnknownCards keeps the cards about unknown contacts.
type UnknownCards interface {
	AddUnknownCard(ctx context.Context, c UnknownCard) error
	UnknownCard(ctx context.Context, outboxID int64) (UnknownCard, error) // ErrNotFound when the message is no such card
	// LatestUnknownCard is the contact's newest card; ErrNotFound when none.
	LatestUnknownCard(ctx context.Context, contact string) (UnknownCard, error)
}

// Telegram keeps what the Telegram side learns as it goes: who the staff
// are by name, which supergroup a group became, and which message stands
// for a card that had to be posted anew.
type Telegram interface {
	// SetStaffName records the name a Telegram user writes under in a
	// staff chat.
	SetStaffName(ctx context.Context, userID int64, name string) error
	StaffName(ctx context.Context, userID int64) (string, error) // ErrNotFound when never seen
	// SetChatMigration records that Telegram group from became the
	// supergroup to.
	SetChatMigration(ctx context.Context, from, to int64) error
	ChatMigration(ctx context.Context, from int64) (int64, error) // ErrNotFound when it did not move
	// SetOutboxRepost records the transport message ("chat:message") that
	// stands for outbox message outboxID after it was posted anew (the
	// original was deleted): later edits change it.
	SetOutboxRepost(ctx context.Context, outboxID int64, externalID string) error
	OutboxRepost(ctx context.Context, outboxID int64) (string, error) // ErrNotFound when never posted anew
}

// Topic is a ticket's forum topic in a Telegram group (topics mode).
type Topic struct {
	TicketID int64
	Chat     int64
	Thread   int    // 0 when the topic is gone (its title is kept for the next one)
	Title    string // what Telegram shows
}

// Topics keeps each ticket's forum topic and which ticket a topic is for.
type Topics interface {
	// SetTopic records the ticket's topic; a topic with a thread also
	// becomes the one messages written in it go to.
	SetTopic(ctx context.Context, t Topic) error
	Topic(ctx context.Context, ticketID int64) (Topic, error) // ErrNotFound when none was made
	// TopicTicket is the ticket whose topic thread is in chat; ErrNotFound
	// for none (the General topic, one people made themselves).
	TopicTicket(ctx context.Context, chat int64, thread int) (int64, error)
}

// UnreadMessage is a customer's WhatsApp message waiting for its read
// receipt until someone answers (whatsapp.mark_read: after_answer).
type UnreadMessage struct {
	ID     string // WhatsApp's message id
	Chat   string // JID
	Sender string // JID
}

// Unread keeps the messages waiting for their read receipt, per customer
// address.
type Unread interface {
	// HoldUnread adds m to what address wrote since the last answer,
	// keeping the newest max; one held already stays where it is.
	HoldUnread(ctx context.Context, address string, m UnreadMessage, max int) error
	Unread(ctx context.Context, address string) ([]UnreadMessage, error) // oldest first
	ForgetUnread(ctx context.Context, address string) error
}
