package telegramtest

import (
	"encoding/json"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Group is a supergroup chat.
func Group(id int64, title string) tgbotapi.Chat {
	return tgbotapi.Chat{ID: id, Type: "supergroup", Title: title}
}

// Private is the private chat with a user (its id is the user's).
func Private(u tgbotapi.User) tgbotapi.Chat {
	return tgbotapi.Chat{ID: u.ID, Type: "private", FirstName: u.FirstName}
}

// Person is a human Telegram user.
func Person(id int64, firstName string) tgbotapi.User {
	return tgbotapi.User{ID: id, FirstName: firstName}
}

// Message is an update with a message from a user in a chat. A text that
// starts with "/" carries a bot_command entity, as Telegram sends it.
func Message(chat tgbotapi.Chat, from tgbotapi.User, text string) tgbotapi.Update {
	m := &tgbotapi.Message{MessageID: nextUserMessage(), From: &from, Chat: &chat, Date: int(time.Now().Unix()), Text: text}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		m.Entities = []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: len(utf16.Encode([]rune(cmd)))}}
	}
	return tgbotapi.Update{Message: m}
}

// Reply is a message that replies to message replyTo, sent by replyFrom.
func Reply(chat tgbotapi.Chat, from tgbotapi.User, text string, replyTo int, replyFrom tgbotapi.User) tgbotapi.Update {
	u := Message(chat, from, text)
	u.Message.ReplyToMessage = &tgbotapi.Message{MessageID: replyTo, From: &replyFrom, Chat: &chat, Date: u.Message.Date}
	return u
}

// Button is a press of an inline button under message messageID.
func Button(chat tgbotapi.Chat, from tgbotapi.User, messageID int, data string) tgbotapi.Update {
	bot := BotUser
	return tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{
		From:         &from,
		Message:      &tgbotapi.Message{MessageID: messageID, From: &bot, Chat: &chat, Date: int(time.Now().Unix())},
		ChatInstance: "1",
		Data:         data,
	}}
}

var (
	userMu       sync.Mutex
	userMessages = 5000
)

// nextUserMessage numbers the messages people send.
func nextUserMessage() int {
	userMu.Lock()
	defer userMu.Unlock()
	userMessages++
	return userMessages
}

// PushInTopic queues a message update written in forum topic thread, as
// Telegram sends it: message_thread_id and is_topic_message set, and, when
// the message quotes nothing, a reply to the topic's first message (the
// library's Message has no field for either, so it goes as raw JSON). It
// returns the update's id.
func (s *Server) PushInTopic(u tgbotapi.Update, thread int) int {
	return s.PushInTopicWith(u, thread, nil)
}

// PushInTopicWith is PushInTopic (of a new or an edited message) with fields the library's Message lacks
// set on the message, such as Bot API 7's forward_origin.
func (s *Server) PushInTopicWith(u tgbotapi.Update, thread int, extra map[string]any) int {
	key, src := "message", u.Message
	if src == nil {
		key, src = "edited_message", u.EditedMessage
	}
	m := *src
	if m.ReplyToMessage == nil {
		m.ReplyToMessage = &tgbotapi.Message{MessageID: thread, Chat: m.Chat, Date: m.Date}
	}
	data, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		panic(err)
	}
	fields["message_thread_id"] = thread
	fields["is_topic_message"] = true
	for k, v := range extra {
		fields[k] = v
	}
	data, err = json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	return s.PushRaw(`"` + key + `":` + string(data))
}

// AnonymousBot is the user Telegram names as the sender of an anonymous
// administrator's post.
var AnonymousBot = tgbotapi.User{ID: 1087968824, IsBot: true, FirstName: "Group", UserName: "GroupAnonymousBot"}

// Anonymous is a message an administrator posted as the group itself
// ("Remain anonymous"): sent by AnonymousBot on behalf of chat.
func Anonymous(chat tgbotapi.Chat, text string) tgbotapi.Update {
	u := Message(chat, AnonymousBot, text)
	c := chat
	u.Message.SenderChat = &c
	return u
}

// Edited is the update Telegram sends when u's message is edited to text:
// edited_message, with the original date and editDate.
func Edited(u tgbotapi.Update, text string, editDate int) tgbotapi.Update {
	m := *u.Message
	m.Text, m.EditDate = text, editDate
	return tgbotapi.Update{EditedMessage: &m}
}
