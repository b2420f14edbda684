package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"supportbot/outbox"
	"supportbot/store"
	"supportbot/store/sqlite"
	"supportbot/store/sqlite/sqlitetest"
)

// fakeClock is a clock whose Sleep moves time on at once.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	return ctx.Err()
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.t = c.t.Add(d)
	}
}

// delivery is one call of a fake sender.
type delivery struct {
	at time.Time
	m  store.OutboxMessage
}

// fakeSender records calls and answers with fn (nil: success).
type fakeSender struct {
	clock *fakeClock
	fn    func(m store.OutboxMessage, call int) error

	mu    sync.Mutex
	calls []delivery
}

func (s *fakeSender) Send(ctx context.Context, m store.OutboxMessage) (string, error) {
	s.mu.Lock()
	s.calls = append(s.calls, delivery{s.clock.Now(), m})
	n := len(s.calls)
	s.mu.Unlock()
	if s.fn != nil {
		if err := s.fn(m, n); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("ext-%d", m.ID), nil
}

func (s *fakeSender) sent() []delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]delivery(nil), s.calls...)
}

type waitErr struct{ d time.Duration }

func (e waitErr) Error() string             { return "slow down" }
func (e waitErr) RetryAfter() time.Duration { return e.d }

type dispatchEnv struct {
	t     *testing.T
	st    *sqlite.DB
	clock *fakeClock
	tg    *fakeSender
	d     *outbox.Dispatcher
}

func newDispatchEnv(t *testing.T, cfg outbox.DispatcherConfig) *dispatchEnv {
	t.Helper()
	st := sqlitetest.Open(t, filepath.Join(t.TempDir(), "t.db"))
	clock := &fakeClock{t: time.Date(2026, 11, 28, 6, 0, 0, 0, time.UTC)}
	cfg.Now, cfg.Sleep = clock.Now, clock.Sleep
	cfg.Log = slog.New(slog.NewTextHandler(t.Output(), nil))
	e := &dispatchEnv{t: t, st: st, clock: clock, tg: &fakeSender{clock: clock}}
	e.d = outbox.NewDispatcher(st, cfg)
	e.d.Register("telegram", e.tg)
	return e
}

func (e *dispatchEnv) enqueue(to outbox.Address, text string) int64 {
	e.t.Helper()
	m := store.OutboxMessage{CreatedAt: e.clock.Now(), NextAttempt: e.clock.Now(), To: string(to), TicketID: 4, Text: text}
	if err := e.st.Enqueue(context.Background(), &m); err != nil {
		e.t.Fatal(err)
	}
	return m.ID
}

