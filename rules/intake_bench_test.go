package rules

import (
	"testing"
	"time"
)

// BenchmarkDecide runs the longest path: an allowed on-site request that
// passes every check.
func BenchmarkDecide(b *testing.B) {
	p := ciPolicy(b)
	in := Intake{
		Contract: Contract{Kind: KindProduct, Tier: TierGold, PurchasedOn: ciJ(b, 1405, 6, 1), DeliveredOn: ciJ(b, 1405, 6, 10), ConfirmedOn: ciJ(b, 1405, 6, 12)},
		Usage:    Usage{MonthRequests: 7, Onsite: 1, Reinstalls: 1},
		Kind:     RequestOnsite,
		Severity: SeverityCritical,
		City:     "تهران",
		At:       ciAt(b, 1405, 9, 10, 10, 0),
	}
	if d := p.Decide(in); d != Allowed {
		b.Fatalf("Decide = %q, want allowed", d)
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Decide(in)
	}
}

// BenchmarkFirstResponseDue computes a 3-day deadline across a weekend.
func BenchmarkFirstResponseDue(b *testing.B) {
	p := ciPolicy(b)
	c := Contract{Kind: KindProduct, Tier: TierBronze}
	opened := time.Date(2026, 11, 25, 17, 0, 0, 0, ciTehran) // Wednesday
	b.ReportAllocs()
	for b.Loop() {
		p.FirstResponseDue(c, opened)
	}
}
