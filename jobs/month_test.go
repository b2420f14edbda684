package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"supportbot/store"
)

// monthGap is a database a month of replay runs over: twenty unanswered
// tickets opened on the Friday morning before (each with two reminders and
// a breach alert in the gap), an hourly package that runs low, a contract
// whose end reminders fall in the gap, and a manager for the daily digests.
type monthGap struct {
	f          *jobsFixture
	start, end time.Time
}

func newMonthGap(tb testing.TB) *monthGap {
	tb.Helper()
	f := newJobsFixture(tb, defaultJobs)
	f.endingContract(tb)
	f.Charge(tb, "A-4", "2026-11-20 10:00", 2500)
	contracts := []struct{ id, phone string }{{"A-1", phoneSilver}, {"A-3", phoneProj}, {"G-1", phoneGold}, {"A-4", phoneProj}}
	for i := range 20 {
		c := contracts[i%len(contracts)]
		f.openAt(tb, fmt.Sprintf("2026-11-27 %02d:%02d", 8+i%4, 7*i%60), c.id, c.phone)
	}
	start := f.Time(tb, "2026-11-27 12:00")
	return &monthGap{f: f, start: start, end: start.AddDate(0, 0, 30)}
}

// run moves the clock over the gap as a replay does (every job at every
// instant it falls due) and returns what the jobs enqueued.
func (g *monthGap) run(ctx context.Context) ([]store.OutboxMessage, error) {
	if err := g.f.sched.RunDue(ctx, g.start, g.start); err != nil {
		return nil, err
	}
	if err := g.f.sched.RunDue(ctx, g.start, g.end); err != nil {
		return nil, err
	}
	return g.f.DB.DueOutbox(ctx, g.end, 10000)
}

// TestReplayMonthGap checks what the benchmark replays: every deadline
// notice, the digests and the package and contract notes of the month.
func TestReplayMonthGap(t *testing.T) {
	g := newMonthGap(t)
	sent, err := g.run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, m := range sent {
		switch {
		case strings.HasPrefix(m.Text, "⏰"):
			counts["reminder"]++
		case strings.HasPrefix(m.Text, "⛔"):
			counts["breach"]++
		case m.File != nil && m.File.Kind == store.FileImage:
			counts["chart"]++
		case strings.HasPrefix(m.To, "whatsapp:+98912123000"):
			counts["customer"]++
		}
	}
	// 21 digests: the office days from Saturday 1405/09/07 to Sunday
	// 1405/10/06 less the holiday of 1405/10/02. The customers: the low
	// package once, and both phones of P-7 at 30 and 7 days.
	want := map[string]int{"reminder": 40, "breach": 40, "chart": 21, "customer": 1 + 2*2}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s lines: %d, want %d (all: %v)", k, counts[k], n, counts)
		}
	}
}

// BenchmarkReplayMonthGap replays a 30-day clock move: each scheduled job
// runs once per instant it falls due, not once a minute.
func BenchmarkReplayMonthGap(b *testing.B) {
	ctx := context.Background()
	var msgs int
	for b.Loop() {
		b.StopTimer()
		g := newMonthGap(b)
		b.StartTimer()
		sent, err := g.run(ctx)
		if err != nil {
			b.Fatal(err)
		}
		msgs = len(sent)
	}
	b.ReportMetric(float64(msgs), "msgs/op")
}
