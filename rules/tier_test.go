package rules

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestDefaultTiersMatchSpec reads like SPEC's tier tables, one row per tier.
func TestDefaultTiersMatchSpec(t *testing.T) {
	type row struct {
		kind                         Kind
		tier                         Tier
		days, perMonth               int
		phone, remote, dedicated     bool
		onsite, reinstalls, reviews  int
		customization, training, hrs int
		onsiteSeverity               []Severity
	}
	imp, crit := SeverityImportant, SeverityCritical
	rows := []row{
		// kind, tier, response days, requests a month, phone, remote, dedicated person,
		// on-site visits, reinstalls, reviews, customization hours, training hours,
		// package hours, on-site severities
		{KindProduct, TierBronze, 3, 5, false, false, false, 0, 1, 0, 0, 0, 0, nil},
		{KindProduct, TierSilver, 2, 10, false, true, false, 0, 1, 0, 0, 0, 0, nil},
		{KindProduct, TierGold, 1, -1, true, true, true, 4, 2, 0, 0, 0, 0, []Severity{imp, crit}},
		{KindProject, TierBase, 3, -1, false, true, false, 0, 0, 0, 0, 0, 0, nil},
		{KindProject, TierSilver, 2, -1, false, true, false, 1, 0, 1, 3, 2, 0, []Severity{crit}},
		{KindProject, TierGold, 1, -1, true, true, false, 2, 0, 2, 7, 4, 0, []Severity{imp, crit}},
		{KindHourly, TierH50, 0, -1, true, true, false, 0, 0, 0, 0, 0, 50, nil},
		{KindHourly, TierH100, 0, -1, true, true, false, 0, 0, 0, 0, 0, 100, nil},
		{KindHourly, TierH200, 0, -1, true, true, false, 0, 0, 0, 0, 0, 200, nil},
		{KindCRM, TierStandard, 3, -1, false, false, false, 0, 0, 0, 0, 0, 0, nil},
	}
	tiers := DefaultTiers()
	n := 0
	for _, m := range tiers {
		n += len(m)
	}
	if n != len(rows) {
		t.Errorf("DefaultTiers has %d tiers, SPEC has %d", n, len(rows))
	}
	for _, w := range rows {
		t.Run(string(w.kind)+"/"+string(w.tier), func(t *testing.T) {
			r, ok := tiers[w.kind][w.tier]
			if !ok {
				t.Fatal("missing")
			}
			got := row{w.kind, w.tier, r.ResponseDays, r.MonthlyRequests, r.Phone, r.Remote, r.Dedicated,
				r.Onsite, r.Reinstalls, r.Reviews, r.Customization, r.Training, r.Hours, r.OnsiteSeverity}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
		})
	}
	if err := tiers.Validate(); err != nil {
		t.Errorf("DefaultTiers().Validate() = %v", err)
	}
	if err := DefaultHourlyRules().Validate(); err != nil {
		t.Errorf("DefaultHourlyRules().Validate() = %v", err)
	}
	if got, want := DefaultHourlyRules(), (HourlyRules{TicketMinimumMin: 30, MonthCapPercent: 20, MonthMinimumMin: 300, CarryFromMonth: 10, ResponseDays: 2}); got != want {
		t.Errorf("DefaultHourlyRules() = %+v, want %+v", got, want)
	}
}

