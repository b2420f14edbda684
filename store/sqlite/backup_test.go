package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"supportbot/store"
)

// TestBackupWhileWriting copies the database while writers keep
// committing: every copy opens as a store, passes an integrity check and
// holds a prefix of the commits (all or nothing of each transaction).
func TestBackupWhileWriting(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	dir := t.TempDir()
	var committed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				// Two rows a transaction: a copy must hold both or neither.
				err := db.InTx(ctx, func(tx store.Store) error {
					id := strconv.Itoa(w) + "-" + strconv.Itoa(i)
					if _, err := tx.RecordInbound(ctx, "a", id, time.Now()); err != nil {
						return err
					}
					_, err := tx.RecordInbound(ctx, "b", id, time.Now())
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				committed.Add(1)
			}
		})
	}
	defer func() {
		close(stop)
		wg.Wait()
	}()
	var copies []string
	for i := range 3 {
		for committed.Load() < int64(50*(i+1)) {
			time.Sleep(time.Millisecond)
		}
		dest := filepath.Join(dir, "copy"+strconv.Itoa(i)+".db")
		if i%2 == 0 {
			must(t, db.Backup(ctx, dest))
		} else {
			must(t, BackupFile(ctx, dbPath(t, db), dest))
		}
		copies = append(copies, dest)
	}
	for _, p := range copies {
		c, err := Open(ctx, p)
		if err != nil {
			t.Fatalf("open copy %s: %v", p, err)
		}
		var ok string
		must(t, c.reader.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok))
		var a, b int
		must(t, c.reader.QueryRowContext(ctx, `SELECT COUNT(*) FILTER (WHERE transport = 'a'), COUNT(*) FILTER (WHERE transport = 'b') FROM inbound`).Scan(&a, &b))
		c.Close()
		if ok != "ok" || a != b || a < 50 {
			t.Errorf("copy %s: integrity %q, %d and %d rows, want ok and two equal counts of at least 50", p, ok, a, b)
		}
	}
}

// dbPath is the file the database was opened on.
func dbPath(t *testing.T, db *DB) string {
	t.Helper()
	var seq int
	var name, file string
	must(t, db.reader.QueryRowContext(context.Background(), `PRAGMA database_list`).Scan(&seq, &name, &file))
	return file
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	dest := filepath.Join(t.TempDir(), "backup.db")
	must(t, os.WriteFile(dest, []byte("keep me"), 0o600))
	if err := db.Backup(ctx, dest); !errors.Is(err, ErrBackupExists) {
		t.Errorf("Backup over a file: %v, want ErrBackupExists", err)
	}
	if err := BackupFile(ctx, dbPath(t, db), dest); !errors.Is(err, ErrBackupExists) {
		t.Errorf("BackupFile over a file: %v, want ErrBackupExists", err)
	}
	if b, _ := os.ReadFile(dest); string(b) != "keep me" {
		t.Errorf("the existing file changed: %q", b)
	}
	if err := BackupFile(ctx, filepath.Join(t.TempDir(), "missing.db"), dest+"2"); err == nil {
		t.Error("BackupFile of a missing database: no error")
	}
	if _, err := os.Stat(dest + "2"); err == nil {
		t.Error("BackupFile of a missing database wrote a file")
	}
	for _, bad := range []string{"", "file:x.db", ":memory:", "x.db?mode=rw"} {
		if err := db.Backup(ctx, bad); err == nil {
			t.Errorf("Backup(%q): no error", bad)
		}
	}
}

// TestBackupOfNotADatabaseLeavesNothing: a source SQLite cannot read fails
// the backup, and the new file it had created is gone again.
func TestBackupOfNotADatabaseLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	src, dest := filepath.Join(dir, "notes.txt"), filepath.Join(dir, "backup.db")
	must(t, os.WriteFile(src, []byte(strings.Repeat("not a database\n", 400)), 0o600))
	if err := BackupFile(context.Background(), src, dest); err == nil {
		t.Fatal("backup of a text file: no error")
	}
	for _, p := range []string{dest, dest + "-journal", dest + "-wal"} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s left behind", filepath.Base(p))
		}
	}
}

// TestBackupIsPrivateAndComplete: the copy is 0600 from its creation and
// holds the same rows as the source.
func TestBackupIsPrivateAndComplete(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	for i := range 500 {
		_, err := db.RecordInbound(ctx, "t", strconv.Itoa(i), time.Now())
		must(t, err)
	}
	dest := filepath.Join(t.TempDir(), "backup.db")
	must(t, db.Backup(ctx, dest))
	fi, err := os.Stat(dest)
	must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	c, err := Open(ctx, dest)
	must(t, err)
	defer c.Close()
	var n int
	must(t, c.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbound`).Scan(&n))
	cust, err := c.CustomerByPhone(ctx, "+989121111111")
	if n != 500 || err != nil || cust.ID != "C-1" {
		t.Errorf("copy holds %d inbound ids and customer %q (%v), want 500 and C-1", n, cust.ID, err)
	}
}
