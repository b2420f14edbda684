package notice

import (
	"time"

	"supportbot/outbox"
)

// The Telegram transport's situations. A notice about a group goes to the
// managers' private chats, never a group: a group may be what it is about.

// TelegramMigrated: the group Chat (outbox.StaffGroup or
// outbox.ManagersGroup) became a supergroup; the bot follows it, and the
// configuration should name NewID.
type TelegramMigrated struct {
	Chat  outbox.Address
	OldID int64
	NewID int64
}

// TelegramRemoved: the group Chat refuses the bot (removed, or not allowed
// to write); its messages wait.
type TelegramRemoved struct {
	Chat   outbox.Address
	ChatID int64
}

// TelegramRestored: the group Chat takes the bot's messages again.
type TelegramRestored struct {
	Chat   outbox.Address
	ChatID int64
}

// TelegramFileTooBig: a file staff sent in Chat is over Telegram's download
// limit for bots, so it was not relayed to the customer of Ticket.
type TelegramFileTooBig struct {
	Chat   outbox.Address
	Ticket int64 // 0 when the reply was not on a ticket
	Name   string
	Bytes  int64
}

// TelegramTopicRemade: ticket Ticket's forum topic was deleted and the
// transport made it again (topics mode); the ticket's card went with the
// old topic.
type TelegramTopicRemade struct {
	Ticket int64
	// Card, when not nil, receives the outbox id of the card the core
	// queued to post again (0 when it queued none): the transport sends
	// it first, so staff reading the new topic top-down meet the card
	// before the message that found the topic gone.
	Card *int64
}

// TelegramConflict: Telegram refuses the bot's getUpdates (409) because
// another process reads this bot's updates, or (Webhook) a webhook is set
// that the bot could not remove; staff input does not reach the bot,
// while its sends still go.
type TelegramConflict struct {
	Webhook bool
}

// TelegramPolling: getUpdates is answered (reported at the first answered
// poll of each run and after a conflict); staff hear of it only when they
// were told of a conflict.
type TelegramPolling struct{}

// TelegramWasUnreachable: Telegram did not answer from Since to Until (the
// network, a proxy, Telegram itself), long enough for /healthz to turn
// red; reported when it answers again, since only then can anyone hear
// it. Staff input of that time is handled now and held messages go out.
type TelegramWasUnreachable struct {
	Since, Until time.Time
}

func (TelegramWasUnreachable) Kind() string { return "telegram_was_unreachable" }
func (TelegramTopicRemade) Kind() string    { return "telegram_topic_remade" }
func (TelegramConflict) Kind() string       { return "telegram_conflict" }
func (TelegramPolling) Kind() string        { return "telegram_polling" }

func (TelegramMigrated) Kind() string   { return "telegram_migrated" }
func (TelegramRemoved) Kind() string    { return "telegram_removed" }
func (TelegramRestored) Kind() string   { return "telegram_restored" }
func (TelegramFileTooBig) Kind() string { return "telegram_file_too_big" }
