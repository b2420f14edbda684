package rules

import (
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	p := ciPolicy(t)
	now := ciAt(t, 1405, 9, 10, 10, 0) // a Monday in Azar
	confirmed := func(k Kind, tier Tier) Contract {
		return Contract{ID: "K-1", Kind: k, Tier: tier, PurchasedOn: ciJ(t, 1405, 6, 1), DeliveredOn: ciJ(t, 1405, 6, 10), ConfirmedOn: ciJ(t, 1405, 6, 12)}
	}
	bronze := confirmed(KindProduct, TierBronze)
	silver := confirmed(KindProduct, TierSilver)
	gold := confirmed(KindProduct, TierGold)
	projBase := confirmed(KindProject, TierBase)
	projSilver := confirmed(KindProject, TierSilver)
	projGold := confirmed(KindProject, TierGold)
	crm := Contract{Kind: KindCRM, Tier: TierStandard, PurchasedOn: ciJ(t, 1405, 1, 15)}
	h50 := Contract{Kind: KindHourly, Tier: TierH50, PurchasedOn: ciJ(t, 1405, 8, 1)}
	notDelivered := Contract{Kind: KindProject, Tier: TierGold, PurchasedOn: ciJ(t, 1405, 9, 1)}
	inWeek := Contract{Kind: KindProduct, Tier: TierSilver, PurchasedOn: ciJ(t, 1405, 9, 1), DeliveredOn: ciJ(t, 1405, 9, 5)}
	ended := Contract{Kind: KindProduct, Tier: TierBronze, PurchasedOn: ciJ(t, 1404, 9, 1), DeliveredOn: ciJ(t, 1404, 9, 5), ConfirmedOn: ciJ(t, 1404, 9, 10)}

	const tehran, mashhad = "تهران", "مشهد"
	tests := []struct {
		name string
		in   Intake
		want Denial
	}{
		// Contract status.
		{"not delivered yet: not_started", Intake{Contract: notDelivered, City: tehran}, DenyNotStarted},
		{"delivered, confirmation week not over: not_started", Intake{Contract: inWeek, City: tehran}, DenyNotStarted},
		{"a year after confirmation: contract_ended", Intake{Contract: ended, Kind: RequestProblem}, DenyContractEnded},
		{"hourly package used up: hours_exhausted", Intake{Contract: h50, Usage: Usage{HoursUsedMin: 3000}}, DenyHoursExhausted},

		// Monthly allowances, checked before a kind is chosen.
		{"bronze, 5th request of the month: allowed", Intake{Contract: bronze, Usage: Usage{MonthRequests: 4}}, Allowed},
		{"bronze, 6th request of the month: month_quota", Intake{Contract: bronze, Usage: Usage{MonthRequests: 5}}, DenyMonthQuota},
		{"silver, 11th request: month_quota", Intake{Contract: silver, Usage: Usage{MonthRequests: 10}}, DenyMonthQuota},
		{"gold has no monthly limit", Intake{Contract: gold, Usage: Usage{MonthRequests: 500}}, Allowed},
		{"h50 under its 10 hours this month", Intake{Contract: h50, Usage: Usage{HoursUsedMin: 900, MonthUsedMin: 599}}, Allowed},
		{"h50 at its 10 hours this month: hours_month_cap", Intake{Contract: h50, Usage: Usage{HoursUsedMin: 900, MonthUsedMin: 600}}, DenyHoursMonthCap},

		// The tier's kinds.
		{"bronze asks for remote connection: not_in_tier", Intake{Contract: bronze, Kind: RequestRemote}, DenyNotInTier},
		{"silver asks for remote connection", Intake{Contract: silver, Kind: RequestRemote}, Allowed},
		{"silver asks for a callback (ticket only): not_in_tier", Intake{Contract: silver, Kind: RequestCallback}, DenyNotInTier},
		{"project base asks for customization: not_in_tier", Intake{Contract: projBase, Kind: RequestCustomization}, DenyNotInTier},
		{"hourly never covers on-site visits", Intake{Contract: h50, Kind: RequestOnsite, City: tehran}, DenyNotInTier},
		{"CRM service covers same-version updates", Intake{Contract: crm, Kind: RequestUpdate}, Allowed},
		{"CRM service has no reinstalls", Intake{Contract: crm, Kind: RequestReinstall}, DenyNotInTier},
		{"silver on-site from Mashhad: not_in_tier comes first", Intake{Contract: silver, Kind: RequestOnsite, City: mashhad}, DenyNotInTier},

		// On-site geography.
		{"gold on-site from Mashhad: outside_tehran", Intake{Contract: gold, Kind: RequestOnsite, City: mashhad}, DenyOutsideTehran},
		{"gold on-site, no city on file: outside_tehran", Intake{Contract: gold, Kind: RequestOnsite}, DenyOutsideTehran},
		{"gold on-site from Mashhad, visits used up: outside_tehran first", Intake{Contract: gold, Usage: Usage{Onsite: 4}, Kind: RequestOnsite, City: mashhad}, DenyOutsideTehran},

		// Yearly allowances.
		{"gold, 4th on-site visit", Intake{Contract: gold, Usage: Usage{Onsite: 3}, Kind: RequestOnsite, City: "Tehran"}, Allowed},
		{"gold, 5th on-site visit: year_allowance_used", Intake{Contract: gold, Usage: Usage{Onsite: 4}, Kind: RequestOnsite, City: "Tehran"}, DenyYearAllowanceUsed},
		{"bronze, second reinstall: year_allowance_used", Intake{Contract: bronze, Usage: Usage{Reinstalls: 1}, Kind: RequestReinstall}, DenyYearAllowanceUsed},
		{"gold, second reinstall", Intake{Contract: gold, Usage: Usage{Reinstalls: 1}, Kind: RequestReinstall}, Allowed},
		{"project silver, second review: year_allowance_used", Intake{Contract: projSilver, Usage: Usage{Reviews: 1}, Kind: RequestReview}, DenyYearAllowanceUsed},
		{"project silver, 3 customization hours used: year_allowance_used", Intake{Contract: projSilver, Usage: Usage{CustomizationMin: 180}, Kind: RequestCustomization}, DenyYearAllowanceUsed},
		{"project gold, 6h59m of 7 customization hours used", Intake{Contract: projGold, Usage: Usage{CustomizationMin: 419}, Kind: RequestCustomization}, Allowed},
		{"project gold, 4 training hours used: year_allowance_used", Intake{Contract: projGold, Usage: Usage{TrainingMin: 240}, Kind: RequestTraining}, DenyYearAllowanceUsed},
		{"product gold training sessions have no hour cap", Intake{Contract: gold, Usage: Usage{TrainingMin: 6000}, Kind: RequestTraining}, Allowed},
		{"hourly customization is paid from the hours", Intake{Contract: h50, Usage: Usage{HoursUsedMin: 2000, CustomizationMin: 2000}, Kind: RequestCustomization}, Allowed},
		{"hourly reviews are paid from the hours", Intake{Contract: h50, Usage: Usage{Reviews: 9}, Kind: RequestReview}, Allowed},
		{"project gold, visits used up, severity known: year_allowance_used first", Intake{Contract: projGold, Usage: Usage{Onsite: 2}, Kind: RequestOnsite, Severity: SeverityNormal, City: tehran}, DenyYearAllowanceUsed},

		// Severity.
		{"project silver on-site for an important request: severity_not_covered", Intake{Contract: projSilver, Kind: RequestOnsite, Severity: SeverityImportant, City: tehran}, DenySeverityNotCovered},
		{"project silver on-site for a critical problem", Intake{Contract: projSilver, Kind: RequestOnsite, Severity: SeverityCritical, City: tehran}, Allowed},
		{"gold on-site for a normal request: severity_not_covered", Intake{Contract: gold, Kind: RequestOnsite, Severity: SeverityNormal, City: tehran}, DenySeverityNotCovered},
		{"gold on-site for an important request", Intake{Contract: gold, Kind: RequestOnsite, Severity: SeverityImportant, City: tehran}, Allowed},
		{"on-site, severity not chosen yet", Intake{Contract: projSilver, Kind: RequestOnsite, City: tehran}, Allowed},
		{"a normal problem is covered by every tier", Intake{Contract: bronze, Kind: RequestProblem, Severity: SeverityNormal}, Allowed},

		// Order of evaluation.
		{"ended and over quota: contract_ended first", Intake{Contract: ended, Usage: Usage{MonthRequests: 9}}, DenyContractEnded},
		{"over quota, kind not in tier: month_quota first", Intake{Contract: bronze, Usage: Usage{MonthRequests: 5}, Kind: RequestRemote}, DenyMonthQuota},
		{"unknown tier covers nothing", Intake{Contract: confirmed(KindProduct, "platinum"), Kind: RequestProblem}, DenyNotInTier},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.At.IsZero() {
				in.At = now
			}
			if got := p.Decide(in); got != tt.want {
				t.Errorf("Decide = %q, want %q", got, tt.want)
			}
		})
	}

	// Every denial code Decide can return has a case above.
	seen := map[Denial]bool{}
	for _, tt := range tests {
		seen[tt.want] = true
	}
	for _, d := range []Denial{DenyNotStarted, DenyContractEnded, DenyNotInTier, DenyMonthQuota, DenyYearAllowanceUsed,
		DenySeverityNotCovered, DenyOutsideTehran, DenyHoursExhausted, DenyHoursMonthCap} {
		if !seen[d] {
			t.Errorf("no case reaches %s", d)
		}
	}
}