// TestDefaultTierKinds is our reading of SPEC's prose as request menus.
func TestDefaultTierKinds(t *testing.T) {
	const (
		P  = RequestProblem
		Q  = RequestQuestion
		RM = RequestRemote
		RI = RequestReinstall
		O  = RequestOnsite
		C  = RequestCustomization
		T  = RequestTraining
		RV = RequestReview
		CB = RequestCallback
		U  = RequestUpdate
	)
	hourly := []RequestKind{P, Q, RM, C, T, RV, CB}
	tests := []struct {
		kind Kind
		tier Tier
		want []RequestKind
	}{
		{KindProduct, TierBronze, []RequestKind{P, Q, RI, U}},
		{KindProduct, TierSilver, []RequestKind{P, Q, RM, RI, U}},
		{KindProduct, TierGold, []RequestKind{P, Q, RM, RI, O, T, CB, U}},
		{KindProject, TierBase, []RequestKind{P, Q, RM}},
		{KindProject, TierSilver, []RequestKind{P, Q, RM, O, C, T, RV}},
		{KindProject, TierGold, []RequestKind{P, Q, RM, O, C, T, RV, CB}},
		{KindHourly, TierH50, hourly},
		{KindHourly, TierH100, hourly},
		{KindHourly, TierH200, hourly},
		{KindCRM, TierStandard, []RequestKind{P, Q, U}},
	}
	tiers := DefaultTiers()
	for _, tt := range tests {
		got := slices.Clone(tiers[tt.kind][tt.tier].Kinds)
		slices.Sort(got)
		want := slices.Clone(tt.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s/%s kinds = %v, want %v", tt.kind, tt.tier, got, want)
		}
	}
}

func TestDefaultTiersAreFresh(t *testing.T) {
	a := DefaultTiers()
	a[KindProduct][TierGold].Kinds[0] = RequestUpdate
	delete(a, KindCRM)
	b := DefaultTiers()
	if b[KindProduct][TierGold].Kinds[0] != RequestProblem || b[KindCRM] == nil {
		t.Error("changing one DefaultTiers() result changed the next one")
	}
}

func TestTiersValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(Tiers)
		field  string
	}{
		{"unknown contract kind", func(ts Tiers) { ts["saas"] = map[Tier]TierRules{TierGold: {}} }, "tiers.saas"},
		{"unknown tier", func(ts Tiers) { ts[KindProduct]["platinum"] = ts[KindProduct][TierGold] }, "tiers.product.platinum"},
		{"missing tier", func(ts Tiers) { delete(ts[KindProduct], TierGold) }, "tiers.product.gold"},
		{"missing kind", func(ts Tiers) { delete(ts, KindCRM) }, "tiers.crm.standard"},
		{"no response deadline", ciEdit(KindProject, TierBase, func(r *TierRules) { r.ResponseDays = 0 }), "tiers.project.base.response_days"},
		{"negative hourly deadline", ciEdit(KindHourly, TierH50, func(r *TierRules) { r.ResponseDays = -1 }), "tiers.hourly.h50.response_days"},
		{"zero monthly requests", ciEdit(KindProduct, TierBronze, func(r *TierRules) { r.MonthlyRequests = 0 }), "tiers.product.bronze.monthly_requests"},
		{"monthly requests below -1", ciEdit(KindProduct, TierBronze, func(r *TierRules) { r.MonthlyRequests = -2 }), "tiers.product.bronze.monthly_requests"},
		{"no kinds", ciEdit(KindCRM, TierStandard, func(r *TierRules) { r.Kinds = nil }), "tiers.crm.standard.kinds"},
		{"unknown request kind", ciEdit(KindCRM, TierStandard, func(r *TierRules) { r.Kinds = append(r.Kinds, "pizza") }), "tiers.crm.standard.kinds"},
		{"duplicate request kind", ciEdit(KindCRM, TierStandard, func(r *TierRules) { r.Kinds = append(r.Kinds, RequestProblem) }), "tiers.crm.standard.kinds"},
		{"remote without the remote kind", ciEdit(KindProduct, TierBronze, func(r *TierRules) { r.Remote = true }), "tiers.product.bronze.kinds"},
		{"phone without callbacks", ciEdit(KindProduct, TierSilver, func(r *TierRules) { r.Phone = true }), "tiers.product.silver.kinds"},
		{"on-site visits without the kind", ciEdit(KindProduct, TierSilver, func(r *TierRules) { r.Onsite = 2 }), "tiers.product.silver.onsite_per_year"},
		{"negative reinstalls", ciEdit(KindProduct, TierSilver, func(r *TierRules) { r.Reinstalls = -1 }), "tiers.product.silver.reinstalls_per_year"},
		{"customization hours without the kind", ciEdit(KindProject, TierBase, func(r *TierRules) { r.Customization = 3 }), "tiers.project.base.customization_hours_per_year"},
		{"on-site without severities", ciEdit(KindProject, TierSilver, func(r *TierRules) { r.OnsiteSeverity = nil }), "tiers.project.silver.onsite_severities"},
		{"unknown severity", ciEdit(KindProject, TierSilver, func(r *TierRules) { r.OnsiteSeverity = []Severity{"urgent"} }), "tiers.project.silver.onsite_severities"},
		{"hourly without hours", ciEdit(KindHourly, TierH100, func(r *TierRules) { r.Hours = 0 }), "tiers.hourly.h100.hours"},
		{"hours on a product", ciEdit(KindProduct, TierGold, func(r *TierRules) { r.Hours = 10 }), "tiers.product.gold.hours"},
		{"dedicated person on a project", ciEdit(KindProject, TierGold, func(r *TierRules) { r.Dedicated = true }), "tiers.project.gold.dedicated_person"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := DefaultTiers()
			tt.change(ts)
			err := ts.Validate()
			if err == nil {
				t.Fatal("Validate() = nil, want an error")
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Validate() = %v, want a *FieldError", err)
			}
			if !ciHasField(err, tt.field) {
				t.Errorf("Validate() = %q, want an error naming %s", err, tt.field)
			}
		})
	}
}

