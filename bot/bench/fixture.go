// Package bench is the load run behind `supportbot bench`: many customers
// write at once through the whole bot (store, rules, conversation, desk,
// outbox) on a fresh database, staff answer and close their tickets, and
// the run reports throughput, latency, memory and size next to what bare
// SQLite does with the same settings. The same fixture and script serve the
// Go benchmarks and the crash test.
package bench

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"supportbot/bot"
	"supportbot/conversation"
	"supportbot/locales"
	"supportbot/rules"
	"supportbot/store"
	"supportbot/store/sqlite"
)

// Customer is one customer of the fixture: an id and its one phone, with
// one gold product contract (every request kind but a few, no monthly
// quota, so a script can open tickets without end).
type Customer struct {
	ID    string
	Phone string
}

// Tehran is the office's zone, +03:30 all year.
var Tehran = time.FixedZone("Asia/Tehran", 3*3600+1800)

// Start is the fixture's clock: Sunday 1405/09/09 09:00, inside office
// hours, a few weeks into every contract.
var Start = time.Date(2026, 11, 29, 9, 0, 0, 0, Tehran)

// Phone is the fixture phone of customer i (from 0).
func Phone(i int) string { return fmt.Sprintf("+98912%07d", i+1) }

// Seed adds n customers with one contract each to st in one transaction.
func Seed(ctx context.Context, st store.Store, n int) ([]Customer, error) {
	cs := make([]Customer, n)
	err := st.InTx(ctx, func(tx store.Store) error {
		for i := range cs {
			c := Customer{ID: "C-" + strconv.Itoa(i+1), Phone: Phone(i)}
			cs[i] = c
			if err := tx.UpsertCustomer(ctx, store.Customer{ID: c.ID, Name: "شرکت نمونه " + strconv.Itoa(i+1), City: "تهران"}); err != nil {
				return err
			}
			if err := tx.SetImportedPhones(ctx, c.ID, []string{c.Phone}); err != nil {
				return err
			}
			k := rules.Contract{
				ID: "K-" + strconv.Itoa(i+1), CustomerID: c.ID, Kind: rules.KindProduct, Tier: rules.TierGold,
				Subject:     "نرم‌افزار فروش",
				PurchasedOn: rules.Date{Year: 2026, Month: 10, Day: 2},
				DeliveredOn: rules.Date{Year: 2026, Month: 10, Day: 6},
				ConfirmedOn: rules.Date{Year: 2026, Month: 10, Day: 7},
			}
			if err := tx.UpsertContract(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bench: seed %d customers: %w", n, err)
	}
	return cs, nil
}

// NewEngine wires an engine on st with the shipped rules and settings, as
// `supportbot run` would with the example config.
func NewEngine(db *sqlite.DB) (*bot.Engine, error) {
	policy := &rules.Policy{Calendar: rules.DefaultCalendar(Tehran), Tiers: rules.DefaultTiers(), Hourly: rules.DefaultHourlyRules()}
	p, err := locales.New("fa", Tehran)
	if err != nil {
		return nil, err
	}
	conv := conversation.New(policy, conversation.Config{
		SupportPhone: "02191001234", SalesPhone: "02191001235", FallbackPhone: "09198906850",
	})
	// The shipped lifecycle: a close asks for a score, so a later bare
	// number looks for the question (the path `supportbot run` takes).
	desk := bot.NewDesk(policy, p, bot.DeskConfig{StaffChatID: -100, Lifecycle: bot.DefaultLifecycle()})
	return bot.NewEngine(db, conv, desk, p), nil
}
