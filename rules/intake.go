package rules

import (
	"slices"
	"time"
	"unicode"
	"unicode/utf8"
)

// Intake is a customer's request as far as the conversation has got: the
// rules are checked as each piece becomes known, so nobody types a
// description only to be refused.
type Intake struct {
	Contract Contract
	Usage    Usage       // as the store counts it for At
	Kind     RequestKind // "" while not chosen yet
	Severity Severity    // "" while not chosen yet
	City     string      // the customer's city, as imported
	At       time.Time
}

// Decide returns why the request cannot go ahead, or Allowed. It checks, in
// the order of the package doc, only what in already knows, so the
// conversation can call it after each answer and stop at the first refusal.
func (p *Policy) Decide(in Intake) Denial {
	c, u := in.Contract, in.Usage
	switch p.Status(c, u, in.At) {
	case StatusPending:
		return DenyNotStarted
	case StatusExpired:
		return DenyContractEnded
	case StatusExhausted:
		return DenyHoursExhausted
	}
	r, ok := p.TierOf(c)
	if !ok {
		return DenyNotInTier // a tier the policy does not know covers nothing
	}
	if r.MonthlyRequests >= 0 && u.MonthRequests >= r.MonthlyRequests {
		return DenyMonthQuota
	}
	if c.Kind == KindHourly && u.MonthUsedMin >= MonthCapMin(r.Hours, p.Hourly) {
		return DenyHoursMonthCap
	}
	if in.Kind == "" {
		return Allowed
	}
	if !slices.Contains(r.Kinds, in.Kind) {
		return DenyNotInTier
	}
	if in.Kind == RequestOnsite && !IsTehran(in.City) {
		return DenyOutsideTehran
	}
	if limit := yearLimit(r, in.Kind); limit >= 0 && yearUsed(u, in.Kind) >= limit {
		return DenyYearAllowanceUsed
	}
	if in.Severity != "" && in.Kind == RequestOnsite && !slices.Contains(r.OnsiteSeverity, in.Severity) {
		return DenySeverityNotCovered
	}
	return Allowed
}

// UsageMatters reports whether Decide's answer for a request of kind on c
// (kind empty: the contract as a whole, as Status) can depend on the
// contract's Usage. When it cannot, a caller may skip counting it: Decide
// gives the same answer for any Usage. Hourly packages, tiers with a monthly
// quota and kinds with a yearly allowance need it; a gold contract's problem
// report does not.
func (p *Policy) UsageMatters(c Contract, kind RequestKind) bool {
	if c.Kind == KindHourly {
		return true
	}
	r, ok := p.TierOf(c)
	if !ok {
		return false // refused as not in the tier, whatever was used
	}
	if r.MonthlyRequests >= 0 {
		return true
	}
	return kind != "" && yearLimit(r, kind) >= 0
}

// baseResponseDays is the deadline of a contract whose tier gives none and
// of a tier the policy does not know: the longest deadline of SPEC's tables.
const baseResponseDays = 3

// FirstResponseDue is when a ticket of c opened at opened must get its
// first staff answer: the tier's business days of office time
// (HourlyRules.ResponseDays for hourly tiers that set none), counted on
// p.Calendar (which must be set) from opened or the next office opening.
func (p *Policy) FirstResponseDue(c Contract, opened time.Time) time.Time {
	return p.Calendar.BusinessDeadline(opened, p.responseDays(c))
}

func (p *Policy) responseDays(c Contract) int {
	r, ok := p.TierOf(c)
	switch {
	case ok && r.ResponseDays > 0:
		return r.ResponseDays
	case c.Kind == KindHourly && p.Hourly.ResponseDays > 0:
		return p.Hourly.ResponseDays
	default:
		return baseResponseDays
	}
}

// IsTehran reports whether a customer's city is Tehran, the only city with
// on-site visits. The import keeps the city as typed, so it accepts "تهران"
// and "Tehran" in any case and spacing, with Arabic ي/ك and invisible marks
// (ZWNJ, direction marks) as people's keyboards produce them.
func IsTehran(city string) bool {
	var buf [32]byte // "teheran" and "تهران" fit; anything longer is another place
	b := buf[:0]
	for _, r := range city {
		switch {
		case unicode.IsSpace(r), unicode.Is(unicode.Cf, r), r == 'ـ': // tatweel
			continue
		case r == 'ي' || r == 'ى':
			r = 'ی'
		case r == 'ك':
			r = 'ک'
		}
		if len(b)+utf8.UTFMax > len(buf) {
			return false
		}
		b = utf8.AppendRune(b, unicode.ToLower(r))
	}
	switch string(b) {
	case "تهران", "tehran", "teheran":
		return true
	}
	return false
}
