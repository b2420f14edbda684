package rules

// TicketCharge is the minutes an hourly package pays for one ticket: what
// staff logged, but at least the per-ticket minimum once work was logged or
// the ticket closed; nothing for a declined ticket (SPEC: declined work is
// out of contract) or one nobody has touched.
func TicketCharge(loggedMin int, closed, declined bool, h HourlyRules) int {
	if declined {
		return 0
	}
	loggedMin = max(loggedMin, 0)
	if loggedMin > 0 || closed {
		return max(loggedMin, h.TicketMinimumMin)
	}
	return 0
}

// MonthCapMin is the most an hourly package of hours may consume in one
// Jalali month (20% of its hours by default: h50 → 600 minutes), so one busy
// month cannot empty a year's package.
func MonthCapMin(hours int, h HourlyRules) int {
	return hours * 60 * h.MonthCapPercent / 100
}

// MonthEndTopUp is the extra minutes charged at the end of a Jalali month in
// which a package consumed less than the monthly minimum (5 hours by
// default): up to the minimum, never more than the package has left, never
// negative.
func MonthEndTopUp(monthUsedMin, leftMin int, h HourlyRules) int {
	return max(min(h.MonthMinimumMin-monthUsedMin, leftMin), 0)
}

// HoursLeftMin is what a package of hours has left after usedMin minutes,
// never negative: month-end minimums and ticket minimums can overshoot.
func HoursLeftMin(hours, usedMin int) int {
	return max(hours*60-usedMin, 0)
}
