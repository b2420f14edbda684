package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"supportbot/bot/bench"
	"supportbot/rules"
	"supportbot/store"
	"supportbot/store/sqlite"
)

// The scheduled jobs' crash test: a worker opens a few tickets and then
// drives the shipped jobs (deadline reminders and breach alerts,
// contract-end reminders, hourly-package settlement and notes, the
// digest) over a scripted month, the way `supportbot run` catches up after
// downtime: RunDue over the time since the clock it stored last, then the
// new clock. It is killed with SIGKILL at random moments of that month and
// restarted, so windows are run again after a kill and runs are cut in
// the middle of a job. Then each recipient's messages, in order, must be
// those of an uninterrupted run: no notice lost, none twice.

const envJobsDir = "SUPPORTBOT_CRASH_JOBS_DIR"

// settingJobsClock is the worker's scheduler clock (as settingRunClock is
// `supportbot run`'s).
const settingJobsClock = "crash_jobs_clock"

// The jobs' fixture: customers 1-4 open a ticket each (gold: a first
// answer within one business day, reminders before it, an alert at it);
// customer 5's contract ends within the month; customer 6 has an hourly
// package (month-end settlement, package notes).
const (
	jobsCustomers = 6
	jobsOpeners   = 4
	jobsOpenSteps = 5 // the script's steps up to the description that opens the ticket
	jobsStep      = 2 * time.Hour
)

var jobsEnd = bench.Start.Add(30 * 24 * time.Hour)

func TestCrashJobs(t *testing.T) {
	if os.Getenv(envJobsDir) != "" || os.Getenv(envCrashDir) != "" || os.Getenv(envAdaptersDir) != "" {
		t.Skip("inside a worker")
	}
	// Each kill lands at a random window in a band of the month where the
	// jobs have something to do: the first answer's reminders and alert
	// (day 1), the contract-end reminders (days 4 and 10), the month-end
	// settlement (day 22). The bands are in 2-hour windows from the start.
	bands := [][2]int{{4, 14}, {50, 62}, {118, 132}, {262, 276}}
	if testing.Short() {
		bands = [][2]int{{4, 14}, {262, 276}}
	}
	kills := len(bands)
	// The reference: the same work in this process, uninterrupted.
	refDir := t.TempDir()
	if err := jobsWork(refDir, false); err != nil {
		t.Fatal(err)
	}
	want := jobsOutbox(t, refDir)

	dir := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 3))
	killed := 0
	for k := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashJobsWorker$", "-test.count=1")
		cmd.Env = append(os.Environ(), envJobsDir+"="+dir)
		killOnCleanup(t, cmd)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		b := bands[k]
		target := b[0] + rng.IntN(b[1]-b[0])
		deadline := time.Now().Add(30 * time.Second)
		for countLines(filepath.Join(dir, "jobs.log")) < target && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(3)) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			// It may have finished the month first: then later runs only check.
			t.Logf("run %d (seed %d) ended before the kill: %v", k+1, seed, err)
			continue
		}
		killed++
	}
	if killed == 0 {
		t.Fatalf("no run was killed mid-month (seed %d): the test proved nothing", seed)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashJobsWorker$", "-test.count=1")
	cmd.Env = append(os.Environ(), envJobsDir+"="+dir)
	killOnCleanup(t, cmd)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	got := jobsOutbox(t, dir)

	recipients := map[string]bool{}
	for to := range want {
		recipients[to] = true
	}
	for to := range got {
		recipients[to] = true
	}
	for to := range recipients {
		if !slices.Equal(got[to], want[to]) {
			t.Errorf("%s got other messages than in an uninterrupted run:\n%s", to, firstDifference(got[to], want[to]))
		}
	}
	per := map[string]int{}
	for to, ms := range want {
		per[to] = len(ms)
	}
	t.Logf("messages by recipient in an uninterrupted run: %v", per)
	steps := countLines(filepath.Join(dir, "jobs.log"))
	t.Logf("%d kills (seed %d): %d windows run (%d without kills), %d recipients, %d messages",
		kills, seed, steps, int(jobsEnd.Sub(bench.Start)/jobsStep), len(recipients), total(want))
}

func total(m map[string][]string) int {
	n := 0
	for _, v := range m {
		n += len(v)
	}
	return n
}

