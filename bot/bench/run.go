package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"supportbot/bot"
	"supportbot/store/sqlite"
)

// Options shape a load run. Zero fields take the defaults given.
type Options struct {
	Customers int // customers writing at once; default 1,000
	// Messages is the number of customer messages in each of the two
	// timed runs (staff messages come on top); default 20 per customer.
	Messages int
	// Rate is the offered load of the paced run, in customer messages a
	// second; default 5,000 (the target).
	Rate int
	// Dir is where the temporary databases go; default os.TempDir().
	Dir string
	// Sync is the durability setting of the bot's database and of the
	// baseline; default sqlite.SyncFull, the bot's.
	Sync sqlite.Sync
	// Wire builds the engine on the fresh database; default NewEngine.
	Wire func(db *sqlite.DB) (*bot.Engine, error)
	// Progress, when set, is told what the run is doing.
	Progress func(format string, args ...any)
}

// Report is what a load run measured. The first eleven fields are
// docs/interface.md's; the rest say more about the same run. Latencies are in
// milliseconds, memory and size in MB.
type Report struct {
	Customers         int     `json:"customers"`
	Messages          int     `json:"messages"`             // customer messages in each timed run
	Seconds           float64 `json:"seconds"`              // how long the saturated run took
	MsgsPerSec        float64 `json:"msgs_per_sec"`         // customer messages a second, saturated run
	P50               float64 `json:"p50_ms"`               // latency at the paced run's load
	P95               float64 `json:"p95_ms"`               // (from when a message was due)
	P99               float64 `json:"p99_ms"`               //
	PeakRSSMB         float64 `json:"peak_rss_mb"`          // VmHWM at the end of the run
	DBMB              float64 `json:"db_mb"`                // the database file after both runs
	BaselineTxnPerSec float64 `json:"baseline_txn_per_sec"` // bare one-insert transactions a second
	Ratio             float64 `json:"ratio"`                // MsgsPerSec / BaselineTxnPerSec

	StaffMessages     int     `json:"staff_messages"`          // staff messages mixed into the saturated run
	Rate              int     `json:"paced_rate"`              // offered load of the paced run
	PacedMsgsPerSec   float64 `json:"paced_msgs_per_sec"`      // what the paced run achieved
	SaturatedP50      float64 `json:"saturated_p50_ms"`        // latency when every customer writes flat out:
	SaturatedP99      float64 `json:"saturated_p99_ms"`        // mostly the queue of the other customers
	SaturatedStaffP99 float64 `json:"saturated_staff_p99_ms"`  // the same for staff messages
	MessagesPerCommit float64 `json:"messages_per_commit"`     // group commit batch size, saturated run
	CPUPerMessage     float64 `json:"cpu_us_per_message"`      // process CPU (bot, load, checkpoints, GC) a message, saturated run
	Statements        float64 `json:"statements_per_message"`  // SQL statements a message (customer and staff), saturated run
	IdleRSSMB         float64 `json:"idle_rss_mb"`             // VmRSS after the runs, garbage collected, database open
	BaselineSeconds   float64 `json:"baseline_seconds"`        // how long the baseline took, both halves
	BaselineBefore    float64 `json:"baseline_before_per_sec"` // the half just before the saturated run
	BaselineAfter     float64 `json:"baseline_after_per_sec"`  // the half just after it
	GOMAXPROCS        int     `json:"gomaxprocs"`              // the cores the run could use
	Sync              string  `json:"sync"`                    // the database's durability setting (docs/durability.md)
}

func (o *Options) defaults() {
	if o.Customers <= 0 {
		o.Customers = 1000
	}
	if o.Messages <= 0 {
		o.Messages = 20 * o.Customers
	}
	if o.Rate <= 0 {
		o.Rate = 5000
	}
	if o.Dir == "" {
		o.Dir = os.TempDir()
	}
	if o.Sync == "" {
		o.Sync = sqlite.SyncFull
	}
	if o.Wire == nil {
		o.Wire = NewEngine
	}
	if o.Progress == nil {
		o.Progress = func(string, ...any) {}
	}
}

