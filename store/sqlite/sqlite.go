// Package sqlite keeps the bot's records in one SQLite file through the
// pure-Go modernc.org/sqlite driver.
//
// The file runs in WAL mode with foreign keys on. All writes go through a
// single writer connection, so writers queue in Go instead of racing for the
// file lock; reads outside a transaction use a separate pool of read-only
// connections and never wait for the writer. Transactions begin IMMEDIATE,
// taking the write lock up front, so a transaction never fails half-way with
// SQLITE_BUSY when it upgrades from reading to writing. Statements stay
// prepared (stmtcache.go) and the WAL is checkpointed by a connection of its
// own in the background (checkpoint.go), so neither costs a commit its time.
//
// Times are stored as UTC text in RFC 3339 with exactly nine fractional
// digits, so every value has the same width, text order is time order and
// range queries are plain comparisons; a zero time is NULL. Dates are
// YYYY-MM-DD, NULL when zero. Times come back in UTC and callers convert them
// for display.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"supportbot/store"
)

// readerConns is the size of the read-only pool. Reads are short and WAL
// readers do not block each other, so a few are plenty for one bot.
const readerConns = 4

// Connection parameters (see the Driver.Open documentation of
// modernc.org/sqlite). The shorthand keys are validated by the driver, unlike
// _pragma values which it runs verbatim. busy_timeout comes first in the
// driver's own apply order, so setting WAL on a busy file waits instead of
// failing.
const (
	writerParams = "_txlock=immediate&_busy_timeout=5000&_foreign_keys=1&_journal_mode=WAL" +
		"&_pragma=wal_autocheckpoint(16000)" // a safety net: checkpoints run in the background (checkpoint.go)
	readerParams = "_busy_timeout=5000&_foreign_keys=1&_query_only=1"
)

// Sync is how far a commit has reached the disk when it returns; see
// docs/durability.md.
type Sync string

// Sync settings.
const (
	// SyncFull syncs the WAL at every commit: a commit that returned
	// survives a power cut, so a transport may acknowledge what it
	// stored. One sync per commit, and group commit makes a commit hold
	// many messages. The default.
	SyncFull Sync = "full"
	// SyncNormal syncs only at checkpoints: a commit survives the process
	// dying but the last ones can be lost with the power.
	SyncNormal Sync = "normal"
)

// Valid reports whether s names a setting ("" is the default, SyncFull).
func (s Sync) Valid() bool { return s == "" || s == SyncFull || s == SyncNormal }

// params is the writer's connection parameters under s.
func (s Sync) params() string {
	if s == SyncNormal {
		return writerParams + "&_synchronous=NORMAL"
	}
	return writerParams + "&_synchronous=FULL"
}

// Options tune Open; the zero value is the default.
type Options struct {
	Sync Sync // "" is SyncFull
}

// DB is the SQLite store. It is safe for concurrent use; the zero value is
// not usable, call Open.
type DB struct {
	queries
	writer *sql.DB
	reader *sql.DB
	// Prepared statements of each pool (stmtcache.go).
	wcache, rcache *stmtCache
	ckpt           *checkpointer // background checkpoints (checkpoint.go)
	counter        *statementCounter
	chatless       chatlessIDs // RecordChatInbound's fast path (outbox.go)
	// file is the database file, which the checkpointer syncs. It stays
	// open until every connection is closed: closing any descriptor of a
	// file drops all of the process's POSIX locks on it, SQLite's too.
	file *os.File
	// gate is held by every transaction from BEGIN to COMMIT, and by the
	// checkpointer while it brings the WAL up to date so the next
	// transaction can restart it (checkpoint.go).
	gate sync.Mutex
}

var _ store.Store = (*DB)(nil)

