package whatsapp

import (
	"context"
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"supportbot/outbox"
	"supportbot/store"
)

// Each lifecycle event whatsmeow emits (as its connectionevents.go builds
// them) leads to one state, at most one notice per audience however often
// it repeats, the right health, and sends held rather than tried.
func TestLifecycleEvents(t *testing.T) {
	managers := outbox.TelegramUser(2001)
	tests := []struct {
		name      string
		evt       any
		connected bool // the fake client's connection after the event
		state     State
		staff     string // a word of the staff notice, "" for none
		managers  bool   // managers told too
		reconnect bool   // Run connects again by itself
	}{
		{"connected", &events.Connected{}, true, StateConnected, "", false, false},
		{"network drop", &events.Disconnected{}, false, StateReconnecting, "", false, false},
		{"stream replaced", &events.StreamReplaced{}, false, StateReplaced, "دو نسخه", false, true},
		{"client outdated", &events.ClientOutdated{}, false, StateOutdated, "قدیمی", true, true},
		{"logged out on connect", &events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureLoggedOut}, false, StateLoggedOut, "supportbot pair", false, false},
		{"device removed", &events.LoggedOut{OnConnect: false, Reason: events.ConnectFailureLoggedOut}, false, StateLoggedOut, "supportbot pair", false, false},
		{"temporary ban", &events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour}, false, StateBanned, "مسدود", true, true},
		{"unknown connect failure", &events.ConnectFailure{Reason: 418, Message: "teapot", Raw: &waBinary.Node{Tag: "failure"}}, false, StateReconnecting, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var connects int
			hs := newHarness(t, func(_ *Config, l *Link) { l.Connect = func() error { connects++; return nil } })
			hs.mustContact(customer, pnJID)
			hs.event(&events.Connected{})
			hs.cli.SetConnected(tt.connected)
			for range 3 { // repeated events tell nobody twice
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
			staff := hs.to(string(outbox.StaffGroup))
			switch {
			case tt.staff == "" && len(staff) != 0:
				t.Errorf("staff told %+v", staff)
			case tt.staff != "" && (len(staff) != 1 || !strings.Contains(staff[0].Text, tt.staff)):
				t.Errorf("staff told %+v, want one notice with %q", staff, tt.staff)
			}
			if got := len(hs.to(string(managers))); (got == 1) != tt.managers || got > 1 {
				t.Errorf("managers told %d times, want told: %v", got, tt.managers)
			}
			_, err := hs.a.Send(context.Background(), store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp(customer)), Text: "پاسخ"})
			if tt.connected {
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
				// Still not back after hours: down, and staff told.
				if s := hs.a.State(); s != StateDisconnected {
					t.Errorf("state %s after 7h of reconnecting, want disconnected", s)
				}
				if staff := hs.to(string(outbox.StaffGroup)); len(staff) != 1 || !strings.Contains(staff[0].Text, "قطع است") {
					t.Errorf("staff told %+v, want the disconnection notice", staff)
				}
			}
			// Back: one all-clear after a notice, nothing otherwise.
			if tt.state != StateLoggedOut {
				told := len(hs.to(string(outbox.StaffGroup)))
				hs.cli.SetConnected(true)
				hs.event(&events.Connected{})
				staff := hs.to(string(outbox.StaffGroup))
				back := 0
				for _, m := range staff {
					if strings.Contains(m.Text, "دوباره برقرار شد") {
						back++
					}
				}
				if want := map[bool]int{true: 1, false: 0}[told > 0]; back != want {
					t.Errorf("all-clear sent %d times, want %d: %+v", back, want, staff)
				}
				if hs.a.State() != StateConnected {
					t.Errorf("state %s after Connected", hs.a.State())
				}
			}
		})
	}
}

