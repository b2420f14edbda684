package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrUnknownKind is wrapped by ParseKind so importers can tell a bad kind
// column from other row errors.
var ErrUnknownKind = errors.New("unknown contract kind")

// ErrUnknownTier is wrapped by ParseTier so importers can tell a bad tier
// column from other row errors.
var ErrUnknownTier = errors.New("unknown tier")

// contractKinds lists the contract kinds in SPEC's order.
var contractKinds = []Kind{KindProduct, KindProject, KindHourly, KindCRM}

// kindTiers lists each kind's tiers in SPEC's order (cheapest first).
var kindTiers = map[Kind][]Tier{
	KindProduct: {TierBronze, TierSilver, TierGold},
	KindProject: {TierBase, TierSilver, TierGold},
	KindHourly:  {TierH50, TierH100, TierH200},
	KindCRM:     {TierStandard},
}

// TiersOf lists the tiers a contract of kind k may carry, cheapest first, so
// importers and menus need no table of their own; nil for an unknown kind.
func TiersOf(k Kind) []Tier { return slices.Clone(kindTiers[k]) }

// ValidTier reports whether t is one of kind k's tiers, so a product can
// never be imported as "h50" or a project as "bronze".
func ValidTier(k Kind, t Tier) bool { return slices.Contains(kindTiers[k], t) }

// ParseKind reads a contract kind as people type it in a CSV (any case,
// surrounding spaces ignored), so the import names a bad value instead of
// storing it.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	if _, ok := kindTiers[k]; !ok {
		return "", fmt.Errorf("%w %q (want product, project, hourly or crm)", ErrUnknownKind, s)
	}
	return k, nil
}

