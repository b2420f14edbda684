package store

import (
	"context"
	"time"

	"supportbot/rules"
)

// AuditRecord is one staff or manager action, kept for ever: who did what,
// when, on which ticket (0 for none), with the details typed.
type AuditRecord struct {
	ID       int64
	At       time.Time
	UserID   int64 // Telegram user id; 0 for the bot's own scheduled work
	UserName string
	Action   string // the command's canonical name, or a button or job name
	TicketID int64
	Detail   string
}

// Snippet is a saved reply staff send with /r: a text with {placeholders}
// and an optional file.
type Snippet struct {
	Key       string
	Text      string
	File      *File
	UpdatedAt time.Time
	UpdatedBy int64
}

// Lifecycle keeps what the ticket lifecycle adds to tickets: the audit
// trail, saved replies, and the look-ups of waiting tickets and pending
// satisfaction questions.
type Lifecycle interface {
	// AddAudit appends a record and sets r.ID; records are never changed.
	AddAudit(ctx context.Context, r *AuditRecord) error
	// Audit lists the records of one ticket (all records when ticketID is
	// 0), oldest first.
	Audit(ctx context.Context, ticketID int64) ([]AuditRecord, error)
	// SaveSnippet creates or replaces the snippet with s.Key.
	SaveSnippet(ctx context.Context, s Snippet) error
	Snippet(ctx context.Context, key string) (Snippet, error) // ErrNotFound when none
	DeleteSnippet(ctx context.Context, key string) error      // ErrNotFound when none
	Snippets(ctx context.Context) ([]Snippet, error)          // by key
	// WaitingTickets lists the tickets waiting on the customer, by id.
	WaitingTickets(ctx context.Context) ([]Ticket, error)
	// PendingCSAT is the latest ticket whose satisfaction question to
	// phone waits for an answer; ErrNotFound when none.
	PendingCSAT(ctx context.Context, phone string) (Ticket, error)
	// MoveTicketHistory moves the messages and time logs of ticket from to
	// ticket to, keeping their order by time.
	MoveTicketHistory(ctx context.Context, from, to int64) error
}

// Breached reports whether t missed its first-response deadline as seen at
// at (rules.Breached).
func (t Ticket) Breached(at time.Time) bool {
	return rules.Breached(t.FirstResponseDue, t.FirstResponseAt, at)
}
