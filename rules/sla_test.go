package rules

import (
	"testing"
	"time"
)

func TestBreached(t *testing.T) {
	due := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var zero time.Time
	tests := []struct {
		name              string
		due, answered, at time.Time
		want              bool
	}{
		{"no deadline is never breached", zero, zero, due.Add(time.Hour), false},
		{"no deadline, answered late", zero, due.Add(time.Hour), due.Add(time.Hour), false},
		{"unanswered before the deadline", due, zero, due.Add(-time.Second), false},
		{"unanswered exactly at the deadline", due, zero, due, false},
		{"unanswered past the deadline", due, zero, due.Add(time.Nanosecond), true},
		{"answered on time, looked at later", due, due.Add(-time.Minute), due.Add(time.Hour), false},
		{"answered exactly at the deadline", due, due, due.Add(time.Hour), false},
		{"answered late", due, due.Add(time.Second), due.Add(time.Hour), true},
		{"answered late, looked at before the answer", due, due.Add(time.Hour), due.Add(-time.Hour), true},
	}
	for _, tt := range tests {
		if got := Breached(tt.due, tt.answered, tt.at); got != tt.want {
			t.Errorf("%s: Breached = %v, want %v", tt.name, got, tt.want)
		}
	}
}
