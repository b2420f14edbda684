package whatsapp

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"supportbot/bot/whatsapp/whatsapptest"
	"supportbot/inbound"
	"supportbot/locales"
	"supportbot/notice"
	"supportbot/store"
	"supportbot/store/sqlite"
	"supportbot/store/sqlite/sqlitetest"
)

var _ Client = (*whatsapptest.Client)(nil)

// fakeHandler is the engine's side: it records the inbound id like the
// engine does (so a redelivery is seen) and the message, or fails.
type fakeHandler struct {
	st   store.Store
	mu   sync.Mutex
	got  []inbound.CustomerMessage
	fail func(m inbound.CustomerMessage) error
}

func (h *fakeHandler) HandleCustomer(ctx context.Context, m inbound.CustomerMessage) error {
	if h.fail != nil {
		if err := h.fail(m); err != nil {
			return err
		}
	}
	if _, err := h.st.RecordInbound(ctx, inbound.TransportWhatsApp, m.ID, m.At); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, m)
	return nil
}

func (h *fakeHandler) messages() []inbound.CustomerMessage {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]inbound.CustomerMessage(nil), h.got...)
}

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// heard is the core's side of notices: it remembers each event reported,
// and records it in the transaction it came with (as a setting), so a
// test sees the event committed with the change that caused it, and
// rolled back with it.
type heard struct {
	mu   sync.Mutex
	evs  []notice.Event
	fail error // returned instead, when set
}

func (n *heard) Notify(ctx context.Context, tx store.Store, _ time.Time, ev notice.Event) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.fail != nil {
		return n.fail
	}
	n.evs = append(n.evs, ev)
	return tx.SetSetting(ctx, "test_notice:"+strconv.Itoa(len(n.evs)), ev.Kind())
}

func (n *heard) events() []notice.Event {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]notice.Event(nil), n.evs...)
}

// harness is an adapter on a fake client, a real database and a fake engine.
type harness struct {
	t      *testing.T
	db     *sqlite.DB
	dbPath string
	cli    *whatsapptest.Client
	h      *fakeHandler
	a      *Adapter
	clock  *clock
	notes  *heard
	sleeps []time.Duration
	media  string
	mu     sync.Mutex
}

var t0 = time.Date(2026, 11, 28, 9, 0, 0, 0, time.FixedZone("IRST", 3*3600+1800))

func newHarness(t *testing.T, tune ...func(*Config, *Link)) *harness {
	t.Helper()
	dbPath := filepath.Join(t.TempDir(), "bot.db")
	db := sqlitetest.Open(t, dbPath)
	p, err := locales.New("fa", nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := &harness{t: t, db: db, dbPath: dbPath, cli: whatsapptest.NewClient(), clock: &clock{t: t0}, media: t.TempDir(), notes: &heard{}}
	hs.h = &fakeHandler{st: db}
	cfg := Config{
		MediaDir: hs.media, MaxFileBytes: 1 << 20, MinGap: time.Second, MaxGap: 3 * time.Second,
		Notify: hs.notes, Say: p.T, Now: hs.clock.Now,
		Sleep: func(ctx context.Context, d time.Duration) error {
			hs.mu.Lock()
			hs.sleeps = append(hs.sleeps, d)
			hs.mu.Unlock()
			hs.clock.Add(d)
			return ctx.Err()
		},
		Rand: func(n int64) int64 { return n / 2 },
	}
	link := Link{Client: hs.cli, LIDs: whatsapptest.LIDs{"111222333": "989127777777"}, Paired: true}
	for _, f := range tune {
		f(&cfg, &link)
	}
	hs.a = New(link, db, hs.h, cfg)
	return hs
}

func (hs *harness) slept() []time.Duration {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return append([]time.Duration(nil), hs.sleeps...)
}

// outbox lists every outbox message.
func (hs *harness) outbox() []store.OutboxMessage {
	hs.t.Helper()
	ms, err := hs.db.DueOutbox(context.Background(), time.Now().Add(100*365*24*time.Hour), 0)
	if err != nil {
		hs.t.Fatal(err)
	}
	return ms
}

// to lists the outbox messages to addr.
func (hs *harness) to(addr string) []store.OutboxMessage {
	var out []store.OutboxMessage
	for _, m := range hs.outbox() {
		if m.To == addr {
			out = append(out, m)
		}
	}
	return out
}

// JIDs of the tests' people.
var (
	pnJID  = types.NewJID("989121234567", types.DefaultUserServer)
	lidJID = types.NewJID("111222333", types.HiddenUserServer)
	anonID = types.NewJID("444555666", types.HiddenUserServer)
)

// dm is a direct message from sender (in its own chat) with id and content.
func dm(id string, sender types.JID, m *waE2E.Message) *events.Message {
	return &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{Chat: sender, Sender: sender},
			ID:            id, Timestamp: t0, PushName: "Customer", Type: "text",
		},
		Message: m,
	}
}

func text(s string) *waE2E.Message { return &waE2E.Message{Conversation: proto.String(s)} }

// mustContact records that addr wrote from jid.
func (hs *harness) mustContact(addr string, jid types.JID) {
	hs.t.Helper()
	if err := hs.db.TouchWhatsAppContact(context.Background(), store.WhatsAppContact{Address: addr, JID: jid.String(), LastAt: t0}); err != nil {
		hs.t.Fatal(err)
	}
}

var errBoom = errors.New("boom")

// revealingHandler is the engine's side with Reveal: it records what
// WhatsApp revealed and answers with the key the engine would choose.
type revealingHandler struct {
	*fakeHandler
	key      func(address, phone string) string
	revealed []string
}

func (h *revealingHandler) Reveal(_ context.Context, address, phone string, _ time.Time) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.revealed = append(h.revealed, address+"="+phone)
	return h.key(address, phone), nil
}

// event hands evt to the adapter as whatsmeow's event loop does and waits
// until whatever it queued (a file to download) has been handled too.
func (hs *harness) event(evt any) bool {
	hs.t.Helper()
	ok := hs.a.HandleEvent(evt)
	if !hs.a.waitIdle(time.Minute) {
		hs.t.Fatal("queued messages not handled within 10s")
	}
	return ok
}
