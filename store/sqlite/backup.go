package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	sqlite "modernc.org/sqlite"
)

// backupParams open the source of a backup: it only reads, and waits for
// a moment of the writer's lock rather than failing.
const backupParams = "_busy_timeout=5000"

// backupDestParams open the new copy.
const backupDestParams = "_pragma=journal_mode(off)&_pragma=synchronous(off)"

// ErrBackupExists means the backup's destination is already there: a
// backup never overwrites a file.
var ErrBackupExists = errors.New("backup file already exists")

// Backup writes a consistent copy of the database to dest while the bot
// goes on working: the copy is one read transaction's snapshot (WAL readers
// do not block the writer, nor it them), with every committed transaction
// up to that moment and nothing after. It refuses a dest that exists
// (ErrBackupExists).
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
//
// The copy is SQLite's online backup, all pages in one step: one read
// transaction on src copies its pages as they are, close to the speed of
// copying the file (VACUUM INTO, used before, rebuilt every table and
// index and took four times as long; docs/performance.md). dest is created
// 0600 and empty first, so a file that appears meanwhile is never
// overwritten; a backup that fails leaves nothing behind.
func BackupFile(ctx context.Context, src, dest string) error {
	if err := plainPath(src); err != nil {
		return fmt.Errorf("sqlite: backup %q: %w", src, err)
	}
	if err := plainPath(dest); err != nil {
		return fmt.Errorf("sqlite: backup to %q: %w", dest, err)
	}
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("sqlite: backup to %s: %w", dest, ErrBackupExists)
	case err != nil:
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	f.Close()
	err = onlineBackup(ctx, src, dest)
	if err == nil {
		err = syncFile(dest)
	}
	if err != nil {
		os.Remove(dest)
		os.Remove(dest + "-journal")
		return fmt.Errorf("sqlite: backup %s to %s: %w", src, dest, err)
	}
	return nil
}

// backuper is what the driver's connection offers for online backups.
type backuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
}

// onlineBackup copies src into the empty database file dest.
func onlineBackup(ctx context.Context, src, dest string) error {
	db, err := sql.Open("sqlite", src+"?"+backupParams)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		// The copy is synced once at the end rather than journaled and
		// synced as it goes: until then it is not a backup anyway.
		b, err := dc.(backuper).NewBackup(dest + "?" + backupDestParams)
		if err != nil {
			return err
		}
		// One step: the whole copy is one snapshot of src. In smaller
		// steps a write to src by another connection restarts the copy.
		_, err = b.Step(-1)
		return errors.Join(err, b.Finish())
	})
}

// plainPath refuses what SQLite would read as a URI or a special name.
func plainPath(path string) error {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return errors.New("want a plain file path")
	}
	return nil
}

// syncFile writes the file at path, and its entry in its folder, to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}
