// Package notice is what the transports report that people must be told:
// WhatsApp banned or logged out, a reply never delivered, a missed call, a
// staff file too big for Telegram, the bot removed from a group. A
// transport only says what happened, with its data (an Event); the core
// (bot.Notices) words it from the catalogs in locales, picks who hears it
// (the staff group, the managers, the customer) and enqueues it through the
// outbox, once per situation. docs/operations.md ("What staff and managers
// are told") lists every event and its audience.
//
// The package imports only store (for the transaction) and outbox (for
// addresses), so both adapters and the core can use it and neither adapter
// imports package bot.
package notice

import (
	"context"
	"log/slog"
	"time"

	"supportbot/store"
)

// Event is one situation a transport reports. Kind names it in logs.
type Event interface {
	Kind() string
}

// Notifier words ev and enqueues it for the people it concerns in tx, the
// transaction of the change that caused it, so the notice exists exactly
// when the change does. at is when it happened (the outbox's creation
// time). A situation already told (a repeated connection state, a silent
// phone already warned of) enqueues nothing. bot.Notices is the Notifier.
type Notifier interface {
	Notify(ctx context.Context, tx store.Store, at time.Time, ev Event) error
}

// NotifierFunc is a function that is a Notifier.
type NotifierFunc func(ctx context.Context, tx store.Store, at time.Time, ev Event) error

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, tx store.Store, at time.Time, ev Event) error {
	return f(ctx, tx, at, ev)
}

// Dropped is the Notifier of a transport given none (tests, tools): it
// tells nobody and says so in log.
func Dropped(log *slog.Logger) Notifier {
	return NotifierFunc(func(_ context.Context, _ store.Store, _ time.Time, ev Event) error {
		log.Warn("no one to tell: the notice is dropped", "notice", ev.Kind())
		return nil
	})
}

// All is one of each event, so the core's tests can check that every
// event has words (a test of this package checks the list is complete).
func All() []Event {
	return []Event{
		WhatsAppNotPaired{}, WhatsAppLoggedOut{}, WhatsAppDown{}, WhatsAppReplaced{}, WhatsAppOutdated{},
		WhatsAppBanned{}, WhatsAppBack{}, WhatsAppPhoneSilent{}, WhatsAppUndelivered{},
		WhatsAppQueueStuck{}, WhatsAppQueueMoving{}, WhatsAppQueuedGivenUp{},
		WhatsAppMissedCall{}, WhatsAppEdited{}, WhatsAppRevoked{}, WhatsAppUndecryptable{},
		TelegramMigrated{}, TelegramRemoved{}, TelegramRestored{}, TelegramFileTooBig{}, TelegramTopicRemade{},
		TelegramConflict{}, TelegramPolling{}, TelegramWasUnreachable{},
	}
}
