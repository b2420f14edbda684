package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"supportbot/outbox"
	"supportbot/store"
)

// Topics mode (docs/telegram.md, "Topics"): the staff group is a forum and
// each ticket has its own topic, made at the ticket's first message there
// (createForumTopic) and renamed when its card's title changes
// (editForumTopic). The library predates forums (Bot API 6.3), so these
// calls and message_thread_id go as raw requests.

// topicOf is the topic of ticket in chatID and its title; thread 0 when it
// has none there (the title of one that was deleted is kept).
func (a *Adapter) topicOf(ctx context.Context, ticket, chatID int64) (thread int, title string, err error) {
	t, err := a.st.Topic(ctx, ticket)
	if errors.Is(err, store.ErrNotFound) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", err
	}
	if t.Chat != chatID {
		return 0, "", nil // made in the group before it became a supergroup
	}
	return t.Thread, t.Title, nil
}

// topic is the thread m goes to in chatID: its ticket's topic, made now
// when it has none (or lost it), renamed when m carries a new title.
func (a *Adapter) topic(ctx context.Context, m store.OutboxMessage, chatID int64) (int, error) {
	thread, title, err := a.topicOf(ctx, m.Thread, chatID)
	if err != nil {
		return 0, err
	}
	want := strings.TrimSpace(m.Topic)
	if thread == 0 {
		return a.createTopic(ctx, m, chatID, topicTitle(want, title, m.Thread))
	}
	if want != "" && want != title {
		if err := a.renameTopic(ctx, m, chatID, thread, want); err != nil {
			return 0, err
		}
	}
	return thread, nil
}

// createTopic makes ticket m.Thread's topic and remembers it.
func (a *Adapter) createTopic(ctx context.Context, m store.OutboxMessage, chatID int64, title string) (int, error) {
	params := tgbotapi.Params{}
	params.AddNonZero64("chat_id", chatID)
	params["name"] = topicName(title)
	resp, err := a.with(ctx, a.cfg.SendTimeout).MakeRequest("createForumTopic", params)
	if err != nil {
		return 0, a.classify(m.To, chatID, err)
	}
	var t struct {
		Thread int `json:"message_thread_id"`
	}
	if err := json.Unmarshal(resp.Result, &t); err != nil || t.Thread == 0 {
		return 0, fmt.Errorf("createForumTopic: no message_thread_id in the answer: %v", err)
	}
	a.cfg.Log.Info("forum topic made", "ticket", m.Thread, "thread", t.Thread)
	// A message written in the topic reaches its ticket (store.Topics).
	if err := a.st.SetTopic(context.WithoutCancel(ctx), store.Topic{TicketID: m.Thread, Chat: chatID, Thread: t.Thread, Title: title}); err != nil {
		return 0, fmt.Errorf("remember the topic of ticket %d: %w", m.Thread, err)
	}
	return t.Thread, nil
}

// renameTopic gives the topic its ticket's new title (the status changed).
// A topic that is gone is left for the send to find out.
func (a *Adapter) renameTopic(ctx context.Context, m store.OutboxMessage, chatID int64, thread int, title string) error {
	params := tgbotapi.Params{}
	params.AddNonZero64("chat_id", chatID)
	params.AddNonZero("message_thread_id", thread)
	params["name"] = topicName(title)
	_, err := a.with(ctx, a.cfg.SendTimeout).MakeRequest("editForumTopic", params)
	var te *tgbotapi.Error
	switch {
	case err == nil, errors.As(err, &te) && strings.Contains(te.Message, "TOPIC_NOT_MODIFIED"):
	case errors.As(err, &te) && apiCode(te) == http.StatusBadRequest:
		a.cfg.Log.Warn("forum topic not renamed", "ticket", m.Thread, "thread", thread, "err", a.redact(err))
		return nil
	default:
		return a.classify(m.To, chatID, err)
	}
	return a.st.SetTopic(context.WithoutCancel(ctx), store.Topic{TicketID: m.Thread, Chat: chatID, Thread: thread, Title: title})
}

// forgetTopic drops a ticket's topic that Telegram says is gone, keeping
// its title, so the next send makes it again under the same name.
func (a *Adapter) forgetTopic(ctx context.Context, ticket, chatID int64, title string) error {
	return a.st.SetTopic(context.WithoutCancel(ctx), store.Topic{TicketID: ticket, Chat: chatID, Title: title})
}

