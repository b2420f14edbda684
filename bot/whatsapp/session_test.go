package whatsapp

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types/events"

	"supportbot/notice"
)

var eventsTemporaryBan = events.TemporaryBan{Code: events.TempBanBlockedByUsers, Expire: time.Hour}

// The session file opens through modernc's "sqlite" driver with foreign
// keys on (whatsmeow's sqlstore refuses to start without them) and holds no
// account until paired.
func TestSessionFileIsSeparateAndUnpaired(t *testing.T) {
	path := filepath.Join(t.TempDir(), "whatsapp-session.db")
	link, closeFile, err := Dial(context.Background(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer closeFile()
	if link.Paired || link.Client == nil || link.LIDs == nil || link.Connect == nil || link.Subscribe == nil {
		t.Errorf("link %+v: want an unpaired client with its LID map", link)
	}
	if link.Client.IsConnected() {
		t.Error("Dial connected; Run connects")
	}
	// Opening it again (a restart) works on the upgraded schema.
	if _, close2, err := Dial(context.Background(), path, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("second open: %v", err)
	} else {
		close2()
	}
	if _, _, err := Dial(context.Background(), path+"?mode=memory", nil); err == nil {
		t.Error("a path with parameters was accepted")
	}
}

func TestRunAsksForPairingWhenNotPaired(t *testing.T) {
	var connects atomic.Int32
	hs := newHarness(t, func(c *Config, l *Link) {
		l.Paired = false
		l.Connect = func() error { connects.Add(1); return nil }
		c.PairCommand = "supportbot pair -config /etc/supportbot/config.yaml"
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { hs.a.Run(ctx); close(done) }()
	deadline := time.Now().Add(time.Minute)
	for len(hs.notes.events()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	want := notice.WhatsAppNotPaired{Command: "supportbot pair -config /etc/supportbot/config.yaml"}
	if got := hs.notes.events(); !slices.Equal(got, []notice.Event{want}) {
		t.Errorf("reported %+v, want %+v", got, want)
	}
	if connects.Load() != 0 {
		t.Error("connected without a session")
	}
	if s := hs.a.State(); s != StateLoggedOut {
		t.Errorf("state %s", s)
	}
}

func TestRunConnectsAndReconnectsAfterABan(t *testing.T) {
	var connects atomic.Int32
	var handler atomic.Value
	hs := newHarness(t, func(c *Config, l *Link) {
		l.Connect = func() error { connects.Add(1); return errors.New("offline") }
		l.Subscribe = func(h func(any) bool) { handler.Store(h) }
		c.Tick = 5 * time.Millisecond
	})
	hs.cli.SetConnected(false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { hs.a.Run(ctx); close(done) }()
	wait := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	wait("a first connect", func() bool { return connects.Load() >= 1 })
	time.Sleep(20 * time.Millisecond)
	if connects.Load() != 1 {
		t.Error("connected again before the wait after a failure")
	}
	hs.clock.Add(firstReconnectWait)
	wait("a retry after the failed connect", func() bool { return connects.Load() >= 2 })
	hs.a.banned(&eventsTemporaryBan)
	n := connects.Load()
	time.Sleep(30 * time.Millisecond)
	if connects.Load() != n {
		t.Error("connected during a ban")
	}
	hs.clock.Add(time.Hour + time.Second)
	wait("a connect after the ban", func() bool { return connects.Load() > n })
	cancel()
	<-done
	if handler.Load() == nil {
		t.Error("Run did not subscribe to events")
	}
}
