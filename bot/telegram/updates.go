package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"supportbot/inbound"
	"supportbot/notice"
	"supportbot/outbox"
	"supportbot/store"
)

// allowedUpdates are the update kinds the bot asks Telegram for.
var allowedUpdates = []string{
	tgbotapi.UpdateTypeMessage, tgbotapi.UpdateTypeEditedMessage,
	tgbotapi.UpdateTypeCallbackQuery, tgbotapi.UpdateTypeMyChatMember,
}

// ErrUnauthorized is returned by Run when Telegram refuses the bot token.
var ErrUnauthorized = errors.New("telegram refused the bot token (401 Unauthorized)")

// Settings of the update loop.
const (
	// settingEpoch counts the times Telegram restarted update ids below the
	// stored offset; it keeps update ids of different eras apart in the
	// engine's deduplication.
	settingEpoch = "telegram_update_epoch"
	// settingConflict is "told" while staff and managers were told that
	// getUpdates is refused (409) and not yet that it is answered again.
	settingConflict = "telegram_conflict"
	// settingUnreachable is when Telegram stopped answering (RFC 3339),
	// kept once the outage is long enough to tell (unreachableTold), ""
	// once told: a restart in the middle of one still tells it whole.
	settingUnreachable = "telegram_unreachable_since"
	// unreachableTold is the outage staff and managers are told of when
	// Telegram answers again: /healthz turns red after as long.
	unreachableTold = 2 * time.Minute
	// handleGrace is how long the update in hand may take after a stop.
	handleGrace = 5 * time.Second
)

