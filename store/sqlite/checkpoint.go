package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpoints.
//
// In WAL mode SQLite appends commits to the -wal file and, once it holds
// wal_autocheckpoint pages, the committing connection copies them back into
// the database (and syncs both files) before its COMMIT returns: a stall of
// tens of milliseconds, a hundred on a busy disk, for every message waiting
// for the writer. So the store checkpoints from a connection of its own, in
// the background, and the writer checkpoints itself only when the WAL has
// grown far beyond that (the background checkpointer fell behind).
//
// Copying frames back is not enough. The WAL only starts again from its
// beginning when a transaction begins while every frame in it is already in
// the database, and under steady load some commit always lands while the
// background checkpoint runs: the WAL grew until the writer's own
// checkpoint fired, about once a second under load, each time stalling the
// writer for tens of milliseconds (figures in docs/performance.md, "The
// checkpointer").
// So once the WAL is past restartFrames the checkpointer holds the store's
// transaction gate for a last pass that copies what was committed during
// the passes before it. The next transaction finds the WAL fully copied and
// restarts it, unless a reader is still on it, in which case a later round
// tries again.
//
// The writer waits for that last pass, so it must be short, and what makes
// a pass long is not copying but syncing: SQLite syncs the database file
// only in a pass that no commit overtook, so under load every earlier pass
// skips it and the gated pass, the first nobody overtakes, syncs all their
// copies at once (hundreds of scattered pages, and a sync costs about in
// proportion to them). So before taking the gate the checkpointer catches
// up with passes until one finds little new to copy, syncs the database
// file itself, and catches up once more: the gated pass is left a few
// dozen frames and their sync (figures in docs/performance.md, "The
// checkpointer").

const (
	// checkpointEvery is how often the background checkpointer looks. A
	// short interval keeps each passive checkpoint small.
	checkpointEvery = 100 * time.Millisecond
	// restartFrames is the WAL size, in frames (4 KiB pages), from which
	// the checkpointer makes the next transaction restart the WAL: 32 MB,
	// reached only under heavy load and never at a desk's usual pace, where
	// the WAL restarts between messages on its own. Each restart holds the
	// writer for one gated pass, so fewer are better: half as many frames
	// made twice as many passes and a worse paced p99 (docs/performance.md,
	// "The checkpointer"). Half the writer's own autocheckpoint
	// (writerParams), so that one stays a safety net.
	restartFrames = 8000
	// smallGap is the catch-up target: a pass that copied at most this
	// many frames ran so briefly that few commits can have landed during
	// it. maxCatchUp bounds the passes, for a writer that outruns them.
	smallGap   = 32
	maxCatchUp = 8
	// checkpointParams open the checkpointer's connection.
	checkpointParams = "_busy_timeout=5000"
)

// checkpointer runs PASSIVE checkpoints on its own connection until closed.
// A passive checkpoint never waits for the writer or the readers: it copies
// what it can and leaves the rest for the next round.
type checkpointer struct {
	db   *sql.DB
	gate *sync.Mutex // the store's transaction gate (DB.gate)
	// file is the database file, to sync before the gated pass. It is
	// the store's, kept open as long as the store (DB.file).
	file *os.File
	stop chan struct{}
	done sync.WaitGroup
	once sync.Once

	gated  atomic.Int64 // gated passes so far, for tests
	synced atomic.Int64 // syncs of the database file before gated passes, for tests
}

// startCheckpointer opens the checkpointer's connection and starts its
// rounds.
func startCheckpointer(path string, file *os.File, gate *sync.Mutex) (*checkpointer, error) {
	c, err := openCheckpointer(path, file, gate)
	if err != nil {
		return nil, err
	}
	c.done.Go(c.run)
	return c, nil
}

// openCheckpointer opens the connection without starting the rounds.
func openCheckpointer(path string, file *os.File, gate *sync.Mutex) (*checkpointer, error) {
	db, err := sql.Open("sqlite", path+"?"+checkpointParams)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return &checkpointer{db: db, file: file, gate: gate, stop: make(chan struct{})}, nil
}

func (c *checkpointer) run() {
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		c.round()
	}
}

// round is one look: a passive checkpoint and, when the WAL is long, the
// gated pass that lets the next transaction restart it. Errors (a busy
// lock, a closing database) are left for the next round; the writer's own
// checkpoint is the fallback.
func (c *checkpointer) round() {
	frames, copied, err := c.checkpointCopied()
	if err != nil || frames < restartFrames {
		return
	}
	for range 2 {
		if copied, err = c.catchUp(copied, c.checkpointCopied); err != nil {
			return // or the WAL restarted meanwhile: nothing left to do
		}
		// The passes' copies reach the disk now, not in the gated pass.
		// A failure is left to that pass, whose own sync meets it too.
		if c.file.Sync() == nil {
			c.synced.Add(1)
		}
	}
	c.gate.Lock()
	defer c.gate.Unlock()
	c.gated.Add(1)
	_, _ = c.checkpoint()
}

// errRestarted ends a catch-up whose WAL started again meanwhile.
var errRestarted = errors.New("sqlite: the WAL restarted")

// catchUp runs passes until one copies at most smallGap frames beyond
// copied, or maxCatchUp have run, and returns how many frames are copied
// then. A pass that finds the WAL shorter than restartFrames means a
// transaction restarted it (errRestarted).
func (c *checkpointer) catchUp(copied int, pass func() (frames, copied int, err error)) (int, error) {
	for range maxCatchUp {
		frames, now, err := pass()
		switch {
		case err != nil:
			return copied, err
		case frames < restartFrames:
			return now, errRestarted
		}
		gap := now - copied
		copied = now
		if gap <= smallGap {
			return copied, nil
		}
	}
	return copied, nil
}

// checkpoint runs one passive checkpoint and returns the number of frames
// in the WAL.
func (c *checkpointer) checkpoint() (frames int, err error) {
	frames, _, err = c.checkpointCopied()
	return frames, err
}

// checkpointCopied is checkpoint that also says how many of the frames are
// now in the database.
func (c *checkpointer) checkpointCopied() (frames, copied int, err error) {
	var busy int
	err = c.db.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
	return frames, copied, err
}

// close stops the checkpointer and closes its connection; closing twice is
// harmless, like closing the pools.
func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	c.done.Wait()
	return c.db.Close()
}
