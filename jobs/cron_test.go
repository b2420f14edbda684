package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

// tick is a schedule that fires every d of wall-clock time.
type tick time.Duration

func (d tick) Next(t time.Time) time.Time { return t.Add(time.Duration(d)) }

// never is a data-driven schedule with nothing due, asking to be rechecked.
type never time.Duration

func (never) Next(time.Time) time.Time { return time.Time{} }
func (n never) Recheck() time.Duration { return time.Duration(n) }

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// waitFor polls cond for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func startCron(t *testing.T, jobs ...Job) *Cron {
	t.Helper()
	s := &Scheduler{}
	for _, j := range jobs {
		s.Add(j)
	}
	c, err := NewCron(s, time.UTC, discard)
	if err != nil {
		t.Fatal(err)
	}
	c.Start()
	return c
}

func TestCronRunsJobsAndRecoversFromPanics(t *testing.T) {
	var runs, panics atomic.Int32
	var seenNow atomic.Value
	started := time.Now()
	c := startCron(t,
		Job{Name: "count", When: tick(20 * time.Millisecond), Run: func(_ context.Context, now time.Time) error {
			seenNow.Store(now)
			runs.Add(1)
			return errors.New("logged, not fatal")
		}},
		Job{Name: "panics", When: tick(20 * time.Millisecond), Run: func(context.Context, time.Time) error {
			panics.Add(1)
			panic("a bug in a job")
		}},
	)
	waitFor(t, "three runs of each job", func() bool { return runs.Load() >= 3 && panics.Load() >= 3 })
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The wall clock of the run: not before the cron started, not later
	// than now (a bound on how late, at any machine speed, there is not).
	if now, _ := seenNow.Load().(time.Time); now.Location() != time.UTC || now.Before(started.Truncate(time.Second)) || now.After(time.Now()) {
		t.Errorf("job saw now = %v", now)
	}
	after := runs.Load()
	time.Sleep(60 * time.Millisecond)
	if runs.Load() != after {
		t.Error("a job ran after Stop")
	}
}

func TestCronSkipsAJobStillRunning(t *testing.T) {
	var running, most, runs atomic.Int32
	release := make(chan struct{})
	c := startCron(t, Job{Name: "slow", When: tick(10 * time.Millisecond), Run: func(ctx context.Context, _ time.Time) error {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		if runs.Add(1) == 1 {
			<-release
		}
		return nil
	}})
	time.Sleep(80 * time.Millisecond) // several firings while the first run blocks
	close(release)
	waitFor(t, "a second run", func() bool { return runs.Load() >= 2 })
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if most.Load() != 1 {
		t.Errorf("%d runs of one job at once, want 1", most.Load())
	}
}

func TestCronStopWaitsForRunningJobs(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var finished atomic.Bool
	c := startCron(t, Job{Name: "slow", When: tick(10 * time.Millisecond), Run: func(ctx context.Context, _ time.Time) error {
		once.Do(func() { close(started) })
		select {
		case <-release:
			finished.Store(true)
		case <-ctx.Done():
		}
		return nil
	}})
	<-started

	// A stop that cannot wait long gives up, cancelling the job's context.
	short, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := c.Stop(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stop with a short deadline = %v, want DeadlineExceeded", err)
	}
	if finished.Load() {
		t.Error("the job finished although it was never released")
	}

	// A patient stop waits for the job to finish.
	started2, release2 := make(chan struct{}), make(chan struct{})
	var once2 sync.Once
	c = startCron(t, Job{Name: "slow", When: tick(10 * time.Millisecond), Run: func(ctx context.Context, _ time.Time) error {
		once2.Do(func() { close(started2) })
		<-release2
		finished.Store(true)
		return nil
	}})
	<-started2
	go func() {
		time.Sleep(30 * time.Millisecond)
		close(release2)
	}()
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !finished.Load() {
		t.Error("Stop returned before the running job finished")
	}
	close(release)
}

func TestCronRechecksDataDrivenSchedules(t *testing.T) {
	var runs atomic.Int32
	c := startCron(t, Job{Name: "deadlines", When: never(20 * time.Millisecond), Run: func(context.Context, time.Time) error {
		runs.Add(1)
		return nil
	}})
	waitFor(t, "a recheck run", func() bool { return runs.Load() >= 2 })
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRecheckNext(t *testing.T) {
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	soon := cron.ConstantDelaySchedule{Delay: time.Minute}
	tests := []struct {
		name string
		s    cron.Schedule
		want time.Time
	}{
		{"the schedule's instant when it comes first", soon, at.Add(time.Minute)},
		{"the recheck when it comes first", cron.ConstantDelaySchedule{Delay: time.Hour}, at.Add(5 * time.Minute)},
		{"the recheck when the schedule has nothing", never(0), at.Add(5 * time.Minute)},
	}
	for _, tt := range tests {
		if got := (recheck{tt.s, 5 * time.Minute}).Next(at); !got.Equal(tt.want) {
			t.Errorf("%s: Next = %s, want %s", tt.name, got, tt.want)
		}
	}
}
