package locales

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// mustCatalogs returns the embedded catalogs or stops the test.
func mustCatalogs(tb testing.TB) map[string]catalog {
	tb.Helper()
	all, err := loadCatalogs()
	if err != nil {
		tb.Fatal(err)
	}
	return all
}

func sortedKeys(c catalog) []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestEveryLanguageHasEveryKey covers all catalog files of all languages:
// a key in one language must exist in every other, with the same
// placeholders.
func TestEveryLanguageHasEveryKey(t *testing.T) {
	all := mustCatalogs(t)
	union := map[string]bool{}
	for _, cat := range all {
		for k := range cat {
			union[k] = true
		}
	}
	for _, lang := range Languages {
		cat := all[lang]
		var missing []string
		for k := range union {
			if _, ok := cat[k]; !ok {
				missing = append(missing, k)
			}
		}
		sort.Strings(missing)
		for _, k := range missing {
			t.Errorf("%s: missing key %q", lang, k)
		}
	}
	ref := all[Default]
	for _, k := range sortedKeys(ref) {
		want := Placeholders(ref[k])
		for _, lang := range Languages[1:] {
			text, ok := all[lang][k]
			if !ok {
				continue
			}
			if got := Placeholders(text); !slices.Equal(got, want) {
				t.Errorf("%s: key %q has placeholders %v, %s has %v", lang, k, got, Default, want)
			}
		}
	}
}

