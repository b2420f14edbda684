// Package telegram connects the staff desk to the Telegram Bot API. It only
// translates: outbox messages addressed "telegram:…" become Bot API sends
// (Sender), and updates from the staff group, a managers group or private
// chats become inbound.StaffInput for the engine (Run). Everything that decides
// what to say lives in package bot.
//
// Updates are read with the adapter's own getUpdates loop: the offset is kept
// in the database after each update is handled, and each update reaches the
// engine under the id "update:N", which the engine deduplicates, so a restart
// neither loses nor repeats one.
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"supportbot/inbound"
	"supportbot/locales"
	"supportbot/notice"
	"supportbot/outbox"
	"supportbot/store"
)

// Handler is the part of the engine that updates are handed to;
// *bot.Engine is one (cmd/supportbot checks it). It must handle an id it has seen before as a no-op.
type Handler interface {
	HandleStaff(ctx context.Context, id string, in inbound.StaffInput) error
}

// Config is what the adapter needs besides the API client and the store.
// Zero fields take the defaults given.
type Config struct {
	StaffChatID    int64 // the staff group (required)
	ManagersChatID int64 // the managers group, 0 when there is none
	// Topics: the staff group is a forum and each ticket has a topic there
	// (topics.go); messages with a Thread go to their ticket's topic.
	Topics bool

	PollTimeout time.Duration // getUpdates long-poll timeout; default 30s
	// Deadlines: a poll is abandoned PollMargin after its timeout (default
	// 10s); any other call after SendTimeout (default 30s), a file
	// transfer later in proportion to its size.
	PollMargin     time.Duration
	SendTimeout    time.Duration
	HandleAttempts int // tries per update before it is skipped (and logged); default 5

	// FileDir is where staff files sent as replies to the bot are kept so
	// they can be relayed to customers; "" keeps only their description.
	FileDir string
	// FileEndpoint is the file download URL with two %s (token, file path);
	// default tgbotapi.FileEndpoint.
	FileEndpoint string
	// NotHandled is said to the sender when an update is skipped after
	// HandleAttempts failures: through the outbox, or straight to the chat
	// when the store refuses it (the store may be what fails), or shown on
	// the button pressed; default
	// DefaultNotHandled. A button's alert shows 200 characters at most.
	NotHandled string

	// Label is the text shown on an outbox button ("claim",
	// "decline:12:misuse"); default the button itself.
	Label func(button string) string
	// Handled is called after each update is handled, so the dispatcher
	// can deliver the answers at once (Dispatcher.Wake).
	Handled func()

	// StateChanged is told each new state of the transport (one of
	// States), for /healthz and metrics; Succeeded after each answered
	// poll. Both may be nil.
	StateChanged func(state string)
	Succeeded    func()
	// Notify is told, inside a transaction, what staff or managers must
	// hear about the transport (a migrated group, the bot removed, a file
	// too big); the core (bot.Notices) words and enqueues it. nil drops
	// them, with an error in the log.
	Notify notice.Notifier
	// Mentionable says whether a user id may be turned into a Telegram
	// mention (known staff); nil means none is. Any other tg://user link
	// stays plain text, so customer text cannot make a mention.
	Mentionable func(userID int64) bool

	Now func() time.Time // default time.Now
	Log *slog.Logger     // default slog.Default()
}

// States the transport reports through Config.StateChanged.
const (
	StateConnecting   = "connecting"   // before Telegram first answered
	StateRunning      = "running"      // polls are answered
	StateUnreachable  = "unreachable"  // the last poll failed or stalled; retrying with backoff
	StateRemoved      = "removed"      // the bot is not in the staff group (403); staff messages wait
	StateUnauthorized = "unauthorized" // Telegram refused the token
	// StateConflict: getUpdates is refused (409): another process reads
	// this bot's updates, or a webhook is set that could not be removed;
	// staff input does not reach the bot, its sends still go.
	StateConflict = "conflict"
	StateStopped  = "stopped"
)

// States lists every state, each a metrics series.
var States = []string{StateConnecting, StateRunning, StateUnreachable, StateRemoved, StateUnauthorized, StateConflict, StateStopped}

