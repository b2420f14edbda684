package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode"

	"supportbot/bot"
	"supportbot/bot/bench"
	"supportbot/jobs"
	"supportbot/outbox"
	"supportbot/store"
	"supportbot/store/sqlite"
	"supportbot/store/sqlite/sqlitetest"
)

// The crash test runs the bot under load in a child process (this test
// binary, re-run as TestCrashWorker), kills it with SIGKILL at random
// moments, restarts it on the same database, and finally lets it finish.
// The child plays scripted customers and staff through the engine and
// delivers the outbox to a log file, like the real transports:
//
//   - a customer's message is acknowledged (written to acks.log) only after
//     HandleCustomer returned; after a restart every customer resumes at
//     its last acknowledged message, which is delivered again (a transport
//     that redelivers), and also gets the unacknowledged ones;
//   - the fake transport writes each delivery (the outbox id) to
//     deliveries.log before the dispatcher marks it sent.
//
// Then: every customer has exactly its tickets with exactly their messages
// and replies (no duplicate ticket, no duplicate or lost reply), every
// outbound message is marked sent and was delivered, and a message was
// delivered twice only when it was the one in flight when the child died.

const (
	envCrashDir  = "SUPPORTBOT_CRASH_DIR"
	envCrashMode = "SUPPORTBOT_CRASH_MODE" // "run" (until killed) or "finish"
	envCrashSync = "SUPPORTBOT_CRASH_SYNC" // storage.sync of the worker; default the shipped one
	crashCycles  = 3                       // request cycles per customer
	startMarker  = "# start"
)

// crashCustomers is how many customers the child plays at once.
func crashCustomers() int {
	if testing.Short() {
		return 10
	}
	return 40
}

func TestCrashRecovery(t *testing.T) {
	if os.Getenv(envCrashDir) != "" {
		t.Skip("inside the worker")
	}
	kills := 5
	if testing.Short() {
		kills = 2
	}
	dir := t.TempDir()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	for k := range kills {
		cmd, out := crashWorker(t, dir, "run")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it at a random moment once it has begun to work.
		waitProgress(t, dir, k+1)
		time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("run %d: %v, want killed by SIGKILL\n%s", k+1, err, out)
		}
		acked, err := readAcks(filepath.Join(dir, "acks.log"))
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, s := range acked {
			done += s + 1
		}
		t.Logf("run %d killed after %d of %d steps acknowledged", k+1, done, crashCustomers()*crashCycles*bench.CycleSteps)
	}
	cmd, out := crashWorker(t, dir, "finish")
	if err := cmd.Run(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	checkCrashRun(t, dir, kills)
}

// crashWorker is the child process in mode, on dir.
func crashWorker(t *testing.T, dir, mode string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	args := []string{"-test.run=^TestCrashWorker$", "-test.count=1"}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), envCrashDir+"="+dir, envCrashMode+"="+mode)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	killOnCleanup(t, cmd)
	return cmd, &out
}

