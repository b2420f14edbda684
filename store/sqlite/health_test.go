package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// TestProbeStates: the probe writes when it can and names what stops it:
// another process holding the write lock, a connection that may not
// write, damage.
func TestProbeStates(t *testing.T) {
	ctx := context.Background()
	now := at(2026, 12, 6, 9, 0)

	db := MustOpen(t)
	if st, err := db.Probe(ctx, now); st != store.DBOK || err != nil {
		t.Fatalf("healthy database: %s, %v", st, err)
	}
	if v, err := db.Setting(ctx, settingProbe); err != nil || v != formatTime(now) {
		t.Errorf("probe row %q, %v; want %s", v, err, formatTime(now))
	}

	t.Run("write lock held by another process", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "locked.db")
		db, err := Open(ctx, path)
		must(t, err)
		defer db.Close()
		other, err := sql.Open("sqlite", path+"?_busy_timeout=0")
		must(t, err)
		defer other.Close()
		conn, err := other.Conn(ctx)
		must(t, err)
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			t.Fatal(err)
		}
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		start := time.Now()
		st, err := db.Probe(pctx, now)
		if st != store.DBLocked {
			t.Errorf("probe under a held lock: %s (%v), want %s", st, err, store.DBLocked)
		}
		// Held for ever, the lock would hold a probe without a deadline for
		// ever: the bound only has to be far beyond the probe's own (2 s).
		if took := time.Since(start); took > time.Minute {
			t.Errorf("the probe took %s, past its deadline", took)
		}
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		if st, err := db.Probe(ctx, now); st != store.DBOK {
			t.Errorf("after the lock is released: %s, %v", st, err)
		}
	})

	t.Run("writer may not write", func(t *testing.T) {
		db := MustOpen(t)
		// What SQLite answers for a file it could open only for reading.
		if _, err := db.writer.ExecContext(ctx, "PRAGMA query_only = 1"); err != nil {
			t.Fatal(err)
		}
		if st, err := db.Probe(ctx, now); st != store.DBReadOnly {
			t.Errorf("probe on a read-only connection: %s (%v), want %s", st, err, store.DBReadOnly)
		}
	})

	t.Run("classification", func(t *testing.T) {
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		for _, c := range []struct {
			ctx  context.Context
			err  error
			want string
		}{
			{ctx, nil, store.DBOK},
			{cancelled, errors.New("interrupted"), store.DBLocked},
			{ctx, context.DeadlineExceeded, store.DBLocked},
			{ctx, errors.New("disk I/O error"), store.DBFailing},
		} {
			if got := ProbeState(c.ctx, c.err); got != c.want {
				t.Errorf("ProbeState(%v) = %s, want %s", c.err, got, c.want)
			}
		}
	})
}

// mountTmpfs mounts a tmpfs of size at dir for the test, or skips it when
// the test may not mount (not root, no CAP_SYS_ADMIN).
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); the classification subtests cover the codes", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
}

// TestProbeOnRealFileSystems: a file system that is really full, as the
// probe meets it in production. (A file system remounted read-only under an
// open database cannot be made here: the remount is refused while files are
// open for writing; the read-only connection above gives SQLite's code.)
func TestProbeOnRealFileSystems(t *testing.T) {
	ctx := context.Background()
	now := at(2026, 12, 6, 9, 0)
	t.Run("disk full", func(t *testing.T) {
		dir := t.TempDir()
		mountTmpfs(t, dir, "2m")
		db, err := Open(ctx, filepath.Join(dir, "bot.db"))
		must(t, err)
		defer db.Close()
		fill, err := os.Create(filepath.Join(dir, "fill"))
		must(t, err)
		buf := make([]byte, 64<<10)
		for {
			if _, err := fill.Write(buf); err != nil {
				break // ENOSPC
			}
		}
		fill.Close()
		// Writes that need a new WAL frame fail; a bigger one than the
		// probe's makes sure the WAL must grow.
		big := strings.Repeat("x", 256<<10)
		_ = db.SetSetting(ctx, "filler", big)
		if st, err := db.Probe(ctx, now); st != store.DBDiskFull {
			t.Errorf("probe on a full disk: %s (%v), want %s", st, err, store.DBDiskFull)
		}
		os.Remove(filepath.Join(dir, "fill"))
		if st, err := db.Probe(ctx, now); st != store.DBOK {
			t.Errorf("after space is freed: %s, %v", st, err)
		}
	})
}

// TestQuickCheckRefusesDamage: a page of the tickets table overwritten
// (as a torn write or a bad disk leaves it) is found at start; a healthy
// database passes.
func TestQuickCheckRefusesDamage(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	db, err := Open(ctx, path)
	must(t, err)
	seedTickets(t, db, 300)
	must(t, db.QuickCheck(ctx))
	var root int64
	must(t, db.reader.QueryRowContext(ctx, `SELECT rootpage FROM sqlite_master WHERE name = 'tickets'`).Scan(&root))
	var pageSize int64
	must(t, db.reader.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize))
	must(t, db.Close()) // checkpoints: the pages are in the database file

	f, err := os.OpenFile(path, os.O_RDWR, 0)
	must(t, err)
	garbage := []byte(strings.Repeat("\xff\x00\x13", 200))
	if _, err := f.WriteAt(garbage, (root-1)*pageSize+8); err != nil { // past the page header's type byte
		t.Fatal(err)
	}
	must(t, f.Close())

	db, err = Open(ctx, path)
	if err != nil {
		if !IsCorrupt(err) {
			t.Fatalf("open of a damaged file: %v, want a corruption error", err)
		}
		return
	}
	defer db.Close()
	err = db.QuickCheck(ctx)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("QuickCheck on a damaged tickets table: %v, want ErrCorrupt", err)
	}
	t.Logf("found: %v", err)
}

// seedTickets stores n tickets of customer C-1, enough for the tickets
// table to span pages.
func seedTickets(t *testing.T, db *DB, n int) {
	t.Helper()
	ctx := context.Background()
	MustSeed(t, db)
	opened := at(2026, 5, 1, 10, 0)
	for i := range n {
		tk := store.Ticket{ContractID: "K-1", CustomerID: "C-1", Phone: "+989121111111", Kind: rules.RequestProblem,
			Severity: rules.SeverityNormal, Description: strings.Repeat("شرح مشکل ", 10) + fmt.Sprint(i), OpenedAt: opened,
			FirstResponseDue: opened.Add(2 * time.Hour)}
		must(t, db.CreateTicket(ctx, &tk))
	}
}