// Healthy says which states /healthz accepts. An unreachable Telegram is
// judged by the age of the last answered poll instead (two minutes).
func Healthy(state string) bool {
	return state == StateConnecting || state == StateRunning || state == StateUnreachable
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

// SettingOffset is the next update id to ask for, kept in the store's
// settings.
const SettingOffset = "telegram_offset"

// Adapter is the Telegram transport.
type Adapter struct {
	api *tgbotapi.BotAPI // never changed after New: copies carry deadlines (with)
	st  store.Store
	cfg Config

	self  atomic.Pointer[tgbotapi.User] // the bot, once getMe answered
	epoch int                           // update id era (see offsetReset); Run's goroutine only
	// extras are what the library does not decode of the current
	// batch's messages (topic, forward), by update id; Run's goroutine only.
	extras map[int]wireExtra
	// downSince is when Telegram stopped answering, zero while it
	// answers; downKept says it is stored (updates.go). Run's goroutine only.
	downSince  time.Time
	downKept   bool
	outageRead bool // the stored outage was read at the first answer

	mu       sync.Mutex
	state    string
	migrated map[int64]int64 // group id → the supergroup it became, loaded lazily
	removed  map[string]bool // group addresses managers were told refuse the bot (removedKey), loaded lazily
	names    map[int64]string
	// reposts are cards posted again after their ticket's topic was
	// re-made, by ticket, that go before the rest of the ticket (topics.go).
	reposts map[int64]int64
}

// setState records and reports a new state.
func (a *Adapter) setState(s string) {
	a.mu.Lock()
	changed := a.state != s
	a.state = s
	a.mu.Unlock()
	if changed {
		a.cfg.StateChanged(s)
	}
}

// State is the transport's current state.
func (a *Adapter) State() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state == "" {
		return StateConnecting
	}
	return a.state
}

var _ outbox.Sender = (*Adapter)(nil)

