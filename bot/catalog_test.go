package bot

import (
	"path/filepath"
	"testing"

	"supportbot/locales/localestest"
	"supportbot/rules"
)

// TestCatalogs checks, per catalog file of this package, that every key the
// code names exists in every language and that the file holds no key the
// code no longer uses. Keys the code builds from a prefix are spelled out.
func TestCatalogs(t *testing.T) {
	declineReasons := make([]string, 0, len(rules.AllDeclineReasons))
	for _, r := range rules.AllDeclineReasons {
		declineReasons = append(declineReasons, string(r))
	}
	commandNames := make([]string, 0, len(commands))
	for _, c := range commands {
		commandNames = append(commandNames, c.name)
	}
	var kinds, severities []string
	for _, k := range rules.AllRequestKinds {
		kinds = append(kinds, string(k))
	}
	for _, s := range rules.AllSeverities {
		severities = append(severities, string(s))
	}
	tests := []struct {
		area, files string
		dynamic     map[string][]string
	}{
		{"desk", "*.go", map[string][]string{
			"desk.button.":          {"claim", "close", "decline", "log"},
			"desk.file_kind.":       {"image", "document", "audio", "voice", "video"},
			"desk.outage.":          {"on", "off"},
			"desk.decline.explain.": declineReasons,
		}},
		{"words", "*.go", map[string][]string{
			"words.command.":      commandNames,
			"words.decline.":      declineReasons,
			"words.request_kind.": kinds,
			"words.severity.":     severities,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.area, func(t *testing.T) {
			localestest.CheckArea(t, filepath.Join("..", "locales"), tt.area, tt.files, tt.dynamic)
		})
	}
}