// A reconnection that takes longer than DownAfter makes the state
// disconnected (so /healthz is 503) and tells staff once; the reconnection
// tells them it is over.
func TestLongDisconnectionTellsStaffOnce(t *testing.T) {
	hs := newHarness(t)
	ctx := context.Background()
	hs.event(&events.Connected{})
	hs.cli.SetConnected(false)
	hs.event(&events.Disconnected{})
	hs.clock.Add(2 * time.Minute)
	hs.a.Check(ctx)
	if s := hs.a.State(); s != StateReconnecting || len(hs.to(string(outbox.StaffGroup))) != 0 {
		t.Fatalf("after 2 minutes: %s, staff told %d; want a quiet reconnection", s, len(hs.to(string(outbox.StaffGroup))))
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
	staff := hs.to(string(outbox.StaffGroup))
	if len(staff) != 1 || !strings.Contains(staff[0].Text, "۴ دقیقه") {
		t.Fatalf("staff told %+v, want one notice of 4 minutes", staff)
	}
	hs.cli.SetConnected(true)
	hs.event(&events.Connected{})
	if staff := hs.to(string(outbox.StaffGroup)); len(staff) != 2 || !strings.Contains(staff[1].Text, "دوباره برقرار شد") {
		t.Errorf("staff told %+v, want the all-clear", staff)
	}
}

// The company phone is seen through its own receipts and messages (device
// 0 of our account); after 10 days without it staff and managers are
// warned once, and again only after the phone came back and went silent.
func TestPhoneOfflineWarnsOnce(t *testing.T) {
	hs := newHarness(t)
	ctx := context.Background()
	own := types.NewJID("989120000000", types.DefaultUserServer)
	hs.event(&events.Connected{})
	hs.clock.Add(9 * 24 * time.Hour)
	hs.a.Check(ctx)
	if n := len(hs.to(string(outbox.StaffGroup))); n != 0 {
		t.Fatalf("warned after 9 days: %d", n)
	}
	// A receipt from the bot's own companion device is not the phone.
	companion := own
	companion.Device = 7
	hs.event(&events.Receipt{MessageSource: types.MessageSource{Chat: pnJID, Sender: companion, IsFromMe: true}, Type: types.ReceiptTypeRead, Timestamp: hs.clock.Now(), MessageIDs: []string{"X"}})
	hs.clock.Add(24 * time.Hour)
	for range 3 {
		hs.a.Check(ctx)
	}
	for _, addr := range []string{string(outbox.StaffGroup), string(outbox.TelegramUser(2001))} {
		got := hs.to(addr)
		if len(got) != 1 || !strings.Contains(got[0].Text, "۱۰ روز") || !strings.Contains(got[0].Text, "۴ روز دیگر") {
			t.Errorf("%s told %+v, want one warning of 10 days", addr, got)
		}
	}
	// A restart does not warn again.
	again := New(hs.a.link, hs.db, hs.h, hs.a.cfg)
	again.loadPhoneSeen(ctx)
	again.HandleEvent(&events.Connected{})
	again.Check(ctx)
	if n := len(hs.to(string(outbox.StaffGroup))); n != 1 {
		t.Errorf("warned %d times after a restart", n)
	}
	// The phone reads a message: the clock starts again.
	again.HandleEvent(&events.Receipt{MessageSource: types.MessageSource{Chat: pnJID, Sender: own, IsFromMe: true}, Type: types.ReceiptTypeReadSelf, Timestamp: hs.clock.Now(), MessageIDs: []string{"Y"}})
	hs.clock.Add(5 * 24 * time.Hour)
	again.Check(ctx)
	if n := len(hs.to(string(outbox.StaffGroup))); n != 1 {
		t.Errorf("warned 5 days after the phone was back")
	}
	hs.clock.Add(6 * 24 * time.Hour)
	again.Check(ctx)
	if n := len(hs.to(string(outbox.StaffGroup))); n != 2 {
		t.Errorf("%d warnings after a second silence of 11 days, want 2", n)
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
	if n := len(hs.to(string(outbox.StaffGroup))); n != 1 {
		t.Errorf("staff told %d times, want once", n)
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
