package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"supportbot/store"
	"supportbot/store/sqlite"
)

// TestBenchJSON runs a small load run through the binary and checks the
// JSON object docs/interface.md promises.
func TestBenchJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "here.db")
	out := mustRun(t, "bench", "-db", db, "-customers", "20", "-messages", "300", "-rate", "1000", "-json")
	var r map[string]any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"customers", "messages", "seconds", "msgs_per_sec", "p50_ms", "p95_ms", "p99_ms",
		"peak_rss_mb", "db_mb", "baseline_txn_per_sec", "ratio"} {
		v, ok := r[k].(float64)
		if !ok {
			t.Errorf("field %q missing or not a number: %v", k, r[k])
			continue
		}
		if v < 0 || (v == 0 && k != "peak_rss_mb") {
			t.Errorf("%s = %v", k, v)
		}
	}
	if r["customers"] != 20.0 || r["messages"] != 300.0 {
		t.Errorf("customers, messages = %v, %v", r["customers"], r["messages"])
	}
	if ratio, mps, base := r["ratio"].(float64), r["msgs_per_sec"].(float64), r["baseline_txn_per_sec"].(float64); base > 0 && (ratio < mps/base*0.999 || ratio > mps/base*1.001) {
		t.Errorf("ratio %v is not msgs_per_sec / baseline_txn_per_sec = %v", ratio, mps/base)
	}
	// The temporary databases are gone; the configured one was never made.
	entries, _ := os.ReadDir(filepath.Dir(db))
	if len(entries) != 0 {
		t.Errorf("bench left %v behind", entries)
	}

	table := mustRun(t, "bench", "-db", db, "-customers", "5", "-messages", "50")
	for _, want := range []string{"messages a second", "p99", "baseline", "ratio"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	for _, bad := range [][]string{{"-customers", "0"}, {"-messages", "-1"}, {"-rate", "0"}, {"extra"}} {
		if r := runMain(t, append([]string{"bench"}, bad...)...); r.code != 2 {
			t.Errorf("bench %v: exit %d, want 2", bad, r.code)
		}
	}
}

// TestBackupThroughTheBinary backs the database up while a writer keeps
// committing, and refuses to overwrite.
func TestBackupThroughTheBinary(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	ctx := context.Background()
	live, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := live.InTx(ctx, func(tx store.Store) error {
				return tx.SetSetting(ctx, "k"+strconv.Itoa(i), time.Now().String())
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	})
	time.Sleep(20 * time.Millisecond)
	dest := filepath.Join(dir, "copy.db")
	out := mustRun(t, "backup", "-db", path, dest)
	close(stop)
	wg.Wait()
	if !strings.Contains(out, dest) {
		t.Errorf("backup said %q", out)
	}
	c, err := sqlite.Open(ctx, dest)
	if err != nil {
		t.Fatalf("the copy does not open: %v", err)
	}
	if _, err := c.Setting(ctx, "k0"); err != nil {
		t.Errorf("the copy lacks what was committed before it: %v", err)
	}
	c.Close()
	if r := runMain(t, "backup", "-db", path, dest); r.code != 1 || !strings.Contains(r.stderr, "exists") {
		t.Errorf("backup over an existing file: exit %d, %s", r.code, r.stderr)
	}
	if r := runMain(t, "backup", "-db", filepath.Join(dir, "missing.db"), filepath.Join(dir, "c2.db")); r.code != 1 {
		t.Errorf("backup of a missing database: exit %d", r.code)
	}
	if r := runMain(t, "backup", "-db", path); r.code != 2 {
		t.Errorf("backup without a file: exit %d, want 2", r.code)
	}
}
