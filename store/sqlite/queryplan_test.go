package sqlite

import (
	"context"
	"strings"
	"testing"
)

func TestParams(t *testing.T) {
	for _, tt := range []struct {
		query string
		want  int
	}{
		{`SELECT 1`, 0},
		{`SELECT ? , ?`, 2},
		{`SELECT ?1, ?2, ?1`, 2},
		{`SELECT ?3, ?`, 4},
		{`SELECT '?', "a?b", ?`, 1},
		{`SELECT ? WHERE x = 'it''s ?'`, 1},
	} {
		if got := params(tt.query); got != tt.want {
			t.Errorf("params(%q) = %d, want %d", tt.query, got, tt.want)
		}
	}
}

// TestQueryPlan: the plan of a statement with parameters, read without
// running it.
func TestQueryPlan(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	plan, err := db.QueryPlan(ctx, `SELECT `+ticketCols+` FROM tickets
		WHERE phone = ? AND csat_pending = 1 ORDER BY csat_asked_at DESC, id DESC LIMIT 1`)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) != 1 || !strings.Contains(plan[0], "USING INDEX tickets_csat_pending") {
		t.Errorf("plan of the pending-question lookup: %q, want one search of tickets_csat_pending (no sort)", plan)
	}
	if _, err := db.QueryPlan(ctx, `SELECT nothing FROM nowhere`); err == nil {
		t.Error("the plan of a bad statement had no error")
	}
}
