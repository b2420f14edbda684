package whatsapp

import (
	"context"
	"errors"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"supportbot/notice"
	"supportbot/outbox"
	"supportbot/store"
)

// Each lifecycle event whatsmeow emits (as its connectionevents.go builds
// them) leads to one state, the right health, sends held rather than
// tried, and the situation reported each time it is seen (the core tells
// people once: bot.TestNotices).
func TestLifecycleEvents(t *testing.T) {
	tests := []struct {
		name      string
		evt       any
		connected bool // the fake client's connection after the event
		state     State
		report    notice.Event // nil for none
		reconnect bool         // Run connects again by itself
	}{
		{"connected", &events.Connected{}, true, StateConnected, notice.WhatsAppBack{}, false},
		{"network drop", &events.Disconnected{}, false, StateReconnecting, nil, false},
		{"stream replaced", &events.StreamReplaced{}, false, StateReplaced, notice.WhatsAppReplaced{}, true},
		{"client outdated", &events.ClientOutdated{}, false, StateOutdated, notice.WhatsAppOutdated{Version: WhatsmeowVersion()}, true},
		{"logged out on connect", &events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureLoggedOut}, false, StateLoggedOut, notice.WhatsAppLoggedOut{Command: "supportbot pair"}, false},
		{"device removed", &events.LoggedOut{OnConnect: false, Reason: events.ConnectFailureLoggedOut}, false, StateLoggedOut, notice.WhatsAppLoggedOut{Command: "supportbot pair"}, false},
		{"temporary ban", &events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour}, false, StateBanned,
			notice.WhatsAppBanned{Code: int(events.TempBanSentToTooManyPeople), Until: t0.Add(time.Hour), LengthKnown: true}, true},
		{"unknown connect failure", &events.ConnectFailure{Reason: 418, Message: "teapot", Raw: &waBinary.Node{Tag: "failure"}}, false, StateReconnecting, nil, true},
		// The socket stays open but WhatsApp stops answering: whatsmeow
		// sends no Disconnected (keepalive.go, connectionevents.go).
		{"keepalive timeouts, the socket still open", &events.KeepAliveTimeout{ErrorCount: 1, LastSuccess: t0.Add(-30 * time.Second)}, true, StateReconnecting, nil, false},
		{"unknown stream error", &events.StreamError{Code: "500", Raw: &waBinary.Node{Tag: "stream:error", Attrs: waBinary.Attrs{"code": "500"}}}, true, StateReconnecting, nil, false},
		// whatsmeow expects the disconnect and does not reconnect.
		{"CAT refresh failed", &events.CATRefreshError{Error: errors.New("refresh CAT: 401")}, false, StateReconnecting, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var connects int
			hs := newHarness(t, func(_ *Config, l *Link) { l.Connect = func() error { connects++; return nil } })
			hs.mustContact(customer, pnJID)
			hs.event(&events.Connected{})
			hs.cli.SetConnected(tt.connected)
			before := len(hs.notes.events())
			for range 3 { // repeated events: each is reported
				if !hs.event(tt.evt) {
					t.Fatal("a lifecycle event was not acknowledged")
				}
			}
			if got := hs.a.State(); got != tt.state {
				t.Errorf("state %s, want %s", got, tt.state)
			}
			wantHealthy := tt.state == StateConnected || tt.state == StateReconnecting
			if hs.a.State().Hearing() != wantHealthy {
				t.Errorf("hearing %v in %s", !wantHealthy, tt.state)
			}
			var want []notice.Event
			if tt.report != nil {
				want = []notice.Event{tt.report, tt.report, tt.report}
			}
			if got := hs.notes.events()[before:]; !slices.Equal(got, want) {
				t.Errorf("reported %+v, want %+v", got, want)
			}
			if got := hs.outbox(); len(got) != 0 {
				t.Errorf("the adapter enqueued %+v itself", got)
			}
			_, err := hs.a.Send(context.Background(), store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp(customer)), Text: "پاسخ"})
			if tt.connected && tt.state == StateConnected {
				if err != nil {
					t.Errorf("send: %v", err)
				}
			} else if err == nil || outbox.IsPermanent(err) || len(hs.cli.Sent()) != 0 {
				t.Errorf("send while %s: %v (sent %d), want held", tt.state, err, len(hs.cli.Sent()))
			}
			// Run's watch, long after: it connects again where whatsmeow
			// does not, and never after a logout.
			hs.clock.Add(7 * time.Hour)
			hs.a.Check(context.Background())
			if (connects > 0) != tt.reconnect {
				t.Errorf("connects %d, want reconnect: %v", connects, tt.reconnect)
			}
			if tt.state == StateReconnecting {
				// Still not back after hours: down, and reported.
				if s := hs.a.State(); s != StateDisconnected {
					t.Errorf("state %s after 7h of reconnecting, want disconnected", s)
				}
				evs := hs.notes.events()
				if down, ok := evs[len(evs)-1].(notice.WhatsAppDown); !ok || !down.Since.Equal(t0) || down.For != 7*time.Hour {
					t.Errorf("reported %+v, want down since t0 for 7h", evs[len(evs)-1])
				}
			}
			// Back: reported, for the core to give the all-clear.
			if tt.state != StateLoggedOut {
				hs.cli.SetConnected(true)
				hs.event(&events.Connected{})
				if evs := hs.notes.events(); evs[len(evs)-1] != (notice.WhatsAppBack{}) {
					t.Errorf("reported %+v last, want the connection back", evs[len(evs)-1])
				}
				if hs.a.State() != StateConnected {
					t.Errorf("state %s after Connected", hs.a.State())
				}
			}
		})
	}
}

