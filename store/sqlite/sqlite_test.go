package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	db, err := Open(ctx, path)
	must(t, err)
	MustSeed(t, db)
	tk := store.Ticket{ContractID: "K-1", CustomerID: "C-1", Kind: rules.RequestProblem, OpenedAt: at(2026, 5, 1, 10, 0)}
	must(t, db.CreateTicket(ctx, &tk))
	must(t, db.Close())

	db, err = Open(ctx, path)
	must(t, err)
	defer db.Close()
	c, err := db.CustomerByPhone(ctx, "+989121111111")
	must(t, err)
	if c.ID != "C-1" {
		t.Errorf("customer = %q, want C-1", c.ID)
	}
	got, err := db.Ticket(ctx, tk.ID)
	must(t, err)
	if !got.OpenedAt.Equal(tk.OpenedAt) {
		t.Errorf("opened_at = %v, want %v", got.OpenedAt, tk.OpenedAt)
	}
	var mode string
	must(t, db.reader.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode))
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
}

func TestPragmas(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		pool   querier
		pragma string
		want   int
	}{
		{"writer foreign keys", db.writer, "foreign_keys", 1},
		{"writer busy timeout", db.writer, "busy_timeout", 5000},
		{"writer synchronous FULL by default", db.writer, "synchronous", 2},
		{"writer writable", db.writer, "query_only", 0},
		{"reader query only", db.reader, "query_only", 1},
		{"reader busy timeout", db.reader, "busy_timeout", 5000},
	} {
		var got int
		must(t, tc.pool.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got))
		if got != tc.want {
			t.Errorf("%s: %s = %d, want %d", tc.name, tc.pragma, got, tc.want)
		}
	}
	if _, err := db.reader.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('x', 'y')`); err == nil {
		t.Error("reader pool accepted a write")
	}
}

// TestSyncSetting: the durability setting reaches the writer; a setting
// that is neither full nor normal is refused before anything is created.
func TestSyncSetting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, tc := range []struct {
		sync Sync
		want int
	}{{"", 2}, {SyncFull, 2}, {SyncNormal, 1}} {
		db, err := OpenWith(ctx, filepath.Join(dir, "s"+string(tc.sync)+".db"), Options{Sync: tc.sync})
		must(t, err)
		var got int
		must(t, db.writer.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&got))
		if got != tc.want {
			t.Errorf("sync %q: synchronous = %d, want %d", tc.sync, got, tc.want)
		}
		must(t, db.Close())
	}
	bad := filepath.Join(dir, "bad.db")
	if _, err := OpenWith(ctx, bad, Options{Sync: "off"}); err == nil {
		t.Error("sync off was accepted")
	}
	if _, err := os.Stat(bad); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused setting created the file (%v)", err)
	}
}

func TestOpenRejectsURIs(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if db, err := Open(context.Background(), p); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	db, err := Open(ctx, path)
	must(t, err)
	must(t, db.SetSetting(ctx, "k", "v"))
	versions := func() []int {
		rows, err := db.writer.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
		must(t, err)
		defer rows.Close()
		var vs []int
		for rows.Next() {
			var v int
			must(t, rows.Scan(&v))
			vs = append(vs, v)
		}
		return vs
	}
	ms, err := migrations()
	must(t, err)
	if got := versions(); len(got) != len(ms) || got[0] != 1 {
		t.Fatalf("applied %v, want 1..%d", got, len(ms))
	}
	must(t, migrate(ctx, db.writer)) // again: nothing to do
	if got := versions(); len(got) != len(ms) {
		t.Errorf("after second migrate: %v", got)
	}
	must(t, db.Close())

	db, err = Open(ctx, path) // and again through Open
	must(t, err)
	defer db.Close()
	if got := versions(); len(got) != len(ms) {
		t.Errorf("after reopen: %v", got)
	}
	if v, err := db.Setting(ctx, "k"); err != nil || v != "v" {
		t.Errorf("setting after reopen = %q, %v", v, err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	db, err := Open(ctx, path)
	must(t, err)
	_, err = db.writer.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 'x')`)
	must(t, err)
	must(t, db.Close())

	db, err = Open(ctx, path)
	if err == nil {
		db.Close()
		t.Fatal("Open accepted a database from the future")
	}
	if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), "999") {
		t.Errorf("err = %v, want ErrSchemaTooNew naming version 999", err)
	}
}

