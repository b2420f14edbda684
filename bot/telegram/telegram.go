// Package telegram connects the staff desk to the Telegram Bot API. It only
// translates: outbox messages addressed "telegram:…" become Bot API sends
// (Sender), and updates from the staff group, a managers group or private
// chats become bot.StaffInput for the engine (Run). Everything that decides
// what to say lives in package bot.
//
// Updates are read with the adapter's own getUpdates loop: the offset is kept
// in the database after each update is handled, and each update reaches the
// engine under the id "update:N", which the engine deduplicates, so a restart
// neither loses nor repeats one.
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
	"supportbot/locales"
	"supportbot/store"
)

// Handler is the part of the engine that updates are handed to;
// *bot.Engine is one. It must handle an id it has seen before as a no-op.
type Handler interface {
	HandleStaff(ctx context.Context, id string, in bot.StaffInput) error
}

var _ Handler = (*bot.Engine)(nil)

// Config is what the adapter needs besides the API client and the store.
// Zero fields take the defaults given.
type Config struct {
	StaffChatID    int64 // the staff group (required)
	ManagersChatID int64 // the managers group, 0 when there is none

	PollTimeout    time.Duration // getUpdates long-poll timeout; default 30s
	HandleAttempts int           // tries per update before it is skipped (and logged); default 5

	// FileDir is where staff files sent as replies to the bot are kept so
	// they can be relayed to customers; "" keeps only their description.
	FileDir string
	// FileEndpoint is the file download URL with two %s (token, file path);
	// default tgbotapi.FileEndpoint.
	FileEndpoint string
	// FileTooBig is said in the chat when a staff file is over Telegram's
	// 20 MB download limit for bots; default DefaultFileTooBig.
	FileTooBig string
	// NotHandled is said to the sender when an update is skipped after
	// HandleAttempts failures: sent straight to the chat (the store may be
	// what fails), or shown on the button pressed; default
	// DefaultNotHandled. A button's alert shows 200 characters at most.
	NotHandled string

	// Label is the text shown on an outbox button ("claim",
	// "decline:12:misuse"); default the button itself.
	Label func(button string) string
	// Handled is called after each update is handled, so the dispatcher
	// can deliver the answers at once (Dispatcher.Wake).
	Handled func()

	Now func() time.Time // default time.Now
	Log *slog.Logger     // default slog.Default()
}

// DefaultFileTooBig tells staff that a file could not be relayed, in the
// default language, when the caller gives no text of its own.
func DefaultFileTooBig() string {
	p, err := locales.New(locales.Default, nil)
	if err != nil {
		return "⚠️ 20 MB"
	}
	return p.T("transport.file_too_big", nil)
}

// DefaultNotHandled tells staff that what they sent was skipped, in the
// default language, when the caller gives no text of its own.
func DefaultNotHandled() string {
	p, err := locales.New(locales.Default, nil)
	if err != nil {
		return "⚠️"
	}
	return p.T("transport.not_handled", nil)
}

// Telegram's size limits for bots.
const (
	MaxDownload    = 20 << 20 // getFile
	MaxUpload      = 50 << 20 // sendDocument
	MaxPhotoUpload = 10 << 20 // sendPhoto
)

// Settings the adapter keeps in the store.
const (
	// SettingOffset is the next update id to ask for.
	SettingOffset = "telegram_offset"
	// settingParts maps outbox id → "chat:msg,msg…", the parts of a long
	// message sent so far, so a retry sends only the rest.
	settingParts = "telegram_parts:"
	// settingPart maps "chat:msg" of a second or later part → outbox id,
	// so a reply to any part reaches the ticket.
	settingPart = "telegram_part:"
)

// Adapter is the Telegram transport.
type Adapter struct {
	api *tgbotapi.BotAPI
	st  store.Store
	cfg Config
}

var _ bot.Sender = (*Adapter)(nil)

// New returns an adapter that talks through api and keeps its offset and
// message map in st.
func New(api *tgbotapi.BotAPI, st store.Store, cfg Config) *Adapter {
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 30 * time.Second
	}
	if cfg.HandleAttempts <= 0 {
		cfg.HandleAttempts = 5
	}
	if cfg.FileEndpoint == "" {
		cfg.FileEndpoint = tgbotapi.FileEndpoint
	}
	if cfg.FileTooBig == "" {
		cfg.FileTooBig = DefaultFileTooBig()
	}
	if cfg.NotHandled == "" {
		cfg.NotHandled = DefaultNotHandled()
	}
	if cfg.Label == nil {
		cfg.Label = func(b string) string { return b }
	}
	if cfg.Handled == nil {
		cfg.Handled = func() {}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.Log = cfg.Log.With("transport", "telegram")
	return &Adapter{api: api, st: st, cfg: cfg}
}

// FileEndpointFor derives the file download URL format from a Bot API
// endpoint format: ".../bot%s/%s" becomes ".../file/bot%s/%s".
func FileEndpointFor(apiEndpoint string) string {
	if i := strings.LastIndex(apiEndpoint, "/bot%s/%s"); i >= 0 {
		return apiEndpoint[:i] + "/file/bot%s/%s"
	}
	return tgbotapi.FileEndpoint
}

