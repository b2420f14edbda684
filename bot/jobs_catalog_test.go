package bot

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"supportbot/locales"
)

// TestJobsCatalog checks that every jobs.* message the code names exists in
// every language, and that locales/*/jobs.json holds nothing unused.
func TestJobsCatalog(t *testing.T) {
	files, err := filepath.Glob("jobs*.go")
	if err != nil {
		t.Fatal(err)
	}
	keyRE := regexp.MustCompile(`"(jobs\.[a-z_.]+)"`)
	dynamic := map[string][]string{"jobs.hourly.": {"low.staff", "low.customer", "out.staff", "out.customer"}}
	used := map[string]bool{}
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
				used[key] = true
				continue
			}
			suffixes, ok := dynamic[key]
			if !ok {
				t.Errorf("%s: key prefix %q is not listed in this test", name, key)
			}
			for _, s := range suffixes {
				used[key+s] = true
			}
		}
	}
	for _, lang := range locales.Languages {
		p, err := locales.New(lang, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k := range used {
			if !p.Has(k) {
				t.Errorf("%s: missing %q", lang, k)
			}
		}
		data, err := os.ReadFile(filepath.Join("..", "locales", lang, "jobs.json"))
		if err != nil {
			t.Fatal(err)
		}
		var cat map[string]string
		if err := json.Unmarshal(data, &cat); err != nil {
			t.Fatal(err)
		}
		for k := range cat {
			if !used[k] {
				t.Errorf("locales/%s/jobs.json: %q is not used", lang, k)
			}
		}
	}
}