// TestDecideMonthQuotaJalali: requests count per Jalali month, so the quota
// resets on 1 Dey (22 December), not on 1 January or 1 December.
func TestDecideMonthQuotaJalali(t *testing.T) {
	p := ciPolicy(t)
	bronze := Contract{Kind: KindProduct, Tier: TierBronze, PurchasedOn: ciJ(t, 1405, 6, 1), DeliveredOn: ciJ(t, 1405, 6, 10), ConfirmedOn: ciJ(t, 1405, 6, 12)}

	// Five tickets in Azar 1405, all in December 2026.
	opened := []time.Time{
		time.Date(2026, 12, 1, 9, 0, 0, 0, ciTehran),
		time.Date(2026, 12, 6, 9, 0, 0, 0, ciTehran),
		time.Date(2026, 12, 13, 9, 0, 0, 0, ciTehran),
		time.Date(2026, 12, 20, 9, 0, 0, 0, ciTehran),
		time.Date(2026, 12, 21, 16, 0, 0, 0, ciTehran),
	}
	// The store counts tickets opened in the Jalali month that holds at.
	monthRequests := func(at time.Time) int {
		from, to := JalaliMonthStart(at), JalaliMonthEnd(at)
		n := 0
		for _, o := range opened {
			if !o.Before(from) && o.Before(to) {
				n++
			}
		}
		return n
	}

	lateAzar := time.Date(2026, 12, 21, 23, 0, 0, 0, ciTehran) // 1405/09/30 23:00
	earlyDey := time.Date(2026, 12, 22, 0, 30, 0, 0, ciTehran) // 1405/10/01 00:30
	if y, m, d := JalaliOf(lateAzar); y != 1405 || m != 9 || d != 30 {
		t.Fatalf("JalaliOf(%v) = %d/%d/%d, want 1405/9/30", lateAzar, y, m, d)
	}
	if a, b := JalaliMonthStart(lateAzar), JalaliMonthStart(earlyDey); a.Equal(b) {
		t.Fatalf("JalaliMonthStart: %v and %v fall in the same month %v", lateAzar, earlyDey, a)
	}
	if got, want := JalaliMonthStart(lateAzar), ciAt(t, 1405, 9, 1, 0, 0); !got.Equal(want) {
		t.Errorf("JalaliMonthStart(%v) = %v, want 1 Azar %v", lateAzar, got, want)
	}
	if got, want := JalaliMonthStart(earlyDey), ciAt(t, 1405, 10, 1, 0, 0); !got.Equal(want) {
		t.Errorf("JalaliMonthStart(%v) = %v, want 1 Dey %v", earlyDey, got, want)
	}

	tests := []struct {
		name string
		at   time.Time
		want Denial
	}{
		{"last hour of Azar: five used", lateAzar, DenyMonthQuota},
		{"first hour of Dey: the quota starts again", earlyDey, Allowed},
		{"still December, a Gregorian counter would refuse", time.Date(2026, 12, 30, 10, 0, 0, 0, ciTehran), Allowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Intake{Contract: bronze, Usage: Usage{MonthRequests: monthRequests(tt.at)}, At: tt.at}
			if got := p.Decide(in); got != tt.want {
				t.Errorf("Decide at %v with %d requests = %q, want %q", tt.at, in.Usage.MonthRequests, got, tt.want)
			}
		})
	}
}