// Keepalives that go unanswered on a link whatsmeow keeps open: customers
// are not heard, so the state is reconnecting (sends wait, without
// counting attempts) and, past DownAfter, down and reported, though the
// socket looks connected; answered again, the link is connected and the
// all-clear reported. A timeout of an earlier connection changes nothing.
func TestKeepaliveTimeouts(t *testing.T) {
	hs := newHarness(t)
	ctx := context.Background()
	hs.mustContact(customer, pnJID)
	hs.event(&events.Connected{})
	send := func() error {
		_, err := hs.a.Send(ctx, store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp(customer)), Text: "پاسخ"})
		return err
	}
	hs.clock.Add(50 * time.Second)
	hs.event(&events.KeepAliveTimeout{ErrorCount: 1, LastSuccess: t0.Add(25 * time.Second)})
	if s := hs.a.State(); s != StateReconnecting || !s.Hearing() {
		t.Errorf("after a keepalive timeout: %s, want reconnecting (still healthy)", s)
	}
	if err := send(); err == nil || outbox.IsPermanent(err) || !errors.Is(err, ErrNotConnected) {
		t.Errorf("send on a link that does not answer: %v, want held", err)
	}
	hs.event(&events.KeepAliveRestored{})
	if s := hs.a.State(); s != StateConnected {
		t.Errorf("after the keepalive is answered again: %s", s)
	}
	if err := send(); err != nil {
		t.Errorf("send once restored: %v", err)
	}

	lost := hs.clock.Now()
	for i := 1; i <= 8; i++ { // a keepalive every 30 s goes unanswered
		hs.event(&events.KeepAliveTimeout{ErrorCount: i, LastSuccess: lost.Add(-10 * time.Second)})
		hs.clock.Add(30 * time.Second)
		hs.a.Check(ctx)
	}
	if s := hs.a.State(); s != StateDisconnected || s.Hearing() {
		t.Errorf("after 4 minutes of unanswered keepalives: %s, want disconnected and not hearing", s)
	}
	var downs int
	for _, ev := range hs.notes.events() {
		if d, ok := ev.(notice.WhatsAppDown); ok {
			downs++
			if !d.Since.Equal(lost) {
				t.Errorf("down since %v, want %v", d.Since, lost)
			}
		}
	}
	if downs != 1 {
		t.Errorf("reported down %d times, want once", downs)
	}
	hs.event(&events.KeepAliveRestored{})
	if evs := hs.notes.events(); hs.a.State() != StateConnected || evs[len(evs)-1] != (notice.WhatsAppBack{}) {
		t.Errorf("restored: %s, last reported %+v; want connected and the all-clear", hs.a.State(), evs[len(evs)-1])
	}

	// whatsmeow reconnected after its own 3 minutes; a timeout its old
	// connection dispatched late does not mark the new one.
	hs.clock.Add(time.Minute)
	hs.event(&events.Connected{})
	hs.event(&events.KeepAliveTimeout{ErrorCount: 7, LastSuccess: hs.clock.Now().Add(-4 * time.Minute)})
	if s := hs.a.State(); s != StateConnected {
		t.Errorf("a late timeout of the earlier connection made the state %s", s)
	}
}

