package store

import (
	"time"

	"supportbot/rules"
)

// WindowAt is the periods c's usage is counted in at an instant: the Jalali
// month and the contract year that hold it (in loc, the office's zone), and
// hourly charges for an hourly package.
func WindowAt(c rules.Contract, at time.Time, loc *time.Location) UsageWindow {
	local := at.In(loc)
	ys, ye := c.ContractYear(at, loc)
	return UsageWindow{
		MonthStart: rules.JalaliMonthStart(local),
		MonthEnd:   rules.JalaliMonthEnd(local),
		YearStart:  ys,
		YearEnd:    ye,
		Hourly:     c.Kind == rules.KindHourly,
	}
}
