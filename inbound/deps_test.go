package inbound_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The transport adapters translate between wire types and inbound's (and
// the outbox's); they never import package bot, whose engine takes what
// they build (docs/telegram.md, README "Layout").
func TestAdaptersDoNotImportBot(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	for _, pkg := range []string{"supportbot/bot/telegram", "supportbot/bot/whatsapp"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "supportbot/bot" {
				t.Errorf("%s imports supportbot/bot", pkg)
			}
		}
	}
}
