package telegram

import "testing"

func TestClipUnits(t *testing.T) {
	tests := []struct {
		name  string
		s     string
		limit int
		want  string
	}{
		{"short", "سلام", 10, "سلام"},
		{"exactly the limit", "abcde", 5, "abcde"},
		{"cut", "abcdef", 5, "abcd…"},
		{"persian cut", "درخواست شما", 6, "درخوا…"},
		{"emoji takes two units", "ab😀cd", 4, "ab…"},
		{"emoji fits", "ab😀cd", 5, "ab😀…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clipUnits(tt.s, tt.limit)
			if got != tt.want || units(got) > tt.limit {
				t.Errorf("clipUnits(%q, %d) = %q (%d units), want %q", tt.s, tt.limit, got, units(got), tt.want)
			}
		})
	}
}