// ciEdit changes one tier of a Tiers in place.
func ciEdit(k Kind, tier Tier, f func(*TierRules)) func(Tiers) {
	return func(ts Tiers) {
		r := ts[k][tier]
		f(&r)
		ts[k][tier] = r
	}
}

// ciHasField reports whether err (possibly joined) has a FieldError for field.
func ciHasField(err error, field string) bool {
	if fe, ok := err.(*FieldError); ok {
		return fe.Field == field
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if ciHasField(e, field) {
				return true
			}
		}
	}
	return false
}

func TestHourlyRulesValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*HourlyRules)
		field  string
	}{
		{"negative ticket minimum", func(h *HourlyRules) { h.TicketMinimumMin = -1 }, "hourly.ticket_minimum_minutes"},
		{"zero month cap", func(h *HourlyRules) { h.MonthCapPercent = 0 }, "hourly.month_cap_percent"},
		{"month cap above 100%", func(h *HourlyRules) { h.MonthCapPercent = 101 }, "hourly.month_cap_percent"},
		{"negative month minimum", func(h *HourlyRules) { h.MonthMinimumMin = -5 }, "hourly.month_minimum_minutes"},
		{"carry-over month 0", func(h *HourlyRules) { h.CarryFromMonth = 0 }, "hourly.carry_over_from_month"},
		{"carry-over month 14", func(h *HourlyRules) { h.CarryFromMonth = 14 }, "hourly.carry_over_from_month"},
		{"no response deadline", func(h *HourlyRules) { h.ResponseDays = 0 }, "hourly.response_days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := DefaultHourlyRules()
			tt.change(&h)
			if err := h.Validate(); !ciHasField(err, tt.field) {
				t.Errorf("Validate() = %v, want an error naming %s", err, tt.field)
			}
		})
	}
	never := DefaultHourlyRules()
	never.CarryFromMonth = 13
	if err := never.Validate(); err != nil {
		t.Errorf("carry-over month 13 (never): Validate() = %v, want nil", err)
	}
}

