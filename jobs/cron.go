package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
)

// Cron fires a Scheduler's jobs on the wall clock, for `supportbot run`.
// It is robfig/cron in the office's zone with two safety nets that cron
// v3.0.1 leaves off by default: a job that panics is logged and the process
// goes on (cron.Recover), and a job still running when it falls due again
// is skipped rather than run twice at once (cron.SkipIfStillRunning).
// Schedules read from the database (Recheck) are asked again at least as
// often as they say, since a new ticket can bring a reminder forward. Replay
// and tests do not use Cron: they call Scheduler.RunDue with a scripted
// clock.
type Cron struct {
	c      *cron.Cron
	ctx    context.Context // handed to every job run; cancelled when Stop gives up
	cancel context.CancelFunc
}

// NewCron prepares the jobs of s to run in loc, logging job errors and
// panics to log. Nothing runs before Start.
func NewCron(s *Scheduler, loc *time.Location, log *slog.Logger) (*Cron, error) {
	if loc == nil {
		return nil, fmt.Errorf("cron: no time zone")
	}
	cl := cronLogger{log}
	c := cron.New(
		cron.WithLocation(loc),
		cron.WithLogger(cl),
		// Recover goes inside SkipIfStillRunning: v3.0.1's
		// SkipIfStillRunning hands its "running" token back without a
		// defer, so a panic escaping it would skip the job for good.
		cron.WithChain(cron.SkipIfStillRunning(cl), cron.Recover(cl)),
	)
	ctx, cancel := context.WithCancel(context.Background())
	r := &Cron{c: c, ctx: ctx, cancel: cancel}
	for _, j := range s.Jobs() {
		when := j.When
		if rc, ok := when.(Recheck); ok && rc.Recheck() > 0 {
			when = recheck{when, rc.Recheck()}
		}
		c.Schedule(when, cron.FuncJob(func() {
			now := time.Now().In(loc)
			if err := j.Run(r.ctx, now); err != nil && r.ctx.Err() == nil {
				log.Error("scheduled job failed", "job", j.Name, "at", now.Format(time.RFC3339), "err", err)
			}
		}))
	}
	return r, nil
}

// Start runs the scheduler in its own goroutine.
func (r *Cron) Start() { r.c.Start() }

// Stop stops scheduling new runs and waits for the running ones to finish.
// When ctx ends first, the running jobs' context is cancelled and Stop
// returns ctx's error; the jobs' transactions then roll back.
func (r *Cron) Stop(ctx context.Context) error {
	done := r.c.Stop().Done()
	select {
	case <-done:
		r.cancel()
		return nil
	case <-ctx.Done():
		r.cancel()
		<-done
		return ctx.Err()
	}
}

// recheck fires at the instants of a schedule read from the database, and
// at least every d besides, so data that changed since the last look is
// seen. A job fired by the recheck does what is due by then, which is
// usually nothing.
type recheck struct {
	cron.Schedule
	d time.Duration
}

// Next is the schedule's next instant, or t + d when that comes first (or
// the schedule has none).
func (r recheck) Next(t time.Time) time.Time {
	next, limit := r.Schedule.Next(t), t.Add(r.d)
	if next.IsZero() || limit.Before(next) {
		return limit
	}
	return next
}

// cronLogger writes cron's own messages to slog: start and stop at debug
// level, panics and skipped runs as errors and warnings.
type cronLogger struct{ log *slog.Logger }

// Info logs cron's routine messages at debug level.
func (l cronLogger) Info(msg string, kv ...any) {
	l.log.Debug("cron: "+msg, kv...)
}

// Error logs a recovered panic or another cron error.
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
