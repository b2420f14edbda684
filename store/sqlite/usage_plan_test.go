package sqlite

import (
	"strings"
	"testing"
	"time"
)

// Usage reads the windows' tickets through a range of the usage index and
// the training and customization tickets by contract and kind, never all
// of a contract's history (docs/performance.md, "Years of data").
func TestUsageCountsUseRanges(t *testing.T) {
	db := MustOpen(t)
	ms, me := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 22, 0, 0, 0, 0, time.UTC)
	ys, ye := time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC), time.Date(2027, 4, 15, 0, 0, 0, 0, time.UTC)
	plan := queryPlan(t, db, usageCountsQuery, "K-1", timeArg(ms), timeArg(me), timeArg(ys), timeArg(ye))
	for _, want := range []string{
		"tickets_contract_usage (contract_id=? AND opened_at>? AND opened_at<?)",
		"tickets_contract_kind (contract_id=? AND kind=?)",
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan %q lacks %s", plan, want)
		}
	}
}

// PeriodTickets finds a statement month's tickets through two ranges, the
// tickets opened in it and the time logged in it, and never reads the
// contract's other tickets (docs/performance.md, "Years of data").
func TestPeriodTicketsUseRanges(t *testing.T) {
	db := MustOpen(t)
	from, to := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 22, 0, 0, 0, 0, time.UTC)
	plan := queryPlan(t, db, periodTicketsQuery, "K-1", timeArg(from), timeArg(to))
	for _, want := range []string{
		"tickets_contract_usage (contract_id=? AND opened_at>? AND opened_at<?)",
		"time_logs_contract_at (contract_id=? AND at>? AND at<?)",
		"time_logs_ticket (ticket_id=? AND at>? AND at<?)",
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan %q lacks %s", plan, want)
		}
	}
	for _, bad := range []string{"SCAN", "(contract_id=?)", "TEMP B-TREE"} {
		if strings.Contains(plan, bad) {
			t.Errorf("plan %q has %s", plan, bad)
		}
	}
}
