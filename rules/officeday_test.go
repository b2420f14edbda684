package rules

import (
	"testing"
	"time"
)

func TestIsOfficeDay(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		t.Fatal(err)
	}
	c := DefaultCalendar(loc)
	tests := []struct {
		day  Date
		want bool
	}{
		{Date{2026, time.November, 28}, true},  // Saturday
		{Date{2026, time.November, 25}, true},  // Wednesday
		{Date{2026, time.November, 26}, false}, // Thursday: contact hours, no office hours
		{Date{2026, time.November, 27}, false}, // Friday
		{Date{2026, time.December, 23}, false}, // Wednesday, holiday (1405/10/02)
		{Date{2027, time.March, 27}, true},     // the first office day of 1406
	}
	for _, tt := range tests {
		if got := c.IsOfficeDay(tt.day); got != tt.want {
			t.Errorf("IsOfficeDay(%s, %s) = %v, want %v", tt.day, tt.day.Weekday(), got, tt.want)
		}
	}
}
