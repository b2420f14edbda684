// Package sqlitetest makes databases for tests: new ones, quickly (Open,
// Create: the migrations run once per test binary); and for tests of an
// upgrade, the one an older program would have left (Rewind turns a
// database the current program wrote into it, so a test can open it with
// the current program and check the migration carried everything over and
// the bot goes on with it).
package sqlitetest

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"supportbot/store/sqlite"
)

// Rewind copies db into a new database at the given schema version: every
// row of every table that version has, in the columns it has; then it runs
// undo on the copy, with the current database attached as "current", to
// write what the older program kept elsewhere (settings keys, say). It
// returns the copy's path; sqlite.Open applies the later migrations.
func Rewind(t *testing.T, db *sqlite.DB, version int, undo string) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	current, old := filepath.Join(dir, "current.db"), filepath.Join(dir, "old.db")
	if err := db.Backup(ctx, current); err != nil {
		t.Fatal(err)
	}
	if err := sqlite.MigrateTo(ctx, old, version); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", old)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exec := func(q string) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("rewind: %s: %v", q, err)
		}
	}
	exec(`PRAGMA foreign_keys = OFF`)
	exec(fmt.Sprintf(`ATTACH DATABASE '%s' AS current`, strings.ReplaceAll(current, "'", "''")))
	rows, err := conn.QueryContext(ctx, `SELECT name FROM main.sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		cols, err := conn.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for cols.Next() {
			var n string
			if err := cols.Scan(&n); err != nil {
				t.Fatal(err)
			}
			names = append(names, `"`+n+`"`)
		}
		if err := cols.Close(); err != nil {
			t.Fatal(err)
		}
		list := strings.Join(names, ", ")
		exec(fmt.Sprintf(`DELETE FROM main."%s"`, table))
		exec(fmt.Sprintf(`INSERT INTO main."%s" (%s) SELECT %s FROM current."%s"`, table, list, list, table))
	}
	exec(undo)
	exec(`DETACH DATABASE current`)
	return old
}
