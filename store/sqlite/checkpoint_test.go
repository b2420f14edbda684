package sqlite

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"supportbot/store"
)

// TestBackgroundCheckpoint: commits go to the WAL, and the background
// checkpointer copies them into the database file on its own (the writer
// would not before 8000 pages).
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
