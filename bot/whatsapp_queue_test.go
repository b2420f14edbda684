package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"supportbot/bot/whatsapp"
	"supportbot/bot/whatsapp/whatsapptest"
	"supportbot/outbox"
	"supportbot/store"
)

// failingDeletes is the real store whose deletes from the WhatsApp queue
// fail while fail is set, as on a failing disk, inside transactions too.
type failingDeletes struct {
	store.Store
	fail *atomic.Bool
}

func (s failingDeletes) DeleteWhatsAppPending(ctx context.Context, id int64) error {
	if s.fail.Load() {
		return errors.New("disk I/O error")
	}
	return s.Store.DeleteWhatsAppPending(ctx, id)
}

func (s failingDeletes) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	return s.Store.InTx(ctx, func(tx store.Store) error { return fn(failingDeletes{tx, s.fail}) })
}

// logCount counts the log records whose message contains a word.
type logCount struct {
	mu    sync.Mutex
	lines []string
}

func (l *logCount) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCount) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, r.Message)
	return nil
}
func (l *logCount) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCount) WithGroup(string) slog.Handler      { return l }

func (l *logCount) count(word string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.lines {
		if strings.Contains(s, word) {
			n++
		}
	}
	return n
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("still waiting after a minute for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A customer's message with a file, queued off WhatsApp's event loop and
// handled by the real engine, whose delete from the queue then keeps
// failing: more rounds than the give-up rule allows do not give it up,
// and after a restart on the healed disk it is forgotten. The engine's
// record of the id (per chat) is the one the queue reads: the customer's
// message is on the ticket once, with its file, staff are never told it
// was lost, and the customer is answered once.
func TestQueuedMessageHandledOnceWithTheEngine(t *testing.T) {
	f := newEngineFixture(t)
	ctx := context.Background()
	fail := &atomic.Bool{}
	fail.Store(true)
	st := failingDeletes{f.db, fail}
	png := []byte("\x89PNG the customer's screenshot")
	var now atomic.Int64
	now.Store(f.at.UnixNano())
	logs := &logCount{}
	cfg := whatsapp.Config{MediaDir: t.TempDir(), Notify: NewNotices(f.p, f.desk), Say: f.p.T, Tick: time.Hour,
		Now: func() time.Time { return time.Unix(0, now.Load()) }, Log: slog.New(logs)}
	start := func() (*whatsapp.Adapter, *whatsapptest.Client) {
		cli := whatsapptest.NewClient()
		cli.AddMedia("/shot", png)
		return whatsapp.New(whatsapp.Link{Client: cli, Paired: true}, st, f.eng, cfg), cli
	}
	a, cli := start()
	before := len(f.outbox(t))
	sender := whatsapptest.PN(strings.TrimPrefix(phoneSilver, "+"))
	if !a.HandleEvent(whatsapptest.Message("3EB0Q1", sender, f.at, whatsapptest.Image("این خطا را می‌دهد", "image/png", "/shot", len(png)))) {
		t.Fatal("not acknowledged")
	}
	const kept = "in a minute" // a round that left the message queued, whatever the reason
	waitFor(t, "the first round", func() bool { return logs.count(kept) == 1 })
	answered := f.outbox(t)[before:]
	if len(answered) == 0 {
		t.Fatal("the engine answered nothing")
	}
	for round := 2; round <= whatsapp.DefaultQueueAttempts+2; round++ {
		now.Add(int64(time.Minute))
		a.Check(ctx)
		waitFor(t, "the next round", func() bool { return logs.count(kept) == round })
	}
	a.Close()

	fail.Store(false) // the disk heals; the bot restarts
	a, cli2 := start()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	waitFor(t, "the queue to be empty", func() bool {
		ps, err := f.db.WhatsAppPendingList(ctx)
		return err == nil && len(ps) == 0
	})
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	if n := cli.Downloads() + cli2.Downloads(); n != 1 {
		t.Errorf("the file was downloaded %d times, want once", n)
	}
	got := f.outbox(t)[before:]
	if len(got) != len(answered) {
		t.Errorf("sent %d messages in all, %d at the first round: want nothing more", len(got), len(answered))
	}
	for _, m := range got {
		if strings.Contains(m.Text, "دریافت نشد") {
			t.Errorf("staff told the file was lost: %q", m.Text)
		}
	}
	rs, err := f.db.ListReceived(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var mine []store.Received
	for _, r := range rs {
		if r.Phone == phoneSilver {
			mine = append(mine, r)
		}
	}
	if len(mine) != 1 || mine[0].File == nil || mine[0].File.Path == "" || mine[0].Text != "این خطا را می‌دهد" {
		t.Errorf("received %+v, want the message once with its file", mine)
	}
}

// fileFails is the engine failing every message that comes with its file
// (say, a bug in reading it), as long as it is handed one.
type fileFails struct{ *Engine }

func (e fileFails) HandleCustomer(ctx context.Context, m CustomerMessage) error {
	if m.File != nil && m.File.Path != "" {
		return errors.New("engine: boom")
	}
	return e.Engine.HandleCustomer(ctx, m)
}

// The story staff and managers read of a message that keeps failing, told
// by the real notices, with a restart in the middle: the queue is stuck
// (staff and managers, once, also after the restart), the message is
// given up and handled without its file (staff, once, naming the file and
// its text), then the queue moves again (staff and managers, once). Nothing
// else, nothing twice.
func TestQueueStoryToldOnce(t *testing.T) {
	f := newEngineFixture(t)
	ctx := context.Background()
	png := []byte("\x89PNG the customer's screenshot")
	var now atomic.Int64
	now.Store(f.at.UnixNano())
	logs := &logCount{}
	cfg := whatsapp.Config{MediaDir: t.TempDir(), Notify: NewNotices(f.p, f.desk), Say: f.p.T, Tick: time.Hour, HandleAttempts: 1, QueueAttempts: 100,
		Now: func() time.Time { return time.Unix(0, now.Load()) }, Log: slog.New(logs),
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}
	start := func() *whatsapp.Adapter {
		cli := whatsapptest.NewClient()
		cli.AddMedia("/shot", png)
		return whatsapp.New(whatsapp.Link{Client: cli, Paired: true}, f.db, fileFails{f.eng}, cfg)
	}
	a := start()
	before := len(f.outbox(t))
	sender := whatsapptest.PN(strings.TrimPrefix(phoneSilver, "+"))
	if !a.HandleEvent(whatsapptest.Message("3EB0S1", sender, f.at, whatsapptest.Image("این خطا را می‌دهد", "image/png", "/shot", len(png)))) {
		t.Fatal("not acknowledged")
	}
	const failed = "tried again in a minute"
	waitFor(t, "the first round", func() bool { return logs.count(failed) == 1 })
	queued := func() int {
		ps, err := f.db.WhatsAppPendingList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(ps)
	}
	for minute := 1; queued() > 0; minute++ {
		if minute > 40 {
			t.Fatal("not given up after 40 minutes")
		}
		if minute == 15 { // a restart in the middle of the stuck spell
			a.Close()
			a = start()
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- a.Run(runCtx) }() // loads the queue; its watch is ours (Tick is an hour)
			defer func() { stop(); <-done }()
			waitFor(t, "the restart to load the queue", func() bool { n, _ := a.QueueStats(); return n == 1 })
		}
		rounds := logs.count(failed)
		now.Add(int64(time.Minute))
		a.Check(ctx)
		waitFor(t, "the round", func() bool { return logs.count(failed) > rounds || queued() == 0 })
	}
	waitFor(t, "the worker to let the message go", func() bool { n, _ := a.QueueStats(); return n == 0 })
	now.Add(int64(time.Minute))
	a.Check(ctx)
	a.Check(ctx)
	a.Close()

	reza := string(outbox.TelegramUser(managerReza))
	var story []string
	for _, m := range f.outbox(t)[before:] {
		if m.To == string(outbox.WhatsApp(phoneSilver)) {
			continue // the customer's answers
		}
		kind := "?"
		switch {
		case strings.Contains(m.Text, "در صف پردازش مانده است"):
			kind = "stuck"
		case strings.Contains(m.Text, "دریافت نشد. پیام بدون فایل ثبت شد"):
			kind = "file lost"
			for _, w := range []string{"\nفایل: ", "\nمتن: این خطا را می‌دهد", "\nخطا: engine: boom", "\nزمان دریافت: "} {
				if !strings.Contains(m.Text, w) {
					t.Errorf("the give-up notice lacks %q: %q", w, m.Text)
				}
			}
		case strings.Contains(m.Text, "دوباره روان است"):
			kind = "moving"
		case strings.Contains(m.Text, "این خطا را می‌دهد"):
			kind = "relay" // the card or relay of the message itself
		}
		who := "staff"
		if m.To == reza {
			who = "manager"
		}
		if kind != "relay" {
			story = append(story, kind+" to "+who)
		}
	}
	want := "stuck to staff, stuck to manager, file lost to staff, moving to staff, moving to manager"
	if got := strings.Join(story, ", "); got != want {
		t.Errorf("staff and managers read:\n  %s\nwant\n  %s", got, want)
	}
}