// jobsOutbox is every outbox message of the run in dir, by recipient, in
// order, through sameText; it checks that the reference exercises the
// jobs.
func jobsOutbox(t *testing.T, dir string) map[string][]string {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string][]string{}
	var notices int
	for _, m := range allOutbox(t, db) {
		out[m.To] = append(out[m.To], sameText(m.Text))
		if m.CreatedAt.After(bench.Start.Add(time.Hour)) {
			notices++ // enqueued by a job, not by a customer's message
		}
	}
	if notices < jobsOpeners {
		t.Fatalf("only %d messages came from the jobs: the test would not see a lost or repeated one", notices)
	}
	// The hourly package's charges: the month-end settlement, once.
	es, err := db.HourlyEntries(context.Background(), "K-6")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		out["hourly K-6"] = append(out["hourly K-6"], fmt.Sprintf("%s %s %d min", e.Kind, e.Month, e.Minutes))
	}
	if len(out["hourly K-6"]) == 0 {
		t.Fatal("no month-end settlement of the hourly package: the test would not see a lost or repeated one")
	}
	return out
}

// TestCrashJobsWorker is the child process of TestCrashJobs.
func TestCrashJobsWorker(t *testing.T) {
	dir := os.Getenv(envJobsDir)
	if dir == "" {
		t.Skip("only as the jobs' crash test's worker process")
	}
	if err := jobsWork(dir, true); err != nil {
		t.Fatal(err)
	}
}

// jobsWork opens the tickets that are not open yet and runs the jobs from
// the stored clock to the end of the month; paced, it sleeps a little
// between windows so a kill lands in the middle.
func jobsWork(dir string, paced bool) error {
	ctx := context.Background()
	db, engine, sched, err := crashWiringJobs(ctx, filepath.Join(dir, "bot.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	customers, err := bench.Seed(ctx, db, jobsCustomers)
	if err != nil {
		return err
	}
	if err := jobsContracts(ctx, db, customers); err != nil {
		return err
	}
	for _, c := range customers[:jobsOpeners] {
		cl := bench.Client{Engine: engine, Customer: c}
		for s := range jobsOpenSteps {
			if _, err := cl.Play(ctx, s); err != nil { // a step done before is a redelivery
				return fmt.Errorf("%s step %d: %w", c.Phone, s, err)
			}
		}
	}
	log, err := os.OpenFile(filepath.Join(dir, "jobs.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer log.Close()
	from := bench.Start.Add(time.Duration(jobsOpenSteps) * bench.StepGap)
	if v, err := db.Setting(ctx, settingJobsClock); err == nil {
		if from, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return err
		}
		// A restart runs the last day again (`supportbot run` runs again
		// the minute before its stored clock; a job looks a day back): the
		// notices of that day must not repeat.
		from = from.Add(-24 * time.Hour)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	for from.Before(jobsEnd) {
		to := from.Add(jobsStep)
		if to.After(jobsEnd) {
			to = jobsEnd
		}
		if err := sched.RunDue(ctx, from, to); err != nil {
			return err
		}
		if err := db.SetSetting(ctx, settingJobsClock, to.UTC().Format(time.RFC3339Nano)); err != nil {
			return err
		}
		if _, err := log.WriteString(to.Format(time.RFC3339) + "\n"); err != nil {
			return err
		}
		from = to
		if paced {
			time.Sleep(time.Millisecond)
		}
	}
	return nil
}

// jobsContracts gives customer 5 a contract whose support ends within the
// month and customer 6 an hourly package instead of its product contract.
func jobsContracts(ctx context.Context, st store.Store, cs []bench.Customer) error {
	return st.InTx(ctx, func(tx store.Store) error {
		ending := rules.Contract{ID: "K-5", CustomerID: cs[4].ID, Kind: rules.KindProduct, Tier: rules.TierGold, Subject: "نرم‌افزار انبار",
			PurchasedOn: rules.Date{Year: 2025, Month: 11, Day: 25}, DeliveredOn: rules.Date{Year: 2025, Month: 12, Day: 1},
			ConfirmedOn: rules.Date{Year: 2025, Month: 12, Day: 10}}
		hourly := rules.Contract{ID: "K-6", CustomerID: cs[5].ID, Kind: rules.KindHourly, Tier: rules.TierH50, Subject: "بسته ساعتی",
			PurchasedOn: rules.Date{Year: 2026, Month: 10, Day: 23}}
		for _, c := range []rules.Contract{ending, hourly} {
			if err := tx.UpsertContract(ctx, c); err != nil {
				return fmt.Errorf("contract %s: %w", c.ID, err)
			}
		}
		return nil
	})
}
