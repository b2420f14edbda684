package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"syscall"
	"testing"
	"time"

	"supportbot/outbox"
	"supportbot/store"
)

// lockedRecords is the real store whose MarkSent fails the first n times,
// as it does while another process holds the write lock.
type lockedRecords struct {
	store.Store
	mu    sync.Mutex
	n     int
	tries int
	fail  func() // called on each failure
}

func (s *lockedRecords) MarkSent(ctx context.Context, id int64, at time.Time, ext string) error {
	s.mu.Lock()
	s.tries++
	fail := s.tries <= s.n
	s.mu.Unlock()
	if fail {
		if s.fail != nil {
			s.fail()
		}
		return errors.New("sqlite: mark sent: database is locked (5)")
	}
	return s.Store.MarkSent(ctx, id, at, ext)
}

// TestDispatcherRetriesTheRecordNotTheSend: while the outcome of a send
// cannot be recorded (the database locked for a minute, by the fake clock),
// the dispatcher retries the record and neither sends the message again nor
// moves on to the next one; once recorded, the next goes out. Nothing is
// counted as an unknown outcome.
func TestDispatcherRetriesTheRecordNotTheSend(t *testing.T) {
	for _, fails := range []int{1, 5, 20} {
		t.Run(fmt.Sprint(fails), func(t *testing.T) {
			e := newDispatchEnv(t, outbox.DispatcherConfig{})
			locked := &lockedRecords{Store: e.st, n: fails}
			d := outbox.NewDispatcher(locked, outbox.DispatcherConfig{Now: e.clock.Now, Sleep: e.clock.Sleep, Log: slog.New(slog.DiscardHandler)})
			d.Register("telegram", e.tg)
			first := e.enqueue(outbox.StaffGroup, "one")
			second := e.enqueue(outbox.StaffGroup, "two")
			start := e.clock.Now()
			if err := d.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			sent := e.tg.sent()
			if len(sent) != 2 || sent[0].m.ID != first || sent[1].m.ID != second {
				t.Fatalf("sends %v, want %d then %d once each", sent, first, second)
			}
			if locked.tries != fails+2 {
				t.Errorf("%d record tries, want %d (the failures, then one a message)", locked.tries, fails+2)
			}
			if fails >= 5 && !sent[1].at.After(start.Add(time.Second)) {
				t.Errorf("the second message went out at %s, before the first was recorded", sent[1].at.Sub(start))
			}
			for _, id := range []int64{first, second} {
				if m := e.get(id); m.Status != store.OutboxSent {
					t.Errorf("message %d is %s, want sent", id, m.Status)
				}
			}
			if u := d.UnknownOutcomes()["telegram"]; u != 0 {
				t.Errorf("%d unknown outcomes, want 0", u)
			}
		})
	}
}

// TestDispatcherCountsUnknownOutcomes: a send that timed out or whose
// connection broke may have gone out, and a record given up at shutdown
// leaves the message to be sent again: each is counted; a refusal is not.
func TestDispatcherCountsUnknownOutcomes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int64
	}{
		{"timeout", fmt.Errorf("send: %w", context.DeadlineExceeded), 1},
		{"connection reset", fmt.Errorf("post: %w", syscall.ECONNRESET), 1},
		{"refused", outbox.Permanent(errors.New("chat not found")), 0},
		{"unavailable", outbox.Unavailable(errors.New("not connected")), 0},
		{"plain error", errors.New("bad gateway"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newDispatchEnv(t, outbox.DispatcherConfig{})
			e.tg.fn = func(m store.OutboxMessage, call int) error {
				if call == 1 {
					return tt.err
				}
				return nil
			}
			e.enqueue(outbox.StaffGroup, "x")
			e.d.Flush(context.Background())
			if got := e.d.UnknownOutcomes()["telegram"]; got != tt.want {
				t.Errorf("unknown outcomes %d, want %d", got, tt.want)
			}
		})
	}

	// Shutdown before the record: counted, and the message stays pending.
	e := newDispatchEnv(t, outbox.DispatcherConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	locked := &lockedRecords{Store: e.st, n: 1 << 30, fail: cancel} // stopped while the database is locked
	d := outbox.NewDispatcher(locked, outbox.DispatcherConfig{Now: e.clock.Now, Sleep: e.clock.Sleep, Log: slog.New(slog.DiscardHandler)})
	d.Register("telegram", e.tg)
	id := e.enqueue(outbox.StaffGroup, "x")
	d.Flush(ctx)
	if got := d.UnknownOutcomes()["telegram"]; got != 1 {
		t.Errorf("a record given up at shutdown: %d unknown outcomes, want 1", got)
	}
	if m := e.get(id); m.Status != store.OutboxPending {
		t.Errorf("message is %s, want pending (sent again at the next start)", m.Status)
	}
}