// ParseTier reads a tier of kind k as people type it (any case, surrounding
// spaces ignored) and refuses tiers of other kinds, so a contract row is
// checked as a whole.
func ParseTier(k Kind, s string) (Tier, error) {
	tiers, ok := kindTiers[k]
	if !ok {
		return "", fmt.Errorf("%w %q", ErrUnknownKind, string(k))
	}
	t := Tier(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(tiers, t) {
		return "", fmt.Errorf("%w %q for %s (want %s)", ErrUnknownTier, s, k, joinTiers(tiers))
	}
	return t, nil
}

func joinTiers(tiers []Tier) string {
	names := make([]string, len(tiers))
	for i, t := range tiers {
		names[i] = string(t)
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// DefaultTiers returns SPEC's tier tables, the values shipped in
// config.example.yaml; each call returns a fresh copy the caller may change.
//
// SPEC describes coverage in prose ("guidance and training: website only",
// "channels: ticket only"); the Kinds lists below are our reading of it in
// terms of the request menu: a kind is listed when the column offers that
// service, "callback" only where the channel is "ticket and phone", "remote"
// only where remote connection is "yes", and "update" for products (same
// version updates) and the CRM service.
func DefaultTiers() Tiers {
	return Tiers{
		KindProduct: {
			TierBronze: {
				ResponseDays:    3,
				MonthlyRequests: 5,
				Kinds:           []RequestKind{RequestProblem, RequestQuestion, RequestReinstall, RequestUpdate},
				Reinstalls:      1,
			},
			TierSilver: {
				ResponseDays:    2,
				Remote:          true,
				MonthlyRequests: 10,
				Kinds:           []RequestKind{RequestProblem, RequestQuestion, RequestRemote, RequestReinstall, RequestUpdate},
				Reinstalls:      1,
			},
			TierGold: {
				ResponseDays:    1,
				Phone:           true,
				Remote:          true,
				MonthlyRequests: -1,
				Kinds: []RequestKind{RequestProblem, RequestQuestion, RequestRemote, RequestReinstall,
					RequestOnsite, RequestTraining, RequestCallback, RequestUpdate},
				Onsite:         4,
				OnsiteSeverity: []Severity{SeverityImportant, SeverityCritical},
				Reinstalls:     2,
				Training:       0, // periodic sessions, no hour budget: no yearly cap
				Dedicated:      true,
			},
		},
		KindProject: {
			TierBase: {
				ResponseDays:    3,
				Remote:          true,
				MonthlyRequests: -1,
				Kinds:           []RequestKind{RequestProblem, RequestQuestion, RequestRemote},
			},
			TierSilver: {
				ResponseDays:    2,
				Remote:          true,
				MonthlyRequests: -1,
				Kinds: []RequestKind{RequestProblem, RequestQuestion, RequestRemote, RequestOnsite,
					RequestCustomization, RequestTraining, RequestReview},
				Onsite:         1,
				OnsiteSeverity: []Severity{SeverityCritical},
				Reviews:        1,
				Customization:  3,
				Training:       2,
			},
			TierGold: {
				ResponseDays:    1,
				Phone:           true,
				Remote:          true,
				MonthlyRequests: -1,
				Kinds: []RequestKind{RequestProblem, RequestQuestion, RequestRemote, RequestOnsite,
					RequestCustomization, RequestTraining, RequestReview, RequestCallback},
				Onsite:         2,
				OnsiteSeverity: []Severity{SeverityImportant, SeverityCritical},
				Reviews:        2,
				Customization:  7,
				Training:       4,
			},
		},
		KindHourly: {
			// ResponseDays 0: the deadline is HourlyRules.ResponseDays.
			TierH50:  hourlyTier(50),
			TierH100: hourlyTier(100),
			TierH200: hourlyTier(200),
		},
		KindCRM: {
			TierStandard: {
				// SPEC gives no deadline for the CRM platform service; it
				// gets the base deadline of the other tables.
				ResponseDays:    3,
				MonthlyRequests: -1,
				Kinds:           []RequestKind{RequestProblem, RequestQuestion, RequestUpdate},
			},
		},
	}
}

func hourlyTier(hours int) TierRules {
	return TierRules{
		Phone:           true,
		Remote:          true,
		MonthlyRequests: -1,
		Kinds: []RequestKind{RequestProblem, RequestQuestion, RequestRemote, RequestCustomization,
			RequestTraining, RequestReview, RequestCallback},
		Hours: hours,
	}
}

// DefaultHourlyRules returns SPEC's hourly-package accounting, the values
// shipped in config.example.yaml.
func DefaultHourlyRules() HourlyRules {
	return HourlyRules{
		TicketMinimumMin: 30,
		MonthCapPercent:  20,
		MonthMinimumMin:  300,
		CarryFromMonth:   10, // Dey
		ResponseDays:     2,
	}
}

// FieldError names the config field that holds a bad value, so an operator
// editing the YAML file finds it without reading code.
type FieldError struct {
	Field  string // e.g. "tiers.product.gold.onsite_per_year"
	Reason string
}

// Error reports the field and what is wrong with it.
func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Validate reports every tier that is missing, unknown or not sane, each as
// a *FieldError named tiers.<kind>.<tier>.<field>, so a config edit cannot
// leave a contract without rules or with rules Decide cannot apply.
func (t Tiers) Validate() error {
	var errs []error
	for k, tiers := range t {
		if _, ok := kindTiers[k]; !ok {
			errs = append(errs, fieldErr("tiers."+string(k), "unknown contract kind"))
			continue
		}
		for name := range tiers {
			if !ValidTier(k, name) {
				errs = append(errs, fieldErr("tiers."+string(k)+"."+string(name), "unknown tier for %s (want %s)", k, joinTiers(kindTiers[k])))
			}
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	for _, k := range contractKinds {
		for _, name := range kindTiers[k] {
			prefix := "tiers." + string(k) + "." + string(name)
			r, ok := t[k][name]
			if !ok {
				errs = append(errs, fieldErr(prefix, "missing"))
				continue
			}
			errs = append(errs, r.validate(prefix, k)...)
		}
	}
	return errors.Join(errs...)
}

func (r TierRules) validate(prefix string, k Kind) []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fieldErr(prefix+"."+field, format, args...))
	}
	if k == KindHourly {
		if r.ResponseDays < 0 {
			bad("response_days", "must be 0 (use hourly.response_days) or more, got %d", r.ResponseDays)
		}
		if r.Hours <= 0 {
			bad("hours", "must be positive, got %d", r.Hours)
		}
	} else {
		if r.ResponseDays < 1 {
			bad("response_days", "must be at least 1, got %d", r.ResponseDays)
		}
		if r.Hours != 0 {
			bad("hours", "only hourly packages have hours, got %d", r.Hours)
		}
	}
	if r.MonthlyRequests == 0 || r.MonthlyRequests < -1 {
		bad("monthly_requests", "must be positive or -1 for unlimited, got %d", r.MonthlyRequests)
	}
	if len(r.Kinds) == 0 {
		bad("kinds", "must list at least one request kind")
	}
	for i, rk := range r.Kinds {
		switch {
		case !slices.Contains(AllRequestKinds, rk):
			bad("kinds", "unknown request kind %q", rk)
		case slices.Contains(r.Kinds[:i], rk):
			bad("kinds", "%q listed twice", rk)
		}
	}
	has := func(rk RequestKind) bool { return slices.Contains(r.Kinds, rk) }
	if r.Remote != has(RequestRemote) {
		bad("kinds", "remote_connection is %t, so %q must be %s", r.Remote, RequestRemote, listedOrNot(r.Remote))
	}
	if r.Phone != has(RequestCallback) {
		bad("kinds", "phone is %t, so %q must be %s", r.Phone, RequestCallback, listedOrNot(r.Phone))
	}
	for _, c := range []struct {
		field string
		n     int
		kind  RequestKind
	}{
		{"onsite_per_year", r.Onsite, RequestOnsite},
		{"reinstalls_per_year", r.Reinstalls, RequestReinstall},
		{"reviews_per_year", r.Reviews, RequestReview},
		{"customization_hours_per_year", r.Customization, RequestCustomization},
		{"training_hours_per_year", r.Training, RequestTraining},
	} {
		switch {
		case c.n < 0:
			bad(c.field, "must not be negative (0 means no yearly cap), got %d", c.n)
		case c.n > 0 && !has(c.kind):
			bad(c.field, "is %d but kinds does not list %q", c.n, c.kind)
		}
	}
	if has(RequestOnsite) && len(r.OnsiteSeverity) == 0 {
		bad("onsite_severities", "must list at least one severity when kinds lists %q", RequestOnsite)
	}
	if !has(RequestOnsite) && len(r.OnsiteSeverity) > 0 {
		bad("onsite_severities", "set but kinds does not list %q", RequestOnsite)
	}
	for _, s := range r.OnsiteSeverity {
		if !slices.Contains(AllSeverities, s) {
			bad("onsite_severities", "unknown severity %q", s)
		}
	}
	if r.Dedicated && k != KindProduct {
		bad("dedicated_person", "only product tiers have a dedicated person")
	}
	return errs
}

func listedOrNot(listed bool) string {
	if listed {
		return "listed"
	}
	return "left out"
}

// Validate reports every hourly accounting value that is not sane, each as
// a *FieldError named hourly.<field>, so a bad config fails at start-up
// instead of at month end.
func (h HourlyRules) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fieldErr("hourly."+field, format, args...))
	}
	if h.TicketMinimumMin < 0 {
		bad("ticket_minimum_minutes", "must not be negative, got %d", h.TicketMinimumMin)
	}
	if h.MonthCapPercent < 1 || h.MonthCapPercent > 100 {
		bad("month_cap_percent", "must be 1 to 100, got %d", h.MonthCapPercent)
	}
	if h.MonthMinimumMin < 0 {
		bad("month_minimum_minutes", "must not be negative, got %d", h.MonthMinimumMin)
	}
	if h.CarryFromMonth < 1 || h.CarryFromMonth > 13 {
		bad("carry_over_from_month", "must be a Jalali month 1 to 12 (13: never), got %d", h.CarryFromMonth)
	}
	if h.ResponseDays < 1 {
		bad("response_days", "must be at least 1, got %d", h.ResponseDays)
	}
	return errors.Join(errs...)
}

