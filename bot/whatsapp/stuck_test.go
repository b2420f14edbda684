package whatsapp

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"supportbot/bot/whatsapp/whatsapptest"
	"supportbot/inbound"
	"supportbot/notice"
	"supportbot/store"
)

// settle waits until no worker has a chat: each chat is drained or
// released after a failed round.
func (hs *harness) settle() {
	hs.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		hs.a.q.mu.Lock()
		busy := len(hs.a.q.active) > 0
		hs.a.q.mu.Unlock()
		if !busy {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	hs.t.Fatal("a queued chat still busy after a minute")
}

// round is one minute of Run's watch: Check tries the released chats again.
func (hs *harness) round() {
	hs.t.Helper()
	hs.clock.Add(time.Minute)
	hs.a.Check(context.Background())
	hs.settle()
}

// givenUp lists the give-up events reported.
func (hs *harness) givenUp() []notice.WhatsAppQueuedGivenUp {
	var out []notice.WhatsAppQueuedGivenUp
	for _, ev := range hs.notes.events() {
		if g, ok := ev.(notice.WhatsAppQueuedGivenUp); ok {
			out = append(out, g)
		}
	}
	return out
}

// holder is the engine's side with HoldCustomer.
type holder struct {
	*fakeHandler
	hmu  sync.Mutex
	held []inbound.CustomerMessage
	why  []string
}

func (h *holder) HoldCustomer(ctx context.Context, m inbound.CustomerMessage, why string) error {
	if _, err := h.st.RecordInbound(ctx, inbound.TransportWhatsApp, m.ID, m.At); err != nil {
		return err
	}
	h.hmu.Lock()
	defer h.hmu.Unlock()
	h.held = append(h.held, m)
	h.why = append(h.why, why)
	return nil
}

// A queued message that keeps failing is given up by the rule (failed
// rounds or the time since its first failure) and handled the best way
// left: without its file, else held, else set aside with its text told to
// staff; staff are told once and the chat's next message goes on.
func TestStuckQueuedMessageGivenUp(t *testing.T) {
	withFile := func(m inbound.CustomerMessage) error { // the downloaded file makes handling fail
		if m.ID == "S1" && m.File != nil && m.File.Path != "" {
			return errBoom
		}
		return nil
	}
	always := func(m inbound.CustomerMessage) error {
		if m.ID == "S1" {
			return errBoom
		}
		return nil
	}
	bareHangs := func(m inbound.CustomerMessage) error { // the try without the file uses up its deadline
		if m.ID != "S1" {
			return nil
		}
		if m.File != nil && m.File.Path == "" {
			time.Sleep(3 * time.Second) // past HandleTimeout below
		}
		return errBoom
	}
	for _, tc := range []struct {
		name     string
		fail     func(inbound.CustomerMessage) error
		holder   bool
		tune     func(*Config, *Link)
		rounds   int  // failed rounds before the give-up, the first included
		told     bool // one give-up reported to the core
		fileLost bool // … saying the file was left out
		engine   bool // S1 reached the engine without its file
		heldByUs bool // S1 was handed to the Holder
	}{
		{name: "file left out after 5 rounds", fail: withFile, rounds: 5, told: true, fileLost: true, engine: true},
		{name: "file left out 3m after the first failure", fail: withFile, rounds: 4, told: true, fileLost: true, engine: true,
			tune: func(c *Config, _ *Link) { c.QueueAttempts = 100; c.QueueGiveUpAfter = 3 * time.Minute }},
		{name: "held when it fails without its file too", fail: always, holder: true, rounds: 5, heldByUs: true},
		{name: "set aside when nothing takes it", fail: always, rounds: 5, told: true},
		{name: "held when the try without its file ran out of time", fail: bareHangs, holder: true, rounds: 5, heldByUs: true,
			// The hold gets a HandleTimeout of its own: 2 s, not 50 ms, so
			// that a hold on a loaded machine (-race, load 29) fits in it.
			tune: func(c *Config, _ *Link) { c.HandleTimeout = 2 * time.Second }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tune := []func(*Config, *Link){}
			if tc.tune != nil {
				tune = append(tune, tc.tune)
			}
			hs := newHarness(t, tune...)
			hs.h.fail = tc.fail
			var hd *holder
			if tc.holder {
				hd = &holder{fakeHandler: hs.h}
				hs.a.h = hd
			}
			hs.cli.AddMedia("/s1", []byte("\x89PNG"))
			// The first round waits until S2 is queued behind S1, so that
			// S2's arrival does not start a round of its own.
			g := newGate("/s1")
			hs.cli.SetDownloadGate(g.wait)
			if !hs.a.HandleEvent(dm("S1", pnJID, whatsapptest.Image("برنامه این خطا را می‌دهد", "image/png", "/s1", 4))) {
				t.Fatal("not acknowledged")
			}
			if !hs.a.HandleEvent(dm("S2", pnJID, text("لطفاً زودتر بررسی کنید"))) {
				t.Fatal("not acknowledged")
			}
			close(g.release)
			hs.settle()
			for r := 2; r < tc.rounds; r++ {
				hs.round()
			}
			ps, err := hs.db.WhatsAppPendingList(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(ps) != 2 || ps[0].MessageID != "S1" || ps[0].Attempts != tc.rounds-1 || ps[0].FailedAt.IsZero() || !strings.Contains(ps[0].LastError, "boom") {
				t.Fatalf("before the give-up the queue holds %+v, want S1 with %d failures counted, then S2", ps, tc.rounds-1)
			}
			if got := hs.h.messages(); len(got) != 0 {
				t.Fatalf("S2 went before S1: %+v", got)
			}
			hs.round() // the last failed round: given up

			if n := hs.pendingRows(); n != 0 {
				t.Fatalf("%d messages still queued after the give-up", n)
			}
			got := hs.h.messages()
			var ids []string
			for _, m := range got {
				ids = append(ids, m.ID)
			}
			want := "S2"
			if tc.engine {
				want = "S1 S2"
			}
			if strings.Join(ids, " ") != want {
				t.Fatalf("engine got %v, want %s", ids, want)
			}
			if tc.engine {
				f := got[0].File
				if f == nil || f.Path != "" || !strings.Contains(f.Name, "دریافت نشد") || got[0].Text != "برنامه این خطا را می‌دهد" {
					t.Errorf("S1 handed on as %+v (file %+v), want its text and the file marked as not received", got[0], f)
				}
			}
			if tc.heldByUs {
				if len(hd.held) != 1 || hd.held[0].ID != "S1" || hd.held[0].Text != "برنامه این خطا را می‌دهد" || !strings.Contains(hd.why[0], "boom") {
					t.Errorf("held %+v (why %v), want S1 with its text and the error", hd.held, hd.why)
				}
			}
			told := hs.givenUp()
			switch {
			case !tc.told && len(told) != 0:
				t.Errorf("reported %+v; the Holder tells staff", told)
			case tc.told && (len(told) != 1 || told[0].Address != "+989121234567" || told[0].Attempts != tc.rounds || told[0].FileLost != tc.fileLost ||
				told[0].Text != "برنامه این خطا را می‌دهد" || !strings.Contains(told[0].Error, "boom")):
				t.Errorf("reported %+v, want one give-up of S1 after %d rounds, file lost %v, with its text and the error", told, tc.rounds, tc.fileLost)
			}
			hs.round()
			hs.round()
			if again := hs.givenUp(); len(again) != len(told) {
				t.Errorf("reported %d times, want once", len(again))
			}
		})
	}
}

// A queue whose oldest message has waited QueueStuckAfter is stuck: staff
// and managers are told once, QueueStats shows it, and staff are told once
// when it moves again.
func TestStuckQueueToldOnce(t *testing.T) {
	hs := newHarness(t, func(c *Config, _ *Link) { c.DownloadWorkers = 2 })
	g := newGate("/hang")
	hs.cli.SetDownloadGate(g.wait)
	hs.cli.AddMedia("/hang", []byte("slow"))
	other := whatsapptest.PN("989121110002")
	if !hs.a.HandleEvent(dm("Q1", pnJID, whatsapptest.Image("", "image/png", "/hang", 4))) ||
		!hs.a.HandleEvent(dm("Q2", pnJID, text("سلام"))) ||
		!hs.a.HandleEvent(dm("Q3", other, whatsapptest.Image("", "image/png", "/hang", 4))) {
		t.Fatal("not acknowledged")
	}
	reported := func() []notice.Event {
		var out []notice.Event
		for _, ev := range hs.notes.events() {
			switch ev.(type) {
			case notice.WhatsAppQueueStuck, notice.WhatsAppQueueMoving:
				out = append(out, ev)
			}
		}
		return out
	}
	hs.clock.Add(9 * time.Minute)
	hs.a.Check(context.Background())
	if n, oldest := hs.a.QueueStats(); n != 3 || !oldest.Equal(t0) {
		t.Errorf("queue stats %d, %v; want 3 since %v", n, oldest, t0)
	}
	if got := reported(); len(got) != 0 {
		t.Fatalf("after 9 minutes reported %+v", got)
	}
	hs.clock.Add(time.Minute)
	hs.a.Check(context.Background())
	hs.clock.Add(time.Minute)
	hs.a.Check(context.Background())
	got := reported()
	if want := (notice.WhatsAppQueueStuck{Count: 3, Oldest: t0, Waited: 10 * time.Minute}); len(got) != 1 || got[0] != want {
		t.Fatalf("reported %+v, want the stuck queue once: %+v", got, want)
	}
	close(g.release)
	if !hs.a.waitIdle(time.Minute) {
		t.Fatal("queue not drained")
	}
	if n, oldest := hs.a.QueueStats(); n != 0 || !oldest.IsZero() {
		t.Errorf("queue stats %d, %v after draining", n, oldest)
	}
	hs.a.Check(context.Background())
	hs.a.Check(context.Background())
	if got := reported(); len(got) != 2 || got[1] != (notice.WhatsAppQueueMoving{}) {
		t.Errorf("reported %+v, want the queue moving once", got)
	}
}

// A queued message's handling is bounded beyond its download: an engine
// that hangs costs a round HandleTimeout past the download's deadline,
// not the worker.
func TestPendingHandleTimeout(t *testing.T) {
	hs := newHarness(t, func(c *Config, _ *Link) {
		c.DownloadTimeout = 20 * time.Millisecond
		c.HandleTimeout = 50 * time.Millisecond
		c.HandleAttempts = 1
	})
	hs.a.h = hangingHandler{}
	raw, err := proto.Marshal(text("سلام"))
	if err != nil {
		t.Fatal(err)
	}
	p := store.WhatsAppPending{Chat: pnJID.String(), MessageID: "T1", Sender: pnJID.String(), Address: "+989121234567", At: t0, Message: raw}
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- hs.a.handlePending(p) }()
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		// The engine never returns by itself: without the deadline the
		// worker would be held for ever.
		t.Fatal("a hanging engine held the worker past any bound")
	}
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("handlePending = %v, want the deadline", err)
	}
	if took < 70*time.Millisecond {
		t.Errorf("handling took %v, want at least DownloadTimeout+HandleTimeout (70ms)", took)
	}
}

