// Package jobstest is the world the tests of the scheduled jobs, the desk and the
// digest run in: a real SQLite database in a temporary folder with three
// customers and their contracts, the shipped support terms and calendar of
// Tehran and the Persian printer, with a clock at Sunday 1405/09/08 10:00.
package jobstest

import (
	"context"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the host's zoneinfo

	"supportbot/locales"
	"supportbot/rules"
	"supportbot/store"
	"supportbot/store/sqlite"
	"supportbot/store/sqlite/sqlitetest"
)

// Phones and people of the world.
const (
	PhoneSilver = "+989121230001" // P-1, product silver A-1
	PhoneProj   = "+989121230003" // P-3, project gold A-3 and hourly h50 A-4
	PhoneGold   = "+989121230005" // P-5, product gold G-1 with a dedicated person
	StaffSara   = int64(1001)
	ManagerReza = int64(2001)
	Dedicated   = int64(777) // G-1's dedicated person, whom nobody named
)

// World is the database, the terms and the clock of a test.
type World struct {
	DB      *sqlite.DB
	Policy  *rules.Policy
	Printer *locales.Printer
	Loc     *time.Location
	At      time.Time // the clock: new tickets open at it
}

// New is a fresh world; the database closes when the test ends.
func New(tb testing.TB) *World {
	tb.Helper()
	ctx := context.Background()
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		tb.Fatal(err)
	}
	db := sqlitetest.Open(tb, filepath.Join(tb.TempDir(), "jobs.db"))
	p, err := locales.New("fa", loc)
	if err != nil {
		tb.Fatal(err)
	}
	w := &World{
		DB:      db,
		Policy:  &rules.Policy{Calendar: rules.DefaultCalendar(loc), Tiers: rules.DefaultTiers(), Hourly: rules.DefaultHourlyRules()},
		Printer: p,
		Loc:     loc,
		At:      time.Date(2026, 11, 29, 10, 0, 0, 0, loc),
	}
	date := func(y int, m time.Month, d int) rules.Date { return rules.Date{Year: y, Month: m, Day: d} }
	customers := []struct {
		c         store.Customer
		contracts []rules.Contract
	}{
		{store.Customer{ID: "P-1", Name: "شرکت نمونه یک", City: "تهران", Phones: []string{PhoneSilver}}, []rules.Contract{
			{ID: "A-1", CustomerID: "P-1", Kind: rules.KindProduct, Tier: rules.TierSilver, Subject: "ماژول موبایل",
				PurchasedOn: date(2026, 10, 2), DeliveredOn: date(2026, 10, 6), ConfirmedOn: date(2026, 10, 7)},
		}},
		{store.Customer{ID: "P-3", Name: "شرکت نمونه سه", City: "Tehran", Phones: []string{PhoneProj}}, []rules.Contract{
			{ID: "A-3", CustomerID: "P-3", Kind: rules.KindProject, Tier: rules.TierGold, Subject: "پروژه پورتال",
				PurchasedOn: date(2026, 7, 23), DeliveredOn: date(2026, 8, 1), ConfirmedOn: date(2026, 8, 3)},
			{ID: "A-4", CustomerID: "P-3", Kind: rules.KindHourly, Tier: rules.TierH50, Subject: "بسته ساعتی",
				PurchasedOn: date(2026, 10, 23), ProjectID: "A-3"},
		}},
		{store.Customer{ID: "P-5", Name: "شرکت طلایی", City: "تهران", Phones: []string{PhoneGold}}, []rules.Contract{
			{ID: "G-1", CustomerID: "P-5", Kind: rules.KindProduct, Tier: rules.TierGold, Subject: "ماژول فروش",
				PurchasedOn: date(2026, 10, 2), DeliveredOn: date(2026, 10, 6), ConfirmedOn: date(2026, 10, 7), DedicatedStaff: Dedicated},
		}},
	}
	for _, c := range customers {
		if err := db.UpsertCustomer(ctx, c.c); err != nil {
			tb.Fatal(err)
		}
		if err := db.SetImportedPhones(ctx, c.c.ID, c.c.Phones); err != nil {
			tb.Fatal(err)
		}
		for _, k := range c.contracts {
			if err := db.UpsertContract(ctx, k); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return w
}

// Time reads a Tehran wall-clock time "2006-01-02 15:04".
func (w *World) Time(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", s, w.Loc)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// Ticket opens a ticket on contractID for phone at the clock, as the
// conversation would (the ticket and the customer's first message), in tx;
// the caller posts its card if the test needs one.
func (w *World) Ticket(tb testing.TB, tx store.Store, contractID, phone string, kind rules.RequestKind, sev rules.Severity) store.Ticket {
	tb.Helper()
	ctx := context.Background()
	c, err := tx.Contract(ctx, contractID)
	if err != nil {
		tb.Fatal(err)
	}
	t := store.Ticket{
		ContractID: contractID, CustomerID: c.CustomerID, Phone: phone, Kind: kind, Severity: sev,
		Status: store.TicketNew, Description: "گزارش فروش در موبایل باز نمی‌شود", OpenedAt: w.At,
		FirstResponseDue: w.Policy.FirstResponseDue(c, w.At),
	}
	if err := tx.CreateTicket(ctx, &t); err != nil {
		tb.Fatal(err)
	}
	m := store.Message{TicketID: t.ID, At: w.At, Direction: store.FromCustomer, Author: phone, Text: t.Description}
	if err := tx.AddMessage(ctx, &m); err != nil {
		tb.Fatal(err)
	}
	return t
}

// Charge records work on a contract of P-3: a closed ticket with a time
// log of min minutes at a Tehran wall-clock time.
func (w *World) Charge(tb testing.TB, contractID, at string, min int) {
	tb.Helper()
	ctx := context.Background()
	when := w.Time(tb, at)
	t := store.Ticket{
		ContractID: contractID, CustomerID: "P-3", Phone: PhoneProj, Kind: rules.RequestCustomization, Status: store.TicketClosed,
		OpenedAt: when, FirstResponseDue: when.Add(time.Hour), FirstResponseAt: when, ClosedAt: when, LoggedMin: min, ChargedMin: min,
	}
	if err := w.DB.CreateTicket(ctx, &t); err != nil {
		tb.Fatal(err)
	}
	if err := w.DB.AddTimeLog(ctx, &store.TimeLog{TicketID: t.ID, At: when, Minutes: min, StaffID: StaffSara}); err != nil {
		tb.Fatal(err)
	}
}

// Outbox lists every message the bot has decided to send, oldest first.
func (w *World) Outbox(tb testing.TB) []store.OutboxMessage {
	tb.Helper()
	ms, err := w.DB.DueOutbox(context.Background(), w.At.AddDate(10, 0, 0), 100000)
	if err != nil {
		tb.Fatal(err)
	}
	return ms
}
