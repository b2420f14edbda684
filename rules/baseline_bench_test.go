package rules

import (
	"testing"
	"time"
)

// BenchmarkBaselineAddDate is the yardstick for the calendar benchmarks: the
// cost of the standard library's own calendar step in the same zone, so the
// deadline figures can be read as a ratio measured in the same run.
func BenchmarkBaselineAddDate(b *testing.B) {
	loc := time.FixedZone("Asia/Tehran", 3*3600+1800)
	t := time.Date(2026, 11, 25, 17, 0, 0, 0, loc)
	var sink time.Time
	for b.Loop() {
		sink = t.AddDate(0, 0, 3)
	}
	_ = sink
}
