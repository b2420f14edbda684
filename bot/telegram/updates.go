package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"supportbot/bot"
	"supportbot/store"
)

// allowedUpdates are the update kinds the bot asks Telegram for.
var allowedUpdates = []string{
	tgbotapi.UpdateTypeMessage, tgbotapi.UpdateTypeEditedMessage,
	tgbotapi.UpdateTypeCallbackQuery, tgbotapi.UpdateTypeMyChatMember,
}

// ErrUnauthorized is returned by Run when Telegram refuses the bot token.
var ErrUnauthorized = errors.New("telegram refused the bot token (401 Unauthorized)")

// Run reads updates with long polling and hands each to h, in order, until
// ctx is done; then it returns nil. The update in hand when ctx is cancelled
// is finished first; the offset is stored after each update, so the next Run
// starts after the last one handled. It returns ErrUnauthorized (wrapped)
// when the token is refused; other failures are logged and retried.
func (a *Adapter) Run(ctx context.Context, h Handler) error {
	work := context.WithoutCancel(ctx)
	offset, err := a.offset(ctx)
	if err != nil {
		return err
	}
	// A copy of the client whose requests end with ctx, so a stop does not
	// wait out the long poll. The library's own calls take no context.
	poller := *a.api
	poller.Client = ctxClient{ctx: ctx, c: a.api.Client}
	timeout := max(int(a.cfg.PollTimeout/time.Second), 1)
	a.cfg.Log.Info("reading updates", "offset", offset, "poll_timeout_s", timeout)
	failures := 0
	for ctx.Err() == nil {
		updates, err := poller.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Timeout: timeout, AllowedUpdates: allowedUpdates})
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			var te *tgbotapi.Error
			if errors.As(err, &te) && apiCode(te) == http.StatusUnauthorized {
				return fmt.Errorf("%w: %v", ErrUnauthorized, err)
			}
			failures++
			wait := min(time.Second<<min(failures-1, 5), 30*time.Second)
			if te != nil && te.RetryAfter > 0 {
				wait = time.Duration(te.RetryAfter) * time.Second
			}
			hint := ""
			if te != nil && apiCode(te) == http.StatusConflict {
				hint = "another process is reading this bot's updates, or a webhook is set (deleteWebhook)"
			}
			a.cfg.Log.Warn("getUpdates failed", "err", a.redact(err), "retry_in", wait, "hint", hint)
			if sleep(ctx, wait) != nil {
				break
			}
			continue
		}
		failures = 0
		for _, u := range updates {
			if u.UpdateID < offset {
				continue // confirmed before; Telegram should not send it again
			}
			if ctx.Err() != nil || !a.process(ctx, work, h, u) {
				a.cfg.Log.Info("stopped reading updates", "offset", offset)
				return nil
			}
			offset = u.UpdateID + 1
			if err := a.st.SetSetting(work, SettingOffset, strconv.Itoa(offset)); err != nil {
				// The engine's deduplication makes a redelivery harmless.
				a.cfg.Log.Error("store update offset", "offset", offset, "err", err)
			}
			a.cfg.Handled()
		}
	}
	a.cfg.Log.Info("stopped reading updates", "offset", offset)
	return nil
}

// offset is the stored next update id, 0 before the first update.
func (a *Adapter) offset(ctx context.Context) (int, error) {
	v, err := a.st.Setting(ctx, SettingOffset)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("telegram offset: %w", err)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("telegram offset %q: %w", v, err)
	}
	return n, nil
}

// ctxClient ends every request with ctx.
type ctxClient struct {
	ctx context.Context
	c   tgbotapi.HTTPClient
}

// Do sends r bound to the client's context.
func (c ctxClient) Do(r *http.Request) (*http.Response, error) { return c.c.Do(r.WithContext(c.ctx)) }

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// process handles one update on work (which outlives ctx, so the update in
// hand is finished), retrying failures a few times; an update that keeps
// failing is logged and skipped rather than blocking every later one, and
// its sender is told. It reports false when ctx ended while waiting to
// retry: the update was not handled and the offset must stay.
func (a *Adapter) process(ctx, work context.Context, h Handler, u tgbotapi.Update) bool {
	log := a.cfg.Log.With("update_id", u.UpdateID)
	skipped := false
	for attempt := 1; ; attempt++ {
		err := a.handle(work, h, u)
		if err == nil {
			break
		}
		if attempt >= a.cfg.HandleAttempts {
			log.Error("update skipped after repeated failures; the sender is told", "attempts", attempt, "err", err)
			skipped = true
			break
		}
		wait := time.Duration(attempt) * time.Second
		log.Warn("handling update failed; will retry", "attempt", attempt, "retry_in", wait, "err", err)
		if sleep(ctx, wait) != nil {
			return false
		}
	}
	if q := u.CallbackQuery; q != nil {
		// Always answered, or the staff member's client shows a spinner.
		answer := tgbotapi.NewCallback(q.ID, "")
		if skipped {
			answer = tgbotapi.NewCallbackWithAlert(q.ID, clipUnits(a.cfg.NotHandled, maxAlert))
		}
		if _, err := a.api.Request(answer); err != nil {
			log.Debug("answer callback query", "err", a.redact(err))
		}
	} else if m := u.Message; skipped && m != nil {
		a.tellSkipped(m, log)
	}
	return true
}

// maxAlert is the most a callback answer shows, in UTF-16 units.
const maxAlert = 200

