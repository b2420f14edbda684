package inbound

import (
	"time"

	"supportbot/store"
)

// StaffInput is one message or button press from the staff side
// (Telegram), transport-free: the Telegram adapter builds it from an
// update, replay scripts and the demo from their events, and the desk
// (bot.Desk.HandleStaff) acts on it.
type StaffInput struct {
	At            time.Time
	Chat          string // ChatStaff, ChatManagers or ChatPrivate
	UserID        int64
	UserName      string
	IsBot         bool
	Text          string
	ReplyTo       int64 // outbox id of the bot message this replies to, 0 when none
	ReplyToTicket int64 // a reply to that ticket's card, 0 when none
	// ReplyToUnknown: the message replies to one of the bot's own that the
	// bot has no record of, such as a card sent twice because the bot was
	// stopped after Telegram took it and before it was recorded.
	ReplyToUnknown bool
	// ReplyToOther: the message quotes one that is not the bot's (a
	// colleague's, one's own, another bot's): staff talking among
	// themselves, never an answer to the customer.
	ReplyToOther bool
	// Forwarded: a forward of someone's message, never an answer to the
	// customer.
	Forwarded bool
	Thread    int64 // written in that ticket's forum topic (topics mode), 0 when not
	// MessageID is the transport's id of the message in its chat, 0 when
	// none (a button, a replay event): the desk answers an edit in reply.
	MessageID int64
	// Edited: an edit of the earlier message MessageID, first sent at
	// Original; the rest of the input is the message as edited.
	Edited   bool
	Original time.Time
	// Anonymous: an administrator posting as the group ("Remain
	// anonymous"); UserID is 0, Telegram does not say who it is.
	Anonymous bool
	File      *store.File
	Callback  string // inline-button data such as "claim:12" or "decline:12:misuse"
}
