package telegram

import (
	"context"
	"errors"
	"net/http"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"supportbot/outbox"
	"supportbot/store"
)

// edit replaces the Telegram message that outbox message m.Edit became with
// m's text and buttons (editMessageText; no buttons removes them). "Message
// is not modified" is success: the card already shows this. When the
// message cannot be edited (deleted, never sent, in a chat the bot left
// behind) m is posted as a new message instead, and later edits change
// that one, so what the card says is never lost.
func (a *Adapter) edit(ctx context.Context, m store.OutboxMessage, chatID int64) (string, error) {
	if a.inTopic(m) && m.Topic != "" {
		// The topic's title follows the card (the status changed).
		if _, err := a.topic(ctx, m, chatID); err != nil {
			return "", err
		}
	}
	msgID, ok, err := a.editTarget(ctx, m, chatID)
	if err != nil {
		return "", err
	}
	if !ok {
		return a.repost(ctx, m)
	}
	text := strings.TrimSpace(m.Text)
	if parts := Split(text, MaxText); len(parts) > 0 {
		text = parts[0] // a card is one message; a longer text keeps its start
	}
	bold := m.Kind == store.OutboxCard || len(m.Buttons) > 0
	c := tgbotapi.NewEditMessageText(chatID, msgID, a.html(text, bold))
	c.ParseMode, c.DisableWebPagePreview = tgbotapi.ModeHTML, true
	c.ReplyMarkup = a.keyboard(m)
	_, err = a.with(ctx, a.cfg.SendTimeout).Request(c)
	if err != nil && refusedMarkup(err) {
		a.cfg.Log.Warn("Telegram refused the edit's formatting; editing as plain text", "outbox_id", m.ID, "err", a.redact(err))
		c.Text, c.ParseMode = outbox.PlainMentions(text), ""
		_, err = a.with(ctx, a.cfg.SendTimeout).Request(c)
	}
	switch {
	case err == nil, notModified(err):
	case cannotEdit(err):
		a.cfg.Log.Info("the message to edit is gone; posting it anew", "outbox_id", m.ID, "edits", m.Edit, "err", a.redact(err))
		return a.repost(ctx, m)
	default:
		return "", a.classify(m.To, chatID, err)
	}
	a.reachable(m.To, chatID)
	return externalID(chatID, msgID), nil
}

// editTarget is the Telegram message in chatID that an edit changes; ok is
// false when there is none to change.
func (a *Adapter) editTarget(ctx context.Context, m store.OutboxMessage, chatID int64) (int, bool, error) {
	ext := ""
	v, err := a.st.OutboxRepost(ctx, m.Edit)
	switch {
	case err == nil:
		ext = v
	case !errors.Is(err, store.ErrNotFound):
		return 0, false, err
	default:
		target, err := a.st.OutboxMessage(ctx, m.Edit)
		if errors.Is(err, store.ErrNotFound) {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, err
		}
		if target.Status != store.OutboxSent {
			return 0, false, nil // given up on: the edit shows it
		}
		ext = target.ExternalID
	}
	c, msgID, ok := parseExternalID(ext)
	if !ok || c != chatID {
		return 0, false, nil // sent to the group before it became a supergroup
	}
	return msgID, true, nil
}

// repost sends edit m as a new message and remembers it as the one later
// edits of the same message change.
func (a *Adapter) repost(ctx context.Context, m store.OutboxMessage) (string, error) {
	target := m.Edit
	m.Edit = 0
	ext, err := a.Send(ctx, m)
	if err != nil {
		return "", err
	}
	if err := a.st.SetOutboxRepost(context.WithoutCancel(ctx), target, ext); err != nil {
		a.cfg.Log.Warn("remember a message posted anew", "outbox_id", m.ID, "err", err)
	}
	return ext, nil
}

// notModified is Telegram's answer to an edit that changes nothing.
func notModified(err error) bool {
	var te *tgbotapi.Error
	return errors.As(err, &te) && apiCode(te) == http.StatusBadRequest &&
		strings.Contains(strings.ToLower(te.Message), "message is not modified")
}

// cannotEdit is Telegram's answer to an edit of a message that is gone or
// may not be edited any more.
func cannotEdit(err error) bool {
	var te *tgbotapi.Error
	if !errors.As(err, &te) || apiCode(te) != http.StatusBadRequest {
		return false
	}
	msg := strings.ToLower(te.Message)
	for _, s := range []string{"message to edit not found", "message can't be edited", "message_id_invalid", "message not found"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
