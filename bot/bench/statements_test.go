package bench

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"supportbot/bot"
	"supportbot/store/sqlite"
)

// statementsPerStep pins how many SQL statements each step of the script
// runs in its transaction, once a cycle has closed a ticket (so the
// satisfaction question is pending, as it is for most customers of a busy
// desk). Statements are the hot path's cost (10-25 µs each in the driver,
// docs/performance.md): a change that adds one to every message must say
// so here.
var statementsPerStep = map[int]int{
	0: 5,  // «سلام»: dedup, received, phone state (session and customer), session, reply
	1: 7,  // «1» on the menu: + pending question, phone state (menu on screen? handed on to the conversation), contracts
	2: 7,  // «1»
	3: 7,  // «1»
	4: 13, // the description opens a ticket: ticket, message, route, card (one row with what it shows), which message it showed
	5: 12, // follow-up on the open ticket: ticket, message, route, relay (marked, and which message it showed)
	7: 11, // follow-up after staff answered
	// Staff steps, without the load's own lookup of the ticket to answer:
	6: 11, // answer: dedup, staff name, ticket, message, ticket updated, relay, card view, messages, card edited, card row, audit
	8: 13, // close: dedup, staff name, ticket, contract, ticket updated, three messages, card view, messages, card edited, card row, audit
}

// TestStatementsPerMessage plays the script's second cycle for one
// customer and counts the statements of each message, and of a
// redelivered one (its id seen before: the dedup statement only).
func TestStatementsPerMessage(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "count.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cs, err := Seed(ctx, db, 2)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := NewEngine(db)
	if err != nil {
		t.Fatal(err)
	}
	c := Client{Engine: eng, Customer: cs[0]}
	for i := range CycleSteps { // the first cycle closes a ticket
		if _, err := c.Play(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu   sync.Mutex
		seen []string
	)
	count := func(play func() error) ([]string, error) {
		mu.Lock()
		seen = nil
		mu.Unlock()
		db.TraceStatements(func(q string) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, strings.Join(strings.Fields(q), " "))
		})
		defer db.TraceStatements(nil)
		err := play()
		mu.Lock()
		defer mu.Unlock()
		return seen, err
	}
	ran := map[string]bool{} // every statement of the cycle's messages
	for s := range CycleSteps {
		i := CycleSteps + s
		qs, err := count(func() error { _, err := c.Play(ctx, i); return err })
		if err != nil {
			t.Fatal(err)
		}
		if IsStaff(i) {
			qs = qs[1:] // the load's lookup of the open ticket, outside the bot
		}
		for _, q := range qs {
			ran[q] = true
		}
		if want := statementsPerStep[s]; len(qs) != want {
			t.Errorf("step %d (%q): %d statements, pinned %d; if that is meant, change the pin and docs/performance.md:\n  %s",
				s, cycle[s].text, len(qs), want, strings.Join(qs, "\n  "))
		}
	}
	// Each looks its rows up through an index: a plan that scans a table
	// or sorts costs more as the history grows.
	for q := range ran {
		plan, err := db.QueryPlan(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if bad := slowStep(plan); bad != "" {
			t.Errorf("%s\n  %s in plan: %s", q, bad, strings.Join(plan, "; "))
		}
	}
	// A redelivery is the dedup statement alone.
	again := StepID(c.Customer.Phone, CycleSteps)
	qs, err := count(func() error {
		return eng.HandleCustomer(ctx, bot.CustomerMessage{ID: again, Phone: c.Customer.Phone, At: Start, Text: "سلام"})
	})
	if err != nil || len(qs) != 1 {
		t.Errorf("redelivery: %d statements (err %v), want 1:\n  %s", len(qs), err, strings.Join(qs, "\n  "))
	}
	if db.Statements() == 0 {
		t.Error("Statements() = 0")
	}
}

// slowStep is the first step of an EXPLAIN QUERY PLAN that reads a whole
// table or sorts ("" when none). Scanning a subquery's own rows (a
// co-routine, a materialized view, one constant row) is not a table scan.
func slowStep(plan []string) string {
	own := map[string]bool{"CONSTANT ROW": true}
	for _, step := range plan {
		for _, p := range []string{"CO-ROUTINE ", "MATERIALIZE "} {
			if name, ok := strings.CutPrefix(step, p); ok {
				own[name] = true
			}
		}
	}
	for _, step := range plan {
		if strings.Contains(step, "TEMP B-TREE") {
			return step
		}
		if what, ok := strings.CutPrefix(step, "SCAN "); ok && !own[what] && !strings.HasPrefix(what, "(subquery-") {
			return step
		}
	}
	return ""
}
