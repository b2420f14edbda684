package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"supportbot/store"
)

// settingProbe is the setting the health probe rewrites.
const settingProbe = "health_probe"

// Probe writes one small row in a transaction of its own, through the
// writer like every other write, and says what stopped it: store.DBLocked
// when it waited for a lock (another process holding the write lock, or
// the writer busy) until ctx ended or the busy timeout passed,
// store.DBReadOnly, store.DBDiskFull, else store.DBFailing; store.DBOK and
// nil when the write committed. See docs/durability.md.
func (db *DB) Probe(ctx context.Context, now time.Time) (string, error) {
	err := db.inTx(ctx, func(tq *queries) error {
		return tq.SetSetting(ctx, settingProbe, formatTime(now.UTC()))
	})
	return ProbeState(ctx, err), err
}

// ProbeState classifies a write's error as Probe does.
func ProbeState(ctx context.Context, err error) string {
	if err == nil {
		return store.DBOK
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return store.DBLocked
		case sqlite3.SQLITE_READONLY:
			return store.DBReadOnly
		case sqlite3.SQLITE_FULL:
			return store.DBDiskFull
		case sqlite3.SQLITE_INTERRUPT:
			if ctx.Err() != nil {
				return store.DBLocked
			}
		}
	}
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return store.DBLocked // still waiting for the writer or the lock
	}
	return store.DBFailing
}

// ErrCorrupt is what QuickCheck returns, wrapped, for a damaged database.
var ErrCorrupt = errors.New("the database file is damaged")

// maxCheckLines bounds the problems QuickCheck reports.
const maxCheckLines = 5

// QuickCheck runs PRAGMA quick_check: every page and row is read and
// checked for consistency (not the indexes against their tables, which
// integrity_check adds at many times the cost). It returns an error
// wrapping ErrCorrupt with SQLite's first findings when anything is wrong.
func (db *DB) QuickCheck(ctx context.Context) error {
	rows, err := db.reader.QueryContext(ctx, `PRAGMA quick_check(`+fmt.Sprint(maxCheckLines)+`)`)
	if err != nil {
		return corruptOr(err)
	}
	var found []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return corruptOr(err)
		}
		if line != "ok" {
			found = append(found, line)
		}
	}
	if err := closeRows(rows); err != nil {
		return corruptOr(err)
	}
	if len(found) > 0 {
		return fmt.Errorf("%w: %s", ErrCorrupt, strings.Join(found, "; "))
	}
	return nil
}

// corruptOr wraps err in ErrCorrupt when SQLite says the file is damaged
// (it can stop the check itself).
func corruptOr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_CORRUPT || se.Code()&0xff == sqlite3.SQLITE_NOTADB) {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return fmt.Errorf("sqlite: quick_check: %w", err)
}

// IsCorrupt reports whether err is SQLite saying the file is damaged or is
// not a database.
func IsCorrupt(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_CORRUPT || se.Code()&0xff == sqlite3.SQLITE_NOTADB)
}