// A reconnection that takes longer than DownAfter makes the state
// disconnected (so /healthz is 503) and is reported once; the reconnection
// is reported too.
func TestLongDisconnectionReportedOnce(t *testing.T) {
	hs := newHarness(t)
	ctx := context.Background()
	hs.event(&events.Connected{})
	hs.cli.SetConnected(false)
	lost := hs.clock.Now()
	hs.event(&events.Disconnected{})
	hs.clock.Add(2 * time.Minute)
	hs.a.Check(ctx)
	if s := hs.a.State(); s != StateReconnecting || len(hs.notes.events()) != 1 {
		t.Fatalf("after 2 minutes: %s, reported %+v; want a quiet reconnection", s, hs.notes.events())
	}
	hs.clock.Add(2 * time.Minute)
	for range 3 {
		hs.a.Check(ctx)
		hs.event(&events.Disconnected{}) // whatsmeow's retries fail
		hs.clock.Add(time.Minute)
	}
	if s := hs.a.State(); s != StateDisconnected || s.Hearing() {
		t.Errorf("after 4 minutes: %s, want disconnected and not hearing", s)
	}
	down := notice.WhatsAppDown{Since: lost, For: 4 * time.Minute}
	if got := hs.notes.events(); !slices.Equal(got, []notice.Event{notice.WhatsAppBack{}, down}) {
		t.Fatalf("reported %+v, want once %+v", got, down)
	}
	hs.cli.SetConnected(true)
	hs.event(&events.Connected{})
	if got := hs.notes.events(); !slices.Equal(got, []notice.Event{notice.WhatsAppBack{}, down, notice.WhatsAppBack{}}) {
		t.Errorf("reported %+v, want the connection back", got)
	}
}

// The company phone is seen through its own receipts and messages (device
// 0 of our account); after 10 days without it staff and managers are
// warned once, and again only after the phone came back and went silent.
func TestPhoneOfflineReportedOnce(t *testing.T) {
	hs := newHarness(t)
	ctx := context.Background()
	own := types.NewJID("989120000000", types.DefaultUserServer)
	silences := func() []notice.Event {
		var out []notice.Event
		for _, ev := range hs.notes.events() {
			if _, ok := ev.(notice.WhatsAppPhoneSilent); ok {
				out = append(out, ev)
			}
		}
		return out
	}
	hs.event(&events.Connected{})
	hs.clock.Add(9 * 24 * time.Hour)
	hs.a.Check(ctx)
	if got := silences(); len(got) != 0 {
		t.Fatalf("reported after 9 days: %+v", got)
	}
	// A receipt from the bot's own companion device is not the phone.
	companion := own
	companion.Device = 7
	hs.event(&events.Receipt{MessageSource: types.MessageSource{Chat: pnJID, Sender: companion, IsFromMe: true}, Type: types.ReceiptTypeRead, Timestamp: hs.clock.Now(), MessageIDs: []string{"X"}})
	hs.clock.Add(24 * time.Hour)
	for range 3 {
		hs.a.Check(ctx)
	}
	first := notice.WhatsAppPhoneSilent{Seen: t0, Days: 10}
	if got := silences(); !slices.Equal(got, []notice.Event{first}) {
		t.Errorf("reported %+v, want once %+v", got, first)
	}
	// A restart reports it again, once (the core remembers it told).
	again := New(hs.a.link, hs.db, hs.h, hs.a.cfg)
	again.loadPhoneSeen(ctx)
	again.HandleEvent(&events.Connected{})
	again.Check(ctx)
	again.Check(ctx)
	if got := silences(); len(got) != 2 || !got[1].(notice.WhatsAppPhoneSilent).Seen.Equal(t0) || got[1].(notice.WhatsAppPhoneSilent).Days != 10 {
		t.Errorf("reported %+v after a restart, want the same silence once more", got)
	}
	// The phone reads a message: the clock starts again.
	again.HandleEvent(&events.Receipt{MessageSource: types.MessageSource{Chat: pnJID, Sender: own, IsFromMe: true}, Type: types.ReceiptTypeReadSelf, Timestamp: hs.clock.Now(), MessageIDs: []string{"Y"}})
	hs.clock.Add(5 * 24 * time.Hour)
	again.Check(ctx)
	if n := len(silences()); n != 2 {
		t.Errorf("reported 5 days after the phone was back")
	}
	hs.clock.Add(6 * 24 * time.Hour)
	again.Check(ctx)
	if got := silences(); len(got) != 3 || got[2].(notice.WhatsAppPhoneSilent).Days != 11 || got[2] == first {
		t.Errorf("reported %+v after a second silence of 11 days, want a new one", got)
	}
}