// Open opens (creating if needed) the database file at path and brings its
// schema up to date. It refuses a file whose schema is newer than this
// program (ErrSchemaTooNew).
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, o Options) (*DB, error) {
	if !o.Sync.Valid() {
		return nil, fmt.Errorf("sqlite: open %s: sync %q: want full or normal", path, o.Sync)
	}
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: open %q: want a plain file path", path)
	}
	writer, err := sql.Open("sqlite", path+"?"+o.Sync.params())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// One writer connection: database/sql queues writers for it, which is
	// cheaper and fairer than SQLite's busy-wait on the file lock.
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	if err := migrate(ctx, writer); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	reader, err := sql.Open("sqlite", path+"?"+readerParams)
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	reader.SetMaxOpenConns(readerConns)
	reader.SetMaxIdleConns(readerConns)
	if err := reader.PingContext(ctx); err != nil {
		reader.Close()
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	file, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		reader.Close()
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	counter := &statementCounter{}
	db := &DB{writer: writer, reader: reader, wcache: newStmtCache(writer, counter), rcache: newStmtCache(reader, counter),
		file: file, counter: counter}
	db.queries = queries{db: db, rd: poolQuerier{db.rcache}, wr: poolQuerier{db.wcache}}
	if db.ckpt, err = startCheckpointer(path, file, &db.gate); err != nil {
		reader.Close()
		writer.Close()
		file.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// Statements is how many SQL statements the store's methods have run since
// Open (both pools, transactions included; BEGIN and COMMIT not counted).
func (db *DB) Statements() int64 { return db.counter.n.Load() }

// TraceStatements shows every statement the store runs from now on to f
// (nil stops it), for diagnosis and tests. f runs on the caller's goroutine
// and must be quick and safe for concurrent use.
func (db *DB) TraceStatements(f func(query string)) {
	if f == nil {
		db.counter.trace.Store(nil)
		return
	}
	db.counter.trace.Store(&f)
}

// Close closes both connection pools. Transactions still running fail.
func (db *DB) Close() error {
	db.rcache.close()
	db.wcache.close()
	err := errors.Join(db.ckpt.close(), db.reader.Close(), db.writer.Close())
	// The file after every connection (see DB.file); closing twice is
	// harmless, as it is for the pools.
	if ferr := db.file.Close(); !errors.Is(ferr, os.ErrClosed) {
		err = errors.Join(err, ferr)
	}
	return err
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries carries every store method. Outside a transaction rd is the reader
// pool and wr the writer; inside InTx both are the transaction.
type queries struct {
	db *DB
	rd querier
	wr querier
	tx *sql.Tx
}

// txStore is the Store handed to an InTx callback.
type txStore struct{ *queries }

var _ store.Store = txStore{}

// Close is an error inside a transaction: the transaction ends when the
// InTx callback returns.
func (txStore) Close() error { return errors.New("sqlite: Close inside InTx") }

// InTx runs fn in one IMMEDIATE transaction on the writer connection and
// commits when fn returns nil; an error or a panic from fn rolls everything
// back (the panic continues). Inside a transaction InTx just calls fn with the
// same transaction. fn must use the Store it is given: the outer store's
// writes wait for the one writer connection, which fn holds.
func (q *queries) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	return q.inTx(ctx, func(tq *queries) error { return fn(txStore{tq}) })
}

// inTx is InTx for this package's multi-step methods.
func (q *queries) inTx(ctx context.Context, fn func(tq *queries) error) error {
	if q.tx != nil {
		return fn(q)
	}
	q.db.gate.Lock()
	defer q.db.gate.Unlock()
	tx, err := q.db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			_ = tx.Rollback() // fn panicked; the panic goes on
		}
		q.db.wcache.prepareWanted(ctx)
	}()
	tq := newTxQuerier(tx, q.db.wcache)
	err = fn(&queries{db: q.db, rd: tq, wr: tq, tx: tx})
	done = true
	if err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("sqlite: rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// wrap maps a driver error to the store's errors, once, at this boundary:
// no rows becomes store.ErrNotFound and a constraint violation (UNIQUE,
// foreign key, CHECK) store.ErrConflict. The context format and args come
// first in the message; nil stays nil.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		return fmt.Errorf("%s: %w: %w", what, store.ErrConflict, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// lastID returns the rowid of an insert.
func lastID(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// mustAffect turns an update that matched no row into sql.ErrNoRows, which
// wrap reports as store.ErrNotFound.
func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return sql.ErrNoRows
	}
	return nil
}