func TestParseKindAndTier(t *testing.T) {
	kinds := []struct {
		in   string
		want Kind
		err  bool
	}{
		{"product", KindProduct, false},
		{" Project ", KindProject, false},
		{"HOURLY", KindHourly, false},
		{"crm", KindCRM, false},
		{"saas", "", true},
		{"", "", true},
	}
	for _, tt := range kinds {
		got, err := ParseKind(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("ParseKind(%q) = %q, %v; want %q, error %t", tt.in, got, err, tt.want, tt.err)
		}
		if tt.err && !errors.Is(err, ErrUnknownKind) {
			t.Errorf("ParseKind(%q) error %v does not wrap ErrUnknownKind", tt.in, err)
		}
	}

	tiers := []struct {
		kind Kind
		in   string
		want Tier
		err  error
	}{
		{KindProduct, "bronze", TierBronze, nil},
		{KindProduct, " Gold\t", TierGold, nil},
		{KindProject, "BASE", TierBase, nil},
		{KindHourly, "H200", TierH200, nil},
		{KindCRM, "standard", TierStandard, nil},
		{KindProduct, "base", "", ErrUnknownTier},
		{KindProject, "bronze", "", ErrUnknownTier},
		{KindHourly, "h300", "", ErrUnknownTier},
		{KindProduct, "", "", ErrUnknownTier},
		{"saas", "gold", "", ErrUnknownKind},
	}
	for _, tt := range tiers {
		got, err := ParseTier(tt.kind, tt.in)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ParseTier(%s, %q) = %q, %v; want %q, %v", tt.kind, tt.in, got, err, tt.want, tt.err)
		}
	}
	if _, err := ParseTier(KindProduct, "base"); err == nil || !strings.Contains(err.Error(), "bronze, silver or gold") {
		t.Errorf("ParseTier(product, base) = %v, want it to list bronze, silver or gold", err)
	}

	valid := []struct {
		kind Kind
		tier Tier
		want bool
	}{
		{KindProduct, TierBronze, true},
		{KindProduct, TierBase, false},
		{KindProject, TierBase, true},
		{KindProject, TierSilver, true},
		{KindHourly, TierGold, false},
		{KindCRM, TierStandard, true},
		{"saas", TierStandard, false},
	}
	for _, tt := range valid {
		if got := ValidTier(tt.kind, tt.tier); got != tt.want {
			t.Errorf("ValidTier(%s, %s) = %t, want %t", tt.kind, tt.tier, got, tt.want)
		}
	}
	if got := TiersOf(KindProject); !slices.Equal(got, []Tier{TierBase, TierSilver, TierGold}) {
		t.Errorf("TiersOf(project) = %v", got)
	}
}

func TestLimits(t *testing.T) {
	p := &Policy{Tiers: DefaultTiers(), Hourly: DefaultHourlyRules()}
	tests := []struct {
		kind Kind
		tier Tier
		want Limits
	}{
		{KindProduct, TierBronze, Limits{RequestsPerMonth: 5, Reinstalls: 1}},
		{KindProduct, TierSilver, Limits{RequestsPerMonth: 10, Reinstalls: 1}},
		{KindProduct, TierGold, Limits{RequestsPerMonth: -1, Onsite: 4, Reinstalls: 2, TrainingMin: -1}},
		{KindProject, TierBase, Limits{RequestsPerMonth: -1}},
		{KindProject, TierSilver, Limits{RequestsPerMonth: -1, Onsite: 1, Reviews: 1, CustomizationMin: 180, TrainingMin: 120}},
		{KindProject, TierGold, Limits{RequestsPerMonth: -1, Onsite: 2, Reviews: 2, CustomizationMin: 420, TrainingMin: 240}},
		{KindHourly, TierH50, Limits{RequestsPerMonth: -1, Reviews: -1, CustomizationMin: -1, TrainingMin: -1, HoursTotalMin: 3000, MonthCapMin: 600}},
		{KindHourly, TierH200, Limits{RequestsPerMonth: -1, Reviews: -1, CustomizationMin: -1, TrainingMin: -1, HoursTotalMin: 12000, MonthCapMin: 2400}},
		{KindCRM, TierStandard, Limits{RequestsPerMonth: -1}},
		{KindProduct, "platinum", Limits{}},
	}
	for _, tt := range tests {
		if got := p.Limits(Contract{Kind: tt.kind, Tier: tt.tier}); got != tt.want {
			t.Errorf("Limits(%s/%s) = %+v, want %+v", tt.kind, tt.tier, got, tt.want)
		}
	}
}
