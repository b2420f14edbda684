package jobs_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"supportbot/bot"
	"supportbot/jobs"
	"supportbot/jobs/jobstest"
	"supportbot/rules"
	"supportbot/store"
)

// The world's phones and people.
const (
	phoneSilver = jobstest.PhoneSilver
	phoneProj   = jobstest.PhoneProj
	phoneGold   = jobstest.PhoneGold
	staffSara   = jobstest.StaffSara
	managerReza = jobstest.ManagerReza
	dedicated   = jobstest.Dedicated
)

// defaultJobs is the shipped schedule (config.example.yaml).
var defaultJobs = jobs.Config{
	Reminders:       []time.Duration{2 * time.Hour, 30 * time.Minute},
	Digest:          "0 8 * * *",
	ContractEndDays: []int{30, 7},
	InboundIDDays:   90,
}

// jobsFixture is the test world with the real staff desk (the jobs'
// environment, as `supportbot run` wires it), with a files folder for
// charts, the scheduled jobs of cfg and a scheduler that fires them.
type jobsFixture struct {
	*jobstest.World
	desk  *bot.Desk
	cfg   jobs.Config
	work  *jobs.Work
	sched *jobs.Scheduler
}

func newJobsFixture(tb testing.TB, cfg jobs.Config) *jobsFixture {
	tb.Helper()
	w := jobstest.New(tb)
	f := &jobsFixture{World: w, cfg: cfg}
	f.desk = bot.NewDesk(w.Policy, w.Printer, bot.DeskConfig{Managers: []int64{managerReza}, StaffChatID: -100, FilesDir: tb.TempDir()})
	f.restart(tb)
	return f
}

// restart builds new jobs and a new scheduler on the same database, as a
// restarted bot would.
func (f *jobsFixture) restart(tb testing.TB) {
	tb.Helper()
	f.work = jobs.New(f.desk.JobsEnv(f.DB), f.cfg)
	f.sched = &jobs.Scheduler{}
	if err := f.work.Register(f.sched); err != nil {
		tb.Fatal(err)
	}
}

// run fires every job due in (from, to].
func (f *jobsFixture) run(tb testing.TB, from, to time.Time) {
	tb.Helper()
	if err := f.sched.RunDue(context.Background(), from, to); err != nil {
		tb.Fatal(err)
	}
}

// schedule is the registered job's schedule.
func (f *jobsFixture) schedule(tb testing.TB, name string) jobs.Job {
	tb.Helper()
	for _, j := range f.sched.Jobs() {
		if j.Name == name {
			return j
		}
	}
	tb.Fatalf("no job %s", name)
	return jobs.Job{}
}

// ticket opens a ticket on contract for phone at the clock, as the
// conversation would, and posts its card.
func (f *jobsFixture) ticket(tb testing.TB, contractID, phone string, kind rules.RequestKind, sev rules.Severity) store.Ticket {
	tb.Helper()
	ctx := context.Background()
	var t store.Ticket
	err := f.DB.InTx(ctx, func(tx store.Store) error {
		t = f.Ticket(tb, tx, contractID, phone, kind, sev)
		return f.desk.TicketOpened(ctx, tx, t, f.At)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// openAt opens a ticket on contractID at a Tehran wall-clock time
// "2006-01-02 15:04" and posts its card.
func (f *jobsFixture) openAt(tb testing.TB, at, contractID, phone string) store.Ticket {
	tb.Helper()
	f.At = f.Time(tb, at)
	return f.ticket(tb, contractID, phone, rules.RequestProblem, rules.SeverityNormal)
}

// card is the outbox id of a ticket's card.
func (f *jobsFixture) card(tb testing.TB, ticketID int64) int64 {
	tb.Helper()
	id, err := f.desk.JobsEnv(f.DB).Desk.Card(context.Background(), f.DB, ticketID)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// staff is a message from Sara in the staff group at the clock.
func (f *jobsFixture) staff(text string) bot.StaffInput {
	return bot.StaffInput{At: f.At, Chat: bot.ChatStaff, UserID: staffSara, UserName: "Sara", Text: text}
}

// handle runs one staff input through the desk in its own transaction.
func (f *jobsFixture) handle(tb testing.TB, in bot.StaffInput) {
	tb.Helper()
	ctx := context.Background()
	if err := f.DB.InTx(ctx, func(tx store.Store) error { return f.desk.HandleStaff(ctx, tx, in) }); err != nil {
		tb.Fatalf("HandleStaff(%+v): %v", in, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