// New returns an adapter that talks through api and keeps its offset and
// message map in st.
func New(api *tgbotapi.BotAPI, st store.Store, cfg Config) *Adapter {
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 30 * time.Second
	}
	if cfg.PollMargin <= 0 {
		cfg.PollMargin = pollMargin
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = SendTimeout
	}
	if cfg.HandleAttempts <= 0 {
		cfg.HandleAttempts = 5
	}
	if cfg.FileEndpoint == "" {
		cfg.FileEndpoint = tgbotapi.FileEndpoint
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
	if cfg.StateChanged == nil {
		cfg.StateChanged = func(string) {}
	}
	if cfg.Succeeded == nil {
		cfg.Succeeded = func() {}
	}
	if cfg.Mentionable == nil {
		cfg.Mentionable = func(int64) bool { return false }
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.Log = cfg.Log.With("transport", "telegram")
	if cfg.Notify == nil {
		cfg.Notify = notice.Dropped(cfg.Log)
	}
	return &Adapter{api: api, st: st, cfg: cfg, migrated: map[int64]int64{}, removed: map[string]bool{}, names: map[int64]string{}, reposts: map[int64]int64{}}
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
	kind string         // inbound.ChatStaff, inbound.ChatManagers, inbound.ChatPrivate
	addr outbox.Address // the outbox address of the chat
}

// chatOf names a chat; ok is false for chats the bot does not serve.
func (a *Adapter) chatOf(c *tgbotapi.Chat) (chat, bool) {
	switch {
	case c == nil:
		return chat{}, false
	case c.ID == a.cfg.StaffChatID || c.ID == a.current(context.Background(), a.cfg.StaffChatID):
		return chat{inbound.ChatStaff, outbox.StaffGroup}, true
	case a.cfg.ManagersChatID != 0 && (c.ID == a.cfg.ManagersChatID || c.ID == a.current(context.Background(), a.cfg.ManagersChatID)):
		return chat{inbound.ChatManagers, outbox.ManagersGroup}, true
	case c.IsPrivate():
		return chat{inbound.ChatPrivate, outbox.TelegramUser(c.ID)}, true
	}
	return chat{}, false
}

// chatID is the Telegram chat of an outbox address; a group that became a
// supergroup is its supergroup.
func (a *Adapter) chatID(ctx context.Context, to string) (int64, error) {
	d, err := outbox.ParseAddress(to)
	switch {
	case err != nil && outbox.Address(to).Transport() == outbox.TransportTelegram:
		return 0, outbox.Permanent(err)
	case err != nil || d.Transport != outbox.TransportTelegram:
		return 0, outbox.Permanent(fmt.Errorf("%q is not a Telegram address", to))
	case d.Group == outbox.StaffGroup:
		if a.cfg.StaffChatID == 0 {
			return 0, outbox.Permanent(errors.New("telegram.staff_chat_id is not set"))
		}
		return a.current(ctx, a.cfg.StaffChatID), nil
	case d.Group == outbox.ManagersGroup:
		if a.cfg.ManagersChatID == 0 {
			return 0, outbox.Permanent(errors.New("telegram.managers_chat_id is not set"))
		}
		return a.current(ctx, a.cfg.ManagersChatID), nil
	}
	return d.UserID, nil
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
	m, err := a.st.SentByExternal(ctx, string(c.addr), ext)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return m, err
	}
	id, err := a.st.OutboxByPart(ctx, strconv.FormatInt(chatID, 10), strconv.Itoa(messageID))
	if err != nil {
		return store.OutboxMessage{}, err
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

var _ outbox.RetryAfter = (*rateLimited)(nil)

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

// classify turns a send error to chatID (the address to) into what the
// dispatcher acts on: a RetryAfter for 429; Unavailable when Telegram did
// not answer (network, deadline, a proxy's error page), so the message
// waits without burning attempts; RecipientUnavailable for a group that
// refuses the bot (403), whose messages wait while managers are told;
// Permanent for requests Telegram will never accept; else a plain
// (retryable) error. The token never survives into the error.
func (a *Adapter) classify(to string, chatID int64, err error) error {
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		if outbox.IsPermanent(err) {
			return err
		}
		if noAnswer(err) {
			return outbox.Unavailable(a.redact(err))
		}
		return a.redact(err) // a local problem (a file): counted, then reported
	}
	if te.RetryAfter > 0 {
		return &rateLimited{wait: time.Duration(te.RetryAfter) * time.Second, err: err}
	}
	switch code := apiCode(te); {
	case (code == http.StatusForbidden || groupRefuses(te)) && chatID < 0:
		a.unreachable(to, chatID, err)
		return outbox.RecipientUnavailable(err)
	case code == http.StatusUnauthorized:
		return outbox.Unavailable(err) // the poll loop says so and stops the bot
	case code == http.StatusBadRequest, code == http.StatusForbidden, code == http.StatusNotFound:
		return outbox.Permanent(err)
	case code >= 500:
		return outbox.Unavailable(err)
	}
	return err
}

// groupRefuses reports a 400 that refuses every message to a group, not
// this one: the group is gone or unknown to the bot ("chat not found"), or
// the bot may not write text there (restricted). Like a 403, its messages
// wait and managers are told, rather than each being given up. A group
// that only forbids files refuses that one message (Permanent).
func groupRefuses(te *tgbotapi.Error) bool {
	if apiCode(te) != http.StatusBadRequest {
		return false
	}
	msg := strings.ToLower(te.Message)
	for _, s := range []string{"chat not found", "not enough rights to send text", "have no rights to send a message",
		"chat_write_forbidden", "chat_restricted"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// noAnswer reports an error that means Telegram gave no answer the bot
// could read: the connection failed or hung past its deadline, or something
// in between (a proxy) answered with what is not the Bot API's JSON.
func noAnswer(err error) bool {
	var ue *url.Error
	var ne *net.OpError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.As(err, &se) || errors.As(err, &te) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

// migratedTo is the supergroup a 400 says the group became.
func migratedTo(err error) (int64, bool) {
	var te *tgbotapi.Error
	if errors.As(err, &te) && te.MigrateToChatID != 0 {
		return te.MigrateToChatID, true
	}
	return 0, false
}

// current is the chat a configured group id stands for now: the
// supergroup it became, if Telegram said so, else itself.
func (a *Adapter) current(ctx context.Context, id int64) int64 {
	if id == 0 {
		return 0
	}
	a.mu.Lock()
	to, ok := a.migrated[id]
	a.mu.Unlock()
	if ok {
		return to
	}
	to = id
	n, err := a.st.ChatMigration(ctx, id)
	switch {
	case err == nil:
		if n != 0 {
			to = n
		}
	case !errors.Is(err, store.ErrNotFound):
		return id // not cached: read again next time
	}
	a.mu.Lock()
	a.migrated[id] = to
	a.mu.Unlock()
	return to
}

// followMigration records that the group of address to (chat from) became
// the supergroup newID: later sends go there, updates from there count as
// that group's, and the log and managers are told to update the config.
func (a *Adapter) followMigration(ctx context.Context, to string, from, newID int64) {
	configured := a.cfg.StaffChatID
	if outbox.Address(to) == outbox.ManagersGroup {
		configured = a.cfg.ManagersChatID
	}
	if err := a.st.SetChatMigration(context.WithoutCancel(ctx), configured, newID); err != nil {
		a.cfg.Log.Error("store the group's new chat id", "err", err)
	}
	a.mu.Lock()
	a.migrated[configured] = newID
	a.mu.Unlock()
	field := "telegram.staff_chat_id"
	if outbox.Address(to) == outbox.ManagersGroup {
		field = "telegram.managers_chat_id"
	}
	a.cfg.Log.Error("the group became a supergroup; the bot follows it: put its new chat id in the config",
		"field", field, "old_chat_id", from, "new_chat_id", newID)
	a.notify(ctx, notice.TelegramMigrated{Chat: outbox.Address(to), OldID: from, NewID: newID})
}

// removedKey is the setting that keeps that managers were told the group
// at address to refuses the bot (its chat id), "" once they were told it
// is back: a restart during a removal neither tells them again nor forgets
// to tell them when it ends. One fixed key per group (docs/store.md).
func removedKey(to string) string {
	if outbox.Address(to) == outbox.ManagersGroup {
		return "telegram_managers_removed"
	}
	return "telegram_staff_removed"
}

// isRemoved says whether managers were told that the group at address to
// refuses the bot and not yet that it is back.
func (a *Adapter) isRemoved(to string) bool {
	a.mu.Lock()
	v, ok := a.removed[to]
	a.mu.Unlock()
	if ok {
		return v
	}
	told, err := a.st.Setting(context.Background(), removedKey(to))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		a.cfg.Log.Warn("read whether the group refuses the bot", "chat", to, "err", err)
		return false // not cached: read again next time
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if v, ok := a.removed[to]; ok {
		return v
	}
	a.removed[to] = told != ""
	return told != ""
}

// unreachable records a 403 from a group: its messages wait, the staff
// group's refusal turns the state "removed", and managers are told once
// per removal, across restarts.
func (a *Adapter) unreachable(to string, chatID int64, err error) {
	a.isRemoved(to) // loaded
	a.mu.Lock()
	was := a.removed[to]
	a.removed[to] = true
	a.mu.Unlock()
	if outbox.Address(to) == outbox.StaffGroup {
		a.setState(StateRemoved)
	}
	if was {
		a.cfg.Log.Debug("the group still refuses the bot", "chat", to, "chat_id", chatID, "err", a.redact(err))
		return
	}
	a.cfg.Log.Error("the group refuses the bot (removed, or not allowed to write); its messages wait until it is added back",
		"chat", to, "chat_id", chatID, "err", a.redact(err))
	a.notify(context.Background(), notice.TelegramRemoved{Chat: outbox.Address(to), ChatID: chatID}, func(ctx context.Context, tx store.Store) error {
		return tx.SetSetting(ctx, removedKey(to), strconv.FormatInt(chatID, 10))
	})
}

// reachable records a message a chat accepted, ending a "removed".
func (a *Adapter) reachable(to string, chatID int64) {
	if chatID >= 0 || !a.isRemoved(to) {
		return
	}
	a.mu.Lock()
	was := a.removed[to]
	a.removed[to] = false
	a.mu.Unlock()
	if !was {
		return
	}
	if a.State() == StateRemoved && outbox.Address(to) == outbox.StaffGroup {
		a.setState(StateRunning)
	}
	a.cfg.Log.Info("the group takes the bot's messages again", "chat", to, "chat_id", chatID)
	a.notify(context.Background(), notice.TelegramRestored{Chat: outbox.Address(to), ChatID: chatID}, func(ctx context.Context, tx store.Store) error {
		return tx.SetSetting(ctx, removedKey(to), "")
	})
}

// staffName is the name of a known staff member, "" for any other id.
func (a *Adapter) staffName(id int64) string {
	a.mu.Lock()
	n, ok := a.names[id]
	a.mu.Unlock()
	if ok {
		return n
	}
	// Only staff seen writing in a staff chat have a name: only they are
	// ever mentioned.
	v, err := a.st.StaffName(context.Background(), id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return ""
	}
	a.mu.Lock()
	a.names[id] = v
	a.mu.Unlock()
	return v
}

// knowStaff remembers the name of someone writing in a staff chat.
func (a *Adapter) knowStaff(ctx context.Context, u *tgbotapi.User) {
	n := name(u)
	if u == nil || u.IsBot || n == "" || a.staffName(u.ID) == n {
		return
	}
	if err := a.st.SetStaffName(ctx, u.ID, n); err != nil {
		a.cfg.Log.Warn("remember a staff name", "err", err)
		return
	}
	a.mu.Lock()
	a.names[u.ID] = n
	a.mu.Unlock()
}

// redact keeps the bot token out of errors: the library's request URLs
// carry it, and HTTP client errors quote the URL.
func (a *Adapter) redact(err error) error {
	if err == nil {
		return nil
	}
	if msg := Redact(err.Error(), a.api.Token); msg != err.Error() {
		return errors.New(msg)
	}
	return err
}
