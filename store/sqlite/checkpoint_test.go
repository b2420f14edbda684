package sqlite

import (
	"context"
	"database/sql"
	"errors"
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
	deadline := time.Now().Add(time.Minute)
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
	c := manualCheckpoints(t, db)

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
	if n := c.synced.Load(); n != 2 {
		t.Errorf("the database file was synced %d times before the gated pass, want twice", n)
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

// TestCatchUp: catch-up passes go on until one copies at most smallGap
// new frames, stop at maxCatchUp for a writer that outruns them, and stop
// at once when the WAL restarted or a pass failed.
func TestCatchUp(t *testing.T) {
	type pass struct{ frames, copied int }
	type catchUpCase struct {
		name    string
		start   int    // frames copied before
		passes  []pass // what each pass finds
		fail    int    // the pass (1-based) that fails; 0 for none
		want    int
		wantErr error
		ran     int // passes run
	}
	failed := errors.New("busy")
	tests := []catchUpCase{
		{"converges", 9000, []pass{{9500, 9500}, {9620, 9620}, {9650, 9650}, {9700, 9700}}, 0, 9650, nil, 3},
		{"nothing new", 9000, []pass{{9000, 9000}}, 0, 9000, nil, 1},
		{"exactly smallGap", 9000, []pass{{9000 + smallGap, 9000 + smallGap}}, 0, 9000 + smallGap, nil, 1},
		{"a reader holds frames back", 9000, []pass{{9900, 9400}, {9950, 9420}}, 0, 9420, nil, 2},
		{"restarted", 9000, []pass{{9500, 9500}, {40, 40}}, 0, 40, errRestarted, 2},
		{"failed", 9000, []pass{{9500, 9500}, {9600, 9600}}, 2, 9500, failed, 2},
	}
	outrun := make([]pass, maxCatchUp+5) // a hundred new frames each time
	for i := range outrun {
		outrun[i] = pass{9000 + 100*(i+1), 9000 + 100*(i+1)}
	}
	tests = append(tests, catchUpCase{"outrun", 9000, outrun, 0, 9000 + 100*maxCatchUp, nil, maxCatchUp})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &checkpointer{}
			ran := 0
			got, err := c.catchUp(tt.start, func() (int, int, error) {
				ran++
				if ran == tt.fail {
					return 0, 0, failed
				}
				p := tt.passes[ran-1]
				return p.frames, p.copied, nil
			})
			if got != tt.want || !errors.Is(err, tt.wantErr) || ran != tt.ran {
				t.Errorf("catchUp = %d, %v after %d passes; want %d, %v after %d", got, err, ran, tt.want, tt.wantErr, tt.ran)
			}
		})
	}
}

// TestRoundUnderLoad: with a writer committing all through the round, the
// gated pass still leaves the WAL fully copied for the next transaction to
// restart, and the writer's commits all land.
func TestRoundUnderLoad(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	c := manualCheckpoints(t, db)

	commit := func(i int) error {
		return db.InTx(ctx, func(tx store.Store) error { return tx.SetSetting(ctx, "counter", strconv.Itoa(i)) })
	}
	for i := range restartFrames + 100 {
		must(t, commit(i))
	}
	stop := make(chan struct{})
	written := make(chan int)
	go func() {
		n := 0
		defer func() { written <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := commit(n); err != nil {
				t.Error(err)
				return
			}
			n++
		}
	}()
	c.round()
	close(stop)
	n := <-written
	if c.gated.Load() != 1 {
		t.Fatalf("%d gated passes, want 1", c.gated.Load())
	}
	must(t, commit(-1))
	frames, err := c.checkpoint()
	if err != nil || frames > restartFrames/2 {
		t.Errorf("after the round (%d commits during it) and a commit the WAL has %d frames (%v), want it started again", n, frames, err)
	}
	got, err := db.Setting(ctx, "counter")
	if err != nil || got != "-1" {
		t.Errorf("counter = %q, %v; want the last commit's -1", got, err)
	}
}
