package bench

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"supportbot/store/sqlite"
)

// TestRunSmall runs the whole load run in small and checks the report is
// filled in and adds up.
func TestRunSmall(t *testing.T) {
	r, err := Run(context.Background(), Options{Customers: 20, Messages: 400, Rate: 2000, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", r)
	if r.Customers != 20 || r.Messages != 400 || r.StaffMessages == 0 {
		t.Errorf("report counts: %+v", r)
	}
	for name, v := range map[string]float64{
		"seconds": r.Seconds, "msgs_per_sec": r.MsgsPerSec, "p50": r.P50, "p99": r.P99,
		"baseline": r.BaselineTxnPerSec, "ratio": r.Ratio, "db_mb": r.DBMB,
		"baseline_before": r.BaselineBefore, "baseline_after": r.BaselineAfter, "statements": r.Statements,
	} {
		if v <= 0 {
			t.Errorf("%s = %v, want > 0", name, v)
		}
	}
	if _, err := os.Stat("/proc/self/status"); err == nil && (r.PeakRSSMB <= 0 || r.CPUPerMessage <= 0) {
		t.Errorf("peak_rss_mb = %v, cpu_us_per_message = %v", r.PeakRSSMB, r.CPUPerMessage)
	}
	if r.P50 > r.P95 || r.P95 > r.P99 {
		t.Errorf("percentiles out of order: %v %v %v", r.P50, r.P95, r.P99)
	}
}

// fixture is a seeded database with an engine, for the benchmarks.
func fixture(b *testing.B, customers int) ([]*player, *sqlite.DB) {
	b.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	cs, err := Seed(ctx, db, customers)
	if err != nil {
		b.Fatal(err)
	}
	eng, err := NewEngine(db)
	if err != nil {
		b.Fatal(err)
	}
	ps := make([]*player, len(cs))
	for i, c := range cs {
		ps[i] = &player{c: Client{Engine: eng, Customer: c}}
	}
	return ps, db
}

// BenchmarkHandleCustomer is one customer message at a time through the
// whole path (the script's mix of menus, new tickets and follow-ups), each
// in its own commit: the latency floor. Staff steps run between, untimed.
func BenchmarkHandleCustomer(b *testing.B) {
	ps, db := fixture(b, 100)
	ctx := context.Background()
	b.ReportAllocs()
	// Statements a customer message, staff steps left out (docs/performance.md).
	var stmts int64
	i := 0
	for b.Loop() {
		p := ps[i%len(ps)]
		i++
		for IsStaff(p.next) {
			b.StopTimer()
			if _, _, err := p.play(ctx); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		s0 := db.Statements()
		if _, _, err := p.play(ctx); err != nil {
			b.Fatal(err)
		}
		stmts += db.Statements() - s0
	}
	b.ReportMetric(float64(stmts)/float64(b.N), "stmts/op")
}

// BenchmarkHandleCustomerParallel is 256 customers writing at once, so
// their messages share commits (group commit); the staff steps of the
// script run too, counted in the time but not in b.N.
func BenchmarkHandleCustomerParallel(b *testing.B) {
	ps, _ := fixture(b, 256)
	ctx := context.Background()
	free := make(chan *player, len(ps))
	for _, p := range ps {
		free <- p
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	defer func() { b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op") }()
	b.SetParallelism(len(ps) / runtime.GOMAXPROCS(0))
	b.RunParallel(func(pb *testing.PB) {
		p := <-free
		defer func() { free <- p }()
		for pb.Next() {
			for IsStaff(p.next) {
				if _, _, err := p.play(ctx); err != nil {
					b.Error(err)
					return
				}
			}
			if _, _, err := p.play(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkBaseline is one bare one-row insert transaction with the store's
// connection settings (txn-ns/op leaves out creating the file).
func BenchmarkBaseline(b *testing.B) {
	took, err := sqlite.Baseline(context.Background(), filepath.Join(b.TempDir(), "baseline.db"), sqlite.SyncFull, b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(took.Nanoseconds())/float64(b.N), "txn-ns/op")
}
