package sqlite

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"supportbot/store"
)

// TestBackgroundCheckpoint: commits go to the WAL, and the background
// checkpointer copies them into the database file on its own (the writer
// would not before 16000 pages).
func TestBackgroundCheckpoint(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	path := dbPath(t, db)
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	value := strings.Repeat("x", 4000)
	for i := range 300 { // about 1.2 MB, some 300 pages
		must(t, db.InTx(ctx, func(tx store.Store) error {
			return tx.SetSetting(ctx, "k"+strconv.Itoa(i), value)
		}))
	}
	deadline := time.Now().Add(5 * time.Second)
	for size() < before+1<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("database file still %d bytes (was %d): nothing checkpointed", size(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStatementsArePrepared: the statements a transaction meets are
// prepared once and then reused.
func TestStatementsArePrepared(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	set := func() {
		must(t, db.InTx(ctx, func(tx store.Store) error { return tx.SetSetting(ctx, "a", "b") }))
	}
	set()
	n := len(db.wcache.stmts)
	if n == 0 {
		t.Fatal("nothing prepared after a transaction")
	}
	set()
	if len(db.wcache.stmts) != n {
		t.Errorf("%d statements prepared after the same transaction again, want %d", len(db.wcache.stmts), n)
	}
	if _, err := db.Setting(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if len(db.rcache.stmts) == 0 {
		t.Error("a read outside a transaction was not prepared")
	}
}

// TestGatedCheckpointRestartsWAL: once the WAL is past restartFrames, a
// round ends with every frame copied while it holds the transaction gate,
// and the next transaction starts the WAL again from its beginning.
// (Without the gate a commit landing during the copy leaves frames behind,
// and under steady load one always does.)
func TestGatedCheckpointRestartsWAL(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	// Rounds are run by hand here.
	must(t, db.ckpt.close())
	c, err := openCheckpointer(dbPath(t, db), &db.gate)
	must(t, err)
	db.ckpt = c

	commit := func(i int) {
		must(t, db.InTx(ctx, func(tx store.Store) error { return tx.SetSetting(ctx, "counter", strconv.Itoa(i)) }))
	}
	for i := range 100 { // a frame a commit
		commit(i)
	}
	c.round()
	if n := c.gated.Load(); n != 0 {
		t.Fatalf("%d gated passes below restartFrames", n)
	}
	// Nothing was committed during that round, so the WAL restarts anyway.
	for i := range restartFrames + 100 {
		commit(i)
	}
	c.round()
	if n := c.gated.Load(); n != 1 {
		t.Fatalf("%d gated passes past restartFrames, want 1", n)
	}
	frames, copied, err := c.checkpointCopied()
	must(t, err)
	if frames < restartFrames || copied != frames {
		t.Fatalf("after the round: %d frames, %d copied; want all of at least %d", frames, copied, restartFrames)
	}
	commit(-1)
	if frames, err = c.checkpoint(); err != nil || frames > 10 {
		t.Errorf("after the next commit the WAL has %d frames (%v), want it started again", frames, err)
	}

	// The gate holds transactions back while a gated pass runs.
	db.gate.Lock()
	done := make(chan struct{})
	go func() { commit(-2); close(done) }()
	select {
	case <-done:
		t.Error("a transaction committed while the gate was held")
	case <-time.After(50 * time.Millisecond):
	}
	db.gate.Unlock()
	<-done
}

// TestNewStatementPreparedForTransaction: a statement the cache does not
// hold yet is prepared once for the transaction that first meets it, and
// reused for every later use in it, before the cache takes it for good.
func TestNewStatementPreparedForTransaction(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	const query = `SELECT COUNT(*) FROM settings WHERE key = ?`
	if db.wcache.get(query) != nil {
		t.Fatal("statement cached before its first use")
	}
	must(t, db.inTx(ctx, func(tq *queries) error {
		tx := tq.rd.(txQuerier)
		var first, second *sql.Stmt
		first = tx.stmt(ctx, query)
		second = tx.stmt(ctx, query)
		if first == nil || first != second {
			t.Errorf("handles %p and %p: want one statement prepared for the transaction", first, second)
		}
		var n int
		return tx.QueryRowContext(ctx, query, "a").Scan(&n)
	}))
	if db.wcache.get(query) == nil {
		t.Error("statement not cached after the transaction")
	}
}
