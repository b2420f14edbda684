package telegram_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"supportbot/bot"
	"supportbot/bot/telegram"
	"supportbot/bot/telegram/telegramtest"
	"supportbot/inbound"
	"supportbot/notice"
	"supportbot/outbox"
	"supportbot/store"
	"supportbot/store/sqlite"
	"supportbot/store/sqlite/sqlitetest"
)

const (
	token        = "123456:TEST-token-never-logged"
	staffChat    = int64(-1001234)
	managersChat = int64(-1005678)
)

var (
	sara     = telegramtest.Person(1001, "Sara")
	ali      = telegramtest.Person(1002, "Ali")
	staff    = telegramtest.Group(staffChat, "Support")
	stranger = telegramtest.Group(-1009999, "Somewhere else")
)

// clock is a fake clock whose Sleep moves time on at once.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.t = c.t.Add(d)
	}
}

// handled is one staff input the recorder saw.
type handled struct {
	id string
	in bot.StaffInput
}

// recorder is a Handler that deduplicates by id in the database, as the
// engine does, and remembers what it was given.
type recorder struct {
	st    store.Store
	after func(n int, id string) // called after each new input

	mu  sync.Mutex
	got []handled
}

func (r *recorder) HandleStaff(ctx context.Context, id string, in bot.StaffInput) error {
	fresh := false
	err := r.st.InTx(ctx, func(tx store.Store) error {
		var err error
		fresh, err = tx.RecordInbound(ctx, inbound.TransportTelegram, id, in.At)
		return err
	})
	if err != nil || !fresh {
		return err
	}
	r.mu.Lock()
	r.got = append(r.got, handled{id, in})
	n := len(r.got)
	r.mu.Unlock()
	if r.after != nil {
		r.after(n, id)
	}
	return nil
}

func (r *recorder) all() []handled {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]handled(nil), r.got...)
}

func (r *recorder) count() int { return len(r.all()) }

// flakyStore loses offset writes while dropOffsets is set, as a process
// killed between handling an update and storing the offset would.
type flakyStore struct {
	store.Store
	dropOffsets atomic.Bool
}

func (f *flakyStore) SetSetting(ctx context.Context, key, value string) error {
	if key == telegram.SettingOffset && f.dropOffsets.Load() {
		return errors.New("killed before the offset was stored")
	}
	return f.Store.SetSetting(ctx, key, value)
}

// heard is the core's side of notices: it remembers each event reported,
// and records it in the transaction it came with (as a setting), so a test
// sees that the event was committed with the change that caused it.
type heard struct {
	mu  sync.Mutex
	evs []notice.Event
}

func (n *heard) Notify(ctx context.Context, tx store.Store, _ time.Time, ev notice.Event) error {
	n.mu.Lock()
	n.evs = append(n.evs, ev)
	k := len(n.evs)
	n.mu.Unlock()
	return tx.SetSetting(ctx, "test_notice:"+strconv.Itoa(k), ev.Kind())
}

func (n *heard) events() []notice.Event {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]notice.Event(nil), n.evs...)
}

type harness struct {
	t     *testing.T
	notes *heard
	srv   *telegramtest.Server
	path  string
	db    *sqlite.DB
	clock *clock
	log   *slog.Logger
	cfg   telegram.Config
	ad    *telegram.Adapter
	disp  *outbox.Dispatcher
}

func newHarness(t *testing.T, mods ...func(*telegram.Config)) *harness {
	t.Helper()
	h := &harness{t: t, srv: telegramtest.NewServer(t, token), path: filepath.Join(t.TempDir(), "t.db"), clock: newClock(), notes: &heard{}}
	h.log = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	sqlitetest.Create(t, h.path)
	h.db = h.open()
	h.cfg = telegram.Config{
		StaffChatID:    staffChat,
		ManagersChatID: managersChat,
		PollTimeout:    time.Second,
		FileEndpoint:   h.srv.FileEndpoint(),
		Notify:         h.notes,
		Now:            h.clock.Now,
		Log:            h.log,
	}
	for _, m := range mods {
		m(&h.cfg)
	}
	h.ad = h.adapter(h.db)
	h.disp = outbox.NewDispatcher(h.db, outbox.DispatcherConfig{Now: h.clock.Now, Sleep: h.clock.Sleep, Log: h.log})
	h.disp.Register("telegram", h.ad)
	return h
}

func (h *harness) open() *sqlite.DB {
	h.t.Helper()
	db, err := sqlite.Open(context.Background(), h.path)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { db.Close() })
	return db
}

// adapter is a fresh adapter, as a new process would make, on st.
func (h *harness) adapter(st store.Store) *telegram.Adapter {
	return telegram.New(h.srv.API(h.t), st, h.cfg)
}

func (h *harness) enqueue(m store.OutboxMessage) int64 {
	h.t.Helper()
	m.CreatedAt, m.NextAttempt = h.clock.Now(), h.clock.Now()
	if err := h.db.Enqueue(context.Background(), &m); err != nil {
		h.t.Fatal(err)
	}
	return m.ID
}

func (h *harness) flush() {
	h.t.Helper()
	if err := h.disp.Flush(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) outbox(id int64) store.OutboxMessage {
	h.t.Helper()
	m, err := h.db.OutboxMessage(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return m
}

// stopBound is how long a stopped Run may take in a test: far more than a
// stop takes at any load, far less than the long poll and the stalled calls
// of the tests that check a stop does not wait for them.
const stopBound = time.Minute

// run starts ad.Run in the background; stop cancels it and checks it
// returned nil.
func (h *harness) run(ad *telegram.Adapter, handler telegram.Handler) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ad.Run(ctx, handler) }()
	return func() {
		h.t.Helper()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				h.t.Errorf("Run: %v", err)
			}
		case <-time.After(stopBound):
			h.t.Fatalf("Run did not stop within %v of cancel", stopBound)
		}
	}
}

func (h *harness) offset() string {
	v, err := h.db.Setting(context.Background(), telegram.SettingOffset)
	if err != nil {
		return ""
	}
	return v
}

func wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	telegramtest.WaitFor(t, 30*time.Second, what, cond)
}