// Run asks Telegram who the bot is (retrying with backoff while Telegram
// cannot be reached), then reads updates with long polling and hands each
// to h, in order, until ctx is done; then it returns nil. Every poll has a
// deadline (the poll timeout plus a margin): a stalled poll is abandoned and
// retried with backoff, and the state turns "unreachable". The update in
// hand when ctx is cancelled is finished first (within a few seconds); the
// offset is stored after each update, so the next Run starts after the last
// one handled. It returns ErrUnauthorized (wrapped) when the token is
// refused; other failures are logged and retried.
func (a *Adapter) Run(ctx context.Context, h Handler) error {
	defer a.setState(StateStopped)
	work, cancelWork := graceful(ctx, handleGrace)
	defer cancelWork()
	offset, err := a.offset(ctx)
	if err == nil {
		a.epoch, err = a.storedEpoch(ctx)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting
		}
		return err
	}
	if err := a.connect(ctx); err != nil || ctx.Err() != nil {
		return err
	}
	timeout := max(int(a.cfg.PollTimeout/time.Second), 1)
	a.cfg.Log.Info("reading updates", "offset", offset, "poll_timeout_s", timeout)
	failures := 0
	// A conflict is reported once per spell, and its end at the next
	// answered poll, also when an earlier run reported it (settingConflict).
	reportPolling := a.conflictTold(ctx)
	inConflict, webhookDeleted := reportPolling, false
	for ctx.Err() == nil {
		batch, err := a.poll(ctx, offset, timeout)
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			var te *tgbotapi.Error
			if errors.As(err, &te) && apiCode(te) == http.StatusUnauthorized {
				a.setState(StateUnauthorized)
				return fmt.Errorf("%w: %v", ErrUnauthorized, a.redact(err))
			}
			failures++
			wait := backoff(failures)
			if te != nil && te.RetryAfter > 0 {
				wait = time.Duration(te.RetryAfter) * time.Second
			}
			hint := ""
			if te != nil && apiCode(te) == http.StatusConflict {
				webhook := strings.Contains(strings.ToLower(te.Message), "webhook")
				if webhook && !webhookDeleted {
					// This bot reads updates by polling: a webhook left
					// set (by another tool, an earlier setup) is removed,
					// once per run, keeping the updates it holds.
					webhookDeleted = true
					if a.deleteWebhook(ctx) {
						continue
					}
				}
				hint = "another process is reading this bot's updates (two copies of the bot running?)"
				if webhook {
					hint = "a webhook is set for this bot and could not be removed (deleteWebhook)"
				}
				a.setState(StateConflict)
				if !inConflict {
					inConflict, reportPolling = true, true
					a.notify(ctx, notice.TelegramConflict{Webhook: webhook}, func(ctx context.Context, tx store.Store) error {
						return tx.SetSetting(ctx, settingConflict, "told")
					})
				}
			} else if te == nil {
				a.setState(StateUnreachable)
				a.unreached(ctx)
			}
			a.cfg.Log.Warn("getUpdates failed", "err", a.redact(err), "failures", failures, "retry_in", wait, "hint", hint)
			if sleep(ctx, wait) != nil {
				break
			}
			continue
		}
		if failures > 0 {
			a.cfg.Log.Info("getUpdates answers again", "after_failures", failures)
		}
		failures = 0
		a.answered()
		a.reached(ctx)
		inConflict = false
		if reportPolling {
			reportPolling = false
			a.notify(ctx, notice.TelegramPolling{}, func(ctx context.Context, tx store.Store) error {
				return tx.SetSetting(ctx, settingConflict, "")
			})
		}
		if reset, first := offsetReset(batch, offset); reset {
			a.epoch++
			a.cfg.Log.Warn("Telegram restarted update ids below the stored offset; following them",
				"stored_offset", offset, "first_update_id", first, "epoch", a.epoch)
			if err := a.st.SetSetting(work, settingEpoch, strconv.Itoa(a.epoch)); err != nil {
				a.cfg.Log.Error("store the update epoch", "err", err)
			}
			offset = first
		}
		for _, u := range batch {
			if u.id < offset {
				continue // confirmed before; Telegram should not send it again
			}
			if u.err != nil {
				a.cfg.Log.Error("update skipped: it cannot be decoded", "update_id", u.id, "err", u.err, "bytes", len(u.raw))
			} else if a.extras = map[int]wireExtra{u.id: extraOf(u.raw)}; ctx.Err() != nil || !a.process(ctx, work, h, u.u) {
				a.cfg.Log.Info("stopped reading updates", "offset", offset)
				return nil
			}
			offset = u.id + 1
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

// answered records a poll Telegram answered: the transport runs (unless the
// bot is out of the staff group) and held messages may go.
func (a *Adapter) answered() {
	if a.isRemoved(string(outbox.StaffGroup)) {
		a.setState(StateRemoved) // as last known, also after a restart
	} else {
		a.setState(StateRunning)
	}
	a.cfg.Succeeded()
}

// connect calls getMe until Telegram answers, with backoff. It returns
// ErrUnauthorized (wrapped) when the token is refused, nil when ctx ends.
func (a *Adapter) connect(ctx context.Context) error {
	a.setState(StateConnecting)
	for failures := 0; ; {
		me, err := a.with(ctx, a.cfg.SendTimeout).GetMe()
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			a.self.Store(&me)
			a.cfg.Log.Info("connected to Telegram", "bot", me.UserName, "bot_id", me.ID,
				"staff_chat_id", a.cfg.StaffChatID, "managers_chat_id", a.cfg.ManagersChatID)
			a.answered()
			a.reached(ctx)
			return nil
		}
		var te *tgbotapi.Error
		if errors.As(err, &te) && (apiCode(te) == http.StatusUnauthorized || apiCode(te) == http.StatusNotFound) {
			a.setState(StateUnauthorized)
			return fmt.Errorf("%w: %v", ErrUnauthorized, a.redact(err))
		}
		failures++
		wait := backoff(failures)
		a.setState(StateUnreachable)
		a.unreached(ctx)
		a.cfg.Log.Warn("cannot reach Telegram; WhatsApp goes on, staff messages wait", "err", a.redact(err), "failures", failures, "retry_in", wait)
		if sleep(ctx, wait) != nil {
			return nil
		}
	}
}

// backoff is the wait after n failures in a row: 1 s doubling to 30 s.
func backoff(n int) time.Duration {
	return min(time.Second<<min(max(n-1, 0), 5), 30*time.Second)
}

// graceful is a context that ends grace after parent does (or when cancel
// is called), for finishing work in hand without hanging a stop.
func graceful(parent context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	stop := context.AfterFunc(parent, func() {
		t := time.AfterFunc(grace, cancel)
		context.AfterFunc(ctx, func() { t.Stop() })
	})
	return ctx, func() { stop(); cancel() }
}

// rawUpdate is one update of a batch, decoded on its own so that one the
// library cannot read does not sink the batch.
type rawUpdate struct {
	id  int
	u   tgbotapi.Update
	raw json.RawMessage
	err error // why it could not be decoded
}