func TestMigrationFilesNumbered(t *testing.T) {
	ms, err := migrations()
	must(t, err)
	want := []string{"0001_core.sql", "0002_conversation_outbox.sql"}
	if len(ms) < len(want) {
		t.Fatalf("%d migrations, want at least %d", len(ms), len(want))
	}
	for i, w := range want {
		if ms[i].name != w || ms[i].version != i+1 {
			t.Errorf("migration %d = %s (v%d), want %s", i, ms[i].name, ms[i].version, w)
		}
	}
}

func TestInTxRollbackLeavesNothing(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.InTx(ctx, func(tx store.Store) error {
		must(t, tx.UpsertCustomer(ctx, store.Customer{ID: "C-9", Name: "Gone"}))
		must(t, tx.UpsertContract(ctx, rules.Contract{ID: "K-9", CustomerID: "C-9", Kind: rules.KindProduct, Tier: rules.TierBronze}))
		tk := store.Ticket{ContractID: "K-9", CustomerID: "C-9", OpenedAt: at(2026, 5, 1, 9, 0)}
		must(t, tx.CreateTicket(ctx, &tk))
		// Reads inside the transaction see its own writes.
		if _, err := tx.Ticket(ctx, tk.ID); err != nil {
			t.Errorf("ticket inside tx: %v", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	if _, err := db.Customer(ctx, "C-9"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("customer after rollback: %v", err)
	}
	if ts, err := db.ListTickets(ctx, store.TicketFilter{}); err != nil || len(ts) != 0 {
		t.Errorf("tickets after rollback = %v, %v", ts, err)
	}
	// The writer connection is free again.
	must(t, db.SetSetting(ctx, "after", "ok"))
}

func TestInTxPanicRollsBack(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	func() {
		defer func() {
			if r := recover(); r != "kaboom" {
				t.Errorf("recovered %v, want kaboom", r)
			}
		}()
		_ = db.InTx(ctx, func(tx store.Store) error {
			must(t, tx.SetSetting(ctx, "k", "v"))
			panic("kaboom")
		})
	}()
	if _, err := db.Setting(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("setting after panic: %v", err)
	}
	must(t, db.SetSetting(ctx, "k", "w")) // writer not leaked
}

func TestNestedInTx(t *testing.T) {
	db := MustOpen(t)
	ctx := context.Background()
	must(t, db.InTx(ctx, func(tx store.Store) error {
		must(t, tx.SetSetting(ctx, "outer", "1"))
		return tx.InTx(ctx, func(inner store.Store) error {
			if v, err := inner.Setting(ctx, "outer"); err != nil || v != "1" {
				t.Errorf("inner sees outer = %q, %v", v, err)
			}
			return inner.SetSetting(ctx, "inner", "2")
		})
	}))
	for k, want := range map[string]string{"outer": "1", "inner": "2"} {
		if v, err := db.Setting(ctx, k); err != nil || v != want {
			t.Errorf("%s = %q, %v; want %q", k, v, err, want)
		}
	}

	// An inner error rolls back the whole outer transaction.
	boom := errors.New("inner failed")
	err := db.InTx(ctx, func(tx store.Store) error {
		must(t, tx.SetSetting(ctx, "outer2", "1"))
		return tx.InTx(ctx, func(inner store.Store) error {
			must(t, inner.SetSetting(ctx, "inner2", "2"))
			return boom
		})
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	for _, k := range []string{"outer2", "inner2"} {
		if _, err := db.Setting(ctx, k); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s after rollback: %v", k, err)
		}
	}
}

func TestTxStoreCloseRefused(t *testing.T) {
	db := MustOpen(t)
	must(t, db.InTx(context.Background(), func(tx store.Store) error {
		if err := tx.Close(); err == nil {
			t.Error("Close inside InTx succeeded")
		}
		return nil
	}))
}

func TestErrorMapping(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		err  error
		want error
		text string // part of the message
	}{
		{"missing ticket", func() error { _, err := db.Ticket(ctx, 42); return err }(), store.ErrNotFound, "ticket 42"},
		{"missing customer", func() error { _, err := db.Customer(ctx, "C-404"); return err }(), store.ErrNotFound, "C-404"},
		{"unknown phone", func() error { _, err := db.CustomerByPhone(ctx, "+98900"); return err }(), store.ErrNotFound, "+98900"},
		{"missing contract", func() error { _, err := db.Contract(ctx, "K-404"); return err }(), store.ErrNotFound, "K-404"},
		{"unset setting", func() error { _, err := db.Setting(ctx, "nope"); return err }(), store.ErrNotFound, "nope"},
		{"no session", func() error { _, err := db.Session(ctx, "+98912"); return err }(), store.ErrNotFound, "+98912"},
		{"missing outbox", func() error { _, err := db.OutboxMessage(ctx, 7); return err }(), store.ErrNotFound, "7"},
		{"update missing ticket", db.UpdateTicket(ctx, store.Ticket{ID: 77, Status: store.TicketNew}), store.ErrNotFound, "77"},
		{"mark missing sent", db.MarkSent(ctx, 5, time.Now(), "x"), store.ErrNotFound, "5"},
		{"link to missing customer", db.LinkPhone(ctx, "+98912", "C-404"), store.ErrNotFound, "C-404"},
		{"import for missing customer", db.SetImportedPhones(ctx, "C-404", []string{"+98912"}), store.ErrNotFound, "C-404"},
		{"contract of missing customer", db.UpsertContract(ctx, rules.Contract{ID: "K-2", CustomerID: "C-404"}), store.ErrConflict, "K-2"},
		{"ticket on missing contract", db.CreateTicket(ctx, &store.Ticket{ContractID: "K-404"}), store.ErrConflict, "create ticket"},
		{"message on missing ticket", db.AddMessage(ctx, &store.Message{TicketID: 99, Direction: store.FromStaff}), store.ErrConflict, "99"},
		{"bad ticket status", db.CreateTicket(ctx, &store.Ticket{Status: "lost"}), store.ErrConflict, "create ticket"},
	} {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, tc.err, tc.want)
			continue
		}
		if !strings.Contains(tc.err.Error(), tc.text) {
			t.Errorf("%s: %q does not mention %q", tc.name, tc.err, tc.text)
		}
	}
}

func TestConcurrentWriters(t *testing.T) {
	db := MustOpen(t)
	MustSeed(t, db)
	ctx := context.Background()
	const workers, each = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				var tk store.Ticket
				err := db.InTx(ctx, func(tx store.Store) error {
					tk = store.Ticket{ContractID: "K-1", CustomerID: "C-1", Kind: rules.RequestQuestion,
						OpenedAt: at(2026, 5, 1, 10, 0)}
					if err := tx.CreateTicket(ctx, &tk); err != nil {
						return err
					}
					if err := tx.AddMessage(ctx, &store.Message{TicketID: tk.ID, Direction: store.FromCustomer, Text: "hi"}); err != nil {
						return err
					}
					// A read-then-write inside the transaction, the pattern
					// that fails with SQLITE_BUSY under deferred locking.
					key := fmt.Sprintf("w%d", w)
					prev, err := tx.Setting(ctx, key)
					if err != nil && !errors.Is(err, store.ErrNotFound) {
						return err
					}
					return tx.SetSetting(ctx, key, prev+".")
				})
				if err != nil {
					errs <- err
					continue
				}
				// Readers run alongside the writers and see every commit.
				if _, err := db.Ticket(ctx, tk.ID); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ts, err := db.ListTickets(ctx, store.TicketFilter{})
	must(t, err)
	if len(ts) != workers*each {
		t.Fatalf("%d tickets, want %d", len(ts), workers*each)
	}
	for i, tk := range ts {
		if tk.ID != int64(i+1) {
			t.Fatalf("ticket %d has id %d; ids should be 1..%d", i, tk.ID, len(ts))
		}
	}
	for w := range workers {
		v, err := db.Setting(ctx, fmt.Sprintf("w%d", w))
		must(t, err)
		if len(v) != each {
			t.Errorf("worker %d counted %d transactions, want %d", w, len(v), each)
		}
	}
}

func BenchmarkCreateTicketTx(b *testing.B) {
	db := MustOpen(b)
	MustSeed(b, db)
	ctx := context.Background()
	opened := at(2026, 5, 1, 10, 0)
	b.ReportAllocs()
	for b.Loop() {
		err := db.InTx(ctx, func(tx store.Store) error {
			tk := store.Ticket{ContractID: "K-1", CustomerID: "C-1", Phone: "+989121111111",
				Kind: rules.RequestProblem, Severity: rules.SeverityNormal, OpenedAt: opened,
				FirstResponseDue: opened.Add(4 * time.Hour), Description: "printer is on fire"}
			if err := tx.CreateTicket(ctx, &tk); err != nil {
				return err
			}
			if err := tx.AddMessage(ctx, &store.Message{TicketID: tk.ID, At: opened, Direction: store.FromCustomer,
				Author: tk.Phone, Text: tk.Description}); err != nil {
				return err
			}
			return tx.Enqueue(ctx, &store.OutboxMessage{CreatedAt: opened, To: "telegram:staff", TicketID: tk.ID,
				Text: "new ticket", Buttons: []string{"claim", "close"}, NextAttempt: opened})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// TestInboundKeyedMigration: message ids recorded under the old inbound
// table (0002) are still known after 0006 rebuilt it, so a redelivery that
// spans the upgrade is still ignored.
func TestInboundKeyedMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bot.db")
	raw := migratedTo(t, path, 5)
	for _, id := range []string{"3EB0A1", "3EB0B2"} {
		if _, err := raw.ExecContext(ctx, `INSERT INTO inbound (transport, external_id, at) VALUES ('whatsapp', ?, '2026-11-27T07:00:00.000000000Z')`, id); err != nil {
			t.Fatal(err)
		}
	}
	must(t, raw.Close())

	db, err := Open(ctx, path)
	must(t, err)
	defer db.Close()
	for _, c := range []struct {
		id    string
		isNew bool
	}{{"3EB0A1", false}, {"3EB0B2", false}, {"3EB0C3", true}, {"3EB0C3", false}} {
		got, err := db.RecordInbound(ctx, "whatsapp", c.id, at(2026, 11, 27, 11, 0))
		must(t, err)
		if got != c.isNew {
			t.Errorf("RecordInbound(%s) after the migration = %v, want %v", c.id, got, c.isNew)
		}
	}
	if seen, err := db.InboundSeen(ctx, "whatsapp", "3EB0A1"); err != nil || !seen {
		t.Errorf("InboundSeen of an id from before the migration = %v, %v", seen, err)
	}
}

// TestFormatTime: the hand-written time format is exactly time.Format's,
// zones and the edges of the four-digit years included.
func TestFormatTime(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 11, 27, 10, 41, 45, 123456789, time.UTC),
		time.Date(2026, 3, 20, 23, 59, 59, 999999999, tehran),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 6, 1, 12, 0, 0, 0, time.UTC),
		time.Unix(0, 0),
	}
	for i := range 1000 {
		times = append(times, time.Unix(int64(i)*7919*3601, int64(i)*104729).In(tehran))
	}
	for _, tm := range times {
		if got, want := formatTime(tm), tm.UTC().Format(timeLayout); got != want {
			t.Errorf("formatTime(%v) = %q, want %q", tm, got, want)
		}
	}
}

func BenchmarkFormatTime(b *testing.B) {
	tm := time.Date(2026, 11, 27, 10, 41, 45, 123456789, tehran)
	b.Run("hand", func(b *testing.B) {
		for b.Loop() {
			_ = formatTime(tm)
		}
	})
	b.Run("Format", func(b *testing.B) {
		for b.Loop() {
			_ = tm.UTC().Format(timeLayout)
		}
	})
}