// killOnCleanup kills cmd's process group when the test ends, pass or
// fail, unless it was waited for: no worker is left running. A test binary
// killed by go test's timeout runs no cleanup, so the worker is also told
// the test's pid, and ends when that process is gone (TestMain).
func killOnCleanup(t *testing.T, cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, envWorkerParent+"="+strconv.Itoa(os.Getpid()))
	t.Cleanup(func() {
		if cmd.Process == nil || cmd.ProcessState != nil {
			return
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
}

// waitProgress waits until the n-th run has started and acknowledged a
// message.
func waitProgress(t *testing.T, dir string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	acksAt := -1
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(filepath.Join(dir, "deliveries.log"))
		a, _ := os.ReadFile(filepath.Join(dir, "acks.log"))
		switch started := bytes.Count(b, []byte(startMarker+"\n")) >= n; {
		case started && acksAt < 0:
			acksAt = len(a)
		case started && len(a) > acksAt:
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("worker run %d did not start working", n)
}

// TestCrashWorker is the child process of TestCrashRecovery.
func TestCrashWorker(t *testing.T) {
	dir := os.Getenv(envCrashDir)
	if dir == "" {
		t.Skip("only as the crash test's worker process")
	}
	if err := crashWork(t, dir, os.Getenv(envCrashMode) == "finish"); err != nil {
		t.Fatal(err)
	}
}

// crashWiring opens the database and wires the engine as `supportbot run`
// does, with the shipped configuration.
func crashWiring(ctx context.Context, dbPath string) (*sqlite.DB, *bot.Engine, error) {
	db, engine, _, err := crashWiringJobs(ctx, dbPath)
	return db, engine, err
}

// crashWiringJobs is crashWiring with the scheduler of the shipped jobs.
func crashWiringJobs(ctx context.Context, dbPath string) (*sqlite.DB, *bot.Engine, *jobs.Scheduler, error) {
	env := &Env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: noEnv}
	fs, c := newFlags("crash", env)
	if err := fs.Parse(nil); err != nil {
		return nil, nil, nil, err
	}
	// No config file: the shipped defaults, as for a first start.
	c.configPath, c.dbPath = filepath.Join(filepath.Dir(dbPath), "absent.yaml"), dbPath
	s, err := c.load(fs, env)
	if err != nil {
		return nil, nil, nil, err
	}
	if v := os.Getenv(envCrashSync); v != "" {
		s.cfg.Storage.Sync = v // the power-cut test's check that it can fail
	}
	db, err := s.open(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	engine, sched, err := s.wire(db)
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	engine.SetLimits(s.cfg.EngineLimits())
	return db, engine, sched, nil
}

// crashWork plays every customer's script from where its acknowledgements
// stop, delivering the outbox as it goes. In finish mode it returns once
// everything is handled and delivered; otherwise it works until killed.
func crashWork(t *testing.T, dir string, finish bool) error {
	ctx := context.Background()
	db, engine, err := crashWiring(ctx, filepath.Join(dir, "bot.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	customers, err := bench.Seed(ctx, db, crashCustomers())
	if err != nil {
		return err
	}
	acked, err := readAcks(filepath.Join(dir, "acks.log"))
	if err != nil {
		return err
	}
	acks, err := os.OpenFile(filepath.Join(dir, "acks.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer acks.Close()
	deliveries, err := os.OpenFile(filepath.Join(dir, "deliveries.log"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer deliveries.Close()
	if _, err := deliveries.WriteString(startMarker + "\n"); err != nil {
		return err
	}

	clock := func() time.Time { return bench.Start.Add(48 * time.Hour) } // after every scripted message
	disp := outbox.NewDispatcher(db, outbox.DispatcherConfig{
		PollInterval: 20 * time.Millisecond, GroupInterval: -1, ChatInterval: -1, Overall: -1, Now: clock,
	})
	sender := logSender{f: deliveries}
	disp.Register("whatsapp", sender)
	disp.Register("telegram", sender)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var dispatching sync.WaitGroup
	dispatching.Go(func() { disp.Run(runCtx) })

	steps := crashCycles * bench.CycleSteps
	var wg sync.WaitGroup
	errs := make(chan error, len(customers))
	var ackMu sync.Mutex
	for i, c := range customers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))
			cl := bench.Client{Engine: engine, Customer: c}
			// The last acknowledged step is delivered again: the engine
			// must see it as a redelivery.
			for step := max(acked[c.Phone], 0); step < steps; step++ {
				if _, err := cl.Play(ctx, step); err != nil {
					errs <- fmt.Errorf("%s step %d: %w", c.Phone, step, err)
					return
				}
				ackMu.Lock()
				_, err := fmt.Fprintf(acks, "%s %d\n", c.Phone, step)
				ackMu.Unlock()
				if err != nil {
					errs <- err
					return
				}
				disp.Wake()
				if !finish {
					time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return err
	}
	if !finish {
		select {} // until killed
	}
	stop()
	dispatching.Wait()
	if err := disp.Flush(ctx); err != nil {
		return err
	}
	due, err := db.DueOutbox(ctx, clock(), 0)
	if err != nil {
		return err
	}
	if len(due) > 0 {
		return fmt.Errorf("%d messages still due after the final flush", len(due))
	}
	t.Logf("finished: %+v", engine.CommitStats())
	return nil
}

// logSender is the fake transport: a delivery is a line with the outbox id
// and the transport,
// written (one write call, so a kill cannot tear it) before the dispatcher
// marks the message sent.
type logSender struct{ f *os.File }

func (s logSender) Send(_ context.Context, m store.OutboxMessage) (string, error) {
	transport, _, _ := strings.Cut(m.To, ":")
	if _, err := s.f.WriteString(strconv.FormatInt(m.ID, 10) + " " + transport + "\n"); err != nil {
		return "", err
	}
	return "d" + strconv.FormatInt(m.ID, 10), nil
}

// readAcks is the last acknowledged step of each phone; a line torn by a
// kill is ignored (that step was not acknowledged).
func readAcks(path string) (map[string]int, error) {
	out := map[string]int{}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		phone, n, ok := strings.Cut(sc.Text(), " ")
		step, err := strconv.Atoi(n)
		if !ok || err != nil {
			continue
		}
		out[phone] = max(out[phone], step)
	}
	return out, nil
}

// checkCrashRun checks the database and the delivery log after the final
// run against what one uninterrupted run produces.
func checkCrashRun(t *testing.T, dir string, kills int) {
	ctx := context.Background()
	want := referenceRun(t)
	db, err := sqlite.Open(ctx, filepath.Join(dir, "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// Every step was recorded (customers' ids in their chat).
	steps := crashCycles * bench.CycleSteps
	for i := range crashCustomers() {
		phone := bench.Phone(i)
		for s := range steps {
			var seen bool
			var err error
			if bench.IsStaff(s) {
				seen, err = db.InboundSeen(ctx, bot.TransportTelegram, bench.StepID(phone, s))
			} else {
				seen, err = db.ChatInboundSeen(ctx, bot.TransportWhatsApp, phone, bench.StepID(phone, s))
			}
			if err != nil || !seen {
				t.Fatalf("step %d of %s was never recorded (%v)", s, phone, err)
			}
		}
	}

	// Tickets: each customer has exactly its cycles' tickets, all closed,
	// each with the messages of one cycle.
	ts, err := db.ListTickets(ctx, store.TicketFilter{})
	if err != nil {
		t.Fatal(err)
	}
	perCustomer := map[string]int{}
	for _, tk := range ts {
		perCustomer[tk.CustomerID]++
		if tk.Status != store.TicketClosed {
			t.Errorf("ticket %d is %s, want closed", tk.ID, tk.Status)
		}
		ms, err := db.Messages(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != want.messagesPerTicket {
			t.Errorf("ticket %d has %d messages, want %d", tk.ID, len(ms), want.messagesPerTicket)
		}
	}
	if len(perCustomer) != crashCustomers() {
		t.Errorf("%d customers have tickets, want %d", len(perCustomer), crashCustomers())
	}
	for c, n := range perCustomer {
		if n != crashCycles {
			t.Errorf("customer %s has %d tickets, want %d (one per request)", c, n, crashCycles)
		}
	}

	// Outbox: every message sent, as many to each recipient as without a crash.
	sent := allOutbox(t, db)
	per := map[string]int{}
	for _, m := range sent {
		per[m.To]++
		if m.Status != store.OutboxSent {
			t.Errorf("outbox %d to %s is %s, want sent", m.ID, m.To, m.Status)
		}
	}
	for i := range crashCustomers() {
		if to := outbox.WhatsApp(bench.Phone(i)); per[string(to)] != want.perCustomer {
			t.Errorf("%s got %d messages, want %d", to, per[string(to)], want.perCustomer)
		}
	}

	// Content and order, per chat: each customer got the replies of an
	// uninterrupted run, in that order, and each of its tickets holds the
	// messages of one, in order.
	byCustomer := map[string][]store.Ticket{}
	for _, tk := range ts {
		byCustomer[tk.Phone] = append(byCustomer[tk.Phone], tk)
	}
	for i := range crashCustomers() {
		phone := bench.Phone(i)
		if got := chatTexts(sent, string(outbox.WhatsApp(phone))); !slices.Equal(got, want.replies) {
			t.Errorf("%s's replies differ from an uninterrupted run's:\n%s", phone, firstDifference(got, want.replies))
		}
		mine := byCustomer[phone]
		slices.SortFunc(mine, func(a, b store.Ticket) int { return cmp.Compare(a.ID, b.ID) })
		got := ticketTexts(t, db, mine)
		if len(got) != len(want.conversation) {
			continue // counted above
		}
		for k := range got {
			if !slices.Equal(got[k], want.conversation[k]) {
				t.Errorf("%s's ticket %d differs from an uninterrupted run's:\n%s", phone, mine[k].ID, firstDifference(got[k], want.conversation[k]))
			}
		}
	}
	if got, w := per[string(outbox.StaffGroup)], want.staffPerCustomer*crashCustomers(); got != w {
		t.Errorf("staff group got %d messages, want %d", got, w)
	}

	// Deliveries: each message at least once; twice only one in flight
	// when a run was killed (the last delivery of that run in its
	// transport's lane: the lanes deliver side by side).
	b, err := os.ReadFile(filepath.Join(dir, "deliveries.log"))
	if err != nil {
		t.Fatal(err)
	}
	delivered := map[int64]int{}
	lastOfRun := map[int64]int{} // how many runs ended with this delivery
	last := map[string]int64{}   // by transport, in the current run
	for _, line := range strings.Split(string(b), "\n") {
		if line == startMarker {
			for _, id := range last {
				lastOfRun[id]++
			}
			clear(last)
			continue
		}
		n, transport, _ := strings.Cut(line, " ")
		id, err := strconv.ParseInt(n, 10, 64)
		if err != nil || transport == "" {
			continue // the empty end, or a line torn by the kill
		}
		delivered[id]++
		last[transport] = id
	}
	// Card edits queued together go as one (outbox.supersede): an edit
	// not delivered itself was delivered in the one of the same card
	// marked sent with it.
	editDelivered := map[string]bool{}
	for _, m := range sent {
		if m.Edit != 0 && delivered[m.ID] > 0 {
			editDelivered[fmt.Sprint(m.Edit, " ", m.ExternalID)] = true
		}
	}
	dups := 0
	for _, m := range sent {
		switch n := delivered[m.ID]; {
		case n == 0 && m.Edit != 0 && editDelivered[fmt.Sprint(m.Edit, " ", m.ExternalID)]:
		case n == 0:
			t.Errorf("outbox %d to %s was never delivered", m.ID, m.To)
		case n > 1:
			dups += n - 1
			if n > 1+lastOfRun[m.ID] {
				t.Errorf("outbox %d delivered %d times but in flight at only %d kills", m.ID, n, lastOfRun[m.ID])
			}
		}
	}
	if lanes := 2; dups > kills*lanes {
		t.Errorf("%d deliveries again after %d kills (at most one per transport lane each)", dups, kills)
	}
	t.Logf("%d kills: %d inbound, %d tickets, %d outbound messages, %d delivered again (each in flight at a kill)",
		kills, crashCustomers()*steps, len(ts), len(sent), dups)
}

// reference is what one customer's script produces without a crash.
type reference struct {
	perCustomer, staffPerCustomer, messagesPerTicket int
	// replies are the customer's outbound texts in order, and
	// conversation each ticket's messages in order (Author: text), all
	// through sameText.
	replies      []string
	conversation [][]string
}

// sameText is a text with every digit run (ASCII, Persian, Arabic) as #:
// ticket numbers, phones, company numbers and times differ between
// customers; the words and their order must not.
func sameText(s string) string {
	var b strings.Builder
	inDigits := false
	for _, r := range s {
		if unicode.IsDigit(r) {
			if !inDigits {
				b.WriteByte('#')
			}
			inDigits = true
			continue
		}
		inDigits = false
		b.WriteRune(r)
	}
	return b.String()
}

// chatTexts are the texts to one recipient, in outbox order.
func chatTexts(outbox []store.OutboxMessage, to string) []string {
	var out []string
	for _, m := range outbox {
		if m.To == to {
			out = append(out, sameText(m.Text))
		}
	}
	return out
}

// ticketTexts are a customer's tickets' messages, oldest ticket first,
// each in order.
func ticketTexts(t *testing.T, db *sqlite.DB, ts []store.Ticket) [][]string {
	t.Helper()
	var out [][]string
	for _, tk := range ts {
		ms, err := db.Messages(context.Background(), tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var conv []string
		for _, m := range ms {
			conv = append(conv, string(m.Direction)+": "+sameText(m.Text))
		}
		out = append(out, conv)
	}
	return out
}

// referenceRun plays one customer's script uninterrupted.
func referenceRun(t *testing.T) reference {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ref.db")
	sqlitetest.Create(t, path)
	db, engine, err := crashWiring(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cs, err := bench.Seed(ctx, db, 1)
	if err != nil {
		t.Fatal(err)
	}
	cl := bench.Client{Engine: engine, Customer: cs[0]}
	for s := range crashCycles * bench.CycleSteps {
		if _, err := cl.Play(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	var r reference
	for _, m := range allOutbox(t, db) {
		switch outbox.Address(m.To) {
		case outbox.StaffGroup:
			r.staffPerCustomer++
		case outbox.WhatsApp(cs[0].Phone):
			r.perCustomer++
		}
	}
	ts, err := db.ListTickets(ctx, store.TicketFilter{})
	if err != nil || len(ts) == 0 {
		t.Fatalf("reference run: tickets %v, %v", ts, err)
	}
	ms, err := db.Messages(ctx, ts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	r.messagesPerTicket = len(ms)
	r.replies = chatTexts(allOutbox(t, db), string(outbox.WhatsApp(cs[0].Phone)))
	slices.SortFunc(ts, func(a, b store.Ticket) int { return cmp.Compare(a.ID, b.ID) })
	r.conversation = ticketTexts(t, db, ts)
	return r
}

// firstDifference shows where two text sequences part.
func firstDifference(got, want []string) string {
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf("message %d of %d/%d:\n got  %q\n want %q", i+1, len(got), len(want), g, w)
		}
	}
	return "(equal)"
}

// allOutbox lists every outbox message by id.
func allOutbox(t *testing.T, db *sqlite.DB) []store.OutboxMessage {
	t.Helper()
	var out []store.OutboxMessage
	for id := int64(1); ; id++ {
		m, err := db.OutboxMessage(context.Background(), id)
		if errors.Is(err, store.ErrNotFound) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
}