// chat is where a Telegram chat stands for the desk.
type chat struct {
	kind string // bot.ChatStaff, bot.ChatManagers, bot.ChatPrivate
	addr string // the outbox address of the chat
}

// chatOf names a chat; ok is false for chats the bot does not serve.
func (a *Adapter) chatOf(c *tgbotapi.Chat) (chat, bool) {
	switch {
	case c == nil:
		return chat{}, false
	case c.ID == a.cfg.StaffChatID:
		return chat{bot.ChatStaff, bot.StaffGroup}, true
	case a.cfg.ManagersChatID != 0 && c.ID == a.cfg.ManagersChatID:
		return chat{bot.ChatManagers, bot.ManagersGroup}, true
	case c.IsPrivate():
		return chat{bot.ChatPrivate, bot.UserAddr(c.ID)}, true
	}
	return chat{}, false
}

// chatID is the Telegram chat of an outbox address.
func (a *Adapter) chatID(to string) (int64, error) {
	switch {
	case to == bot.StaffGroup:
		if a.cfg.StaffChatID == 0 {
			return 0, bot.Permanent(errors.New("telegram.staff_chat_id is not set"))
		}
		return a.cfg.StaffChatID, nil
	case to == bot.ManagersGroup:
		if a.cfg.ManagersChatID == 0 {
			return 0, bot.Permanent(errors.New("telegram.managers_chat_id is not set"))
		}
		return a.cfg.ManagersChatID, nil
	case strings.HasPrefix(to, "telegram:user:"):
		id, err := strconv.ParseInt(strings.TrimPrefix(to, "telegram:user:"), 10, 64)
		if err != nil || id <= 0 {
			return 0, bot.Permanent(fmt.Errorf("%q is not a Telegram user address", to))
		}
		return id, nil
	}
	return 0, bot.Permanent(fmt.Errorf("%q is not a Telegram address", to))
}

// externalID is how a sent message is named in the outbox: "chat:message".
func externalID(chatID int64, messageID int) string {
	return strconv.FormatInt(chatID, 10) + ":" + strconv.Itoa(messageID)
}

// parseExternalID reads an externalID.
func parseExternalID(s string) (chatID int64, messageID int, ok bool) {
	c, m, found := strings.Cut(s, ":")
	if !found {
		return 0, 0, false
	}
	chatID, err1 := strconv.ParseInt(c, 10, 64)
	messageID, err2 := strconv.Atoi(m)
	return chatID, messageID, err1 == nil && err2 == nil
}

// outboxID is the outbox message a Telegram message in chat c is, 0 when it
// is not one of the bot's.
func (a *Adapter) outboxID(ctx context.Context, c chat, chatID int64, messageID int) (store.OutboxMessage, error) {
	ext := externalID(chatID, messageID)
	m, err := a.st.SentByExternal(ctx, c.addr, ext)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return m, err
	}
	v, err := a.st.Setting(ctx, settingPart+ext)
	if err != nil {
		return store.OutboxMessage{}, err
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return store.OutboxMessage{}, fmt.Errorf("setting %s%s: %w", settingPart, ext, err)
	}
	return a.st.OutboxMessage(ctx, id)
}

// rateLimited is a 429: the dispatcher waits RetryAfter and tries again.
type rateLimited struct {
	wait time.Duration
	err  error
}

func (e *rateLimited) Error() string {
	return fmt.Sprintf("rate limited, retry after %s: %v", e.wait, e.err)
}
func (e *rateLimited) Unwrap() error             { return e.err }
func (e *rateLimited) RetryAfter() time.Duration { return e.wait }

var _ bot.RetryAfter = (*rateLimited)(nil)

// apiCode is the HTTP-like code of a Bot API error. The library leaves the
// code out of errors from uploads, so it is read from the description too.
func apiCode(e *tgbotapi.Error) int {
	if e.Code != 0 {
		return e.Code
	}
	for prefix, code := range map[string]int{
		"Bad Request": http.StatusBadRequest, "Unauthorized": http.StatusUnauthorized,
		"Forbidden": http.StatusForbidden, "Not Found": http.StatusNotFound,
		"Conflict": http.StatusConflict, "Too Many Requests": http.StatusTooManyRequests,
	} {
		if strings.HasPrefix(e.Message, prefix) {
			return code
		}
	}
	return 0
}

// classify turns a Bot API error into what the dispatcher acts on: a
// RetryAfter for 429, Permanent for requests Telegram will never accept,
// else a plain (retryable) error. Network errors lose the token.
func (a *Adapter) classify(err error) error {
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		return a.redact(err)
	}
	if te.RetryAfter > 0 {
		return &rateLimited{wait: time.Duration(te.RetryAfter) * time.Second, err: err}
	}
	if te.MigrateToChatID != 0 {
		return bot.Permanent(fmt.Errorf("the group became a supergroup with chat id %d; put that id in the config: %w", te.MigrateToChatID, err))
	}
	switch apiCode(te) {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound:
		return bot.Permanent(err)
	}
	return err
}

// redact keeps the bot token out of errors: the library's request URLs
// carry it, and HTTP client errors quote the URL.
func (a *Adapter) redact(err error) error {
	if err == nil || a.api.Token == "" || !strings.Contains(err.Error(), a.api.Token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), a.api.Token, "<token>"))
}