// hangingHandler is an engine that never returns until its deadline.
type hangingHandler struct{}

func (hangingHandler) HandleCustomer(ctx context.Context, _ inbound.CustomerMessage) error {
	<-ctx.Done()
	return ctx.Err()
}

// A restart that finds messages queued may have ended a stuck spell staff
// were told of: the first check reports where the queue stands, once.
func TestQueueStateReportedAfterARestart(t *testing.T) {
	hs := newHarness(t)
	raw, err := proto.Marshal(text("سلام"))
	if err != nil {
		t.Fatal(err)
	}
	p := store.WhatsAppPending{Chat: pnJID.String(), MessageID: "U1", Sender: pnJID.String(), Address: "+989121234567", At: t0, Message: raw}
	if _, err := hs.db.AddWhatsAppPending(context.Background(), &p); err != nil {
		t.Fatal(err)
	}
	hs.a.resume(context.Background())
	if !hs.a.waitIdle(time.Minute) {
		t.Fatal("queue not drained")
	}
	hs.a.Check(context.Background())
	hs.a.Check(context.Background())
	if got := hs.notes.events(); len(got) != 1 || got[0] != (notice.WhatsAppQueueMoving{}) {
		t.Errorf("reported %+v, want the queue moving once", got)
	}
}

// A queued message that cannot be read back (its stored protobuf or chat
// damaged) is set aside with staff told who wrote, not dropped with only a
// log line.
func TestUnreadableQueuedMessageTold(t *testing.T) {
	readable, err := proto.Marshal(text("سلام"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, chat string
		message    []byte
		why        string
	}{
		{"damaged message", pnJID.String(), []byte{0xff, 0xff, 0xff}, "unreadable"},
		{"damaged chat", "1.2.3@s.whatsapp.net", readable, "bad chat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := newHarness(t)
			p := store.WhatsAppPending{Chat: tc.chat, MessageID: "U9", Sender: pnJID.String(), Address: "+989121234567", At: t0, Message: tc.message}
			if _, err := hs.db.AddWhatsAppPending(context.Background(), &p); err != nil {
				t.Fatal(err)
			}
			hs.a.resume(context.Background())
			if !hs.a.waitIdle(time.Minute) {
				t.Fatal("queue not drained")
			}
			if n := hs.pendingRows(); n != 0 {
				t.Errorf("%d messages still queued", n)
			}
			told := hs.givenUp()
			if len(told) != 1 || told[0].Address != "+989121234567" || !strings.Contains(told[0].Error, tc.why) || !told[0].Unreadable ||
				told[0].MessageID != "U9" || told[0].Chat != tc.chat || told[0].Text != "" || !told[0].At.Equal(t0) {
				t.Errorf("reported %+v, want one give-up of +989121234567 saying %q", told, tc.why)
			}
			if got := hs.h.messages(); len(got) != 0 {
				t.Errorf("engine got %+v", got)
			}
		})
	}
}