// topicTitle is the title a new topic gets: the one the message carries,
// else the one the ticket's topic had, else the ticket's number.
func topicTitle(want, had string, ticket int64) string {
	switch {
	case strings.TrimSpace(want) != "":
		return strings.TrimSpace(want)
	case had != "":
		return had
	}
	return "#" + strconv.FormatInt(ticket, 10)
}

// topicName fits a title to Telegram's 128 characters.
func topicName(title string) string {
	r := []rune(outbox.PlainMentions(title))
	if len(r) > 128 {
		return string(r[:127]) + "…"
	}
	return string(r)
}

// threadGone is Telegram's answer to a message for a topic that was
// deleted.
func threadGone(err error) bool {
	var te *tgbotapi.Error
	if !errors.As(err, &te) || apiCode(te) != http.StatusBadRequest {
		return false
	}
	msg := strings.ToLower(te.Message)
	return strings.Contains(msg, "message thread not found") || strings.Contains(msg, "topic_deleted") ||
		strings.Contains(msg, "topic_id_invalid")
}

// topicClosed is Telegram's answer to a message for a topic an
// administrator closed: it still exists, with the ticket's history.
func topicClosed(err error) bool {
	var te *tgbotapi.Error
	return errors.As(err, &te) && apiCode(te) == http.StatusBadRequest &&
		strings.Contains(strings.ToLower(te.Message), "topic_closed")
}

// reopenTopic reopens ticket m.Thread's closed topic (reopenForumTopic).
// A topic that is open already counts as reopened; a refusal is the
// send's error, classified.
func (a *Adapter) reopenTopic(ctx context.Context, m store.OutboxMessage, chatID int64, thread int) error {
	params := tgbotapi.Params{}
	params.AddNonZero64("chat_id", chatID)
	params.AddNonZero("message_thread_id", thread)
	_, err := a.with(ctx, a.cfg.SendTimeout).MakeRequest("reopenForumTopic", params)
	var te *tgbotapi.Error
	if err != nil && !(errors.As(err, &te) && strings.Contains(te.Message, "TOPIC_NOT_MODIFIED")) {
		a.cfg.Log.Warn("a closed forum topic could not be reopened", "ticket", m.Thread, "thread", thread, "err", a.redact(err))
		return a.classify(m.To, chatID, err)
	}
	a.cfg.Log.Info("a closed forum topic was reopened for its ticket's message", "ticket", m.Thread, "thread", thread)
	return nil
}

// topicTicket is the ticket whose topic thread is in chatID, 0 for none
// (the General topic, a topic people made themselves).
func (a *Adapter) topicTicket(ctx context.Context, chatID int64, thread int) (int64, error) {
	if thread == 0 {
		return 0, nil
	}
	id, err := a.st.TopicTicket(ctx, chatID, thread)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	return id, err
}

// wireMessage is what getUpdates says of a message that the library's
// Message lacks: the forum topic it was written in, and whether it is a
// forward (Bot API 7 says so with forward_origin only).
type wireMessage struct {
	Thread        int             `json:"message_thread_id"`
	IsTopic       bool            `json:"is_topic_message"`
	ForwardOrigin json.RawMessage `json:"forward_origin"`
	ForwardDate   int             `json:"forward_date"`
}

// wireExtra is what the desk needs of a raw update's message beyond the
// library's decoding.
type wireExtra struct {
	thread    int  // the forum topic it was written in, 0 when none
	forwarded bool // a forward of someone's message
}

// extraOf reads a raw update's message (new or edited) for wireExtra.
func extraOf(raw json.RawMessage) wireExtra {
	var u struct {
		Message       *wireMessage `json:"message"`
		EditedMessage *wireMessage `json:"edited_message"`
	}
	if json.Unmarshal(raw, &u) != nil {
		return wireExtra{}
	}
	m := u.Message
	if m == nil {
		m = u.EditedMessage
	}
	if m == nil {
		return wireExtra{}
	}
	var x wireExtra
	if m.IsTopic {
		x.thread = m.Thread
	}
	x.forwarded = m.ForwardDate != 0 || (len(m.ForwardOrigin) > 0 && string(m.ForwardOrigin) != "null")
	return x
}

