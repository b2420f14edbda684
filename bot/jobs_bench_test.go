package bot

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"supportbot/conversation"
)

// monthGap is a database a month of replay runs over: twenty unanswered
// tickets opened on the Friday morning before (each with two reminders and
// a breach alert in the gap), an hourly package that runs low, a contract
// whose end reminders fall in the gap, and a manager for the daily digests.
type monthGap struct {
	f      *jobsFixture
	replay *Replay
	out    *bytes.Buffer
	events []ScriptEvent
}

func newMonthGap(tb testing.TB) *monthGap {
	tb.Helper()
	f := newJobsFixture(tb, defaultJobs)
	f.endingContract(tb)
	f.charge(tb, "A-4", "2026-11-20 10:00", 2500)
	contracts := []struct{ id, phone string }{{"A-1", phoneSilver}, {"A-3", phoneProj}, {"G-1", phoneGold}, {"A-4", phoneProj}}
	for i := range 20 {
		c := contracts[i%len(contracts)]
		f.openAt(tb, fmt.Sprintf("2026-11-27 %02d:%02d", 8+i%4, 7*i%60), c.id, c.phone)
	}
	start := f.time(tb, "2026-11-27 12:00")
	out := &bytes.Buffer{}
	engine := NewEngine(f.db, conversation.New(f.desk.policy, conversation.Config{}), f.desk, f.p)
	return &monthGap{
		f:      f,
		out:    out,
		replay: &Replay{Engine: engine, Scheduler: f.sched, Out: out, Format: ReplayJSON, Loc: f.loc},
		events: []ScriptEvent{{Line: 1, At: start}, {Line: 2, At: start.AddDate(0, 0, 30)}},
	}
}

// TestReplayMonthGap checks what the benchmark replays: every deadline
// notice, the digests and the package and contract notes of the month.
func TestReplayMonthGap(t *testing.T) {
	g := newMonthGap(t)
	if err := g.replay.Run(context.Background(), g.events); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(g.out.String()), "\n") {
		switch {
		case strings.Contains(line, `"text":"⏰`):
			counts["reminder"]++
		case strings.Contains(line, `"text":"⛔`):
			counts["breach"]++
		case strings.Contains(line, `"file":{"kind":"image"`):
			counts["chart"]++
		case strings.Contains(line, `"to":"whatsapp:+98912123000`):
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
	var lines int
	for b.Loop() {
		b.StopTimer()
		g := newMonthGap(b)
		b.StartTimer()
		if err := g.replay.Run(ctx, g.events); err != nil {
			b.Fatal(err)
		}
		lines = strings.Count(g.out.String(), "\n")
	}
	b.ReportMetric(float64(lines), "msgs/op")
}
