package sqlitetest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"supportbot/store/sqlite"
)

// The migrations are most of what a new database costs a test: under the
// race detector, about half a second each time (bot's fixtures spent three
// quarters of their CPU there). So a test binary runs them once, into a
// template, and every new database after that is a copy of its bytes:
// the same file a first sqlite.Open would have made (only the migrations'
// applied_at times differ). The migrations themselves stay tested: the
// template is made by sqlite.Open, and store/sqlite's own tests run them.
var (
	templateOnce sync.Once
	template     []byte
	templateErr  error
)

// migrated is a fully migrated, empty database file's content.
func migrated() ([]byte, error) {
	templateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sqlitetest-")
		if err != nil {
			templateErr = err
			return
		}
		defer os.RemoveAll(dir)
		ctx := context.Background()
		db, err := sqlite.Open(ctx, filepath.Join(dir, "new.db"))
		if err != nil {
			templateErr = err
			return
		}
		copyPath := filepath.Join(dir, "template.db")
		// The backup is one self-contained file, without a WAL to carry.
		templateErr = errors.Join(db.Backup(ctx, copyPath), db.Close())
		if templateErr == nil {
			template, templateErr = os.ReadFile(copyPath)
		}
	})
	return template, templateErr
}

// Create writes a new, fully migrated, empty database at path, as
// sqlite.Open of a new file would (for a test that hands the path to a
// program that opens it itself).
func Create(tb testing.TB, path string) {
	tb.Helper()
	b, err := migrated()
	if err != nil {
		tb.Fatalf("sqlitetest: the migrated template: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		tb.Fatalf("sqlitetest: %s exists already (%v): Create makes new databases only", path, err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// Open is sqlite.Open of a new database at path, made by Create; it closes
// when the test ends.
func Open(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	Create(tb, path)
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
