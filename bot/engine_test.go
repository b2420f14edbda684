package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"supportbot/conversation"
	"supportbot/outbox"
	"supportbot/store"
	"supportbot/store/sqlite"
)

// engineFixture is the desk fixture with an engine in front of it.
type engineFixture struct {
	*deskFixture
	eng *Engine
}

func newEngineFixture(tb testing.TB) *engineFixture {
	tb.Helper()
	f := newDeskFixture(tb)
	conv := conversation.New(f.desk.policy, conversation.Config{
		SupportPhone: "02191001234", SalesPhone: "02191001235", FallbackPhone: "09198906850",
	})
	return &engineFixture{deskFixture: f, eng: NewEngine(f.db, conv, f.desk, f.p)}
}

// say sends a customer message and returns what the bot sent because of it.
func (f *engineFixture) say(tb testing.TB, m CustomerMessage) []store.OutboxMessage {
	tb.Helper()
	before := len(f.outbox(tb))
	if err := f.eng.HandleCustomer(context.Background(), m); err != nil {
		tb.Fatalf("HandleCustomer(%q): %v", m.Text, err)
	}
	return f.outbox(tb)[before:]
}

func (f *engineFixture) held(tb testing.TB, phone string) []store.HeldMessage {
	tb.Helper()
	hs, total, err := f.db.HeldPage(context.Background(), phone, 0, 1000)
	if err != nil {
		tb.Fatal(err)
	}
	if total != len(hs) {
		tb.Fatalf("held from %s: %d of %d", phone, len(hs), total)
	}
	return hs
}

func TestHandleCustomerDeduplicates(t *testing.T) {
	f := newEngineFixture(t)
	m := CustomerMessage{ID: "w1", Phone: phoneSilver, At: f.at, Text: "سلام"}
	if got := f.say(t, m); len(got) != 1 || got[0].To != string(outbox.WhatsApp(phoneSilver)) {
		t.Fatalf("first delivery sent %+v, want one reply", got)
	}
	if got := f.say(t, m); len(got) != 0 {
		t.Errorf("redelivery sent %d messages, want none", len(got))
	}
	in := StaffInput{At: f.at, Chat: ChatStaff, UserID: staffSara, UserName: "Sara", Text: "/tickets"}
	for i := range 2 {
		before := len(f.outbox(t))
		if err := f.eng.HandleStaff(context.Background(), "u1", in); err != nil {
			t.Fatal(err)
		}
		if n := len(f.outbox(t)) - before; n != 1-i {
			t.Errorf("staff delivery %d sent %d messages, want %d", i+1, n, 1-i)
		}
	}
}

// TestSkewedTimestampDoesNotDelayReply: a message stamped by a phone whose
// clock is ahead of ours (45 s, 1 h) is answered at once: its reply is due
// by our clock, not at the sender's time.
func TestSkewedTimestampDoesNotDelayReply(t *testing.T) {
	for _, skew := range []time.Duration{0, 45 * time.Second, time.Hour} {
		f := newEngineFixture(t)
		ctx := context.Background()
		m := CustomerMessage{ID: "skew", Phone: phoneSilver, At: f.at.Add(skew), Text: "سلام"}
		if err := f.eng.HandleCustomer(ctx, m); err != nil {
			t.Fatal(err)
		}
		due, err := f.db.DueOutbox(ctx, f.at, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) != 1 || due[0].To != string(outbox.WhatsApp(phoneSilver)) {
			t.Errorf("sender's clock %s ahead: due now %+v, want the reply", skew, due)
		}
	}
}

// TestDedupIsPerChat: WhatsApp ids are unique within a chat, so two
// customers' messages that share an id are both answered, each once.
func TestDedupIsPerChat(t *testing.T) {
	f := newEngineFixture(t)
	steps := []struct {
		m       CustomerMessage
		replies int
	}{
		{CustomerMessage{ID: "3EB0SAME", Chat: "989121230001@s.whatsapp.net", Phone: phoneSilver, At: f.at, Text: "سلام"}, 1},
		{CustomerMessage{ID: "3EB0SAME", Chat: "989121230005@s.whatsapp.net", Phone: phoneGold, At: f.at, Text: "سلام"}, 1},
		{CustomerMessage{ID: "3EB0SAME", Chat: "989121230001@s.whatsapp.net", Phone: phoneSilver, At: f.at, Text: "سلام"}, 0},
		{CustomerMessage{ID: "3EB0SAME", Chat: "989121230005@s.whatsapp.net", Phone: phoneGold, At: f.at, Text: "سلام"}, 0},
	}
	for i, s := range steps {
		if got := f.say(t, s.m); len(got) != s.replies {
			t.Errorf("step %d (%s in %s): %d replies, want %d", i+1, s.m.ID, s.m.Chat, len(got), s.replies)
		}
	}
}

