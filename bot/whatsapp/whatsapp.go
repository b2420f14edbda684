// Package whatsapp connects customers on the company's WhatsApp number to
// the bot through go.mau.fi/whatsmeow. It only translates: a WhatsApp
// message event becomes a inbound.CustomerMessage for the engine (HandleEvent),
// and an outbox message addressed "whatsapp:…" becomes a WhatsApp send
// (Send). What to say is decided in package bot and package conversation.
//
// Order of work for one inbound message: ignore what is not a person
// writing to us (groups, status broadcasts, newsletters, our own messages);
// skip an id the engine already handled (a redelivery after a reconnect);
// find who wrote (phone number, resolving @lid senders, see address); show
// "typing"; download a file into the media dir; remember that the chat wrote
// first; hand the message to the engine, which stores and answers it in one
// transaction; only after that commit mark the message read and let
// whatsmeow acknowledge it. The client runs with SynchronousAck and the
// decrypted-event buffer (session.go, Dial): a handler that fails makes
// whatsmeow withhold the receipt and keep the decrypted message, so
// WhatsApp's redelivery is served from the session file although the
// Signal session cannot decrypt it again.
//
// The whatsmeow device store (keys, session) lives in its own SQLite file
// and never leaves this package (session.go).
package whatsapp

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"supportbot/inbound"
	"supportbot/notice"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// Client is the part of *whatsmeow.Client the adapter talks through, so
// tests drive the adapter with real event structs and a fake client.
type Client interface {
	SendMessage(ctx context.Context, to types.JID, message *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error)
	Upload(ctx context.Context, plaintext []byte, appInfo whatsmeow.MediaType) (whatsmeow.UploadResponse, error)
	DownloadToFile(ctx context.Context, msg whatsmeow.DownloadableMessage, file whatsmeow.File) error
	MarkRead(ctx context.Context, ids []types.MessageID, timestamp time.Time, chat, sender types.JID, receiptTypeExtra ...types.ReceiptType) error
	SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error
	IsConnected() bool
}

var _ Client = (*whatsmeow.Client)(nil)

// LIDs maps WhatsApp's hidden user ids (@lid) to phone numbers; whatsmeow's
// device store keeps the map (store.LIDStore).
type LIDs interface {
	GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error)
}

// Handler is the part of the engine that customer messages are handed to;
// *bot.Engine is one (cmd/supportbot checks it). It must treat an id it has seen before as a no-op.
type Handler interface {
	HandleCustomer(ctx context.Context, m inbound.CustomerMessage) error
}

// Link is one WhatsApp account connection: the client, its LID map and the
// calls that open and close the connection. Dial makes the real one.
type Link struct {
	Client Client
	LIDs   LIDs
	// Paired is false when the session file holds no account (never
	// paired, or logged out): the adapter then asks for `supportbot pair`.
	Paired     bool
	Connect    func() error
	Disconnect func()
	// Subscribe registers the adapter's event handler; returning false
	// from it withholds the acknowledgement of a message.
	Subscribe func(handler func(evt any) bool)
}