// sendThreaded sends one part to a forum topic: sendMessage, sendPhoto or
// sendDocument with message_thread_id, as raw requests.
func (a *Adapter) sendThreaded(ctx context.Context, base tgbotapi.BaseChat, p part, bold, plain bool, thread int) (tgbotapi.Message, error) {
	params := tgbotapi.Params{}
	params.AddNonZero64("chat_id", base.ChatID)
	params.AddNonZero("message_thread_id", thread)
	params.AddNonZero("reply_to_message_id", base.ReplyToMessageID)
	params.AddBool("allow_sending_without_reply", base.AllowSendingWithoutReply)
	if err := params.AddInterface("reply_markup", base.ReplyMarkup); err != nil {
		return tgbotapi.Message{}, err
	}
	text, mode := a.html(p.text, bold), tgbotapi.ModeHTML
	if plain {
		text, mode = outbox.PlainMentions(p.text), ""
	}
	var resp *tgbotapi.APIResponse
	var err error
	if p.file == nil {
		params["text"] = text
		params.AddNonEmpty("parse_mode", mode)
		params.AddBool("disable_web_page_preview", true)
		resp, err = a.with(ctx, a.cfg.SendTimeout).MakeRequest("sendMessage", params)
	} else {
		c, size, closeFile, ferr := a.fileMessage(base, p, bold, plain)
		if ferr != nil {
			return tgbotapi.Message{}, ferr
		}
		defer closeFile()
		method, field, data := "sendDocument", "document", tgbotapi.RequestFileData(nil)
		switch c := c.(type) {
		case tgbotapi.PhotoConfig:
			method, field, data = "sendPhoto", "photo", c.File
		case tgbotapi.DocumentConfig:
			data = c.File
		}
		if p.text != "" {
			params["caption"] = text
			params.AddNonEmpty("parse_mode", mode)
		}
		resp, err = a.with(ctx, a.transferTimeout(size)).UploadFiles(method, params, []tgbotapi.RequestFile{{Name: field, Data: data}})
	}
	if err != nil {
		return tgbotapi.Message{}, err
	}
	var msg tgbotapi.Message
	if err := json.Unmarshal(resp.Result, &msg); err != nil {
		return tgbotapi.Message{}, fmt.Errorf("the answer is not a message: %w", err)
	}
	return msg, nil
}

// cardFirst records that ticket's card, posted again as outbox message
// card (0: none) after its topic was re-made, must reach the new topic
// before anything else about the ticket.
func (a *Adapter) cardFirst(ticket, card int64) {
	if card == 0 {
		return
	}
	a.mu.Lock()
	a.reposts[ticket] = card
	a.mu.Unlock()
}

// sendCardFirst sends the card ticket waits for (cardFirst) ahead of its
// turn in the outbox, and records it sent, so a message about the ticket
// never lands in a re-made topic above its card. An error leaves the card
// waiting and the message must wait too.
func (a *Adapter) sendCardFirst(ctx context.Context, ticket int64) error {
	a.mu.Lock()
	id, ok := a.reposts[ticket]
	delete(a.reposts, ticket) // taken while it is sent: no recursion
	a.mu.Unlock()
	if !ok {
		return nil
	}
	card, err := a.st.OutboxMessage(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && card.Status != store.OutboxPending) {
		return nil // sent (or given up on) by the dispatcher meanwhile
	}
	var ext string
	if err == nil {
		ext, err = a.Send(ctx, card)
	}
	if err != nil {
		a.cardFirst(ticket, id) // still first, at the next try
		return err
	}
	// Recorded even when ctx ends meanwhile; should the record fail, the
	// dispatcher sends it again later as an edit of the card just posted,
	// which changes nothing.
	if err := a.st.MarkSent(context.WithoutCancel(ctx), card.ID, a.cfg.Now(), ext); err != nil {
		a.cfg.Log.Warn("a card posted again in its re-made topic is not recorded as sent", "outbox_id", card.ID, "err", err)
	}
	a.cfg.Log.Info("the ticket's card went first into its re-made topic", "ticket", ticket, "outbox_id", card.ID)
	return nil
}
