package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// Prepared statements.
//
// database/sql prepares, runs and finalizes a statement on every Exec or
// Query, and SQLite's parser is the largest single cost of a short write:
// the bot's few dozen distinct statements are parsed again for every
// message. So each pool keeps its statements prepared, keyed by their text.
//
// The writer pool has one connection, and inside a transaction that
// connection is taken: a statement cannot be prepared on it there. A
// statement first met inside a transaction runs unprepared and is noted;
// it is prepared as soon as the transaction ends, and from then on the
// transaction's Tx.StmtContext reuses it on the writer connection.

// maxCached bounds each cache, so statements built from varying text (a
// list of placeholders of varying length) cannot grow it without end.
const maxCached = 256

// stmtCache is one pool's prepared statements.
type stmtCache struct {
	db *sql.DB

	mu     sync.RWMutex
	stmts  map[string]*sql.Stmt
	wanted map[string]bool // met inside a transaction, to prepare after it

	counter *statementCounter // shared by the DB's pools
}

// statementCounter counts the statements a DB runs, and shows each to a
// trace function when one is set (DB.Statements, DB.TraceStatements): the
// per-message statement count is what the hot path's cost follows, and a
// test pins it.
type statementCounter struct {
	n     atomic.Int64
	trace atomic.Pointer[func(query string)]
}

// note counts one statement.
func (c *statementCounter) note(query string) {
	c.n.Add(1)
	if f := c.trace.Load(); f != nil {
		(*f)(query)
	}
}

func newStmtCache(db *sql.DB, counter *statementCounter) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}, counter: counter}
}

// get is the prepared statement for query, nil when there is none yet.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.stmts[query]
}

// prepare returns the prepared statement for query, preparing it on the
// pool now; nil when the cache is full or preparing failed (the caller then
// runs the text as it is, and meets the error there).
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	s, full := c.stmts[query], len(c.stmts) >= maxCached
	c.mu.RUnlock()
	if s != nil || full {
		return s
	}
	// Prepared without the lock held: preparing on the writer waits for
	// its connection, and the transaction holding it reads the cache.
	s, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev := c.stmts[query]; prev != nil {
		s.Close() // prepared meanwhile by another caller
		return prev
	}
	c.stmts[query] = s
	return s
}

// want notes a statement met inside a transaction.
func (c *stmtCache) want(query string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.stmts)+len(c.wanted) < maxCached {
		c.wanted[query] = true
	}
}

// prepareWanted prepares the statements noted inside transactions. It runs
// after a transaction ends, when the writer connection is free again.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	c.mu.Lock()
	wanted := c.wanted
	if len(wanted) == 0 {
		c.mu.Unlock()
		return
	}
	c.wanted = map[string]bool{}
	c.mu.Unlock()
	for query := range wanted {
		c.prepare(context.WithoutCancel(ctx), query)
	}
}

// close closes every prepared statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, s := range c.stmts {
		s.Close()
		delete(c.stmts, q)
	}
}

// poolQuerier runs statements on a pool through its cache.
type poolQuerier struct{ c *stmtCache }

func (p poolQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	p.c.counter.note(query)
	if s := p.c.prepare(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return p.c.db.ExecContext(ctx, query, args...)
}

func (p poolQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	p.c.counter.note(query)
	if s := p.c.prepare(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return p.c.db.QueryContext(ctx, query, args...)
}

func (p poolQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	p.c.counter.note(query)
	if s := p.c.prepare(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return p.c.db.QueryRowContext(ctx, query, args...)
}

// txQuerier runs statements of one transaction, reusing the writer's
// prepared statements on the transaction's connection. A group commit runs
// the same few statements hundreds of times in one transaction, so the
// transaction's handles on them are kept too.
type txQuerier struct {
	tx    *sql.Tx
	c     *stmtCache
	stmts map[string]*sql.Stmt // this transaction's handles, by text
}

func newTxQuerier(tx *sql.Tx, c *stmtCache) txQuerier {
	return txQuerier{tx: tx, c: c, stmts: map[string]*sql.Stmt{}}
}

// stmt is the transaction's handle on query's prepared statement. A
// statement not in the cache yet is noted, to be prepared for good after
// the transaction, and prepared for this transaction meanwhile: the first
// commits after a start can hold dozens of messages running the same
// statements (a backlog of offline messages), and parsing each again is
// costly (docs/performance.md, "Prepared statements"). Nil when even that
// fails; the caller runs the text.
// Like the transaction, the handles are for one goroutine at a time.
func (t txQuerier) stmt(ctx context.Context, query string) *sql.Stmt {
	if s := t.stmts[query]; s != nil {
		return s
	}
	s := t.c.get(query)
	if s == nil {
		t.c.want(query)
		ps, err := t.tx.PrepareContext(ctx, query)
		if err != nil {
			return nil
		}
		t.stmts[query] = ps // closed with the transaction
		return ps
	}
	s = t.tx.StmtContext(ctx, s)
	t.stmts[query] = s
	return s
}

func (t txQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	t.c.counter.note(query)
	if s := t.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t txQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	t.c.counter.note(query)
	if s := t.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t txQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	t.c.counter.note(query)
	if s := t.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}