// Run does the whole load run on fresh databases in a temporary directory
// under o.Dir, removed afterwards:
//
//  1. the baseline: o.Messages bare one-insert transactions on a file
//     opened with the store's own connection settings, half of them just
//     before and half just after the saturated run;
//  2. an untimed warm-up that puts the customers at different points of
//     their scripts (stagger);
//  3. the saturated run: o.Customers customers each send their script as
//     fast as the bot answers (the next message right after the reply),
//     until o.Messages customer messages are handled: throughput;
//  4. the paced run: the same customers, messages arriving at o.Rate a
//     second in turn (open loop: latency counts from when a message was due,
//     so a bot that falls behind shows it): latency at that load.
//
// Latency is from the call into the engine until the message, its state
// change and its answers are committed, which is when inbound and outbound
// are both stored (they are stored together).
func Run(ctx context.Context, o Options) (Report, error) {
	o.defaults()
	r := Report{Customers: o.Customers, Messages: o.Messages, Rate: o.Rate, GOMAXPROCS: runtime.GOMAXPROCS(0), Sync: string(o.Sync)}
	dir, err := os.MkdirTemp(o.Dir, "supportbot-bench-")
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)

	// The baseline runs in two halves, right before and right after the
	// saturated run it is compared with, so that a machine that speeds up
	// or slows down meanwhile (a shared server does) moves both sides of
	// the ratio alike.
	baseline := func(name string, n int) (time.Duration, error) {
		if n == 0 {
			return 0, nil
		}
		o.Progress("baseline: %d one-insert transactions", n)
		return sqlite.Baseline(ctx, filepath.Join(dir, name), o.Sync, n)
	}
	baseBefore, err := baseline("baseline-before.db", o.Messages/2)
	if err != nil {
		return r, err
	}

	path := filepath.Join(dir, "bench.db")
	db, err := sqlite.OpenWith(ctx, path, sqlite.Options{Sync: o.Sync})
	if err != nil {
		return r, err
	}
	defer db.Close()
	customers, err := Seed(ctx, db, o.Customers)
	if err != nil {
		return r, err
	}
	eng, err := o.Wire(db)
	if err != nil {
		return r, err
	}
	clients := make([]*player, len(customers))
	for i, c := range customers {
		clients[i] = &player{c: Client{Engine: eng, Customer: c}}
	}
	o.Progress("warm-up: customers start at different points of their conversations")
	if err := stagger(ctx, clients); err != nil {
		return r, err
	}

	o.Progress("saturated: %d customers, %d messages", o.Customers, o.Messages)
	before, cpu0, stmts0 := eng.CommitStats(), cpuTime(), db.Statements()
	sat, err := saturate(ctx, clients, o.Messages)
	if err != nil {
		return r, err
	}
	after, cpu, stmts := eng.CommitStats(), cpuTime()-cpu0, db.Statements()-stmts0
	r.Seconds = sat.elapsed.Seconds()
	r.MsgsPerSec = float64(o.Messages) / r.Seconds
	r.StaffMessages = sat.staff
	r.SaturatedP50, r.SaturatedP99 = ms(percentile(sat.customer, 50)), ms(percentile(sat.customer, 99))
	r.SaturatedStaffP99 = ms(percentile(sat.staffLat, 99))
	if n := after.Commits - before.Commits; n > 0 {
		r.MessagesPerCommit = float64(after.Messages-before.Messages) / float64(n)
	}
	if n := o.Messages + sat.staff; cpu > 0 {
		r.CPUPerMessage = float64(cpu.Microseconds()) / float64(n)
	}
	// The load's own lookup of the ticket a staff step answers is one
	// statement of each staff step, outside the bot's transactions.
	r.Statements = float64(stmts-int64(sat.staff)) / float64(o.Messages+sat.staff)

	baseAfter, err := baseline("baseline-after.db", o.Messages-o.Messages/2)
	if err != nil {
		return r, err
	}
	r.BaselineSeconds = (baseBefore + baseAfter).Seconds()
	r.BaselineTxnPerSec = float64(o.Messages) / r.BaselineSeconds
	if baseBefore > 0 {
		r.BaselineBefore = float64(o.Messages/2) / baseBefore.Seconds()
	}
	r.BaselineAfter = float64(o.Messages-o.Messages/2) / baseAfter.Seconds()

	o.Progress("paced: %d messages at %d a second", o.Messages, o.Rate)
	paced, err := pace(ctx, clients, o.Messages, o.Rate)
	if err != nil {
		return r, err
	}
	r.PacedMsgsPerSec = float64(o.Messages) / paced.elapsed.Seconds()
	r.P50, r.P95, r.P99 = ms(percentile(paced.customer, 50)), ms(percentile(paced.customer, 95)), ms(percentile(paced.customer, 99))
	if r.BaselineTxnPerSec > 0 {
		r.Ratio = r.MsgsPerSec / r.BaselineTxnPerSec
	}

	sat, paced = run{}, run{}
	runtime.GC()
	debug.FreeOSMemory()
	r.IdleRSSMB = procStatusMB("VmRSS")
	r.PeakRSSMB = procStatusMB("VmHWM")
	if err := db.Close(); err != nil {
		return r, err
	}
	if fi, err := os.Stat(path); err == nil {
		r.DBMB = float64(fi.Size()) / (1 << 20)
	}
	return r, nil
}