// poll is one getUpdates call under its deadline.
func (a *Adapter) poll(ctx context.Context, offset, timeout int) ([]rawUpdate, error) {
	params := tgbotapi.Params{}
	params.AddNonZero("offset", offset)
	params.AddNonZero("timeout", timeout)
	if err := params.AddInterface("allowed_updates", allowedUpdates); err != nil {
		return nil, err
	}
	resp, err := a.with(ctx, time.Duration(timeout)*time.Second+a.cfg.PollMargin).MakeRequest("getUpdates", params)
	if err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(resp.Result, &raws); err != nil {
		return nil, fmt.Errorf("getUpdates: the answer is not a list of updates: %w", err)
	}
	batch := make([]rawUpdate, 0, len(raws))
	for _, r := range raws {
		ru := rawUpdate{raw: r}
		var head struct {
			UpdateID int `json:"update_id"`
		}
		if err := json.Unmarshal(r, &head); err != nil {
			// Without an id it cannot be skipped by offset: it follows
			// the one before it.
			ru.err = err
			if n := len(batch); n > 0 {
				ru.id = batch[n-1].id + 1
			} else {
				ru.id = offset
			}
		} else {
			ru.id = head.UpdateID
			ru.err = json.Unmarshal(r, &ru.u)
		}
		batch = append(batch, ru)
	}
	return batch, nil
}

// offsetReset reports a batch that holds only update ids below the stored
// offset: Telegram restarted its ids (it may after about a week without
// updates), and the bot must follow from the batch's first id or stay deaf.
func offsetReset(batch []rawUpdate, offset int) (reset bool, first int) {
	if len(batch) == 0 || offset == 0 {
		return false, 0
	}
	first = batch[0].id
	for _, u := range batch {
		if u.id >= offset {
			return false, 0
		}
		first = min(first, u.id)
	}
	return true, first
}

// storedEpoch is the update id era, 0 before any restart of ids.
func (a *Adapter) storedEpoch(ctx context.Context) (int, error) {
	v, err := a.st.Setting(ctx, settingEpoch)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("telegram update epoch: %w", err)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("telegram update epoch %q: %w", v, err)
	}
	return n, nil
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
		if _, err := a.with(work, a.cfg.SendTimeout).Request(answer); err != nil {
			log.Debug("answer callback query", "err", a.redact(err))
		}
	} else if m := u.Message; skipped && m != nil {
		a.tellSkipped(work, m, log)
	}
	return true
}

// maxAlert is the most a callback answer shows, in UTF-16 units.
const maxAlert = 200

// tellSkipped answers a skipped message in its chat, in reply to it:
// through the outbox when the store takes it (retried, paced, held while
// Telegram is down, and recorded like every other answer), else straight
// through the API, best effort, since the store may be what failed. Never
// both: the direct send is only tried when the outbox refused the message.
func (a *Adapter) tellSkipped(ctx context.Context, m *tgbotapi.Message, log *slog.Logger) {
	c, ok := a.chatOf(m.Chat)
	if !ok {
		return
	}
	tctx, cancel := context.WithTimeout(ctx, noticeTimeout)
	err := a.st.InTx(tctx, func(tx store.Store) error {
		_, err := outbox.Enqueue(tctx, tx, a.cfg.Now(), outbox.Post{To: c.addr, Text: a.cfg.NotHandled, ReplyToMessage: int64(m.MessageID)})
		return err
	})
	cancel()
	if err == nil {
		a.cfg.Handled() // the dispatcher sends it now
		return
	}
	log.Warn("the outbox refused the answer to a skipped update; sending it straight", "err", err)
	msg := tgbotapi.NewMessage(m.Chat.ID, a.cfg.NotHandled)
	msg.ReplyToMessageID = m.MessageID
	msg.AllowSendingWithoutReply = true
	if _, err := a.with(ctx, a.cfg.SendTimeout).Send(msg); err != nil {
		log.Warn("could not tell the sender that the update was skipped", "err", a.redact(err))
	}
}

// updateKey is the id the engine deduplicates an update by: "update:N",
// and "update:eE:N" after Telegram restarted its ids E times.
func (a *Adapter) updateKey(id int) string {
	if a.epoch == 0 {
		return "update:" + strconv.Itoa(id)
	}
	return "update:e" + strconv.Itoa(a.epoch) + ":" + strconv.Itoa(id)
}

// selfName is the bot's username, "" before getMe answered.
func (a *Adapter) selfName() string {
	if me := a.self.Load(); me != nil {
		return me.UserName
	}
	return ""
}

