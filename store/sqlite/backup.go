package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// backupParams open the source of a backup: it only reads, and waits for
// a moment of the writer's lock rather than failing.
const backupParams = "_busy_timeout=5000"

// backupChunk is how much of a file is copied between looks at the
// context, so a cancelled backup stops within a moment.
const backupChunk = 64 << 20

// betweenBackupCopies, when set (by tests), runs after the database file
// is copied and before its log is: where a checkpoint would do harm.
var betweenBackupCopies func()

// ErrBackupExists means the backup's destination is already there: a
// backup never overwrites a file.
var ErrBackupExists = errors.New("backup file already exists")

// Backup writes a consistent copy of the database to dest while the bot
// goes on working: the copy is one committed state of the database, with
// every transaction committed before the backup began (and perhaps a few
// committed while it ran), each whole or not at all. WAL readers do not
// block the writer, nor it them. It refuses a dest that exists
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
// without opening it as a store: no migration runs and nothing in src
// changes, so it is safe beside a running bot, even an older or newer one.
//
// The copy is of the files themselves, at the speed of copying a file:
// the database file and its write-ahead log, both copied while one read
// transaction is open on src (docs/operations.md, "Backup and restore",
// says why that is one consistent state). The copy then opens as a
// database, takes in the log's commits and leaves WAL mode, so dest is
// one plain file. SQLite's online backup, used before, copied page by
// page at about half the speed; VACUUM INTO rebuilt every table and index
// and took four times as long (docs/performance.md). dest is created 0600
// and empty first, so a file that appears meanwhile is never overwritten;
// a backup that fails leaves nothing behind, and one that succeeds is on
// disk (synced) when it returns.
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
	// The copy's log and shared memory must be the copy's own: a stale
	// one beside dest would be read as part of it.
	for _, p := range []string{dest + "-wal", dest + "-shm"} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("sqlite: backup to %s: %s: %w", dest, filepath.Base(p), ErrBackupExists)
		}
	}
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("sqlite: backup to %s: %w", dest, ErrBackupExists)
	case err != nil:
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	f.Close()
	err = copyDatabase(ctx, src, dest)
	if err == nil {
		err = settleCopy(ctx, dest)
	}
	if err == nil {
		err = syncFile(dest)
	}
	if err != nil {
		for _, p := range []string{dest, dest + "-wal", dest + "-shm", dest + "-journal"} {
			os.Remove(p)
		}
		return fmt.Errorf("sqlite: backup %s to %s: %w", src, dest, err)
	}
	return nil
}

// copyDatabase copies src, and its write-ahead log when it is in WAL mode,
// to the empty file dest (and dest-wal) under one read transaction on src.
//
// Why that is consistent: while the transaction is open, SQLite neither
// overwrites nor restarts the part of the log it reads, and copies into
// the database file only pages whose newer versions are in that part of
// the log; pages it does not read from the log are not written at all.
// The copied log therefore holds, over whatever the copied database file
// has of those pages, every commit up to the transaction's, and perhaps
// some made during the copy; a commit the copy caught half-written fails
// the log's checksums and is left out, as after a power cut.
func copyDatabase(ctx context.Context, src, dest string) error {
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
	var mode string
	if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return fmt.Errorf("read the journal mode: %w", err)
	}
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema`).Scan(&n); err != nil {
		return fmt.Errorf("begin reading: %w", err)
	}
	if err := copyFile(ctx, src, dest, false); err != nil {
		return fmt.Errorf("copy the database file: %w", err)
	}
	if betweenBackupCopies != nil {
		betweenBackupCopies()
	}
	if strings.EqualFold(mode, "wal") {
		if err := copyFile(ctx, src+"-wal", dest+"-wal", true); err != nil {
			return fmt.Errorf("copy the write-ahead log: %w", err)
		}
	}
	return nil
}

// copyFile copies the file at from into the file at to, which is created
// 0600 when create is set (and must not exist) and must exist otherwise.
// A missing from with create set copies nothing: a database in WAL mode
// has no log while no connection is open.
func copyFile(ctx context.Context, from, to string, create bool) error {
	in, err := os.Open(from)
	if create && errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer in.Close()
	flag := os.O_WRONLY
	if create {
		flag |= os.O_CREATE | os.O_EXCL
	}
	out, err := os.OpenFile(to, flag, 0o600)
	if err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			out.Close()
			return err
		}
		// *os.File to *os.File: copy_file_range on Linux, in the kernel.
		n, err := io.Copy(out, io.LimitReader(in, backupChunk))
		if err != nil {
			out.Close()
			return err
		}
		if n < backupChunk {
			break
		}
	}
	return out.Close()
}

// settleCopy opens the copied database, which takes the copied log's
// commits in (SQLite's recovery), checks what it reads, and switches it
// out of WAL mode: the log goes into the file and is removed, and the
// backup is one file.
func settleCopy(ctx context.Context, dest string) error {
	db, err := sql.Open("sqlite", dest+"?_busy_timeout=5000")
	if err != nil {
		return err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema`).Scan(&n); err != nil {
		return fmt.Errorf("open the copy: %w", err)
	}
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil {
		return fmt.Errorf("take the log into the copy: %w", err)
	}
	if !strings.EqualFold(mode, "delete") {
		return fmt.Errorf("take the log into the copy: journal mode is still %s", mode)
	}
	return db.Close()
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
