package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"supportbot/jobs/digest"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// Env is what the scheduled jobs work with, given to them whole (the desk
// supplies it: bot.Desk.JobsEnv): the store, the support terms, the
// printer and zone every notice is worded and dated in, where the managers
// are told, and what they need from the staff desk.
type Env struct {
	Store   store.Store
	Policy  *rules.Policy
	Printer *locales.Printer
	Loc     *time.Location // the office's zone
	// Managers is where alerts and digests for managers go.
	Managers []outbox.Address
	// FilesDir is where digest charts are kept; "" sends the digest
	// without its chart.
	FilesDir string
	// AutoCloseDays is how many office days a ticket waits on its customer
	// before it closes by itself, as the notice of the close says.
	AutoCloseDays int
	Desk          Desk
}

// Desk is what the jobs need from the staff desk, so that what they post
// looks and threads like the desk's own messages and the ticket cards
// follow what they change.
type Desk interface {
	// Post enqueues p in tx as the desk does: in topics mode a staff
	// group message about a ticket goes to the ticket's topic.
	Post(ctx context.Context, tx store.Store, at time.Time, p outbox.Post) (int64, error)
	// Card is the outbox id of a ticket's card, 0 when none was posted:
	// notices about a ticket reply to it.
	Card(ctx context.Context, tx store.Store, ticketID int64) (int64, error)
	// Watched runs fn in tx and then edits the cards of the tickets fn
	// changed, in the same transaction.
	Watched(ctx context.Context, tx store.Store, at time.Time, fn func(tx store.Store) error) error
	// StaffRef names a staff member for staff: given, else the name the
	// desk knows, as a mention; an id nobody named as the bare number.
	StaffRef(ctx context.Context, tx store.Store, id int64, given string) (locales.Raw, error)
	// NudgeAt and AutoCloseAt are when a ticket waiting on its customer is
	// reminded and closed; zero when never.
	NudgeAt(t store.Ticket) time.Time
	AutoCloseAt(t store.Ticket) time.Time
}

// digestEnv is the digest's part of the environment.
func (e Env) digestEnv() digest.Env {
	return digest.Env{Policy: e.Policy, Printer: e.Printer, Loc: e.Loc, FilesDir: e.FilesDir, Post: e.Desk.Post}
}

// customer loads a customer; one that is gone is shown by its id.
func customer(ctx context.Context, tx store.Store, id string) (store.Customer, error) {
	c, err := tx.Customer(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Customer{ID: id, Name: id}, nil
	}
	if err != nil {
		return store.Customer{}, fmt.Errorf("jobs: customer %s: %w", id, err)
	}
	return c, nil
}

// contract loads a contract; one that is gone is the zero contract, which
// no rule charges or covers.
func contract(ctx context.Context, tx store.Store, id string) (rules.Contract, error) {
	c, err := tx.Contract(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return rules.Contract{ID: id}, nil
	}
	if err != nil {
		return rules.Contract{}, fmt.Errorf("jobs: contract %s: %w", id, err)
	}
	return c, nil
}

// audit appends one record of what a job did to the audit trail.
func audit(ctx context.Context, tx store.Store, r store.AuditRecord) error {
	if err := tx.AddAudit(ctx, &r); err != nil {
		return fmt.Errorf("jobs: audit: %w", err)
	}
	return nil
}