// player is a Client with its place in the script.
type player struct {
	c    Client
	next int
}

// play sends the player's next step.
func (p *player) play(ctx context.Context) (staff bool, took time.Duration, err error) {
	staff = IsStaff(p.next)
	took, err = p.c.Play(ctx, p.next)
	p.next++
	return staff, took, err
}

// run is what one timed run recorded.
type run struct {
	elapsed  time.Duration
	customer []time.Duration
	staffLat []time.Duration
	staff    int
}

// stagger plays the first steps of each client's script, untimed, so the
// customers are at different points of a request (greeting, menus, a new
// ticket, follow-ups, a staff answer) when the timed runs start, as on a
// real desk. Without it every customer would make the same move at the same
// moment: a thousand tickets opened within a fifth of a second, then a
// thousand staff answers. No desk sees that, and it flatters throughput
// (a commit of identical steps is cheaper than a mixed one:
// docs/performance.md, "The stagger") while it swings latency from one
// step's cost to the next's. Client i
// plays i mod CycleSteps steps, then up to its next customer message.
func stagger(ctx context.Context, clients []*player) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(clients))
	for i, p := range clients {
		wg.Go(func() {
			for n := i % CycleSteps; n > 0 || IsStaff(p.next); n-- {
				if _, _, err := p.play(ctx); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return errors.Join(collect(errs)...)
}

// saturate has every client send its script flat out until n customer
// messages are handled.
func saturate(ctx context.Context, clients []*player, n int) (run, error) {
	var left atomic.Int64
	left.Store(int64(n))
	var mu sync.Mutex
	res := run{customer: make([]time.Duration, 0, n)}
	var wg sync.WaitGroup
	errs := make(chan error, len(clients))
	start := time.Now()
	for _, p := range clients {
		wg.Go(func() {
			var mine, staff []time.Duration
			defer func() {
				mu.Lock()
				res.customer = append(res.customer, mine...)
				res.staffLat = append(res.staffLat, staff...)
				res.staff += len(staff)
				mu.Unlock()
			}()
			for {
				if !IsStaff(p.next) && left.Add(-1) < 0 {
					return
				}
				isStaff, took, err := p.play(ctx)
				if err != nil {
					errs <- err
					return
				}
				if isStaff {
					staff = append(staff, took)
				} else {
					mine = append(mine, took)
				}
			}
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	close(errs)
	return res, errors.Join(collect(errs)...)
}

// pace offers n customer messages at rate a second, to the clients in turn.
// A client plays the staff steps that follow a customer message right after
// it. Each customer message's latency counts from when it was due.
func pace(ctx context.Context, clients []*player, n, rate int) (run, error) {
	type arrival struct{ due time.Time }
	queues := make([]chan arrival, len(clients))
	res := run{customer: make([]time.Duration, 0, n)}
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, len(clients))
	for i, p := range clients {
		q := make(chan arrival, n/len(clients)+2)
		queues[i] = q
		wg.Go(func() {
			var mine []time.Duration
			defer func() {
				mu.Lock()
				res.customer = append(res.customer, mine...)
				mu.Unlock()
			}()
			for a := range q {
				if _, _, err := p.play(ctx); err != nil {
					errs <- err
					return
				}
				mine = append(mine, time.Since(a.due))
				for IsStaff(p.next) {
					if _, _, err := p.play(ctx); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	start := time.Now()
	interval := time.Second / time.Duration(rate)
	tick := time.NewTicker(time.Millisecond)
	sent := 0
	for sent < n {
		now := <-tick.C
		for ; sent < n; sent++ {
			due := start.Add(time.Duration(sent) * interval)
			if due.After(now) {
				break
			}
			queues[sent%len(queues)] <- arrival{due: due}
		}
	}
	tick.Stop()
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	close(errs)
	return res, errors.Join(collect(errs)...)
}

func collect(errs chan error) []error {
	var out []error
	for err := range errs {
		out = append(out, err)
		if len(out) == 3 {
			break
		}
	}
	return out
}

// percentile is the p-th percentile of ds (nearest rank); 0 for none.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// procStatusMB reads a memory figure (VmHWM, VmRSS) of this process from
// /proc/self/status, in MB; 0 where there is no /proc.
func procStatusMB(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
		if err != nil {
			return 0
		}
		return kb / 1024
	}
	return 0
}

// String is the report as a readable table.
func (r Report) String() string {
	var b strings.Builder
	row := func(name, format string, args ...any) {
		fmt.Fprintf(&b, "%-34s %s\n", name, fmt.Sprintf(format, args...))
	}
	row("customers", "%d", r.Customers)
	row("customer messages (each run)", "%d (+%d staff messages, saturated run)", r.Messages, r.StaffMessages)
	row("saturated: seconds", "%.2f", r.Seconds)
	row("saturated: messages a second", "%.0f", r.MsgsPerSec)
	row("saturated: latency p50 / p99", "%.2f ms / %.2f ms", r.SaturatedP50, r.SaturatedP99)
	row("saturated: messages per commit", "%.1f", r.MessagesPerCommit)
	row("saturated: CPU a message", "%.0f µs (customer and staff; the whole process)", r.CPUPerMessage)
	row("saturated: SQL statements a message", "%.1f (customer and staff)", r.Statements)
	row("paced: offered / achieved", "%d / %.0f messages a second", r.Rate, r.PacedMsgsPerSec)
	row("paced: latency p50 / p95 / p99", "%.2f ms / %.2f ms / %.2f ms", r.P50, r.P95, r.P99)
	row("baseline: bare insert transactions", "%.0f a second (%.0f before, %.0f after)", r.BaselineTxnPerSec, r.BaselineBefore, r.BaselineAfter)
	row("ratio (saturated / baseline)", "%.2f", r.Ratio)
	row("peak memory (VmHWM)", "%.1f MB", r.PeakRSSMB)
	row("memory after the run (VmRSS)", "%.1f MB", r.IdleRSSMB)
	row("database", "%.1f MB", r.DBMB)
	row("GOMAXPROCS", "%d", r.GOMAXPROCS)
	row("database sync", "%s", r.Sync)
	return b.String()
}