// TestGroupCommitManyAtOnce sends messages from many goroutines at once:
// each is answered exactly once and they share commits.
func TestGroupCommitManyAtOnce(t *testing.T) {
	f := newEngineFixture(t)
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			// Unknown numbers: each gets the "who are you" answer and staff a card.
			phone := fmt.Sprintf("+98935%07d", i)
			errs <- f.eng.HandleCustomer(context.Background(), CustomerMessage{ID: "m" + strconv.Itoa(i), Phone: phone, At: f.at, Text: "سلام"})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	per := map[string]int{}
	for _, m := range f.outbox(t) {
		per[m.To]++
	}
	if len(per) != n+1 || per[string(outbox.StaffGroup)] != n {
		t.Fatalf("outbox: %d recipients, %d staff cards; want %d and %d", len(per), per[string(outbox.StaffGroup)], n+1, n)
	}
	for to, c := range per {
		if to != string(outbox.StaffGroup) && c != 1 {
			t.Errorf("%s got %d messages, want 1", to, c)
		}
	}
	st := f.eng.CommitStats()
	if st.Messages != n || st.Commits < 1 || st.Commits > n {
		t.Errorf("commit stats %+v, want %d messages in at most %d commits", st, n, n)
	}
	t.Logf("%d messages in %d commits", st.Messages, st.Commits)
}

