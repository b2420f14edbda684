package sqlite

import (
	"context"
	"database/sql"
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
// checkpoint fired, about once a second at 5,000 messages a second, each
// time stalling the writer for 30-110 ms (`supportbot bench`, 2 cores).
// So once the WAL is past restartFrames the checkpointer holds the store's
// transaction gate for a last, short pass that copies what was committed
// during the passes before it. The next transaction finds the WAL fully
// copied and restarts it, unless a reader is still on it, in which case a
// later round tries again. The writer waits for that short pass only,
// 2-15 ms, mostly the two fsyncs every checkpoint does.

const (
	// checkpointEvery is how often the background checkpointer looks. A
	// short interval keeps each passive checkpoint small.
	checkpointEvery = 100 * time.Millisecond
	// restartFrames is the WAL size, in frames (4 KiB pages), from which
	// the checkpointer makes the next transaction restart the WAL: 32 MB,
	// reached about three times a second at 5,000 messages a second and
	// never at a desk's usual pace, where the WAL restarts between messages
	// on its own. Each restart holds the writer for one gated pass, so
	// fewer are better: at 4000 frames twice as many passes ran and the
	// paced p99 was worse in every paired trial (`supportbot bench`). Half
	// the writer's own autocheckpoint (writerParams), so that one stays a
	// safety net.
	restartFrames = 8000
	// checkpointParams open the checkpointer's connection.
	checkpointParams = "_busy_timeout=5000"
)

// checkpointer runs PASSIVE checkpoints on its own connection until closed.
// A passive checkpoint never waits for the writer or the readers: it copies
// what it can and leaves the rest for the next round.
type checkpointer struct {
	db   *sql.DB
	gate *sync.Mutex // the store's transaction gate (DB.gate)
	stop chan struct{}
	done sync.WaitGroup
	once sync.Once

	gated atomic.Int64 // gated passes so far, for tests
}

// startCheckpointer opens the checkpointer's connection and starts its
// rounds.
func startCheckpointer(path string, gate *sync.Mutex) (*checkpointer, error) {
	c, err := openCheckpointer(path, gate)
	if err != nil {
		return nil, err
	}
	c.done.Go(c.run)
	return c, nil
}

// openCheckpointer opens the connection without starting the rounds.
func openCheckpointer(path string, gate *sync.Mutex) (*checkpointer, error) {
	db, err := sql.Open("sqlite", path+"?"+checkpointParams)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return &checkpointer{db: db, gate: gate, stop: make(chan struct{})}, nil
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
	if frames, err := c.checkpoint(); err != nil || frames < restartFrames {
		return
	}
	// A catch-up pass, still without the gate, copies what was committed
	// during the first (a few milliseconds' worth), so that what is left
	// for the gated pass, while the writer waits, is smaller still.
	if _, err := c.checkpoint(); err != nil {
		return
	}
	c.gate.Lock()
	defer c.gate.Unlock()
	c.gated.Add(1)
	_, _ = c.checkpoint()
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
