package jobs

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/robfig/cron/v3"

	"supportbot/jobs/digest"
	"supportbot/locales"
	"supportbot/rules"
	"supportbot/store"
)

// Config times the scheduled work (config.example.yaml, schedule.*).
type Config struct {
	// Reminders are the office time before a first-response deadline at
	// which the staff group is reminded; none means no reminders (the
	// breach alert at the deadline is always sent).
	Reminders []time.Duration
	// Digest is the five-field cron spec of the managers' daily digest, in
	// the office's zone; it runs on office days only. "" means no digest.
	Digest string
	// ContractEndDays are the days before a contract's support end on which
	// the customer is reminded; none turns the reminders off.
	ContractEndDays []int
	// ContractEndPerHour caps the contract-end reminder messages sent in
	// one clock hour (a burst of near-identical texts looks like spam to
	// WhatsApp); the rest wait for the following hours, in order. 0: no cap.
	ContractEndPerHour int
	// InboundIDDays is how long the id of a received message is kept to
	// recognise a redelivery (RunInboundPrune); 0 keeps ids for ever.
	InboundIDDays int
}

// catchUp bounds how far back a job looks for work it has not done yet:
// the jobs fire at exact instants (replay, or a daemon catching up on the
// day it was down), and a run that comes late, such as a recheck of the
// real-time scheduler, does what fell due in the last day.
const catchUp = 24 * time.Hour

// Work is the bot's scheduled work: deadline reminders and breach alerts,
// the wait on a customer (a reminder, then the auto-close), the managers'
// daily digest, hourly-package settlement and notes, contract-end
// reminders, and forgetting the ids of old inbound messages. Every job is a
// plain function of (ctx, now) that does what is due at or before now and
// has not been done: each notice is enqueued in its own transaction
// together with the record that it was sent (store.Notices, store.Hourly),
// so a second run at the same instant, or a restart, sends nothing twice,
// and one failure does not undo the others.
type Work struct {
	env Env
	st  store.Store      // env.Store
	cal *rules.Calendar  // env.Policy.Calendar
	loc *time.Location   // env.Loc
	p   *locales.Printer // env.Printer
	cfg Config
}

// New returns the scheduled work in env, timed by cfg; Register schedules
// it.
func New(env Env, cfg Config) *Work {
	cfg.Reminders = slices.Clone(cfg.Reminders)
	slices.SortFunc(cfg.Reminders, func(a, b time.Duration) int { return cmp.Compare(b, a) }) // longest lead first
	cfg.Reminders = slices.DeleteFunc(slices.Compact(cfg.Reminders), func(d time.Duration) bool { return d <= 0 })
	return &Work{env: env, st: env.Store, cal: env.Policy.Calendar, loc: env.Loc, p: env.Printer, cfg: cfg}
}

// Register adds the jobs to s in the order they run when they fall due at
// the same instant: month-end and expiry work first (it changes what the
// others report), then deadlines, the digest, package notes, contract
// reminders and the nightly pruning.
func (j *Work) Register(s *Scheduler) error {
	s.Add(Job{Name: "hourly_settlement", When: hourlySchedule{j}, Run: j.RunHourly})
	s.Add(Job{Name: "deadlines", When: deadlineSchedule{j}, Run: j.RunDeadlines})
	s.Add(Job{Name: "waiting", When: waitSchedule{j}, Run: j.RunWaiting})
	if j.cfg.Digest != "" {
		spec, err := ParseSchedule(j.cfg.Digest, j.loc)
		if err != nil {
			return fmt.Errorf("digest schedule: %w", err)
		}
		s.Add(Job{Name: "digest", When: officeDays{spec, j.cal, j.loc}, Run: j.RunDigest})
	}
	s.Add(Job{Name: "package_notes", When: contactOpenings{j.cal}, Run: j.RunPackageNotes})
	if len(j.cfg.ContractEndDays) > 0 {
		s.Add(Job{Name: "contract_end", When: contractEndSchedule{j}, Run: j.RunContractEnd})
	}
	if j.cfg.InboundIDDays > 0 {
		spec, err := ParseSchedule(pruneSpec, j.loc)
		if err != nil {
			return fmt.Errorf("inbound prune schedule: %w", err)
		}
		s.Add(Job{Name: "inbound_prune", When: spec, Run: j.RunInboundPrune})
	}
	return nil
}

// due reports whether an instant falls in the window a run at now handles:
// (now - catchUp, now].
func due(at, now time.Time) bool {
	return !at.IsZero() && !at.After(now) && at.After(now.Add(-catchUp))
}

// retryAfter is when a data-driven schedule fires after it could not read
// the store: the job then runs, meets the same error and reports it.
const retryAfter = time.Minute

// officeDays fires at the instants of a cron schedule that fall on office
// days (no weekends, no holidays).
type officeDays struct {
	cron.Schedule
	cal *rules.Calendar
	loc *time.Location
}

// Next is the first instant of the schedule after t on an office day.
func (o officeDays) Next(t time.Time) time.Time {
	for range 3 * 366 {
		t = o.Schedule.Next(t)
		if t.IsZero() || o.cal.IsOfficeDay(rules.DateOf(t.In(o.loc))) {
			return t
		}
	}
	return time.Time{}
}

// contactOpenings fires once a contact day, when contact hours begin: the
// moment to tell customers something without waking anyone.
type contactOpenings struct{ cal *rules.Calendar }

// Next is the first contact-day opening after t.
func (c contactOpenings) Next(t time.Time) time.Time {
	local := t.In(c.cal.Loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, c.cal.Loc)
	for range 3*366 + 7 {
		d := rules.DateOf(day)
		if ivs := c.cal.Contact[d.Weekday()]; len(ivs) > 0 && !c.cal.IsHoliday(d) {
			if at := time.Date(d.Year, d.Month, d.Day, 0, ivs[0].Start, 0, 0, c.cal.Loc); at.After(t) {
				return at
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}
}

// RunDigest sends the daily digest and its chart to every manager, once a
// day.
func (j *Work) RunDigest(ctx context.Context, now time.Time) error {
	to := j.env.Managers
	if len(to) == 0 {
		return nil
	}
	return j.st.InTx(ctx, func(tx store.Store) error {
		fresh, err := tx.RecordNotice(ctx, "digest:"+rules.DateOf(now.In(j.loc)).String(), now)
		if err != nil || !fresh {
			return err
		}
		return digest.Send(ctx, tx, j.env.digestEnv(), now, to)
	})
}
