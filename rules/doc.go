// Package rules holds the company's support terms as pure functions: the
// business-hours calendar and SLA deadlines, the Jalali calendar, contract
// periods and statuses, tier tables, the intake decision and hourly-package
// accounting. It takes instants and data as arguments, never reads the clock,
// never logs and never touches storage, so every rule is a table test away.
//
// The intake decision (Policy.Decide) checks, in order: the contract's status
// (not_started, contract_ended, hours_exhausted), its monthly allowances
// (month_quota, hours_month_cap), then, once a request kind is known, whether
// the tier covers it (not_in_tier), on-site geography (outside_tehran) and the
// yearly allowance of that kind (year_allowance_used), and finally, once a
// severity is known, whether the tier covers that severity
// (severity_not_covered).
package rules
