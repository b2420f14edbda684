package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// backupParams open the source of a backup: it only reads, and waits for
// a moment of the writer's lock rather than failing.
const backupParams = "_busy_timeout=5000"

// ErrBackupExists means the backup's destination is already there: a
// backup never overwrites a file.
var ErrBackupExists = errors.New("backup file already exists")

// Backup writes a consistent copy of the database to dest with VACUUM INTO,
// while the bot goes on working: the copy is one read transaction's
// snapshot (WAL readers do not block the writer, nor it them), compacted,
// with every committed transaction up to that moment and nothing after. It
// refuses a dest that exists (ErrBackupExists).
func (db *DB) Backup(ctx context.Context, dest string) error {
	var seq int
	var name, file string
	if err := db.reader.QueryRowContext(ctx, `PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	return BackupFile(ctx, file, dest)
}

// BackupFile copies the database file at src to dest as Backup does,
// without opening it as a store: no migration runs and nothing is written
// to src, so it is safe beside a running bot, even an older or newer one.
func BackupFile(ctx context.Context, src, dest string) error {
	if err := plainPath(src); err != nil {
		return fmt.Errorf("sqlite: backup %q: %w", src, err)
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	// Not the store's read-only readers: query_only forbids VACUUM INTO.
	db, err := sql.Open("sqlite", src+"?"+backupParams)
	if err != nil {
		return fmt.Errorf("sqlite: backup %s: %w", src, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	return vacuumInto(ctx, db, dest)
}

// plainPath refuses what SQLite would read as a URI or a special name.
func plainPath(path string) error {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return errors.New("want a plain file path")
	}
	return nil
}

// vacuumInto runs VACUUM INTO dest on one connection of pool.
func vacuumInto(ctx context.Context, pool *sql.DB, dest string) error {
	if err := plainPath(dest); err != nil {
		return fmt.Errorf("sqlite: backup to %q: %w", dest, err)
	}
	switch _, err := os.Lstat(dest); {
	case err == nil:
		return fmt.Errorf("sqlite: backup to %s: %w", dest, ErrBackupExists)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	// VACUUM INTO itself refuses a destination that is not empty, so a file
	// that appears meanwhile is not overwritten either.
	if _, err := pool.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		os.Remove(dest + "-journal")
		return fmt.Errorf("sqlite: backup to %s: %w", dest, err)
	}
	return nil
}
