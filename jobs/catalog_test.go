package jobs_test

import (
	"path/filepath"
	"testing"

	"supportbot/locales/localestest"
)

// TestCatalogs checks, per catalog file of this package and of jobs/digest, that every key the
// code names exists in every language and that the file holds no key the
// code no longer uses. Keys the code builds from a prefix are spelled out.
func TestCatalogs(t *testing.T) {
	tests := []struct {
		area, files string
		dynamic     map[string][]string
	}{
		{"jobs", "*.go", map[string][]string{
			"jobs.hourly.": {"low.staff", "low.customer", "out.staff", "out.customer"},
		}},
		{"digest", "digest/*.go", nil},
	}
	for _, tt := range tests {
		t.Run(tt.area, func(t *testing.T) {
			localestest.CheckArea(t, filepath.Join("..", "locales"), tt.area, tt.files, tt.dynamic)
		})
	}
}