func (e *dispatchEnv) flush() {
	e.t.Helper()
	if err := e.d.Flush(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *dispatchEnv) get(id int64) store.OutboxMessage {
	e.t.Helper()
	m, err := e.st.OutboxMessage(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

func TestDispatcherMarksSentWithExternalID(t *testing.T) {
	e := newDispatchEnv(t, outbox.DispatcherConfig{})
	id := e.enqueue(outbox.StaffGroup, "hi")
	e.flush()
	m := e.get(id)
	if m.Status != store.OutboxSent || m.ExternalID != fmt.Sprintf("ext-%d", id) || !m.SentAt.Equal(e.clock.Now()) {
		t.Errorf("after flush: %+v", m)
	}
	if got, err := e.st.SentByExternal(context.Background(), string(outbox.StaffGroup), m.ExternalID); err != nil || got.ID != id {
		t.Errorf("SentByExternal: %v, %v", got.ID, err)
	}
	e.flush()
	if n := len(e.tg.sent()); n != 1 {
		t.Errorf("sent %d times, want once", n)
	}
}

func TestDispatcherLeavesUnroutedMessagesPending(t *testing.T) {
	e := newDispatchEnv(t, outbox.DispatcherConfig{})
	wa := e.enqueue(outbox.WhatsApp("+989121234567"), "to the customer")
	tg := e.enqueue(outbox.StaffGroup, "to staff")
	e.flush()
	if m := e.get(wa); m.Status != store.OutboxPending || m.Attempts != 0 {
		t.Errorf("WhatsApp message with no sender: %q after %d attempts, want pending untouched", m.Status, m.Attempts)
	}
	if m := e.get(tg); m.Status != store.OutboxSent {
		t.Errorf("Telegram message: %q", m.Status)
	}
	wa2 := &fakeSender{clock: e.clock}
	e.d.Register("whatsapp", wa2)
	e.flush()
	if m := e.get(wa); m.Status != store.OutboxSent || len(wa2.sent()) != 1 {
		t.Errorf("once WhatsApp runs: %q, %d sends", m.Status, len(wa2.sent()))
	}
}

func TestDispatcherRetriesWithBackoff(t *testing.T) {
	e := newDispatchEnv(t, outbox.DispatcherConfig{MinBackoff: 5 * time.Second, MaxBackoff: 30 * time.Second, MaxAttempts: 10})
	e.tg.fn = func(m store.OutboxMessage, call int) error {
		if call <= 5 {
			return errors.New("connection reset")
		}
		return nil
	}
	id := e.enqueue(outbox.TelegramUser(7), "x")
	var waits []time.Duration
	for range 5 {
		before := e.clock.Now()
		e.flush()
		m := e.get(id)
		if m.Status != store.OutboxPending || m.LastError != "connection reset" {
			t.Fatalf("after a failure: %q %q", m.Status, m.LastError)
		}
		waits = append(waits, m.NextAttempt.Sub(before))
		e.flush() // not due yet: nothing happens
		e.clock.Advance(m.NextAttempt.Sub(e.clock.Now()))
	}
	// The overall pace may add a few milliseconds before each send.
	for i := range waits {
		waits[i] = waits[i].Round(time.Second)
	}
	if want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 30 * time.Second, 30 * time.Second}; !slices.Equal(waits, want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	e.flush()
	if m := e.get(id); m.Status != store.OutboxSent || m.Attempts != 5 {
		t.Errorf("finally: %q after %d failed attempts", m.Status, m.Attempts)
	}
	if n := len(e.tg.sent()); n != 6 {
		t.Errorf("%d sends, want 6", n)
	}
}

func TestDispatcherWaitsWhatTheTransportAsks(t *testing.T) {
	e := newDispatchEnv(t, outbox.DispatcherConfig{})
	e.tg.fn = func(m store.OutboxMessage, call int) error {
		if call == 1 {
			return waitErr{7 * time.Second}
		}
		return nil
	}
	first := e.enqueue(outbox.StaffGroup, "first")
	second := e.enqueue(outbox.StaffGroup, "second")
	e.flush()
	m := e.get(first)
	if m.Status != store.OutboxPending || m.NextAttempt.Sub(e.tg.sent()[0].at) != 7*time.Second {
		t.Fatalf("after 429: %q next in %v, want 7s", m.Status, m.NextAttempt.Sub(e.tg.sent()[0].at))
	}
	if e.get(second).Status != store.OutboxPending {
		t.Fatal("the second message overtook the first one waiting for its retry")
	}
	e.clock.Advance(7 * time.Second)
	e.flush()
	var order []int64
	for _, c := range e.tg.sent() {
		order = append(order, c.m.ID)
	}
	if want := []int64{first, first, second}; !slices.Equal(order, want) {
		t.Errorf("send order %v, want %v", order, want)
	}
}

func TestDispatcherGivesUpAndReportsOnce(t *testing.T) {
	e := newDispatchEnv(t, outbox.DispatcherConfig{MaxAttempts: 3, MinBackoff: time.Second})
	wa := &fakeSender{clock: e.clock, fn: func(store.OutboxMessage, int) error { return errors.New("number not on WhatsApp") }}
	e.d.Register("whatsapp", wa)
	id := e.enqueue(outbox.WhatsApp("+989121234567"), "your ticket is closed")
	for range 3 {
		e.flush()
		e.clock.Advance(time.Minute)
	}
	if m := e.get(id); m.Status != store.OutboxFailed || m.LastError != "number not on WhatsApp" {
		t.Fatalf("after 3 failures: %q %q", m.Status, m.LastError)
	}
	reports := e.tg.sent()
	if len(reports) != 1 {
		t.Fatalf("%d reports to staff, want 1", len(reports))
	}
	r := reports[0].m
	if r.To != string(outbox.StaffGroup) || r.TicketID != 4 || !strings.Contains(r.Text, "+989121234567") ||
		!strings.Contains(r.Text, "number not on WhatsApp") || !strings.Contains(r.Text, "your ticket is closed") {
		t.Errorf("report: %+v", r)
	}

	// A report that cannot be delivered either is not reported again.
	e.tg.fn = func(store.OutboxMessage, int) error { return outbox.Permanent(errors.New("bot was kicked")) }
	id2 := e.enqueue(outbox.WhatsApp("+989120000000"), "second")
	for range 3 {
		e.flush()
		e.clock.Advance(time.Minute)
	}
	if m := e.get(id2); m.Status != store.OutboxFailed {
		t.Fatalf("second: %q", m.Status)
	}
	e.flush()
	due, err := e.st.DueOutbox(context.Background(), e.clock.Now().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 0 {
		t.Errorf("pending after a failed report: %+v, want nothing (no report loop)", due)
	}
	if n := len(e.tg.sent()); n != 2 {
		t.Errorf("%d sends to staff, want 2 (one report delivered, one that failed)", n)
	}
}

func TestDispatcherPermanentErrorGivesUpAtOnce(t *testing.T) {
	e := newDispatchEnv(t, outbox.DispatcherConfig{})
	e.tg.fn = func(m store.OutboxMessage, _ int) error {
		if m.To == string(outbox.TelegramUser(9)) {
			return outbox.Permanent(errors.New("Forbidden: bot was blocked by the user"))
		}
		return nil
	}
	id := e.enqueue(outbox.TelegramUser(9), "digest")
	e.flush()
	if m := e.get(id); m.Status != store.OutboxFailed {
		t.Fatalf("status %q, want failed after one permanent error", m.Status)
	}
	if got := e.tg.sent(); len(got) != 2 || got[1].m.To != string(outbox.StaffGroup) {
		t.Errorf("sends %+v, want the message then a report to staff", got)
	}
}

func TestDispatcherPacesPerRecipientAndOverall(t *testing.T) {
	e := newDispatchEnv(t, outbox.DispatcherConfig{})
	for i := range 3 {
		e.enqueue(outbox.StaffGroup, fmt.Sprint("staff ", i))
		e.enqueue(outbox.TelegramUser(5), fmt.Sprint("user ", i))
	}
	start := e.clock.Now()
	e.flush()
	calls := e.tg.sent()
	if len(calls) != 6 {
		t.Fatalf("%d sends, want 6", len(calls))
	}
	last := map[string]time.Time{}
	var prev time.Time
	for i, c := range calls {
		if want := time.Second; c.m.To == string(outbox.TelegramUser(5)) && !last[c.m.To].IsZero() && c.at.Sub(last[c.m.To]) < want {
			t.Errorf("send %d: %v after the previous to the same user, want at least %v", i, c.at.Sub(last[c.m.To]), want)
		}
		if want := 3 * time.Second; c.m.To == string(outbox.StaffGroup) && !last[c.m.To].IsZero() && c.at.Sub(last[c.m.To]) < want {
			t.Errorf("send %d: %v after the previous to the group, want at least %v", i, c.at.Sub(last[c.m.To]), want)
		}
		if i > 0 && c.at.Sub(prev) < time.Second/30 {
			t.Errorf("send %d: %v after the previous send, want at least 1/30 s", i, c.at.Sub(prev))
		}
		last[c.m.To], prev = c.at, c.at
	}
	var staffOrder []string
	for _, c := range calls {
		if c.m.To == string(outbox.StaffGroup) {
			staffOrder = append(staffOrder, c.m.Text)
		}
	}
	if want := []string{"staff 0", "staff 1", "staff 2"}; !slices.Equal(staffOrder, want) {
		t.Errorf("staff order %q", staffOrder)
	}
	if took := e.clock.Now().Sub(start); took < 6*time.Second || took > 7*time.Second {
		t.Errorf("flush took %v of (fake) time, want about 6s for three group messages", took)
	}
}

func TestDispatcherRunDeliversUntilCancelled(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sent := make(chan string, 10)
	d := outbox.NewDispatcher(st, outbox.DispatcherConfig{PollInterval: time.Hour, GroupInterval: -1, ChatInterval: -1,
		Log: slog.New(slog.NewTextHandler(t.Output(), nil))})
	d.Register("telegram", senderFunc(func(m store.OutboxMessage) (string, error) {
		sent <- m.Text
		return "x", nil
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	for _, text := range []string{"one", "two"} {
		m := store.OutboxMessage{CreatedAt: time.Now(), NextAttempt: time.Now(), To: string(outbox.StaffGroup), Text: text}
		if err := st.Enqueue(ctx, &m); err != nil {
			t.Fatal(err)
		}
		d.Wake() // no waiting for the hour-long poll
		select {
		case got := <-sent:
			if got != text {
				t.Errorf("sent %q, want %q", got, text)
			}
		case <-time.After(time.Minute):
			t.Fatalf("%q not sent after Wake", text)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run did not stop")
	}
}

type senderFunc func(m store.OutboxMessage) (string, error)

func (f senderFunc) Send(_ context.Context, m store.OutboxMessage) (string, error) { return f(m) }

func TestDispatcherNeverCountsWaitsOrOutages(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"429 storm", waitErr{30 * time.Second}},
		{"transport down", outbox.Unavailable(errors.New("dial tcp: connection refused"))},
		{"recipient unreachable", outbox.RecipientUnavailable(errors.New("Forbidden: bot was kicked"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newDispatchEnv(t, outbox.DispatcherConfig{MaxAttempts: 8})
			// Failing for 30 minutes of (fake) time: far more than eight tries.
			outage := e.clock.Now().Add(30 * time.Minute)
			e.tg.fn = func(store.OutboxMessage, int) error {
				if e.clock.Now().Before(outage) {
					return tc.err
				}
				return nil
			}
			first := e.enqueue(outbox.StaffGroup, "card")
			second := e.enqueue(outbox.StaffGroup, "follow-up")
			for e.clock.Now().Before(outage.Add(2 * time.Minute)) {
				e.flush()
				if m := e.get(first); m.Status != store.OutboxSent && (m.Status != store.OutboxPending || m.Attempts != 0) {
					t.Fatalf("during the outage: %q after %d attempts, want pending and no attempt counted", m.Status, m.Attempts)
				}
				e.clock.Advance(5 * time.Second)
			}
			if n := len(e.tg.sent()); n < 9 {
				t.Errorf("%d tries, want more than eight", n)
			}
			var order []int64
			for _, c := range e.tg.sent() {
				if e.get(c.m.ID).Status == store.OutboxSent && !slices.Contains(order, c.m.ID) {
					order = append(order, c.m.ID)
				}
			}
			if want := []int64{first, second}; !slices.Equal(order, want) {
				t.Errorf("delivered %v, want %v in order", order, want)
			}
			for _, id := range []int64{first, second} {
				if m := e.get(id); m.Status != store.OutboxSent || m.Attempts != 0 {
					t.Errorf("message %d: %q after %d counted attempts", id, m.Status, m.Attempts)
				}
			}
			for _, c := range e.tg.sent() {
				if c.m.ID != first && c.m.ID != second {
					t.Errorf("unexpected send %+v (a failure report?)", c.m)
				}
			}
		})
	}
}

func TestDispatcherRecipientHoldLeavesOtherChats(t *testing.T) {
	e := newDispatchEnv(t, outbox.DispatcherConfig{})
	e.tg.fn = func(m store.OutboxMessage, _ int) error {
		if m.To == string(outbox.StaffGroup) {
			return outbox.RecipientUnavailable(errors.New("Forbidden: bot was kicked from the group"))
		}
		return nil
	}
	staff := e.enqueue(outbox.StaffGroup, "card")
	manager := e.enqueue(outbox.TelegramUser(7), "the bot was removed from the staff group")
	e.flush()
	if m := e.get(manager); m.Status != store.OutboxSent {
		t.Errorf("manager's private message: %q, want sent while the group is unreachable", m.Status)
	}
	if m := e.get(staff); m.Status != store.OutboxPending || m.Attempts != 0 {
		t.Errorf("group message: %q, %d attempts", m.Status, m.Attempts)
	}
}

func TestDispatcherOutageEndsOnAvailable(t *testing.T) {
	e := newDispatchEnv(t, outbox.DispatcherConfig{MinBackoff: time.Minute, MaxHold: time.Hour})
	down := true
	e.tg.fn = func(store.OutboxMessage, int) error {
		if down {
			return outbox.Unavailable(errors.New("timeout"))
		}
		return nil
	}
	id := e.enqueue(outbox.TelegramUser(3), "x")
	e.flush()
	e.enqueue(outbox.TelegramUser(4), "y")
	e.flush()
	if n := len(e.tg.sent()); n != 1 {
		t.Fatalf("%d tries while the transport is held, want 1 (the lane waits)", n)
	}
	down = false
	e.d.Available("telegram")
	e.flush()
	if m := e.get(id); m.Status != store.OutboxSent || len(e.tg.sent()) != 3 {
		t.Errorf("after Available: %q, %d tries", m.Status, len(e.tg.sent()))
	}
}

// blockingSender never answers until its ctx ends, as a transport whose
// peer accepted the connection and went silent.
type blockingSender struct{ entered chan struct{} }

func (b blockingSender) Send(ctx context.Context, _ store.OutboxMessage) (string, error) {
	select {
	case b.entered <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return "", ctx.Err()
}

func TestDispatcherStalledTransportDoesNotDelayAnother(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := outbox.NewDispatcher(st, outbox.DispatcherConfig{PollInterval: 50 * time.Millisecond, GroupInterval: -1, ChatInterval: -1,
		Log: slog.New(slog.NewTextHandler(t.Output(), nil))})
	stalled := blockingSender{entered: make(chan struct{}, 1)}
	d.Register("telegram", stalled)
	sent := make(chan string, 10)
	d.Register("whatsapp", senderFunc(func(m store.OutboxMessage) (string, error) {
		sent <- m.Text
		return "w", nil
	}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	enqueue := func(to, text string) {
		m := store.OutboxMessage{CreatedAt: time.Now(), NextAttempt: time.Now(), To: to, Text: text}
		if err := st.Enqueue(ctx, &m); err != nil {
			t.Fatal(err)
		}
		d.Wake()
	}
	enqueue(string(outbox.StaffGroup), "card")
	select {
	case <-stalled.entered:
	case <-time.After(time.Minute):
		t.Fatal("the Telegram send never started")
	}
	enqueue(string(outbox.WhatsApp("+989121234567")), "answer")
	select {
	case got := <-sent:
		if got != "answer" {
			t.Errorf("sent %q", got)
		}
	case <-time.After(time.Minute):
		t.Fatal("the WhatsApp answer waited behind the stalled Telegram send")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("Run did not stop")
	}
}