func TestFirstResponseDue(t *testing.T) {
	p := ciPolicy(t)
	oneDayHourly := ciPolicy(t)
	oneDayHourly.Hourly.ResponseDays = 1
	at := func(month time.Month, day, hh, mm int) time.Time {
		return time.Date(2026, month, day, hh, mm, 0, 0, ciTehran)
	}
	c := func(k Kind, tier Tier) Contract { return Contract{Kind: k, Tier: tier} }
	tests := []struct {
		name   string
		p      *Policy
		c      Contract
		opened time.Time
		want   time.Time
	}{
		// SPEC: a 1-business-day ticket opened Wednesday 17:00 is due Saturday 17:00.
		{"gold product, Wednesday 17:00", p, c(KindProduct, TierGold), at(11, 25, 17, 0), at(11, 28, 17, 0)},
		{"project gold, Wednesday 17:00", p, c(KindProject, TierGold), at(11, 25, 17, 0), at(11, 28, 17, 0)},
		{"silver product, 2 business days from Saturday 10:00", p, c(KindProduct, TierSilver), at(11, 28, 10, 0), at(11, 30, 10, 0)},
		{"bronze product, 3 business days from Saturday 10:00", p, c(KindProduct, TierBronze), at(11, 28, 10, 0), at(12, 1, 10, 0)},
		{"project base, 3 business days", p, c(KindProject, TierBase), at(11, 28, 10, 0), at(12, 1, 10, 0)},
		{"CRM service gets the base deadline", p, c(KindCRM, TierStandard), at(11, 28, 10, 0), at(12, 1, 10, 0)},
		{"hourly: 2 business days by default", p, c(KindHourly, TierH100), at(11, 28, 10, 0), at(11, 30, 10, 0)},
		{"hourly: the configured deadline", oneDayHourly, c(KindHourly, TierH100), at(11, 28, 10, 0), at(11, 29, 10, 0)},
		{"opened Friday: the clock starts Saturday 08:30", p, c(KindProduct, TierGold), at(11, 27, 11, 0), at(11, 28, 17, 30)},
		{"gold, Tuesday 10:00 Wednesday 2 Dey is a holiday (Birth of Imam Ali)", p, c(KindProduct, TierGold), at(12, 22, 10, 0), at(12, 26, 10, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.FirstResponseDue(tt.c, tt.opened); !got.Equal(tt.want) {
				t.Errorf("FirstResponseDue(%v) = %v, want %v", tt.opened, got, tt.want)
			}
		})
	}
}