// TestGroupCommitIsolatesFailures puts a failing and a panicking message in
// one batch with good ones: only the bad ones fail, and nothing of them is
// stored. (Jobs do not join a running batch here: budget 0.)
func TestGroupCommitIsolatesFailures(t *testing.T) {
	f := newDeskFixture(t)
	c := &committer{st: f.db, flood: newFlood()}
	ctx := context.Background()
	set := func(key string) func(context.Context, *batch) error {
		return func(ctx context.Context, b *batch) error { return b.tx.SetSetting(ctx, key, "x") }
	}
	// The first job holds the batch open until the others have queued, so
	// they all go into the next batch together.
	release, first := holdBatch(c)
	boom := errors.New("boom")
	jobs := []func(context.Context, *batch) error{
		set("good1"),
		func(ctx context.Context, b *batch) error {
			if err := b.tx.SetSetting(ctx, "bad", "x"); err != nil {
				return err
			}
			return boom
		},
		set("good2"),
		func(ctx context.Context, b *batch) error {
			if err := b.tx.SetSetting(ctx, "panicked", "x"); err != nil {
				return err
			}
			panic("bug")
		},
		set("good3"),
	}
	results := make([]chan error, len(jobs))
	for i, fn := range jobs {
		results[i] = make(chan error, 1)
		go func() { results[i] <- c.do(ctx, fn) }()
		waitQueued(c, i+1)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first: %v", err)
	}
	for i, want := range []string{"", "boom", "", "panic", ""} {
		err := <-results[i]
		switch {
		case want == "" && err != nil:
			t.Errorf("job %d: %v", i, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("job %d: %v, want an error with %q", i, err, want)
		}
	}
	for key, want := range map[string]bool{"first": true, "good1": true, "good2": true, "good3": true, "bad": false, "panicked": false} {
		_, err := f.db.Setting(ctx, key)
		if got := err == nil; got != want {
			t.Errorf("setting %s stored: %v, want %v", key, got, want)
		}
	}
	st := c.snapshot()
	if st.Commits != 2 || st.Retries != 2 || st.Messages != 4 {
		t.Errorf("stats %+v, want the first alone, then the three good ones in one commit after two retries", st)
	}
}

// TestGroupCommitJoinsRunningBatch: jobs that queue while a batch runs are
// handled in that batch's transaction, within the budget, instead of
// waiting for the next commit; past the budget they wait.
func TestGroupCommitJoinsRunningBatch(t *testing.T) {
	for _, c := range []struct {
		budget      time.Duration
		wantCommits int64
	}{{time.Minute, 1}, {0, 2}} {
		f := newDeskFixture(t)
		cm := &committer{st: f.db, flood: newFlood(), budget: c.budget}
		ctx := context.Background()
		release, first := holdBatch(cm)
		const n = 5
		results := make(chan error, n)
		for i := range n {
			go func() {
				results <- cm.do(ctx, func(ctx context.Context, b *batch) error {
					return b.tx.SetSetting(ctx, "late"+strconv.Itoa(i), "x")
				})
			}()
		}
		waitQueued(cm, n)
		close(release)
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		for range n {
			if err := <-results; err != nil {
				t.Fatal(err)
			}
		}
		if st := cm.snapshot(); st.Commits != c.wantCommits || st.Messages != n+1 {
			t.Errorf("budget %v: stats %+v, want %d messages in %d commits", c.budget, st, n+1, c.wantCommits)
		}
	}
}

// holdBatch starts a job on c that keeps its batch open until release is
// closed, and returns once that batch runs; the job's outcome comes on first.
func holdBatch(c *committer) (release chan struct{}, first chan error) {
	release, started := make(chan struct{}), make(chan struct{})
	first = make(chan error, 1)
	go func() {
		first <- c.do(context.Background(), func(ctx context.Context, b *batch) error {
			close(started)
			<-release
			return b.tx.SetSetting(ctx, "first", "x")
		})
	}()
	<-started
	return release, first
}

// waitQueued returns once at least n jobs wait in c's queue.
func waitQueued(c *committer, n int) {
	for {
		c.mu.Lock()
		q := len(c.queue)
		c.mu.Unlock()
		if q >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func TestGroupCommitRefusesDoneContext(t *testing.T) {
	f := newEngineFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := f.eng.HandleCustomer(ctx, CustomerMessage{ID: "x", Phone: phoneSilver, At: f.at, Text: "سلام"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if ok, _ := f.db.RecordChatInbound(context.Background(), TransportWhatsApp, phoneSilver, "x", f.at); !ok {
		t.Error("a refused message was recorded")
	}
}

func TestFloodStateStep(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	var s floodState
	over := 0
	// 20 a minute pass; the 21st within the minute is over.
	for i := range 21 {
		var o bool
		s, o = s.step(t0.Add(time.Duration(i)*time.Second), 20)
		if o {
			over++
			if i != 20 {
				t.Errorf("message %d over the limit", i+1)
			}
		}
	}
	if over != 1 {
		t.Errorf("%d over the limit, want 1", over)
	}
	// Still flooding a little later: the previous minute weighs in.
	if _, o := s.step(t0.Add(61*time.Second), 20); !o {
		t.Error("1 s into the next minute, 21 messages in the last minute: want over")
	}
	// Two quiet minutes later the slate is clean.
	if _, o := s.step(t0.Add(4*time.Minute), 20); o {
		t.Error("after a quiet spell: want within the limit")
	}
	// A clock that goes back counts as now, it does not panic or reset.
	if _, o := s.step(t0.Add(-time.Hour), 20); !o {
		t.Error("a message dated earlier inside a flood: want over")
	}
	// A steady 10 a minute never trips 20 a minute.
	s = floodState{}
	for i := range 600 {
		var o bool
		if s, o = s.step(t0.Add(time.Duration(i)*6*time.Second), 20); o {
			t.Fatalf("steady 10 a minute: message %d over the limit", i+1)
		}
	}
}

// TestFloodLimit floods the bot from one phone: past the limit the customer
// gets one notice (and staff one alert), then silence, and every message is
// held; once they slow down they are answered again.
func TestFloodLimit(t *testing.T) {
	f := newEngineFixture(t)
	f.eng.SetLimits(Limits{MessagesPerMinute: 5})
	at := f.at
	send := func(i int, text string) []store.OutboxMessage {
		return f.say(t, CustomerMessage{ID: "f" + strconv.Itoa(i), Phone: phoneSilver, At: at, Text: text})
	}
	for i := range 5 {
		at = at.Add(time.Second)
		if got := send(i, "0"); len(got) != 1 {
			t.Fatalf("message %d within the limit: %d messages sent, want the menu", i+1, len(got))
		}
	}
	at = at.Add(time.Second)
	got := send(5, "لطفاً پاسخ دهید")
	if len(got) != 2 || got[0].To != string(outbox.WhatsApp(phoneSilver)) || got[1].To != string(outbox.StaffGroup) {
		t.Fatalf("first message over the limit sent %+v, want a notice to the customer and one to staff", got)
	}
	if !strings.Contains(got[0].Text, "۵") || !strings.Contains(got[1].Text, "شرکت نمونه یک") {
		t.Errorf("notices %q / %q: want the limit in Persian digits and the customer's name", got[0].Text, got[1].Text)
	}
	for i := 6; i < 12; i++ {
		at = at.Add(time.Second)
		if got := send(i, "پیام "+strconv.Itoa(i)); len(got) != 0 {
			t.Fatalf("message %d in the flood sent %d messages, want silence", i+1, len(got))
		}
	}
	// A redelivery of a held message is not counted or held again.
	if got := send(7, "پیام 7"); len(got) != 0 {
		t.Errorf("redelivery sent %d messages", len(got))
	}
	if hs := f.held(t, phoneSilver); len(hs) != 7 || hs[0].Text != "لطفاً پاسخ دهید" || hs[0].Reason != store.HeldFlood {
		t.Errorf("held %d messages (%+v), want the 7 over the limit, in order", len(hs), hs)
	}
	// Calm again: answered normally, and a new flood gets a new notice.
	at = at.Add(3 * time.Minute)
	if got := send(20, "0"); len(got) != 1 || !strings.Contains(got[0].Text, "۱.") {
		t.Fatalf("after calming down: %+v, want the menu", got)
	}
	notices := 0
	for i := 21; i < 30; i++ {
		at = at.Add(time.Second)
		for _, m := range send(i, "0") {
			if m.To == string(outbox.StaffGroup) {
				notices++
			}
		}
	}
	if notices != 1 {
		t.Errorf("second flood: %d staff notices, want 1", notices)
	}
}

func TestFloodLimitOffAndUnknownNumber(t *testing.T) {
	f := newEngineFixture(t)
	f.eng.SetLimits(Limits{MessagesPerMinute: 2})
	phone := "+989359999999"
	var last []store.OutboxMessage
	for i := range 3 {
		last = f.say(t, CustomerMessage{Phone: phone, At: f.at.Add(time.Duration(i) * time.Second), Text: "سلام"})
	}
	if len(last) != 2 || !strings.Contains(last[1].Text, "ناشناس") {
		t.Errorf("unknown number over the limit: %+v, want a notice and a staff alert about an unknown number", last)
	}
	f.eng.SetLimits(Limits{})
	for i := range 50 {
		if got := f.say(t, CustomerMessage{Phone: phoneSilver, At: f.at, Text: "0"}); len(got) != 1 {
			t.Fatalf("no limit: message %d sent %d messages, want 1", i+1, len(got))
		}
	}
}

// TestLongTextIsCut opens a ticket with a description longer than the cap:
// the ticket gets the first part, the customer a note, the whole is held.
func TestLongTextIsCut(t *testing.T) {
	f := newEngineFixture(t)
	f.eng.SetLimits(Limits{MaxTextRunes: 100})
	at := f.at
	for _, s := range []string{"0", "1", "1", "1"} {
		at = at.Add(time.Second)
		f.say(t, CustomerMessage{Phone: phoneSilver, At: at, Text: s})
	}
	long := strings.Repeat("گزارش باز نمی‌شود. ", 40) // 760 characters
	got := f.say(t, CustomerMessage{Phone: phoneSilver, At: at.Add(time.Second), Text: long})
	if len(got) == 0 || !strings.HasPrefix(got[0].Text, f.p.T("limits.truncated", map[string]any{"max": 100})) {
		t.Fatalf("reply %+v, want it to start with the note about the cut", got)
	}
	ts, err := f.db.ListTickets(context.Background(), store.TicketFilter{Phone: phoneSilver})
	if err != nil || len(ts) != 1 {
		t.Fatalf("tickets %v, %v: want one", ts, err)
	}
	if n := utf8.RuneCountInString(ts[0].Description); n > 100 || n < 90 {
		t.Errorf("description has %d characters, want the first 100 (trimmed)", n)
	}
	hs := f.held(t, phoneSilver)
	if len(hs) != 1 || hs[0].Reason != store.HeldTooLong || hs[0].Text != long {
		t.Errorf("held %+v, want the whole text", hs)
	}
	if s, cut := cutRunes("abc", 3); cut || s != "abc" {
		t.Errorf("cutRunes at the limit = %q, %v", s, cut)
	}
	if s, cut := cutRunes("ابپت", 2); !cut || s != "اب" {
		t.Errorf("cutRunes = %q, %v", s, cut)
	}
}

// TestOversizedFile refuses a file over the cap politely, holds it, and
// still reads the caption.
func TestOversizedFile(t *testing.T) {
	f := newEngineFixture(t)
	f.eng.SetLimits(Limits{MaxFileBytes: 1 << 20})
	big := &store.File{Kind: "video", Name: "screen.mp4", Bytes: 50 << 20}
	got := f.say(t, CustomerMessage{Phone: phoneSilver, At: f.at, File: big})
	if len(got) != 1 || !strings.Contains(got[0].Text, "screen.mp4") || !strings.Contains(got[0].Text, "۱٫۰ مگابایت") {
		t.Fatalf("reply %+v, want one refusal naming the file and the limit", got)
	}
	got = f.say(t, CustomerMessage{Phone: phoneSilver, At: f.at.Add(time.Second), Text: "سلام", File: big})
	if len(got) != 1 || !strings.Contains(got[0].Text, "screen.mp4") || !strings.Contains(got[0].Text, "۱.") {
		t.Fatalf("reply %+v, want the refusal and the menu the greeting asks for", got)
	}
	hs := f.held(t, phoneSilver)
	if len(hs) != 2 || hs[0].Reason != store.HeldFileTooLarge || hs[0].File == nil || hs[0].File.Bytes != 50<<20 {
		t.Errorf("held %+v, want both files described", hs)
	}
	small := &store.File{Kind: "image", Name: "a.png", Bytes: 1000}
	if got := f.say(t, CustomerMessage{Phone: phoneSilver, At: f.at.Add(2 * time.Second), File: small}); len(got) != 1 || strings.Contains(got[0].Text, "a.png") {
		t.Errorf("a small file: %+v, want it taken", got)
	}
}

// TestStaffHugeInput gives the desk very long commands, replies and button
// data: none fails, and what the bot says back stays within one Telegram
// message.
func TestStaffHugeInput(t *testing.T) {
	f := newEngineFixture(t)
	tk := f.ticket(t, "A-1", phoneSilver, "problem", "normal")
	huge := strings.Repeat("ب", 200_000)
	digits := strings.Repeat("۹", 5000)
	inputs := []StaffInput{
		f.staff("/note " + strconv.FormatInt(tk.ID, 10) + " " + huge),
		f.staff("/log " + digits + " 1h"),
		f.staff("/log 1 " + digits + "m"),
		f.staff("/assign 1 " + digits),
		f.staff("/decline 1 " + huge),
		f.staff("/link " + digits + " " + huge),
		f.staff("/usage " + huge),
		f.staff("/" + huge),
		f.staff(huge),
		{At: f.at, Chat: ChatStaff, UserID: staffSara, UserName: huge, Text: huge, ReplyToTicket: tk.ID},
		{At: f.at, Chat: ChatStaff, UserID: staffSara, Callback: "decline:" + digits + ":" + huge},
	}
	for i, in := range inputs {
		before := len(f.outbox(t))
		if err := f.eng.HandleStaff(context.Background(), "huge"+strconv.Itoa(i), in); err != nil {
			t.Errorf("input %d: %v", i, err)
			continue
		}
		for _, m := range f.outbox(t)[before:] {
			limit := 4096
			if m.To != string(outbox.StaffGroup) {
				limit = 70_000 // the customer gets the staff reply relayed; WhatsApp takes 65,536
			}
			if n := utf8.RuneCountInString(m.Text); n > limit {
				t.Errorf("input %d: answer to %s has %d characters, want at most %d", i, m.To, n, limit)
			}
		}
	}
}

// panicStore panics when the conversation looks one phone up, as a bug
// would.
type panicStore struct {
	store.Store
	phone string
}

func (p panicStore) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	return p.Store.InTx(ctx, func(tx store.Store) error { return fn(panicStore{tx, p.phone}) })
}

func (p panicStore) CustomerByPhone(ctx context.Context, phone string) (store.Customer, error) {
	if phone == p.phone {
		panic("a bug")
	}
	return p.Store.CustomerByPhone(ctx, phone)
}

// TestPanicIsHeld: a message whose handling panics is not lost: it is
// recorded and held, staff are told, and the call succeeds so the
// transport can acknowledge it; other customers go on.
func TestPanicIsHeld(t *testing.T) {
	f := newEngineFixture(t)
	conv := conversation.New(f.desk.policy, conversation.Config{SupportPhone: "02191001234", SalesPhone: "02191001235"})
	f.eng = NewEngine(panicStore{f.db, phoneGold}, conv, f.desk, f.p)
	var log strings.Builder
	f.eng.SetLogger(slog.New(slog.NewTextHandler(&log, nil)))
	got := f.say(t, CustomerMessage{ID: "p1", Phone: phoneGold, At: f.at, Text: "سلام"})
	if len(got) != 1 || got[0].To != string(outbox.StaffGroup) || !strings.Contains(got[0].Text, "a bug") || !strings.Contains(got[0].Text, "سلام") ||
		!strings.Contains(got[0].Text, "خطای نرم‌افزاری") {
		t.Fatalf("sent %+v, want one staff alert with the text and the error, naming a software error", got)
	}
	if hs := f.held(t, phoneGold); len(hs) != 1 || hs[0].Reason != store.HeldFailed || hs[0].Text != "سلام" {
		t.Errorf("held %+v", hs)
	}
	if !strings.Contains(log.String(), "a bug") || !strings.Contains(log.String(), "engine_test.go") {
		t.Errorf("log %q: want the panic and its stack", log.String())
	}
	if got := f.say(t, CustomerMessage{ID: "p1", Phone: phoneGold, At: f.at, Text: "سلام"}); len(got) != 0 {
		t.Errorf("redelivery sent %+v", got)
	}
	if got := f.say(t, CustomerMessage{ID: "s1", Phone: phoneSilver, At: f.at, Text: "سلام"}); len(got) != 1 || got[0].To != string(outbox.WhatsApp(phoneSilver)) {
		t.Errorf("another customer: %+v", got)
	}
}

// staffPanicStore panics when the desk lists tickets: a bug in a staff
// command.
type staffPanicStore struct{ store.Store }

func (p staffPanicStore) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	return p.Store.InTx(ctx, func(tx store.Store) error { return fn(staffPanicStore{tx}) })
}

func (p staffPanicStore) ListTickets(context.Context, store.TicketFilter) ([]store.Ticket, error) {
	panic("a staff bug")
}

// TestStaffPanicIsAnswered: a staff message whose handling panics is
// recorded, so the transport does not retry it, and its sender is told in
// the same chat, with the text, that nothing was done; the call succeeds.
func TestStaffPanicIsAnswered(t *testing.T) {
	f := newEngineFixture(t)
	conv := conversation.New(f.desk.policy, conversation.Config{SupportPhone: "02191001234", SalesPhone: "02191001235"})
	f.eng = NewEngine(staffPanicStore{f.db}, conv, f.desk, f.p)
	var log strings.Builder
	f.eng.SetLogger(slog.New(slog.NewTextHandler(&log, nil)))
	in := StaffInput{At: f.at, Chat: ChatStaff, UserID: staffSara, UserName: "Sara", Text: "/tickets"}
	staff := func() []store.OutboxMessage {
		before := len(f.outbox(t))
		if err := f.eng.HandleStaff(context.Background(), "update:7", in); err != nil {
			t.Fatalf("HandleStaff: %v", err)
		}
		return f.outbox(t)[before:]
	}
	got := staff()
	if len(got) != 1 || got[0].To != string(outbox.StaffGroup) || !strings.Contains(got[0].Text, "/tickets") || !strings.Contains(got[0].Text, "a staff bug") {
		t.Fatalf("sent %+v, want one answer in the staff group with the text and the error", got)
	}
	if !strings.Contains(log.String(), "a staff bug") || !strings.Contains(log.String(), "engine_test.go") {
		t.Errorf("log %q: want the panic and its stack", log.String())
	}
	if got := staff(); len(got) != 0 {
		t.Errorf("redelivery sent %+v", got)
	}
}

// TestHoldCustomer: a message a transport gave up on (it kept failing) is
// recorded and held, staff are told with its text and why, once; a later
// delivery of the same id is a no-op.
func TestHoldCustomer(t *testing.T) {
	f := newEngineFixture(t)
	m := CustomerMessage{ID: "g1", Phone: phoneGold, At: f.at, Text: "سیستم بالا نمی‌آید",
		File: &store.File{Kind: store.FileImage, Name: "⚠️ دریافت نشد: shot.png", MIME: "image/png", Bytes: 2048}}
	before := len(f.outbox(t))
	if err := f.eng.HoldCustomer(context.Background(), m, "engine: database is locked"); err != nil {
		t.Fatal(err)
	}
	got := f.outbox(t)[before:]
	if len(got) != 1 || got[0].To != string(outbox.StaffGroup) || !strings.Contains(got[0].Text, "سیستم بالا نمی‌آید") ||
		!strings.Contains(got[0].Text, "database is locked") {
		t.Fatalf("sent %+v, want one staff alert with the text and why", got)
	}
	if hs := f.held(t, phoneGold); len(hs) != 1 || hs[0].Reason != store.HeldFailed || hs[0].Text != "سیستم بالا نمی‌آید" ||
		hs[0].File == nil || hs[0].File.Name != m.File.Name {
		t.Errorf("held %+v", hs)
	}
	if err := f.eng.HoldCustomer(context.Background(), m, "again"); err != nil {
		t.Fatal(err)
	}
	if got := f.say(t, m); len(got) != 0 || len(f.held(t, phoneGold)) != 1 {
		t.Errorf("the same id again sent %+v, held %d; want nothing new", got, len(f.held(t, phoneGold)))
	}
	// A file without a caption: the alert names the file and shows no
	// empty «متن:» line.
	bare := CustomerMessage{ID: "g2", Phone: phoneGold, At: f.at, File: m.File}
	before = len(f.outbox(t))
	if err := f.eng.HoldCustomer(context.Background(), bare, "engine: database is locked"); err != nil {
		t.Fatal(err)
	}
	got = f.outbox(t)[before:]
	if len(got) != 1 || !strings.Contains(got[0].Text, "\nفایل: ") || !strings.Contains(got[0].Text, "shot.png") ||
		strings.Contains(got[0].Text, "متن:") || !strings.HasSuffix(got[0].Text, "\nخطا: engine: database is locked") {
		t.Errorf("sent %+v, want one alert naming the file, without a text line", got)
	}
}

// TestHoldCustomerWordsTheCause: the staff alert for a message a transport
// gave up on says why in staff's words, from the error it kept: the
// database (and what was wrong with it), time running out, or no cause;
// never "a software error", which is a panic's (TestPanicIsHeld).
// One error is SQLite's own, from a real file that is not a database.
func TestHoldCustomerWordsTheCause(t *testing.T) {
	junk := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(junk, bytes.Repeat([]byte("not a database "), 512), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), junk)
	if err == nil {
		db.Close()
		t.Fatal("a file of junk opened as a database")
	}
	tests := []struct {
		why  string
		want string // a phrase of the alert
	}{
		{"engine: store message from +989121110002: database is locked (5) (SQLITE_BUSY)", "پایگاه داده قفل بود"},
		{"engine: database or disk is full (13) (SQLITE_FULL)", "دیسک پایگاه داده پر بود"},
		{"attempt to write a readonly database (8) (SQLITE_READONLY)", "پایگاه داده فقط‌خواندنی بود"},
		{"disk I/O error (10) (SQLITE_IOERR)", "نوشتن در پایگاه داده خطا داد"},
		{err.Error(), "فایل پایگاه داده آسیب دیده است"},
		{"handle: context deadline exceeded", "در زمان مقرر پردازش نشد"},
		{"download: unexpected EOF", "پس از چند بار تلاش پردازش نشد و"},
	}
	for i, tt := range tests {
		f := newEngineFixture(t)
		m := CustomerMessage{ID: "h" + itoa(int64(i)), Phone: phoneGold, At: f.at, Text: "سیستم بالا نمی‌آید"}
		before := len(f.outbox(t))
		if err := f.eng.HoldCustomer(context.Background(), m, tt.why); err != nil {
			t.Fatal(err)
		}
		got := f.outbox(t)[before:]
		if len(got) != 1 || !strings.Contains(got[0].Text, tt.want) || strings.Contains(got[0].Text, "نرم‌افزاری") ||
			!strings.Contains(got[0].Text, "سیستم بالا نمی‌آید") {
			t.Errorf("why %q: sent %+v, want one alert saying %q and not a software error", tt.why, got, tt.want)
		}
	}
}
