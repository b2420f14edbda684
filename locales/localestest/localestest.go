// Package localestest checks a package's catalog file against its code:
// shared by the packages that own a file in locales/ (bot, jobs).
package localestest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"supportbot/locales"
)

// CheckArea checks that every area.* key the non-test files matching glob
// name exists in every language, and that locales/LANG/AREA.json (under
// localesDir) holds no key the code no longer uses. Keys the code builds
// from a prefix ending in "." are spelled out by dynamic; a prefix it does
// not list is an error.
func CheckArea(t *testing.T, localesDir, area, glob string, dynamic map[string][]string) {
	t.Helper()
	used := keysInCode(t, area, glob, dynamic)
	isUsed := map[string]bool{}
	for _, k := range used {
		isUsed[k] = true
	}
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
		for k := range catalogFile(t, localesDir, lang, area) {
			if !isUsed[k] {
				t.Errorf("locales/%s/%s.json: %q is not used", lang, area, k)
			}
		}
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

// catalogFile reads one language's catalog file of an area.
func catalogFile(t *testing.T, localesDir, lang, area string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(localesDir, lang, area+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var cat map[string]string
	if err := json.Unmarshal(data, &cat); err != nil {
		t.Fatal(err)
	}
	return cat
}