func TestIsTehran(t *testing.T) {
	tests := []struct {
		city string
		want bool
	}{
		{"تهران", true},
		{" تهران ", true},
		{"ته\u200cران", true},       // stray ZWNJ
		{"\u200fتهران\u200e", true}, // direction marks
		{"تـهران", true},            // tatweel
		{"Tehran", true},
		{"TEHRAN", true},
		{" tehran\n", true},
		{"Teh ran", true},
		{"Teheran", true},
		{"مشهد", false},
		{"Mashhad", false},
		{"Tehran Province", false},
		{"تهرانسر", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsTehran(tt.city); got != tt.want {
			t.Errorf("IsTehran(%q) = %t, want %t", tt.city, got, tt.want)
		}
	}
}

// TestUsageMatters: wherever UsageMatters says no, Decide gives the same
// answer with no usage as with any usage, for every tier of the shipped
// tables, every kind and severity, at several points of a contract's life;
// and it says yes where usage can change the answer.
func TestUsageMatters(t *testing.T) {
	p := ciPolicy(t)
	now := ciAt(t, 1405, 9, 10, 10, 0)
	usages := []Usage{
		{MonthRequests: 1000, Onsite: 100, Reinstalls: 100, Reviews: 100, TrainingMin: 1e5, CustomizationMin: 1e5, HoursUsedMin: 1e6, MonthUsedMin: 1e5},
		{MonthRequests: 3, Onsite: 1, Reinstalls: 1, Reviews: 1, TrainingMin: 90, CustomizationMin: 90, HoursUsedMin: 600, MonthUsedMin: 120},
	}
	matters := 0
	for kind, tiers := range p.Tiers {
		for tier := range tiers {
			for _, c := range []Contract{
				{ID: "K", Kind: kind, Tier: tier, PurchasedOn: ciJ(t, 1405, 6, 1), DeliveredOn: ciJ(t, 1405, 6, 10), ConfirmedOn: ciJ(t, 1405, 6, 12)},
				{ID: "K", Kind: kind, Tier: tier, PurchasedOn: ciJ(t, 1405, 8, 1)},
				{ID: "K", Kind: kind, Tier: tier, PurchasedOn: ciJ(t, 1404, 6, 1), DeliveredOn: ciJ(t, 1404, 6, 10)},
			} {
				for _, k := range append([]RequestKind{""}, AllRequestKinds...) {
					for _, sev := range append([]Severity{""}, AllSeverities...) {
						in := Intake{Contract: c, Kind: k, Severity: sev, City: "تهران", At: now}
						base := p.Decide(in)
						changes := false
						for _, u := range usages {
							in.Usage = u
							if p.Decide(in) != base {
								changes = true
							}
						}
						switch {
						case changes && !p.UsageMatters(c, k):
							t.Errorf("%s/%s %q %q: usage changes Decide but UsageMatters is false", kind, tier, k, sev)
						case changes:
							matters++
						}
					}
				}
			}
		}
	}
	if matters == 0 {
		t.Fatal("usage never changed a decision: the test proves nothing")
	}
	gold := Contract{Kind: KindProduct, Tier: TierGold}
	if p.UsageMatters(gold, RequestProblem) || !p.UsageMatters(gold, RequestOnsite) {
		t.Errorf("gold: problem %v, onsite %v; want false, true", p.UsageMatters(gold, RequestProblem), p.UsageMatters(gold, RequestOnsite))
	}
}
