package bot

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"supportbot/locales"
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
			used := keysInCode(t, tt.area, tt.files, tt.dynamic)
			for _, lang := range locales.Languages {
				p, err := locales.New(lang, nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range used {
					if !p.Has(k) {
						t.Errorf("%s: missing %q", lang, k)
					}
				}
				isUsed := map[string]bool{}
				for _, k := range used {
					isUsed[k] = true
				}
				for k := range catalogFile(t, lang, tt.area) {
					if !isUsed[k] {
						t.Errorf("locales/%s/%s.json: %q is not used", lang, tt.area, k)
					}
				}
			}
		})
	}
}

// keysInCode lists the area.* keys named in the non-test files matching
// glob, with the keys built from a listed prefix spelled out.
func keysInCode(t *testing.T, area, glob string, dynamic map[string][]string) []string {
	t.Helper()
	files, err := filepath.Glob(glob)
	if err != nil {
		t.Fatal(err)
	}
	keyRE := regexp.MustCompile(`"(` + regexp.QuoteMeta(area) + `\.[a-z_.]+)"`)
	seen := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(src), -1) {
			key := m[1]
			if !strings.HasSuffix(key, ".") {
				seen[key] = true
				continue
			}
			suffixes, ok := dynamic[key]
			if !ok {
				t.Errorf("%s: key prefix %q is not listed in this test", name, key)
			}
			for _, s := range suffixes {
				seen[key+s] = true
			}
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func catalogFile(t *testing.T, lang, area string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "locales", lang, area+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var cat map[string]string
	if err := json.Unmarshal(data, &cat); err != nil {
		t.Fatal(err)
	}
	return cat
}
