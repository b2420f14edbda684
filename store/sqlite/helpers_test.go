package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// MustOpen opens a fresh database in a temporary directory and closes it
// when the test ends. The database is a copy of one migrated once for the
// test binary (the migrations are most of a new database's cost under the
// race detector; sqlitetest.Open does the same for other packages).
func MustOpen(tb testing.TB) *DB {
	tb.Helper()
	b, err := migratedTemplate()
	if err != nil {
		tb.Fatalf("the migrated template: %v", err)
	}
	path := filepath.Join(tb.TempDir(), "bot.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

var (
	templateOnce sync.Once
	template     []byte
	templateErr  error
)

// migratedTemplate is the content of a new database Open migrated fully.
func migratedTemplate() ([]byte, error) {
	templateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sqlite-template-")
		if err != nil {
			templateErr = err
			return
		}
		defer os.RemoveAll(dir)
		ctx := context.Background()
		db, err := Open(ctx, filepath.Join(dir, "new.db"))
		if err != nil {
			templateErr = err
			return
		}
		dest := filepath.Join(dir, "template.db")
		templateErr = errors.Join(db.Backup(ctx, dest), db.Close())
		if templateErr == nil {
			template, templateErr = os.ReadFile(dest)
		}
	})
	return template, templateErr
}

// must fails the test on err.
func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// tehran is where the bot's clock runs; stored times must come back in UTC.
var tehran = time.FixedZone("IRST", 3*3600+1800)

// at is a Tehran wall-clock instant.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, tehran)
}

// MustSeed stores customer C-1 (phone +989121111111) with product contract
// K-1 and hourly contract H-1.
func MustSeed(tb testing.TB, db *DB) {
	tb.Helper()
	ctx := context.Background()
	must(tb, db.UpsertCustomer(ctx, store.Customer{ID: "C-1", Name: "Acme", City: "Tehran"}))
	must(tb, db.SetImportedPhones(ctx, "C-1", []string{"+989121111111"}))
	must(tb, db.UpsertContract(ctx, rules.Contract{ID: "K-1", CustomerID: "C-1", Kind: rules.KindProduct, Tier: rules.TierGold,
		PurchasedOn: rules.Date{Year: 2026, Month: 3, Day: 21}, DeliveredOn: rules.Date{Year: 2026, Month: 4, Day: 1}}))
	must(tb, db.UpsertContract(ctx, rules.Contract{ID: "H-1", CustomerID: "C-1", Kind: rules.KindHourly, Tier: rules.TierH50,
		PurchasedOn: rules.Date{Year: 2026, Month: 3, Day: 21}}))
}

// queryPlan is SQLite's plan for query, its steps joined by "; ".
func queryPlan(tb testing.TB, db *DB, query string, args ...any) string {
	tb.Helper()
	rows, err := db.reader.Query(`EXPLAIN QUERY PLAN `+query, args...)
	must(tb, err)
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		must(tb, rows.Scan(&id, &parent, &unused, &detail))
		plan = append(plan, detail)
	}
	must(tb, rows.Err())
	return strings.Join(plan, "; ")
}

// manualCheckpoints replaces db's background checkpointer with one whose
// rounds the test runs by hand.
func manualCheckpoints(t *testing.T, db *DB) *checkpointer {
	t.Helper()
	must(t, db.ckpt.close())
	c, err := openCheckpointer(dbPath(t, db), db.file, &db.gate)
	must(t, err)
	db.ckpt = c
	return c
}

// migratedTo creates a database at path with only the first n migrations
// applied and returns it opened raw, for a test to fill before Open runs
// the later ones.
func migratedTo(t *testing.T, path string, n int) *sql.DB {
	t.Helper()
	ctx := context.Background()
	raw, err := sql.Open("sqlite", path+"?"+writerParams)
	must(t, err)
	ms, err := migrations()
	must(t, err)
	if _, err := raw.ExecContext(ctx, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:n] {
		must(t, apply(ctx, raw, m))
	}
	return raw
}