// Config is what the adapter needs besides the link, store and engine.
// Zero fields take the defaults given.
type Config struct {
	// MediaDir is where customers' files are kept with their tickets
	// (required to keep content; "" keeps only a description).
	MediaDir string
	// MaxFileBytes is the largest file kept or sent; default 16 MB.
	MaxFileBytes int64
	// MinGap and MaxGap bound the random pause between two sends, so the
	// account does not look like a machine; default 1s and 3s.
	MinGap, MaxGap time.Duration
	// UndeliveredAfter is how long a sent message may go without a
	// delivery receipt before staff are told; default 12h.
	UndeliveredAfter time.Duration
	// Tick is how often Run looks for undelivered messages, a long
	// disconnection, a silent phone and the end of a ban; default 1m.
	Tick time.Duration
	// DownAfter is how long a reconnection may take before the state is
	// StateDisconnected and staff are told; default 3m.
	DownAfter time.Duration
	// PhoneWarnAfter is how long the company phone may go unseen before
	// staff and managers are warned (WhatsApp unlinks the bot after about
	// 14 days); default 10 days.
	PhoneWarnAfter time.Duration
	// MarkRead is when a customer's messages are marked read (the blue
	// ticks): MarkReadImmediate (default), MarkReadAfterAnswer or
	// MarkReadNever.
	MarkRead string
	// DownloadWorkers is how many messages with files are downloaded and
	// handled at once, off whatsmeow's event loop; default 3.
	DownloadWorkers int
	// DownloadTimeout bounds one try of a download; default 2m.
	DownloadTimeout time.Duration
	// HandleTimeout bounds a queued message's handling beyond its
	// download (the store, the engine, presence), so a worker is never
	// held for ever; default 1m.
	HandleTimeout time.Duration
	// HandleAttempts is how many times a message is tried before it is
	// left for WhatsApp to deliver again (a queued one: before the round
	// counts as failed); default 3.
	HandleAttempts int
	// QueueAttempts and QueueGiveUpAfter are the give-up rule of a queued
	// message that keeps failing: after that many failed rounds (one a
	// Tick), or that long after its first failure, it is handled without
	// its file, else held for a person, and its chat goes on; defaults
	// DefaultQueueAttempts and DefaultQueueGiveUpAfter.
	QueueAttempts    int
	QueueGiveUpAfter time.Duration
	// QueueStuckAfter is the age of the oldest queued message past which
	// the queue counts as stuck: staff and managers are told once, and
	// /healthz is degraded (QueueStats); default DefaultQueueStuckAfter.
	QueueStuckAfter time.Duration
	// MaxAge is the age past which a message delivered now is not acted
	// on: the store forgets message ids after that long
	// (retention.inbound_ids_days), so such a message could be a
	// redelivery of one already answered. 0 means no limit.
	MaxAge time.Duration
	// PairCommand is the command that pairs the account again, shown in
	// the logout notice; default "supportbot pair".
	PairCommand string
	// Notify is told, inside the transaction of the change that caused
	// it, what staff, managers or a customer must hear of (a ban, a logout,
	// an undelivered message, a missed call); the core (bot.Notices) words
	// and enqueues it, once per situation. nil drops them, with a warning
	// in the log.
	Notify notice.Notifier
	// Say renders a catalog message (locales.Printer.T) for the text the
	// adapter makes of a customer message that has none (a location, a
	// contact card, a poll, a sticker); default the key. Notices and the
	// reasons a send is refused are worded by the core, not here.
	Say func(key string, args map[string]any) string
	// Handled is called after each message is handled, so the dispatcher
	// delivers the answers at once (Dispatcher.Wake).
	Handled func()
	// StateChanged is called with each new connection state (for metrics).
	StateChanged func(State)
	// Available is called when the connection is back, so held sends go
	// at once (Dispatcher.Available("whatsapp")).
	Available func()
	// Worked is called after each message received or sent
	// (metrics.Succeeded).
	Worked func()

	Now   func() time.Time                                 // default time.Now
	Sleep func(ctx context.Context, d time.Duration) error // default a timer that stops on ctx
	Rand  func(n int64) int64                              // random in [0, n); default math/rand/v2
	Log   *slog.Logger                                     // default slog.Default()
}

// The shipped pause between two sends: a random gap in [DefaultMinGap,
// DefaultMaxGap], so the account does not look like a bot to WhatsApp.
const (
	DefaultMinGap = time.Second
	DefaultMaxGap = 3 * time.Second
)

// The shipped give-up rule and stuck threshold of the queue of messages
// handled off the event loop (docs/whatsapp.md, "A queued message that
// keeps failing").
const (
	DefaultQueueAttempts    = 5
	DefaultQueueGiveUpAfter = 30 * time.Minute
	DefaultQueueStuckAfter  = 10 * time.Minute
)

