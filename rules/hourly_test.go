package rules

import "testing"

func TestTicketCharge(t *testing.T) {
	h := DefaultHourlyRules()
	tests := []struct {
		name             string
		logged           int
		closed, declined bool
		want             int
	}{
		{"10 minutes logged: charged the 30-minute minimum", 10, false, false, 30},
		{"45 minutes logged: charged 45", 45, true, false, 45},
		{"exactly 30", 30, false, false, 30},
		{"declined after work was logged: nothing", 45, false, true, 0},
		{"closed with nothing logged: the minimum", 0, true, false, 30},
		{"open, nothing logged yet: nothing", 0, false, false, 0},
		{"negative log (a correction) is not a charge", -15, false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TicketCharge(tt.logged, tt.closed, tt.declined, h); got != tt.want {
				t.Errorf("TicketCharge(%d, closed %t, declined %t) = %d, want %d", tt.logged, tt.closed, tt.declined, got, tt.want)
			}
		})
	}
}

func TestMonthCapMin(t *testing.T) {
	h := DefaultHourlyRules()
	for _, tt := range []struct{ hours, want int }{{50, 600}, {100, 1200}, {200, 2400}} {
		if got := MonthCapMin(tt.hours, h); got != tt.want {
			t.Errorf("MonthCapMin(%d) = %d, want %d (20%% of the hours)", tt.hours, got, tt.want)
		}
	}
}

func TestMonthEndTopUp(t *testing.T) {
	h := DefaultHourlyRules()
	tests := []struct {
		name            string
		monthUsed, left int
		want            int
	}{
		{"nothing used: charged 5 hours", 0, 3000, 300},
		{"2 hours used: charged 3 more", 120, 2880, 180},
		{"5 hours used: nothing", 300, 2700, 0},
		{"more than 5 hours used: nothing, never negative", 420, 2580, 0},
		{"little left: charged only what is left", 60, 90, 90},
		{"nothing left: nothing", 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MonthEndTopUp(tt.monthUsed, tt.left, h); got != tt.want {
				t.Errorf("MonthEndTopUp(%d, %d) = %d, want %d", tt.monthUsed, tt.left, got, tt.want)
			}
		})
	}
}

func TestHoursLeftMin(t *testing.T) {
	tests := []struct{ hours, used, want int }{
		{50, 0, 3000},
		{50, 90, 2910},
		{200, 12000, 0},
		{50, 3030, 0}, // a ticket minimum overshot the package
	}
	for _, tt := range tests {
		if got := HoursLeftMin(tt.hours, tt.used); got != tt.want {
			t.Errorf("HoursLeftMin(%d, %d) = %d, want %d", tt.hours, tt.used, got, tt.want)
		}
	}
}
