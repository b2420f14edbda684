package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Baseline measures the raw store: it creates a database at path, opened
// exactly as OpenWith opens the writer under sync (same connection
// parameters, so the same journal mode and durability), and commits n transactions of one small
// insert each, one after another. It returns how long the inserts took. The
// load run divides its own throughput by this to show what the bot's logic
// costs on top of SQLite.
func Baseline(ctx context.Context, path string, sync Sync, n int) (time.Duration, error) {
	db, err := sql.Open("sqlite", path+"?"+sync.params())
	if err != nil {
		return 0, fmt.Errorf("sqlite: baseline %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE baseline (id INTEGER PRIMARY KEY, at TEXT NOT NULL, body TEXT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("sqlite: baseline %s: %w", path, err)
	}
	const body = "سلام، گزارش فروش در نسخه موبایل باز نمی‌شود." // a typical short customer message
	start := time.Now()
	for i := range n {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, fmt.Errorf("sqlite: baseline begin: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO baseline (at, body) VALUES (?, ?)`, timeArg(start.Add(time.Duration(i))), body); err != nil {
			tx.Rollback()
			return 0, fmt.Errorf("sqlite: baseline insert: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return 0, fmt.Errorf("sqlite: baseline commit: %w", err)
		}
	}
	return time.Since(start), nil
}