// TestCodeKeys checks that every stable code (docs/interface.md) that has a
// LocaleKey in rules is described in every language.
func TestCodeKeys(t *testing.T) {
	codes := map[string][]string{
		"request_kind":    {"problem", "question", "remote", "reinstall", "onsite", "customization", "training", "review", "callback", "update"},
		"severity":        {"normal", "important", "critical"},
		"tier":            {"bronze", "silver", "gold", "base", "h50", "h100", "h200", "standard"},
		"contract_kind":   {"product", "project", "hourly", "crm"},
		"contract_status": {"pending", "active", "expired", "exhausted"},
		"decline_reason":  {"new_customization", "misuse", "customer_infrastructure", "no_cooperation", "out_of_contract", "external_change", "disrespect"},
		"denial":          {"unknown_customer", "not_started", "contract_ended", "not_in_tier", "month_quota", "year_allowance_used", "severity_not_covered", "outside_tehran", "hours_exhausted", "hours_month_cap"},
		"weekday":         {"0", "1", "2", "3", "4", "5", "6"},
		"jalali_month":    {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"},
		"ticket_status":   {"new", "answered", "closed", "declined"},
	}
	all := mustCatalogs(t)
	for _, lang := range Languages {
		for prefix, names := range codes {
			for _, n := range names {
				key := prefix + "." + n
				if strings.TrimSpace(all[lang][key]) == "" {
					t.Errorf("%s: no text for code key %q", lang, key)
				}
			}
		}
	}
}

var (
	// A detached مي/نمي prefix: "می توانید" instead of "می‌توانید".
	detachedMi = regexp.MustCompile(`(^|\s)(ن?می) `)
	// A detached plural: "درخواست ها" instead of "درخواست‌ها".
	detachedHa = regexp.MustCompile(`\s(ها|های|هایی|هایتان|هایشان)($|[\s.،؛:!؟)])`)
	// ZWNJ next to a space or another ZWNJ, or at either end.
	badZWNJ = regexp.MustCompile("\u200c[\\s\u200c]|\\s\u200c|^\u200c|\u200c$")
)

// persianProblems lists what breaks PERSIAN.md's spelling rules in text.
func persianProblems(text string) []string {
	var probs []string
	bare := stripPlaceholders(text)
	if i := strings.IndexAny(bare, "\u064a\u0643\u0649"); i >= 0 {
		probs = append(probs, fmt.Sprintf("Arabic letter %q, use Persian ی/ک", []rune(bare[i:])[0]))
	}
	if strings.ContainsAny(bare, "0123456789") {
		probs = append(probs, "ASCII digits, use Persian digits or a placeholder")
	}
	if detachedMi.MatchString(bare) {
		probs = append(probs, "detached می/نمی, join it with ZWNJ (U+200C)")
	}
	if detachedHa.MatchString(bare) {
		probs = append(probs, "detached plural ها, join it with ZWNJ (U+200C)")
	}
	if badZWNJ.MatchString(text) {
		probs = append(probs, "ZWNJ beside a space, another ZWNJ or an end")
	}
	return probs
}

// TestPersianSpelling enforces PERSIAN.md on the Persian catalog.
func TestPersianSpelling(t *testing.T) {
	all := mustCatalogs(t)
	for _, k := range sortedKeys(all["fa"]) {
		for _, prob := range persianProblems(all["fa"][k]) {
			t.Errorf("fa %q: %s: %q", k, prob, all["fa"][k])
		}
	}
}

func TestPersianProblems(t *testing.T) {
	good := []string{
		"می\u200cتوانید درخواست‌ها را ببینید",
		"درخواست {ticket_id} ثبت شد؛ ساعت ۱۷:۳۰",
		"نمی\u200cشود",
		"میز کار و تماس",
	}
	for _, s := range good {
		if p := persianProblems(s); len(p) > 0 {
			t.Errorf("persianProblems(%q) = %v, want none", s, p)
		}
	}
	bad := []string{
		"می توانید",
		"شما نمی توانید",
		"علي",
		"كار",
		"ساعت 17:30",
		"درخواست ها",
		"درخواست های شما",
		"درخواست\u200c ها",
		"\u200cسلام",
	}
	for _, s := range bad {
		if p := persianProblems(s); len(p) == 0 {
			t.Errorf("persianProblems(%q) found nothing", s)
		}
	}
}

// TestPlaceholderSyntax catches typos such as "{ticket" or "{ticket id}"
// that would otherwise print as text.
func TestPlaceholderSyntax(t *testing.T) {
	all := mustCatalogs(t)
	for _, lang := range Languages {
		for _, k := range sortedKeys(all[lang]) {
			rest := stripPlaceholders(all[lang][k])
			if strings.ContainsAny(rest, "{}") {
				t.Errorf("%s %q: stray brace or bad placeholder name (use {snake_case}): %q", lang, k, all[lang][k])
			}
		}
	}
}

var placeholderRE = regexp.MustCompile(`\{[A-Za-z0-9_]+\}`)

func stripPlaceholders(s string) string { return placeholderRE.ReplaceAllString(s, "") }

func TestPlaceholders(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"no placeholders", nil},
		{"{b} and {a} and {b}", []string{"a", "b"}},
		{"{not valid} {ok_1}", []string{"ok_1"}},
		{"{{x}}", []string{"x"}},
		{"{open", nil},
	}
	for _, tt := range tests {
		if got := Placeholders(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Placeholders(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestReadCatalogs(t *testing.T) {
	good := fstest.MapFS{
		"fa/a.json": {Data: []byte(`{"x": "ایکس", "y": "{n} تا"}`)},
		"fa/b.json": {Data: []byte(`{"z": "زد"}`)},
		"en/a.json": {Data: []byte(`{"x": "ex", "y": "{n} of them", "z": "zed"}`)},
	}
	all, err := readCatalogs(good)
	if err != nil {
		t.Fatal(err)
	}
	if all["fa"]["z"] != "زد" || all["en"]["y"] != "{n} of them" || len(all["fa"]) != 3 {
		t.Errorf("readCatalogs = %v", all)
	}

	bad := map[string]fstest.MapFS{
		"key in two files": {
			"fa/a.json": {Data: []byte(`{"x": "1"}`)},
			"fa/b.json": {Data: []byte(`{"x": "2"}`)},
		},
		"key twice in a file": {"fa/a.json": {Data: []byte(`{"x": "1", "x": "2"}`)}},
		"nested object":       {"fa/a.json": {Data: []byte(`{"x": {"y": "1"}}`)}},
		"number value":        {"fa/a.json": {Data: []byte(`{"x": 1}`)}},
		"array":               {"fa/a.json": {Data: []byte(`["x"]`)}},
		"broken json":         {"fa/a.json": {Data: []byte(`{"x": "1",}`)}},
		"trailing data":       {"fa/a.json": {Data: []byte(`{"x": "1"} {}`)}},
		"empty key":           {"fa/a.json": {Data: []byte(`{"": "1"}`)}},
	}
	for name, fsys := range bad {
		if _, err := readCatalogs(fsys); err == nil {
			t.Errorf("%s: readCatalogs succeeded, want error", name)
		} else if !strings.Contains(err.Error(), "fa/") {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
}

func TestRenderKeepsStrayBraces(t *testing.T) {
	p := &Printer{lang: "en", loc: time.UTC, cat: catalog{
		"stray":   "{not valid} {n} {{n}} {open",
		"missing": "{n} and {m}",
	}}
	tests := []struct{ key, want string }{
		{"stray", "{not valid} 3 {3} {open"},
		{"missing", "3 and {m}"},
		{"absent", "[absent]"},
	}
	for _, tt := range tests {
		if got := p.T(tt.key, map[string]any{"n": 3}); got != tt.want {
			t.Errorf("T(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}
