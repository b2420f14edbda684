package rules

import "time"

// Interval is a span of a day in minutes since midnight, [Start, End).
type Interval struct {
	Start, End int
}

// Calendar knows when the office works (the SLA clock runs only then) and
// when people answer customers (contact hours), in one time zone.
type Calendar struct {
	Loc      *time.Location
	Office   [7][]Interval   // by time.Weekday; sorted, non-overlapping
	Contact  [7][]Interval   // by time.Weekday
	Holidays map[Date]string // office and contact days off, with their names
}
