package whatsapp

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"supportbot/bot/whatsapp/whatsapptest"
)

// gate blocks downloads of the paths it holds until released.
type gate struct {
	hold    map[string]bool
	release chan struct{}
}

func newGate(paths ...string) *gate {
	g := &gate{hold: map[string]bool{}, release: make(chan struct{})}
	for _, p := range paths {
		g.hold[p] = true
	}
	return g
}

func (g *gate) wait(ctx context.Context, path string) error {
	if !g.hold[path] {
		return nil
	}
	select {
	case <-g.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (hs *harness) pendingRows() int {
	hs.t.Helper()
	ps, err := hs.db.WhatsAppPendingList(context.Background())
	if err != nil {
		hs.t.Fatal(err)
	}
	return len(ps)
}

// A slow download is stored and acknowledged at once; other chats go on
// meanwhile, and the same chat's later messages wait behind it, so staff
// see the chat in order.
func TestSlowDownloadOffTheEventLoop(t *testing.T) {
	hs := newHarness(t, func(c *Config, _ *Link) { c.DownloadWorkers = 2 })
	png := []byte("\x89PNG slow screenshot")
	hs.cli.AddMedia("/slow", png)
	g := newGate("/slow")
	hs.cli.SetDownloadGate(g.wait)
	other := whatsapptest.PN("989121110002")

	start := time.Now()
	if !hs.a.HandleEvent(dm("A1", pnJID, whatsapptest.Image("صفحه خطا", "image/png", "/slow", len(png)))) {
		t.Fatal("a message with a file was not acknowledged")
	}
	if !hs.a.HandleEvent(dm("A2", pnJID, text("این هم توضیح خطا"))) {
		t.Fatal("the chat's next message was not acknowledged")
	}
	// The download is held until the gate opens below, so an event loop
	// that waited for it would be held for ever: any bound far beyond a
	// slow machine's handling tells them apart.
	if took := time.Since(start); took > time.Minute {
		t.Errorf("the event loop was held %v by a download", took)
	}
	if n := hs.pendingRows(); n != 2 {
		t.Errorf("%d messages stored as pending before the acknowledgement, want 2", n)
	}
	if !hs.a.HandleEvent(dm("B1", other, text("سلام"))) {
		t.Fatal("another chat's message was not acknowledged")
	}
	if got := hs.h.messages(); len(got) != 1 || got[0].ID != "B1" {
		t.Fatalf("while A's file downloads the engine got %+v, want only B1", got)
	}
	close(g.release)
	if !hs.a.waitIdle(time.Minute) {
		t.Fatal("queue not drained")
	}
	got := hs.h.messages()
	var ids []string
	for _, m := range got {
		ids = append(ids, m.ID)
	}
	if len(got) != 3 || ids[1] != "A1" || ids[2] != "A2" {
		t.Fatalf("engine got %v, want B1, A1, A2", ids)
	}
	if f := got[1].File; f == nil || f.Path == "" || f.Bytes != int64(len(png)) {
		t.Errorf("A1's file: %+v", f)
	}
	if !got[1].At.Equal(t0) || !got[1].SentAt.Equal(t0) {
		t.Errorf("A1 handled at %v, want the time it was received %v", got[1].At, t0)
	}
	if n := hs.pendingRows(); n != 0 {
		t.Errorf("%d pending rows left", n)
	}
	if r := hs.cli.Reads(); len(r) != 3 {
		t.Errorf("marked read %v, want all three", r)
	}
}

// At most DownloadWorkers downloads run at once.
func TestDownloadsBounded(t *testing.T) {
	hs := newHarness(t, func(c *Config, _ *Link) { c.DownloadWorkers = 2 })
	g := newGate("/p")
	hs.cli.SetDownloadGate(g.wait)
	hs.cli.AddMedia("/p", []byte("%PDF"))
	for i := range 5 {
		jid := whatsapptest.PN("98912111000" + string(rune('0'+i)))
		if !hs.a.HandleEvent(dm("D"+string(rune('0'+i)), jid, whatsapptest.Image("", "image/png", "/p", 4))) {
			t.Fatal("not acknowledged")
		}
	}
	deadline := time.Now().Add(time.Minute)
	for hs.cli.MaxConcurrentDownloads() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // time for a third to start, were it allowed
	if n := hs.cli.MaxConcurrentDownloads(); n != 2 {
		t.Errorf("%d downloads at once, want 2", n)
	}
	close(g.release)
	if !hs.a.waitIdle(time.Minute) {
		t.Fatal("queue not drained")
	}
	if got := hs.h.messages(); len(got) != 5 {
		t.Errorf("engine got %d messages, want 5", len(got))
	}
	if n := hs.cli.MaxConcurrentDownloads(); n != 2 {
		t.Errorf("%d downloads at once, want 2", n)
	}
}

// A download that hangs is given up at its deadline; the message still
// reaches the engine, with the file described only.
func TestDownloadDeadline(t *testing.T) {
	hs := newHarness(t, func(c *Config, _ *Link) { c.DownloadTimeout = 50 * time.Millisecond })
	hs.cli.SetDownloadGate(newGate("/hang").wait)
	hs.cli.AddMedia("/hang", []byte("never comes"))
	if !hs.event(dm("H1", pnJID, whatsapptest.Image("عکس", "image/jpeg", "/hang", 11))) {
		t.Fatal("not acknowledged")
	}
	got := hs.h.messages()
	if len(got) != 1 || got[0].File == nil || got[0].File.Path != "" || got[0].Text != "عکس" {
		t.Fatalf("engine got %+v, want the caption with the file described only", got)
	}
}

// Messages queued when the process stopped are handled after a restart,
// once.
func TestQueuedMessagesSurviveARestart(t *testing.T) {
	hs := newHarness(t)
	g := newGate("/x")
	hs.cli.SetDownloadGate(g.wait)
	hs.cli.AddMedia("/x", []byte("a file"))
	t.Cleanup(func() { close(g.release); hs.a.Close() })
	if !hs.a.HandleEvent(dm("R1", pnJID, whatsapptest.Image("", "image/png", "/x", 6))) {
		t.Fatal("not acknowledged")
	}
	if !hs.a.HandleEvent(dm("R2", pnJID, text("پیام بعدی"))) {
		t.Fatal("not acknowledged")
	}
	// The process dies with the download hanging: a new adapter on the same
	// database (another client, the media now reachable) takes them up.
	cli := whatsapptest.NewClient()
	cli.AddMedia("/x", []byte("a file"))
	h2 := &fakeHandler{st: hs.db}
	cfg := hs.a.cfg
	cfg.MediaDir = filepath.Join(t.TempDir(), "media")
	a2 := New(Link{Client: cli, Paired: true}, hs.db, h2, cfg)
	defer a2.Close()
	a2.resume(context.Background())
	if !a2.waitIdle(time.Minute) {
		t.Fatal("queue not drained after the restart")
	}
	got := h2.messages()
	if len(got) != 2 || got[0].ID != "R1" || got[1].ID != "R2" || got[0].File == nil || got[0].File.Path == "" {
		t.Fatalf("after the restart the engine got %+v, want R1 with its file, then R2", got)
	}
	if n := hs.pendingRows(); n != 0 {
		t.Errorf("%d pending rows left", n)
	}
	if got := hs.h.messages(); len(got) != 0 {
		t.Errorf("the stopped process handled %+v too, want each message handled once", got)
	}
}
