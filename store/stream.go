package store

import (
	"context"
	"iter"
)

// TicketMessage is a message on a ticket with the ticket's phone, as the
// message log of an export lists it.
type TicketMessage struct {
	Message
	Phone string
}

// Stream reads the long lists of a history row by row, so that a reader of
// years of tickets holds one row at a time rather than all of them
// (docs/performance.md, "Years of data"). Each sequence stops at the first
// error, which it yields.
type Stream interface {
	// ReadTx runs fn in one read-only transaction: every read in fn sees
	// the same snapshot, and writers are not held up meanwhile. Writes in
	// fn fail. Inside a transaction it just calls fn with it.
	ReadTx(ctx context.Context, fn func(tx Store) error) error
	EachTicket(ctx context.Context, f TicketFilter) iter.Seq2[Ticket, error] // by id
	EachDenial(ctx context.Context) iter.Seq2[Denial, error]                 // by time, then id
	EachAudit(ctx context.Context) iter.Seq2[AuditRecord, error]             // oldest first
	EachReceived(ctx context.Context) iter.Seq2[Received, error]             // by time, then id
	// EachStaffMessage lists the staff messages and notes on tickets (not
	// the customer's), by time, then ticket, then id.
	EachStaffMessage(ctx context.Context) iter.Seq2[TicketMessage, error]
}
