package bot

import (
	"context"
	"time"

	"supportbot/jobs"
	"supportbot/jobs/digest"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/store"
)

// JobsEnv is the environment the scheduled jobs run in on st (jobs.New):
// this desk's support terms, printer, zone and managers, and the desk
// itself, so that the jobs post, thread under cards and name people as the
// desk does.
func (d *Desk) JobsEnv(st store.Store) jobs.Env {
	return jobs.Env{
		Store: st, Policy: d.policy, Printer: d.printer, Loc: d.loc,
		Managers: d.ManagerAddresses(), FilesDir: d.cfg.FilesDir, AutoCloseDays: d.cfg.Lifecycle.AutoCloseDays,
		Desk: deskForJobs{d},
	}
}

// digestEnv is what the /digest command gives the digest.
func (d *Desk) digestEnv() digest.Env {
	return digest.Env{Policy: d.policy, Printer: d.printer, Loc: d.loc, FilesDir: d.cfg.FilesDir, Post: d.post}
}

// deskForJobs is the desk as the jobs see it.
type deskForJobs struct{ d *Desk }

var _ jobs.Desk = deskForJobs{}

func (j deskForJobs) Post(ctx context.Context, tx store.Store, at time.Time, p outbox.Post) (int64, error) {
	return j.d.post(ctx, tx, at, p)
}

func (j deskForJobs) Card(ctx context.Context, tx store.Store, ticketID int64) (int64, error) {
	return j.d.cardOf(ctx, tx, ticketID)
}

func (j deskForJobs) Watched(ctx context.Context, tx store.Store, at time.Time, fn func(tx store.Store) error) error {
	return j.d.watched(ctx, tx, at, fn)
}

func (j deskForJobs) StaffRef(ctx context.Context, tx store.Store, id int64, given string) (locales.Raw, error) {
	return j.d.staffRef(ctx, tx, id, given)
}

func (j deskForJobs) NudgeAt(t store.Ticket) time.Time     { return j.d.nudgeAt(t) }
func (j deskForJobs) AutoCloseAt(t store.Ticket) time.Time { return j.d.autoCloseAt(t) }
