package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"io"
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
		waitCommitted(t, &committed, int64(50*(i+1)))
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

// TestBackupHoldsWhatIsOnlyInTheLog: commits not yet checkpointed into the
// database file (they are in its write-ahead log) are in the copy, and the
// copy is one file, out of WAL mode, with no log beside it.
func TestBackupHoldsWhatIsOnlyInTheLog(t *testing.T) {
	db := MustOpen(t)
	manualCheckpoints(t, db) // no round runs: the commits stay in the log
	ctx := context.Background()
	for i := range 300 {
		_, err := db.RecordInbound(ctx, "t", strconv.Itoa(i), time.Now())
		must(t, err)
	}
	if fi, err := os.Stat(dbPath(t, db) + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the commits are not in the log: %v, %v", fi, err)
	}
	dest := filepath.Join(t.TempDir(), "backup.db")
	must(t, db.Backup(ctx, dest))
	for _, p := range []string{dest + "-wal", dest + "-shm", dest + "-journal"} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s left beside the backup", filepath.Base(p))
		}
	}
	head := make([]byte, 20)
	f, err := os.Open(dest)
	must(t, err)
	_, err = io.ReadFull(f, head)
	f.Close()
	must(t, err)
	if head[18] != 1 || head[19] != 1 {
		t.Errorf("the backup's header says file format %d/%d, want 1/1 (not WAL)", head[18], head[19])
	}
	c, err := Open(ctx, dest)
	must(t, err)
	defer c.Close()
	var n int
	must(t, c.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbound`).Scan(&n))
	if n != 300 {
		t.Errorf("the copy holds %d of the 300 ids committed", n)
	}
}

// TestBackupWhileCheckpointing: copies taken while writers commit and the
// log is checkpointed, restarted and truncated under them are each one
// committed state: a file of some megabytes, so that the copy takes long
// enough for all of that to happen during it.
func TestBackupWhileCheckpointing(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	pad := strings.Repeat("x", 3000)
	must(t, db.InTx(ctx, func(tx store.Store) error {
		for i := range 2000 {
			if err := tx.SetSetting(ctx, "pad"+strconv.Itoa(i), pad); err != nil {
				return err
			}
		}
		return nil
	}))
	raw, err := sql.Open("sqlite", dbPath(t, db)+"?_busy_timeout=5000")
	must(t, err)
	defer raw.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var committed atomic.Int64
	for w := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				// Two ids and a changed padding row a transaction: a copy
				// must hold both ids or neither.
				err := db.InTx(ctx, func(tx store.Store) error {
					id := strconv.Itoa(w) + "-" + strconv.Itoa(i)
					if _, err := tx.RecordInbound(ctx, "a", id, time.Now()); err != nil {
						return err
					}
					if err := tx.SetSetting(ctx, "pad"+strconv.Itoa((i*7+w)%2000), id+pad); err != nil {
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
	wg.Go(func() {
		modes := []string{"PASSIVE", "RESTART", "TRUNCATE", "PASSIVE"}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			raw.ExecContext(ctx, `PRAGMA wal_checkpoint(`+modes[i%len(modes)]+`)`)
			time.Sleep(time.Millisecond)
		}
	})
	dir := t.TempDir()
	var copies []string
	for i := range 8 {
		waitCommitted(t, &committed, int64(20*(i+1)))
		dest := filepath.Join(dir, "copy"+strconv.Itoa(i)+".db")
		must(t, BackupFile(ctx, dbPath(t, db), dest))
		copies = append(copies, dest)
	}
	close(stop)
	wg.Wait()
	for _, p := range copies {
		c, err := Open(ctx, p)
		if err != nil {
			t.Fatalf("open copy %s: %v", p, err)
		}
		var ok string
		must(t, c.reader.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok))
		var a, b, pads int
		must(t, c.reader.QueryRowContext(ctx, `SELECT COUNT(*) FILTER (WHERE transport = 'a'), COUNT(*) FILTER (WHERE transport = 'b') FROM inbound`).Scan(&a, &b))
		must(t, c.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key LIKE 'pad%'`).Scan(&pads))
		c.Close()
		if ok != "ok" || a != b || a < 20 || pads != 2000 {
			t.Errorf("copy %s: integrity %q, %d and %d ids, %d padding rows; want ok, two equal counts of at least 20, 2000", filepath.Base(p), ok, a, b, pads)
		}
	}
}

// TestBackupAcrossACheckpoint: a checkpoint that runs between the copy of
// the database file and the copy of its log, with commits before and after
// it, neither loses what was committed before the backup nor mixes states:
// the read transaction the copy holds keeps the log from being taken into
// the file and restarted under it.
func TestBackupAcrossACheckpoint(t *testing.T) {
	db := MustOpen(t)
	manualCheckpoints(t, db)
	ctx := context.Background()
	commit := func(prefix string, n int) {
		t.Helper()
		must(t, db.InTx(ctx, func(tx store.Store) error {
			for i := range n {
				if _, err := tx.RecordInbound(ctx, "t", prefix+strconv.Itoa(i), time.Now()); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	commit("a", 300) // before the backup, in the log only
	raw, err := sql.Open("sqlite", dbPath(t, db))
	must(t, err)
	defer raw.Close()
	betweenBackupCopies = func() {
		commit("b", 300)
		var busy, frames, done int
		must(t, raw.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done))
		commit("c", 300)
	}
	defer func() { betweenBackupCopies = nil }()
	dest := filepath.Join(t.TempDir(), "backup.db")
	must(t, db.Backup(ctx, dest))
	c, err := Open(ctx, dest)
	must(t, err)
	defer c.Close()
	var ok string
	must(t, c.reader.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok))
	var n int
	must(t, c.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbound`).Scan(&n))
	if ok != "ok" || (n != 300 && n != 600 && n != 900) {
		t.Errorf("copy: integrity %q, %d ids; want ok and 300, 600 or 900 (whole commits, the first one in)", ok, n)
	}
}

// waitCommitted waits until the writers have committed n transactions; a
// writer that failed (and stopped) fails the test instead of hanging it.
func waitCommitted(t *testing.T, committed *atomic.Int64, n int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for committed.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("the writers committed %d transactions in 30s, want %d", committed.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}
