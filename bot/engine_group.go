package bot

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"supportbot/store"
)

// Group commit.
//
// Every inbound message is handled in a write transaction, and SQLite has one
// writer: handled one transaction each, messages queue for the writer and pay
// for a BEGIN, a COMMIT and a write of every touched page each. Instead the
// engine queues them and handles whatever has queued up in ONE transaction:
// the caller that finds nobody committing becomes the leader, takes the
// queue, handles each message in turn on the shared transaction (taking in
// those that queue meanwhile, within a budget), commits, and hands the lead
// to the first caller still waiting. A call still returns only after the
// transaction that holds its message is committed, so "handled" keeps
// meaning "durably handled"; under load one commit serves dozens of
// messages.
//
// A message that fails (an error or a panic) must not take the others with
// it: the transaction is rolled back, the failed message gets its error, and
// the rest of the batch is handled again in a fresh transaction. Handling is
// a pure function of the database and the message, so the second run does
// exactly what the first would have; nothing outside the database changes
// before the commit (the flood counters are staged per batch, see flood.go).

// maxBatch bounds one transaction, so a burst cannot make one commit, and
// the wait of the first message in it, arbitrarily long. After a stall (a
// slow write, a WAL restart) the queue is drained in commits of this size:
// the first messages queued are answered after 64 messages' work rather than
// 256's, and a commit of 64 already shares its fixed cost widely enough that
// the throughput of a full queue does not drop (figures in
// docs/performance.md, "Group commit").
const maxBatch = 64

// batchBudget is how long a batch keeps taking messages that queued while
// it ran (committer.budget). With maxBatch it bounds the wait of the
// batch's first message.
const batchBudget = 2 * time.Millisecond

// errLead tells a queued caller that it now leads the next batch.
var errLead = errors.New("bot: lead the next batch")

// job is one message waiting for a group commit.
type job struct {
	ctx  context.Context
	fn   func(ctx context.Context, b *batch) error
	done chan error // the job's outcome, or errLead
}

// batch is one group commit in progress: the shared transaction and the
// state staged until it commits.
type batch struct {
	tx    store.Store
	flood map[string]floodState // per phone, applied to the engine on commit
}

// committer queues jobs and runs them in group commits.
type committer struct {
	st    store.Store
	flood *flood

	mu      sync.Mutex
	queue   []*job
	leading bool
	// budget is how long a batch takes jobs that queue while it runs;
	// zero takes none.
	budget time.Duration

	stats commitStats
}

// commitStats counts commits, for the load run's report.
type commitStats struct {
	mu      sync.Mutex
	commits int64
	jobs    int64
	retries int64
}

// CommitStats are totals since the engine started: transactions committed,
// messages they held, and batches handled again after one message failed.
type CommitStats struct {
	Commits, Messages, Retries int64
}

// do runs fn in a group commit and returns its error once the commit holding
// it is done (or the commit's error). A ctx already done is refused; once
// queued, the job is finished even if ctx ends meanwhile, so the caller
// learns its true outcome.
func (c *committer) do(ctx context.Context, fn func(ctx context.Context, b *batch) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &job{ctx: context.WithoutCancel(ctx), fn: fn, done: make(chan error, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, j)
	lead := !c.leading
	c.leading = true
	c.mu.Unlock()
	if !lead {
		if err := <-j.done; err != errLead {
			return err
		}
	}
	c.lead()
	return <-j.done
}

// lead takes up to maxBatch queued jobs (the leader's own is the first),
// commits them, then passes the lead to the next queued job, if any.
func (c *committer) lead() {
	c.commit(c.take(maxBatch))

	c.mu.Lock()
	if len(c.queue) > 0 {
		c.queue[0].done <- errLead
	} else {
		c.leading = false
	}
	c.mu.Unlock()
}

// take removes up to n jobs from the head of the queue.
func (c *committer) take(n int) []*job {
	c.mu.Lock()
	defer c.mu.Unlock()
	n = min(len(c.queue), n)
	jobs := make([]*job, n)
	copy(jobs, c.queue)
	rest := len(c.queue) - n
	copy(c.queue, c.queue[n:])
	clear(c.queue[rest:])
	c.queue = c.queue[:rest]
	return jobs
}

// commit runs jobs in one transaction and reports to each. Jobs that queue
// while the transaction runs join it, up to maxBatch jobs and c.budget of
// time: a message that arrives mid-batch is answered with that commit
// rather than after the next one, and under steady load a commit serves
// more messages. When one job fails, it alone gets its error and the others
// run again without it (and without taking more).
func (c *committer) commit(jobs []*job) {
	ctx := jobs[0].ctx
	start := time.Now()
	grow := true
	for len(jobs) > 0 {
		failed := -1
		var failure error
		b := &batch{flood: map[string]floodState{}}
		err := c.st.InTx(ctx, func(tx store.Store) error {
			b.tx = tx
			for i := 0; ; i++ {
				if i == len(jobs) {
					if !grow || len(jobs) >= maxBatch || time.Since(start) >= c.budget {
						return nil
					}
					more := c.take(maxBatch - len(jobs))
					if len(more) == 0 {
						return nil
					}
					jobs = append(jobs, more...)
				}
				if err := run(jobs[i], b); err != nil {
					failed, failure = i, err
					return err
				}
			}
		})
		switch {
		case err == nil:
			c.flood.apply(b.flood)
			c.count(len(jobs), false)
			for _, j := range jobs {
				j.done <- nil
			}
			return
		case failed < 0:
			// BEGIN or COMMIT failed: nothing of the batch was stored.
			for _, j := range jobs {
				j.done <- err
			}
			return
		}
		jobs[failed].done <- failure
		jobs = append(jobs[:failed:failed], jobs[failed+1:]...)
		grow = false
		c.count(0, true)
	}
}

// PanicError is a panic met while handling one message: a bug, which no
// retry of the message will fix.
type PanicError struct {
	Value any
	Stack []byte
}

// Error says what panicked, with the stack for the log.
func (e *PanicError) Error() string {
	return fmt.Sprintf("bot: panic handling a message: %v\n%s", e.Value, e.Stack)
}

// run calls the job's function, turning a panic into that job's error
// (*PanicError) so one bad message cannot stop the others or the process.
func run(j *job, b *batch) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return j.fn(j.ctx, b)
}

func (c *committer) count(jobs int, retry bool) {
	c.stats.mu.Lock()
	defer c.stats.mu.Unlock()
	if retry {
		c.stats.retries++
		return
	}
	c.stats.commits++
	c.stats.jobs += int64(jobs)
}

func (c *committer) snapshot() CommitStats {
	c.stats.mu.Lock()
	defer c.stats.mu.Unlock()
	return CommitStats{Commits: c.stats.commits, Messages: c.stats.jobs, Retries: c.stats.retries}
}
