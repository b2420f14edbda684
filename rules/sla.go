package rules

import "time"

// Breached reports whether a first response due at due missed it, as seen
// at at: when an answer came (answeredAt not zero), whether it came after
// due; with no answer yet, whether at is past due. Without a deadline (due
// zero) nothing is breached. An answer or instant exactly at due is on time.
// Export, the digest and the store's SQL count all use this rule.
func Breached(due, answeredAt, at time.Time) bool {
	if due.IsZero() {
		return false
	}
	if !answeredAt.IsZero() {
		return answeredAt.After(due)
	}
	return at.After(due)
}
