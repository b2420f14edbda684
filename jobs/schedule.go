// Package jobs is the bot's scheduled work and when it runs. Work holds the
// jobs themselves: deadline reminders and breach alerts, the managers'
// daily digest (package jobs/digest, which the desk's /digest command uses
// too), hourly-package settlement and notes, the wait on a customer
// (reminder, then auto-close), contract-end reminders and forgetting old
// message ids. They run in an explicit environment (Env) that the staff
// desk supplies, so this package never imports bot. The Scheduler fires
// jobs at the instants of their schedules (replay and tests drive it with
// RunDue on a scripted clock) and Cron fires them on the wall clock for
// `supportbot run`.
package jobs

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/robfig/cron/v3"
)

// Job is scheduled work. It is a plain function of the instant it is due, so
// replay and tests fire it with a scripted clock; it must be idempotent, as a
// restart may fire the same instant twice.
type Job struct {
	Name string
	When cron.Schedule // in the office's time zone
	Run  func(ctx context.Context, now time.Time) error
}

// ParseSchedule parses a five-field cron spec ("0 8 * * *") in loc.
func ParseSchedule(spec string, loc *time.Location) (cron.Schedule, error) {
	s, err := cron.ParseStandard("CRON_TZ=" + loc.String() + " " + spec)
	if err != nil {
		return nil, fmt.Errorf("cron spec %q: %w", spec, err)
	}
	return s, nil
}

// Every is a schedule that fires at every multiple of d since midnight UTC,
// for jobs that look for due work (reminders, breach alerts).
type Every time.Duration

// Next is the first multiple of the period strictly after t.
func (e Every) Next(t time.Time) time.Time {
	d := time.Duration(e)
	return t.Truncate(d).Add(d)
}

// Recheck is implemented by schedules computed from the database. Their
// next instant can move earlier when data changes (a new ticket), so a
// real-time scheduler asks again at least this often; replay asks again
// before every step anyway.
type Recheck interface {
	Recheck() time.Duration
}

// Scheduler fires jobs. Replay drives it with RunDue; the daemon with cron.
type Scheduler struct {
	jobs []Job
}

// Add registers a job.
func (s *Scheduler) Add(j Job) { s.jobs = append(s.jobs, j) }

// Jobs lists the registered jobs.
func (s *Scheduler) Jobs() []Job { return s.jobs }

type firing struct {
	at  time.Time
	job int
}

// RunDue runs every job instant in (from, to], in time order (jobs due at the
// same instant in the order they were added). It stops at the first error.
func (s *Scheduler) RunDue(ctx context.Context, from, to time.Time) error {
	if !to.After(from) {
		return nil
	}
	var due []firing
	for i, j := range s.jobs {
		for at := j.When.Next(from); !at.IsZero() && !at.After(to); at = j.When.Next(at) {
			due = append(due, firing{at: at, job: i})
		}
	}
	sort.SliceStable(due, func(a, b int) bool {
		if !due[a].at.Equal(due[b].at) {
			return due[a].at.Before(due[b].at)
		}
		return due[a].job < due[b].job
	})
	for _, f := range due {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.jobs[f.job].Run(ctx, f.at); err != nil {
			return fmt.Errorf("job %s at %s: %w", s.jobs[f.job].Name, f.at.Format(time.RFC3339), err)
		}
	}
	return nil
}