// TierOf returns the rules of c's tier, false when the policy has none
// (unknown kind or tier), so callers refuse instead of guessing.
func (p *Policy) TierOf(c Contract) (TierRules, bool) {
	r, ok := p.Tiers[c.Kind][c.Tier]
	return r, ok
}

// Limits is what a contract may consume, in the units the store counts, so
// the export, the digest and the customer's "my contract" page show the same
// numbers Decide enforces. -1 means no cap; a yearly allowance is 0 when the
// tier does not offer the kind and -1 when it offers it with no yearly cap
// (gold product training sessions, reviews paid from an hourly package).
type Limits struct {
	RequestsPerMonth int // per Jalali month

	// Per contract year.
	Onsite           int
	Reinstalls       int
	Reviews          int
	CustomizationMin int
	TrainingMin      int

	HoursTotalMin int // 0 when not hourly
	MonthCapMin   int // 0 when not hourly
}

// Limits returns c's allowances from its tier; all zero (nothing covered)
// when the policy has no rules for the tier.
func (p *Policy) Limits(c Contract) Limits {
	r, ok := p.TierOf(c)
	if !ok {
		return Limits{}
	}
	l := Limits{
		RequestsPerMonth: r.MonthlyRequests,
		Onsite:           yearLimit(r, RequestOnsite),
		Reinstalls:       yearLimit(r, RequestReinstall),
		Reviews:          yearLimit(r, RequestReview),
		CustomizationMin: yearLimit(r, RequestCustomization),
		TrainingMin:      yearLimit(r, RequestTraining),
	}
	if c.Kind == KindHourly {
		l.HoursTotalMin = r.Hours * 60
		l.MonthCapMin = MonthCapMin(r.Hours, p.Hourly)
	}
	return l
}

// yearLimit returns the yearly allowance of request kind k in the units
// Usage counts it (tickets, or minutes for hour budgets): -1 for no cap
// (a kind without a yearly allowance, or a listed kind whose allowance is 0),
// 0 when the tier does not offer the kind.
func yearLimit(r TierRules, k RequestKind) int {
	var n, unit int
	switch k {
	case RequestOnsite:
		n, unit = r.Onsite, 1
	case RequestReinstall:
		n, unit = r.Reinstalls, 1
	case RequestReview:
		n, unit = r.Reviews, 1
	case RequestCustomization:
		n, unit = r.Customization, 60
	case RequestTraining:
		n, unit = r.Training, 60
	default:
		return -1
	}
	switch {
	case n > 0:
		return n * unit
	case slices.Contains(r.Kinds, k):
		return -1
	default:
		return 0
	}
}

// yearUsed returns what u counts against the yearly allowance of kind k, in
// the units of yearLimit.
func yearUsed(u Usage, k RequestKind) int {
	switch k {
	case RequestOnsite:
		return u.Onsite
	case RequestReinstall:
		return u.Reinstalls
	case RequestReview:
		return u.Reviews
	case RequestCustomization:
		return u.CustomizationMin
	case RequestTraining:
		return u.TrainingMin
	default:
		return 0
	}
}
