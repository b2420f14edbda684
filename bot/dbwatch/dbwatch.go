// Package dbwatch watches that the database can still be written: a small
// write on an interval (a held lock, a read-only file, a full disk show
// there first) and the free space of its disk. Each change is reported to
// the metrics and /healthz, and told to managers once when a problem starts
// and once when it is over. See docs/durability.md.
package dbwatch

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"supportbot/store"
)

// States lists every state, for the metrics' series.
var States = []string{store.DBOK, store.DBLowDisk, store.DBDiskFull, store.DBLocked, store.DBReadOnly, store.DBFailing}

// Prober writes one small row and classifies the outcome; *sqlite.DB is
// one.
type Prober interface {
	Probe(ctx context.Context, now time.Time) (string, error)
}

// Config sets a Watch up; zero fields take the defaults.
type Config struct {
	Dir     string        // the database's folder, whose disk is measured
	Every   time.Duration // between probes; default 15 s
	Timeout time.Duration // a probe waiting longer finds the database locked; default 20 s
	MinFree uint64        // bytes of free space under which the state is DBLowDisk; 0: no warning
	// Free measures the free space of dir's disk; default the file
	// system's (statfs).
	Free func(dir string) (uint64, error)
	// Changed is told every new state (metrics and /healthz).
	Changed func(state string)
	// Healthy is told of each probe that found the database writable
	// with enough space (the metrics' last success).
	Healthy func()
	// Notify tells managers of a problem, or that it is over (state
	// DBOK), once per change.
	Notify func(ctx context.Context, state string, freeBytes uint64)
	Now    func() time.Time
	Log    *slog.Logger
}

// Watch is the database's watcher.
type Watch struct {
	p   Prober
	cfg Config

	mu    sync.Mutex
	state string
	free  uint64
}

// New returns a watch over p; the state is DBOK until the first check.
func New(p Prober, cfg Config) *Watch {
	if cfg.Every <= 0 {
		cfg.Every = 15 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.Free == nil {
		cfg.Free = freeBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Watch{p: p, cfg: cfg, state: store.DBOK}
}

// diskFullBytes is the free space under which the disk counts as full
// whatever the probe found: SQLite needs room for a few pages.
const diskFullBytes = 1 << 20

// Check probes once and reports the state it found.
func (w *Watch) Check(ctx context.Context) string {
	pctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	state, err := w.p.Probe(pctx, w.cfg.Now())
	cancel()
	free, ferr := w.cfg.Free(w.cfg.Dir)
	if ferr != nil {
		w.cfg.Log.Warn("cannot measure the database's free disk space", "dir", w.cfg.Dir, "err", ferr)
	}
	switch {
	case ferr != nil:
	case state == store.DBOK && free < diskFullBytes:
		state = store.DBDiskFull
	case state == store.DBOK && free < w.cfg.MinFree:
		state = store.DBLowDisk
	}
	if ctx.Err() != nil {
		return w.State() // stopping: a cancelled probe says nothing
	}
	w.mu.Lock()
	prev := w.state
	w.state, w.free = state, free
	w.mu.Unlock()
	if state == store.DBOK {
		if w.cfg.Healthy != nil {
			w.cfg.Healthy()
		}
	} else {
		w.cfg.Log.Warn("database health probe", "state", state, "free_mb", free>>20, "err", err)
	}
	if state != prev {
		w.cfg.Log.Info("database state changed", "from", prev, "to", state)
		if w.cfg.Changed != nil {
			w.cfg.Changed(state)
		}
		if w.cfg.Notify != nil {
			w.cfg.Notify(ctx, state, free)
		}
	}
	return state
}

// Run checks at once, then every Every, until ctx ends.
func (w *Watch) Run(ctx context.Context) {
	t := time.NewTicker(w.cfg.Every)
	defer t.Stop()
	for {
		w.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// State is the state the last check found.
func (w *Watch) State() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.state
}

// FreeBytes is the free space the last check measured.
func (w *Watch) FreeBytes() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.free
}