// Replaced twice in a row, Run waits longer each time before taking the
// session back, so two copies running do not fight every second.
func TestReplacedBacksOff(t *testing.T) {
	var connects int
	hs := newHarness(t, func(_ *Config, l *Link) { l.Connect = func() error { connects++; return nil } })
	hs.cli.SetConnected(false)
	ctx := context.Background()
	var gaps []time.Duration
	last := hs.clock.Now()
	for range 3 {
		hs.event(&events.StreamReplaced{})
		before := connects
		for connects == before {
			hs.clock.Add(10 * time.Second)
			hs.a.Check(ctx)
		}
		gaps = append(gaps, hs.clock.Now().Sub(last))
		last = hs.clock.Now()
	}
	if !(gaps[0] >= time.Minute && gaps[1] >= 2*time.Minute && gaps[2] >= 4*time.Minute) {
		t.Errorf("waits before taking the session back %v, want about 1m, 2m, 4m", gaps)
	}
	if got := hs.notes.events(); !slices.Equal(got, []notice.Event{notice.WhatsAppReplaced{}, notice.WhatsAppReplaced{}, notice.WhatsAppReplaced{}}) {
		t.Errorf("reported %+v, want each replacement", got)
	}
}

func TestWhatsmeowVersion(t *testing.T) {
	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	var pinned string
	for _, line := range strings.Split(string(gomod), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == whatsmeowModule {
			pinned = f[1]
		}
	}
	// Pseudo-versions sort by their date: at least 2026-08-21.
	if pinned < "v0.0.0-20260821" {
		t.Errorf("go.mod pins whatsmeow %q, older than 2026-08-21", pinned)
	}
	info := &debug.BuildInfo{Deps: []*debug.Module{{Path: "golang.org/x/net", Version: "v0.59.0"}, {Path: whatsmeowModule, Version: pinned}}}
	if got := moduleVersion(info); got != pinned {
		t.Errorf("version %q, want %q", got, pinned)
	}
	info.Deps[1].Replace = &debug.Module{Path: "../whatsmeow", Version: "(devel)"}
	if got := moduleVersion(info); got != "(devel)" {
		t.Errorf("replaced: %q", got)
	}
	if got := moduleVersion(&debug.BuildInfo{}); got != "unknown" {
		t.Errorf("no deps: %q", got)
	}
}

// gatedStore holds the adapter's clearing of a ban (the first thing it
// stores on a connection) until the test lets it go.
type gatedStore struct {
	store.Store
	entered, release chan struct{}
}

func (g *gatedStore) SetSetting(ctx context.Context, key, value string) error {
	if key == SettingBanUntil && value == "" {
		close(g.entered)
		<-g.release
	}
	return g.Store.SetSetting(ctx, key, value)
}

// A ban that arrives while the connection's all-clear is being worked out
// waits for it, so the notices follow the states: the connection back,
// then the ban (the core then tells the ban; in the other order the
// all-clear would clear it and the next report of it would be told again).
func TestStateNoticesFollowTheStates(t *testing.T) {
	hs := newHarness(t)
	gate := &gatedStore{Store: hs.db, entered: make(chan struct{}), release: make(chan struct{})}
	a := New(hs.a.link, gate, hs.h, hs.a.cfg)
	connected := make(chan struct{})
	go func() { a.HandleEvent(&events.Connected{}); close(connected) }()
	<-gate.entered
	banned := make(chan struct{})
	go func() {
		a.HandleEvent(&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour})
		close(banned)
	}()
	select {
	case <-banned:
		t.Fatal("the ban was handled in the middle of the connection")
	case <-time.After(200 * time.Millisecond):
	}
	close(gate.release)
	<-connected
	<-banned
	ban := notice.WhatsAppBanned{Code: int(events.TempBanSentToTooManyPeople), Until: t0.Add(time.Hour), LengthKnown: true}
	if got := hs.notes.events(); !slices.Equal(got, []notice.Event{notice.WhatsAppBack{}, ban}) {
		t.Errorf("reported %+v, want the connection back, then the ban", got)
	}
	if s := a.State(); s != StateBanned {
		t.Errorf("state %s, want banned", s)
	}
}
