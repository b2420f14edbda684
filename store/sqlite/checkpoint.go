package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Checkpoints.
//
// In WAL mode SQLite appends commits to the -wal file and, once it holds
// wal_autocheckpoint pages, the committing connection copies them back into
// the database (and syncs both files) before its COMMIT returns. Under load
// that happens every few dozen group commits and stalls every message
// waiting for the writer. So the store checkpoints from a connection of its
// own, in the background, and the writer checkpoints itself only when the
// WAL has grown far beyond that (the background checkpointer fell behind).

const (
	// checkpointEvery is how often the background checkpointer looks. (The
	// writer's own wal_autocheckpoint, the safety net, is 8000 pages of 4 KiB:
	// see writerParams.) Under load the WAL grows by thousands of pages
	// between looks, and the writer's first commit after a complete
	// checkpoint restarts the WAL and syncs its header, a stall of several
	// milliseconds: a short interval keeps each checkpoint, and the WAL, small
	// (`supportbot bench` on 2 cores: paced p99 about 19 ms at 100 ms against
	// 24 ms at 200 ms and 29-44 ms at 400 ms; 50 ms did worse in a trial).
	checkpointEvery = 100 * time.Millisecond
	// checkpointParams open the checkpointer's connection.
	checkpointParams = "_busy_timeout=5000"
)

// checkpointer runs PASSIVE checkpoints on its own connection until closed.
// A passive checkpoint never waits for the writer or the readers: it copies
// what it can and leaves the rest for the next round.
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	done sync.WaitGroup
	once sync.Once
}

func startCheckpointer(path string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", path+"?"+checkpointParams)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	c := &checkpointer{db: db, stop: make(chan struct{})}
	c.done.Go(c.run)
	return c, nil
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
		// Errors (a busy lock, a closing database) are left for the next
		// round; the writer's own checkpoint is the fallback.
		_, _ = c.db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
	}
}

// close stops the checkpointer and closes its connection; closing twice is
// harmless, like closing the pools.
func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	c.done.Wait()
	return c.db.Close()
}
