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

// TestDeskCatalog checks that every desk message the code names exists in
// every language, and that the catalogs hold no desk message the code no
// longer uses.
func TestDeskCatalog(t *testing.T) {
	used := deskKeysInCode(t)
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
	}
	data, err := os.ReadFile(filepath.Join("..", "locales", "fa", "desk.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fa map[string]string
	if err := json.Unmarshal(data, &fa); err != nil {
		t.Fatal(err)
	}
	isUsed := map[string]bool{}
	for _, k := range used {
		isUsed[k] = true
	}
	for k := range fa {
		if !isUsed[k] {
			t.Errorf("locales/fa/desk.json: %q is not used", k)
		}
	}
}

// deskKeysInCode lists the desk.* keys named in this package's non-test
// files, with the keys built from a prefix spelled out.
func deskKeysInCode(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	keyRE := regexp.MustCompile(`"(desk\.[a-z_.]+)"`)
	dynamic := map[string][]string{
		"desk.button.":          {"claim", "close", "decline", "log"},
		"desk.file_kind.":       {"image", "document", "audio", "voice", "video"},
		"desk.outage.":          {"on", "off"},
		"desk.decline.explain.": nil,
	}
	for _, r := range rules.AllDeclineReasons {
		dynamic["desk.decline.explain."] = append(dynamic["desk.decline.explain."], string(r))
	}
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
