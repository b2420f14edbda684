package main

import (
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestVersionNamesGoAndWhatsmeow(t *testing.T) {
	out := mustRun(t, "version")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "supportbot ") || !strings.HasPrefix(lines[1], "commit ") {
		t.Fatalf("version printed %q", out)
	}
	if !strings.Contains(lines[2], runtime.Version()) {
		t.Errorf("go line %q, want %s", lines[2], runtime.Version())
	}
	// The whatsmeow version is the one go.mod requires, read from the binary.
	if !regexp.MustCompile(`^whatsmeow\s+v0\.0\.0-\d{14}-[0-9a-f]{12}`).MatchString(lines[3]) {
		t.Errorf("whatsmeow line %q", lines[3])
	}
	if r := runMain(t, "version", "extra"); r.code != 2 {
		t.Errorf("version extra: exit %d, want 2", r.code)
	}
}
