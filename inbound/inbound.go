// Package inbound holds what the transports hand the engine: a customer's
// WhatsApp message, an edit or deletion of one, a message typed on the
// company phone, a staff member's message or button press (StaffInput),
// and the names of the transports and staff chats. The
// adapters (bot/whatsapp, bot/telegram) build these from wire types and
// never import package bot; the engine (bot.Engine) takes them.
package inbound

import (
	"time"

	"supportbot/store"
)

// Transport names, as inbound deduplication keys them.
const (
	TransportWhatsApp = "whatsapp"
	TransportTelegram = "telegram"
)

// Chats a staff input can come from, as replay scripts and the Telegram
// adapter name them.
const (
	ChatStaff    = "staff"    // the staff group
	ChatManagers = "managers" // the managers group, when configured
	ChatPrivate  = "private"  // a private chat with the bot
)

// CustomerMessage is a message from a customer's WhatsApp number.
type CustomerMessage struct {
	ID string // the transport's message id; "" when the transport has none
	// Chat is the chat the id is unique in (WhatsApp ids are per chat);
	// "" means the chat is Phone.
	Chat  string
	Phone string // E.164
	At    time.Time
	// SentAt is the transport's own time for the message (WhatsApp's
	// timestamp, from the sender's phone); zero when none. It is stored and
	// shown to staff when it differs from At, never used for scheduling.
	SentAt time.Time
	Text   string
	File   *store.File
}

// DedupChat is what m's id is deduplicated within: Chat, else Phone.
func (m CustomerMessage) DedupChat() string {
	if m.Chat != "" {
		return m.Chat
	}
	return m.Phone
}

// CompanyMessage is a message typed on the company phone itself into a
// customer's chat (WhatsApp's IsFromMe): a person at the company answering
// by hand. See docs/whatsapp.md, "Answers typed on the company phone".
type CompanyMessage struct {
	ID    string // the transport's message id; "" when none
	Chat  string // the chat the id is unique in; "" means Phone
	Phone string // the customer's address (E.164 or lid:DIGITS)
	At    time.Time
	Text  string
	File  *store.File
}

// CustomerEdit is a customer's edit or deletion of an earlier WhatsApp
// message (docs/whatsapp.md, "Edits and deletions").
type CustomerEdit struct {
	ID       string // the edit's own message id; "" when none
	Chat     string // the chat ids are unique in; "" means Phone
	Original string // the id of the message edited or deleted
	Phone    string
	At       time.Time
	Text     string // the new text; "" for a deletion
	Revoked  bool   // deleted for everyone
}
