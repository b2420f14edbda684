package dbwatch_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"supportbot/bot/dbwatch"
	"supportbot/store"
	"supportbot/store/sqlite"
)

// TestWatchStatesAndNotices drives a watch over a real database through
// the states it reports: free space dropping under the threshold and to
// nothing, another process holding the write lock, recovery. Each change
// is reported once to the metrics and told once to managers; probes that
// find the same state again say nothing new.
func TestWatchStatesAndNotices(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	other, err := sql.Open("sqlite", path+"?_busy_timeout=0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()

	var mu sync.Mutex
	free := uint64(10 << 30)
	var changed, notices []string
	healthy := 0
	w := dbwatch.New(db, dbwatch.Config{
		Dir:     filepath.Dir(path),
		Timeout: time.Second,
		MinFree: 500 << 20,
		Free: func(string) (uint64, error) {
			mu.Lock()
			defer mu.Unlock()
			return free, nil
		},
		Changed: func(st string) { changed = append(changed, st) },
		Healthy: func() { healthy++ },
		Notify:  func(_ context.Context, st string, _ uint64) { notices = append(notices, st) },
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	setFree := func(n uint64) { mu.Lock(); free = n; mu.Unlock() }
	steps := []struct {
		name  string
		setup func()
		want  string
	}{
		{"plenty of space", func() {}, store.DBOK},
		{"under the threshold", func() { setFree(100 << 20) }, store.DBLowDisk},
		{"still under it", func() {}, store.DBLowDisk},
		{"nothing left", func() { setFree(4 << 10) }, store.DBDiskFull},
		{"space again", func() { setFree(10 << 30) }, store.DBOK},
		{"write lock held elsewhere", func() {
			if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
				t.Fatal(err)
			}
		}, store.DBLocked},
		{"still held", func() {}, store.DBLocked},
		{"released", func() {
			if _, err := lock.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Fatal(err)
			}
		}, store.DBOK},
	}
	for _, s := range steps {
		s.setup()
		if got := w.Check(ctx); got != s.want || w.State() != s.want {
			t.Errorf("%s: state %s, want %s", s.name, got, s.want)
		}
	}
	want := []string{store.DBLowDisk, store.DBDiskFull, store.DBOK, store.DBLocked, store.DBOK}
	if !slices.Equal(changed, want) {
		t.Errorf("changes reported %v, want %v", changed, want)
	}
	if !slices.Equal(notices, want) {
		t.Errorf("notices %v, want one a change: %v", notices, want)
	}
	if healthy != 3 {
		t.Errorf("%d healthy probes, want 3", healthy)
	}
	if w.FreeBytes() != 10<<30 {
		t.Errorf("free %d, want the last measured", w.FreeBytes())
	}
}

// TestWatchMeasuresTheRealDisk: the default measure reads the file
// system; the temporary folder has some space.
func TestWatchMeasuresTheRealDisk(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w := dbwatch.New(db, dbwatch.Config{Dir: filepath.Dir(path), Log: slog.New(slog.DiscardHandler)})
	w.Check(ctx)
	if w.FreeBytes() == 0 {
		t.Error("no free space measured")
	}
}