// handle maps one update to a staff input and hands it on; updates the desk
// has no use for are logged and dropped.
func (a *Adapter) handle(ctx context.Context, h Handler, u tgbotapi.Update) error {
	switch {
	case u.Message != nil:
		return a.message(ctx, h, u.UpdateID, u.Message)
	case u.CallbackQuery != nil:
		return a.callback(ctx, h, u.UpdateID, u.CallbackQuery)
	case u.EditedMessage != nil:
		// What was said is already handled; an edit does not undo it, but
		// the desk tells the editor when the customer has the old text.
		return a.edited(ctx, h, u.UpdateID, u.EditedMessage)
	case u.MyChatMember != nil:
		mc := u.MyChatMember
		a.cfg.Log.Info("the bot's membership changed", "chat_id", mc.Chat.ID, "chat_type", mc.Chat.Type,
			"chat_title", mc.Chat.Title, "status", mc.NewChatMember.Status, "by_user_id", mc.From.ID)
		if c, ok := a.chatOf(&mc.Chat); ok && c.kind != inbound.ChatPrivate {
			switch mc.NewChatMember.Status {
			case "left", "kicked":
				a.unreachable(string(c.addr), mc.Chat.ID, errors.New("the bot's membership is "+mc.NewChatMember.Status))
			case "member", "administrator":
				a.reachable(string(c.addr), mc.Chat.ID)
			}
		}
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
		if a.current(ctx, m.Chat.ID) != m.MigrateToChatID {
			a.followMigration(ctx, string(c.addr), m.Chat.ID, m.MigrateToChatID)
		}
		return nil
	}
	if c.kind != inbound.ChatPrivate {
		a.knowStaff(ctx, m.From)
	}
	anonymous := anonymousAdmin(m)
	if (m.From == nil || m.From.IsBot) && !anonymous {
		return nil // other bots and channels do not act
	}
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	if to := commandFor(text); to != "" && !strings.EqualFold(to, a.selfName()) {
		return nil // a command for another bot in the same group
	}
	tf := fileOf(m)
	if strings.TrimSpace(text) == "" && tf == nil {
		return nil // joins, leaves, pins, title changes, stickers
	}
	in, parent, err := a.staffInput(ctx, id, c, m, text)
	if err != nil {
		return err
	}
	if anonymous {
		in.Anonymous, in.UserID, in.UserName = true, 0, ""
		if tf != nil {
			in.File = &tf.file // described, never relayed
		}
		return h.HandleStaff(ctx, a.updateKey(id), in)
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
	return h.HandleStaff(ctx, a.updateKey(id), in)
}

// staffInput is what m says to the desk, but its file: who wrote it,
// where (a ticket's topic), whether it is a forward, and what it replies
// to (parent: the bot message, when it is one on record).
func (a *Adapter) staffInput(ctx context.Context, id int, c chat, m *tgbotapi.Message, text string) (inbound.StaffInput, store.OutboxMessage, error) {
	in := inbound.StaffInput{At: a.at(m.Date), Chat: c.kind, Text: text, MessageID: int64(m.MessageID)}
	if m.From != nil {
		in.UserID, in.UserName = m.From.ID, name(m.From)
	}
	x := a.extras[id]
	thread := x.thread
	in.Forwarded = x.forwarded || m.ForwardDate != 0
	if a.cfg.Topics && c.kind == inbound.ChatStaff && thread != 0 {
		t, err := a.topicTicket(ctx, m.Chat.ID, thread)
		if err != nil {
			return in, store.OutboxMessage{}, err
		}
		in.Thread = t
	}
	var parent store.OutboxMessage
	if r := m.ReplyToMessage; r != nil && !(thread != 0 && r.MessageID == thread) { // not the topic's own start
		p, err := a.outboxID(ctx, c, m.Chat.ID, r.MessageID)
		switch {
		case err == nil:
			in.ReplyTo, parent = p.ID, p
		case !errors.Is(err, store.ErrNotFound):
			return in, parent, err
		case r.From != nil && r.From.IsBot && r.SenderChat == nil && (a.self.Load() == nil || r.From.ID == a.self.Load().ID):
			in.ReplyToUnknown = true // one of ours the store does not know
		default:
			in.ReplyToOther = true // a colleague's (or one's own), another bot's
		}
	}
	return in, parent, nil
}

// anonymousAdmin reports a message an administrator posted as the group
// itself ("Remain anonymous"): Telegram does not say who wrote it.
func anonymousAdmin(m *tgbotapi.Message) bool {
	return m.SenderChat != nil && m.Chat != nil && m.SenderChat.ID == m.Chat.ID
}

// edited hands the desk a staff member's edit of an earlier message in the
// staff group, marked Edited, with the time the message was first sent:
// the desk tells the editor when the customer already has the old text.
// The file of an edited message is described, never downloaded.
func (a *Adapter) edited(ctx context.Context, h Handler, id int, m *tgbotapi.Message) error {
	c, ok := a.chatOf(m.Chat)
	if !ok || c.kind != inbound.ChatStaff || m.From == nil || m.From.IsBot {
		a.cfg.Log.Debug("edited message ignored", append([]any{"update_id", id}, chatAttrs(m.Chat)...)...)
		return nil
	}
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	in, _, err := a.staffInput(ctx, id, c, m, text)
	if err != nil {
		return err
	}
	in.Edited, in.Original = true, in.At
	if m.EditDate > 0 {
		in.At = a.at(m.EditDate)
	}
	if tf := fileOf(m); tf != nil {
		in.File = &tf.file
	}
	a.cfg.Log.Debug("staff edit", "update_id", id, "user_id", in.UserID, "message_id", m.MessageID)
	return h.HandleStaff(ctx, a.updateKey(id), in)
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
	in := inbound.StaffInput{At: a.cfg.Now(), Chat: c.kind, UserID: q.From.ID, UserName: name(q.From), Callback: q.Data}
	a.cfg.Log.Debug("button", "update_id", id, "chat", c.kind, "user_id", in.UserID, "data", q.Data)
	return h.HandleStaff(ctx, a.updateKey(id), in)
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

// deleteWebhook removes a webhook set for the bot, keeping the updates it
// holds, so polling works; it reports whether Telegram took it.
func (a *Adapter) deleteWebhook(ctx context.Context) bool {
	params := tgbotapi.Params{}
	params["drop_pending_updates"] = "false" // keep what staff wrote meanwhile
	if _, err := a.with(ctx, a.cfg.SendTimeout).MakeRequest("deleteWebhook", params); err != nil {
		a.cfg.Log.Error("a webhook is set for this bot and could not be removed; staff messages do not reach the bot", "err", a.redact(err))
		return false
	}
	a.cfg.Log.Warn("a webhook was set for this bot, which reads updates by polling: removed it (deleteWebhook), keeping its pending updates")
	return true
}

// conflictTold says whether a conflict was reported and its end not yet.
func (a *Adapter) conflictTold(ctx context.Context) bool {
	v, err := a.st.Setting(ctx, settingConflict)
	return err == nil && v != ""
}

// unreached records a call Telegram did not answer (network, proxy, a
// stall): the start of an outage is kept once it has lasted long enough
// to be told, so a restart does not lose it.
func (a *Adapter) unreached(ctx context.Context) {
	now := a.cfg.Now()
	if a.downSince.IsZero() {
		a.downSince = a.storedOutage(ctx)
		if a.downSince.IsZero() {
			a.downSince = now
		}
	}
	if !a.downKept && now.Sub(a.downSince) >= unreachableTold {
		if err := a.st.SetSetting(ctx, settingUnreachable, a.downSince.UTC().Format(time.RFC3339)); err != nil {
			a.cfg.Log.Warn("keep when Telegram stopped answering", "err", err)
			return
		}
		a.downKept = true
	}
}

// reached records a call Telegram answered: an outage long enough to make
// /healthz red (also one a restart interrupted) is told to staff and
// managers now that they can hear it, once.
func (a *Adapter) reached(ctx context.Context) {
	since := a.downSince
	if since.IsZero() && !a.outageRead {
		since = a.storedOutage(ctx) // one a restart interrupted
	}
	a.outageRead = true
	a.downSince, a.downKept = time.Time{}, false
	if since.IsZero() {
		return
	}
	now := a.cfg.Now()
	if now.Sub(since) < unreachableTold {
		return // a blip; nothing was kept
	}
	a.cfg.Log.Info("Telegram answers again after an outage", "since", since, "for", now.Sub(since).Round(time.Second))
	a.notify(ctx, notice.TelegramWasUnreachable{Since: since, Until: now}, func(ctx context.Context, tx store.Store) error {
		return tx.SetSetting(ctx, settingUnreachable, "")
	})
}

// storedOutage is the start of an outage a restart interrupted, zero for
// none.
func (a *Adapter) storedOutage(ctx context.Context) time.Time {
	v, err := a.st.Setting(ctx, settingUnreachable)
	if err != nil || v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}
	}
	return t
}
