// Package storetest is the behaviour every implementation of the store
// interfaces shares, written once as a suite of tests: store/sqlite runs it
// on a real database file, and every fake store in the tree runs it too,
// so a fake that counts usage, filters tickets or deduplicates messages
// differently from SQLite fails here instead of hiding a bug in the tests
// built on it.
//
// A suite takes a function that opens an empty store for one test. Run is
// the whole suite for a full store.Store; a fake that implements only the
// part its package uses runs the suites of that part (RunConversation).
package storetest

import (
	"context"
	"testing"

	"supportbot/rules"
	"supportbot/store"
)

// Conversation is what the conversation package reads and writes
// (conversation.Store), with what the suite needs to put data in place
// first: customers and contracts as an import makes them, time logged and
// hourly charges as the desk and the jobs record them.
type Conversation interface {
	CustomerByPhone(ctx context.Context, phone string) (store.Customer, error)
	ContractsOf(ctx context.Context, customerID string) ([]rules.Contract, error)
	Usage(ctx context.Context, contractID string, w store.UsageWindow) (rules.Usage, error)
	ListTickets(ctx context.Context, f store.TicketFilter) ([]store.Ticket, error)
	CreateTicket(ctx context.Context, t *store.Ticket) error
	Ticket(ctx context.Context, id int64) (store.Ticket, error)
	UpdateTicket(ctx context.Context, t store.Ticket) error
	AddMessage(ctx context.Context, m *store.Message) error
	AddDenial(ctx context.Context, d *store.Denial) error
	Setting(ctx context.Context, key string) (string, error)
	Session(ctx context.Context, phone string) (store.Session, error)
	SaveSession(ctx context.Context, s store.Session) error

	UpsertCustomer(ctx context.Context, c store.Customer) error
	SetImportedPhones(ctx context.Context, customerID string, phones []string) error
	UpsertContract(ctx context.Context, c rules.Contract) error
	AddTimeLog(ctx context.Context, l *store.TimeLog) error
	AddHourlyEntry(ctx context.Context, e *store.HourlyEntry) error
	Messages(ctx context.Context, ticketID int64) ([]store.Message, error)
	SetSetting(ctx context.Context, key, value string) error
}

var _ Conversation = store.Store(nil)

// Run runs every suite on a full store.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Conversation", func(t *testing.T) {
		RunConversation(t, func(t *testing.T) Conversation { return open(t) })
	})
	t.Run("Inbox", func(t *testing.T) {
		RunInbox(t, func(t *testing.T) store.Inbox { return open(t) })
	})
	t.Run("ContractEnds", func(t *testing.T) {
		RunContractEnds(t, func(t *testing.T) store.ContractEnds { return open(t) })
	})
	t.Run("Links", func(t *testing.T) { RunLinks(t, open) })
}

// RunConversation runs the suites of what the conversation relies on.
func RunConversation(t *testing.T, open func(t *testing.T) Conversation) {
	t.Run("Usage", func(t *testing.T) { testUsage(t, open(t)) })
	t.Run("Tickets", func(t *testing.T) { testTickets(t, open(t)) })
	t.Run("Messages", func(t *testing.T) { testMessages(t, open(t)) })
	t.Run("Customers", func(t *testing.T) { testCustomers(t, open(t)) })
	t.Run("SessionsAndSettings", func(t *testing.T) { testSessionsAndSettings(t, open(t)) })
	t.Run("Denials", func(t *testing.T) { testDenials(t, open(t)) })
}

// must fails the test on err.
func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