// tellSkipped answers a skipped message in its chat, straight through the
// API rather than the outbox: what failed may be the store itself. Best
// effort: a failure is logged.
func (a *Adapter) tellSkipped(m *tgbotapi.Message, log *slog.Logger) {
	if _, ok := a.chatOf(m.Chat); !ok {
		return
	}
	msg := tgbotapi.NewMessage(m.Chat.ID, a.cfg.NotHandled)
	msg.ReplyToMessageID = m.MessageID
	msg.AllowSendingWithoutReply = true
	if _, err := a.api.Send(msg); err != nil {
		log.Warn("could not tell the sender that the update was skipped", "err", a.redact(err))
	}
}

// updateKey is the id the engine deduplicates an update by.
func updateKey(id int) string { return "update:" + strconv.Itoa(id) }

// handle maps one update to a staff input and hands it on; updates the desk
// has no use for are logged and dropped.
func (a *Adapter) handle(ctx context.Context, h Handler, u tgbotapi.Update) error {
	switch {
	case u.Message != nil:
		return a.message(ctx, h, u.UpdateID, u.Message)
	case u.CallbackQuery != nil:
		return a.callback(ctx, h, u.UpdateID, u.CallbackQuery)
	case u.EditedMessage != nil:
		// What was said is already handled; an edit does not undo it.
		a.cfg.Log.Debug("edited message ignored", append([]any{"update_id", u.UpdateID}, chatAttrs(u.EditedMessage.Chat)...)...)
	case u.MyChatMember != nil:
		mc := u.MyChatMember
		a.cfg.Log.Info("the bot's membership changed", "chat_id", mc.Chat.ID, "chat_type", mc.Chat.Type,
			"chat_title", mc.Chat.Title, "status", mc.NewChatMember.Status, "by_user_id", mc.From.ID)
	default:
		a.cfg.Log.Debug("update ignored", "update_id", u.UpdateID)
	}
	return nil
}

// chatAttrs are log attributes naming a chat, so an administrator can
// find a group's id in the log.
func chatAttrs(c *tgbotapi.Chat) []any {
	if c == nil {
		return nil
	}
	return []any{"chat_id", c.ID, "chat_type", c.Type, "chat_title", c.Title}
}

// message hands a message from a served chat to h: its text or caption, the
// bot message it replies to, and its file.
func (a *Adapter) message(ctx context.Context, h Handler, id int, m *tgbotapi.Message) error {
	c, ok := a.chatOf(m.Chat)
	if !ok {
		a.cfg.Log.Info("message from a chat the bot does not serve; ignored", append([]any{"update_id", id}, chatAttrs(m.Chat)...)...)
		return nil
	}
	if m.MigrateToChatID != 0 {
		a.cfg.Log.Error("the group became a supergroup: put its new chat id in the config",
			"old_chat_id", m.Chat.ID, "new_chat_id", m.MigrateToChatID)
		return nil
	}
	if m.From == nil || m.From.IsBot {
		return nil // other bots, channels and anonymous admins do not act
	}
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	if to := commandFor(text); to != "" && !strings.EqualFold(to, a.api.Self.UserName) {
		return nil // a command for another bot in the same group
	}
	tf := fileOf(m)
	if strings.TrimSpace(text) == "" && tf == nil {
		return nil // joins, leaves, pins, title changes, stickers
	}
	in := bot.StaffInput{At: a.at(m.Date), Chat: c.kind, UserID: m.From.ID, UserName: name(m.From), Text: text}
	var parent store.OutboxMessage
	if r := m.ReplyToMessage; r != nil {
		p, err := a.outboxID(ctx, c, m.Chat.ID, r.MessageID)
		switch {
		case err == nil:
			in.ReplyTo, parent = p.ID, p
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	if tf != nil {
		f, err := a.file(ctx, id, c, in, parent, tf)
		if err != nil {
			return err
		}
		in.File = f
		if f == nil && strings.TrimSpace(text) == "" {
			return nil
		}
	}
	a.cfg.Log.Debug("staff message", "update_id", id, "chat", c.kind, "user_id", in.UserID,
		"reply_to", in.ReplyTo, "text_len", len(text), "file", in.File != nil)
	return h.HandleStaff(ctx, updateKey(id), in)
}

// callback hands a button press to h.
func (a *Adapter) callback(ctx context.Context, h Handler, id int, q *tgbotapi.CallbackQuery) error {
	if q.Message == nil || q.From == nil || q.From.IsBot || q.Data == "" {
		return nil
	}
	c, ok := a.chatOf(q.Message.Chat)
	if !ok {
		a.cfg.Log.Info("button pressed in a chat the bot does not serve; ignored", append([]any{"update_id", id}, chatAttrs(q.Message.Chat)...)...)
		return nil
	}
	in := bot.StaffInput{At: a.cfg.Now(), Chat: c.kind, UserID: q.From.ID, UserName: name(q.From), Callback: q.Data}
	a.cfg.Log.Debug("button", "update_id", id, "chat", c.kind, "user_id", in.UserID, "data", q.Data)
	return h.HandleStaff(ctx, updateKey(id), in)
}

// at is a message's time; Telegram gives whole seconds.
func (a *Adapter) at(date int) time.Time {
	if date <= 0 {
		return a.cfg.Now()
	}
	return time.Unix(int64(date), 0)
}

// name is how staff are named to customers: their Telegram name.
func name(u *tgbotapi.User) string {
	if n := strings.TrimSpace(u.FirstName + " " + u.LastName); n != "" {
		return n
	}
	if u.UserName != "" {
		return "@" + u.UserName
	}
	return ""
}

// commandFor is the bot a command names ("/close@OtherBot 3" → "OtherBot"),
// "" when the text is not a command or names no bot.
func commandFor(text string) string {
	words := strings.Fields(text)
	if len(words) == 0 || !strings.HasPrefix(words[0], "/") {
		return ""
	}
	_, to, _ := strings.Cut(words[0], "@")
	return to
}