func (c *Config) defaults() {
	if c.MaxFileBytes <= 0 {
		c.MaxFileBytes = rules.DefaultMaxFileBytes
	}
	if c.MinGap <= 0 && c.MaxGap <= 0 {
		c.MinGap, c.MaxGap = DefaultMinGap, DefaultMaxGap
	}
	c.MaxGap = max(c.MaxGap, c.MinGap)
	if c.UndeliveredAfter <= 0 {
		c.UndeliveredAfter = 12 * time.Hour
	}
	if c.Tick <= 0 {
		c.Tick = time.Minute
	}
	if c.DownAfter <= 0 {
		c.DownAfter = 3 * time.Minute
	}
	if c.PhoneWarnAfter <= 0 {
		c.PhoneWarnAfter = 10 * 24 * time.Hour
	}
	if c.MarkRead == "" {
		c.MarkRead = MarkReadImmediate
	}
	if c.DownloadWorkers <= 0 {
		c.DownloadWorkers = 3
	}
	if c.DownloadTimeout <= 0 {
		c.DownloadTimeout = 2 * time.Minute
	}
	if c.HandleTimeout <= 0 {
		c.HandleTimeout = time.Minute
	}
	if c.HandleAttempts <= 0 {
		c.HandleAttempts = 3
	}
	if c.QueueAttempts <= 0 {
		c.QueueAttempts = DefaultQueueAttempts
	}
	if c.QueueGiveUpAfter <= 0 {
		c.QueueGiveUpAfter = DefaultQueueGiveUpAfter
	}
	if c.QueueStuckAfter <= 0 {
		c.QueueStuckAfter = DefaultQueueStuckAfter
	}
	if c.PairCommand == "" {
		c.PairCommand = "supportbot pair"
	}
	if c.Say == nil {
		c.Say = func(key string, _ map[string]any) string { return key }
	}
	if c.Handled == nil {
		c.Handled = func() {}
	}
	if c.StateChanged == nil {
		c.StateChanged = func(State) {}
	}
	if c.Available == nil {
		c.Available = func() {}
	}
	if c.Worked == nil {
		c.Worked = func() {}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = outbox.Sleep
	}
	if c.Rand == nil {
		c.Rand = rand.Int64N
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	c.Log = c.Log.With("transport", "whatsapp")
	if c.Notify == nil {
		c.Notify = notice.Dropped(c.Log)
	}
}

// State is where the WhatsApp connection stands.
type State string

// Connection states. docs in README ("WhatsApp states") say what each
// means for the operator.
const (
	StateConnected State = "connected"
	// StateReconnecting: the link dropped (or is being opened) and
	// whatsmeow or Run is connecting again; customers are heard again
	// within seconds to minutes.
	StateReconnecting State = "reconnecting"
	// StateDisconnected: reconnecting has gone on longer than
	// Config.DownAfter; staff are told.
	StateDisconnected State = "disconnected"
	// StateReplaced: another process connected with the same session
	// (two copies running); Run tries again with a growing wait.
	StateReplaced State = "replaced"
	// StateOutdated: WhatsApp refuses this whatsmeow version (405);
	// supportbot must be updated.
	StateOutdated  State = "outdated"
	StateLoggedOut State = "logged_out" // needs `supportbot pair`
	StateBanned    State = "banned"     // temporarily banned; sends wait for the end
)

// States lists every state, for metrics.
var States = []State{StateConnected, StateReconnecting, StateDisconnected, StateReplaced, StateOutdated, StateLoggedOut, StateBanned}

// Hearing says whether customers' messages arrive in state s, which is
// what /healthz judges: a short reconnection counts as heard, a longer one
// (StateDisconnected) does not.
func (s State) Hearing() bool { return s == StateConnected || s == StateReconnecting }

// Adapter is the WhatsApp transport.
type Adapter struct {
	link Link
	st   store.Store
	h    Handler
	cfg  Config
	base context.Context // outlives run's ctx, so the message in hand is finished

	// transition holds one connection-state change and its notice at a
	// time, so the notices follow the states in order: a ban handled while
	// the connection's all-clear is being stored is told after it, not
	// cleared by it; a "down" decided by Run's watch does not land after
	// the reconnection it raced with.
	transition sync.Mutex

	mu        sync.Mutex
	state     State
	downSince time.Time // when the link was last lost (or first opened)
	banUntil  time.Time // zero when not banned
	// reconnectAt is when Run connects next, where whatsmeow does not
	// reconnect by itself (after a ban, a failed connect, a replaced
	// stream, an unknown connect failure); zero when not needed.
	reconnectAt   time.Time
	reconnectWait time.Duration // the wait after the next failure
	phoneSeen     time.Time     // last event from the company phone, as stored
	// staleLink: the socket is open but the link does not work
	// (keepalives unanswered, a stream error); cleared when it works again
	// or closes. connectedAt is when the last connection came up.
	staleLink   bool
	connectedAt time.Time
	// undecrypted holds the messages that could not be decrypted and have
	// not arrived yet, by chat and id (kinds.go).
	undecrypted map[string]undecrypted
	// queueStuck is the queue's state last reported (checkQueue);
	// queueUnsure says to report it whatever it is (set by resume).
	queueStuck, queueUnsure bool
	phoneReported           time.Time // the phoneSeen whose silence was reported
	lastSend                time.Time
	secret                  []byte // for message ids (messageID)
	closing                 bool
	stop                    chan struct{} // closed by Close: the download workers stop
	q                       *queue
	inflight                sync.WaitGroup
	closeOnce               sync.Once
}

var _ outbox.Sender = (*Adapter)(nil)

// New returns an adapter on link that keeps its records in st and hands
// customer messages to h.
func New(link Link, st store.Store, h Handler, cfg Config) *Adapter {
	cfg.defaults()
	state := StateReconnecting
	if !link.Paired {
		state = StateLoggedOut
	}
	return &Adapter{link: link, st: st, h: h, cfg: cfg, base: context.Background(), state: state, downSince: cfg.Now(),
		stop: make(chan struct{}), q: newQueue(), undecrypted: map[string]undecrypted{}}
}

// State is the connection's state now.
func (a *Adapter) State() State {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state == StateBanned && !a.banUntil.IsZero() && !a.cfg.Now().Before(a.banUntil) {
		return StateReconnecting // the ban is over; Run reconnects
	}
	return a.state
}

// setState records a new state and reports the one before.
func (a *Adapter) setState(s State) State {
	a.mu.Lock()
	prev := a.state
	a.state = s
	a.mu.Unlock()
	if prev != s {
		a.cfg.Log.Info("connection state", "state", s, "was", prev)
		a.cfg.StateChanged(s)
	}
	return prev
}

// begin admits one piece of work that touches the store, unless the
// adapter is closing; end finishes it.
func (a *Adapter) begin() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closing {
		return false
	}
	a.inflight.Add(1)
	return true
}

func (a *Adapter) end() { a.inflight.Done() }

// Close stops taking messages (later ones are not acknowledged, so
// WhatsApp delivers them again after a restart) and waits for the one in
// hand to be finished.
func (a *Adapter) Close() {
	a.closeOnce.Do(func() {
		a.checkUndecrypted(a.base, a.cfg.Now(), true) // told now rather than lost with the process
		a.mu.Lock()
		a.closing = true
		a.mu.Unlock()
		close(a.stop)
		a.inflight.Wait()
	})
}
