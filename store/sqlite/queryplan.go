package sqlite

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// QueryPlan is SQLite's EXPLAIN QUERY PLAN of query as the store would run
// it, one line a step ("SEARCH tickets USING INDEX ...", "SCAN ...", "USE
// TEMP B-TREE FOR ORDER BY"), its parameters unbound. For tests that keep
// the hot statements on their indexes (docs/performance.md).
func (db *DB) QueryPlan(ctx context.Context, query string) ([]string, error) {
	conn, err := db.reader.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: query plan: %w", err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, make([]any, params(query))...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: query plan of %q: %w", query, err)
	}
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: query plan of %q: %w", query, err)
		}
		plan = append(plan, strings.TrimSpace(detail))
	}
	if err := closeRows(rows); err != nil {
		return nil, fmt.Errorf("sqlite: query plan of %q: %w", query, err)
	}
	return plan, nil
}

// params is how many parameters query takes: "?" is one more than the
// largest number so far, "?N" is number N (SQLite's rule); text in quotes
// is skipped.
func params(query string) int {
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			if j == i+1 {
				n++
				continue
			}
			if k, err := strconv.Atoi(query[i+1 : j]); err == nil {
				n = max(n, k)
			}
			i = j - 1
		}
	}
	return n
}
