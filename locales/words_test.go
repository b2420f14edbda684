package locales

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestWords(t *testing.T) {
	all, err := readCatalogs(fstest.MapFS{
		"fa/words.json": {Data: []byte(`{"w.on": "روشن| فعال |روشن", "w.none": "", "w.shared": "ok"}`)},
		"en/words.json": {Data: []byte(`{"w.on": "on|enabled", "w.none": "", "w.shared": "ok|fine"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  string
		want []string
	}{
		{"w.on", []string{"روشن", "فعال", "on", "enabled"}}, // the default language first, trimmed, once each
		{"w.shared", []string{"ok", "fine"}},
		{"w.none", nil},
		{"w.missing", nil},
	}
	for _, tt := range tests {
		if got := words(all, tt.key); !slices.Equal(got, tt.want) {
			t.Errorf("words(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

// TestShippedWords: every words.* entry of the shipped catalogs is a list
// of words, none empty or padded, none twice; the Persian ones are spelled
// as PERSIAN.md asks (TestPersianSpelling checks every entry).
func TestShippedWords(t *testing.T) {
	all := mustCatalogs(t)
	n := 0
	for _, lang := range Languages {
		for _, k := range sortedKeys(all[lang]) {
			v := all[lang][k]
			if !strings.HasPrefix(k, "words.") || v == "" {
				continue
			}
			ws := strings.Split(v, wordSeparator)
			for _, w := range ws {
				if w == "" || strings.TrimSpace(w) != w {
					t.Errorf("%s %q: empty or padded word in %q", lang, k, v)
				}
				n++
			}
			if len(slices.Compact(slices.Sorted(slices.Values(ws)))) != len(ws) {
				t.Errorf("%s %q: a word twice in %q", lang, k, v)
			}
		}
	}
	if n == 0 {
		t.Error("no words in the shipped catalogs")
	}
	if got := Words("words.command.digest"); !slices.Equal(got, []string{"گزارش", "خلاصه"}) {
		t.Errorf(`Words("words.command.digest") = %q`, got)
	}
}
