// Package locales holds every sentence the bot says, as message catalogs per
// language, and the Printer that renders them: it looks a key up, fills its
// {name} placeholders and formats numbers, Jalali dates, times and durations
// the way a reader of that language expects (Persian digits and direction
// marks in Persian).
//
// Catalogs are the embedded files <lang>/*.json, each a flat JSON object from
// key to string; the files of a language are merged, and a key defined twice
// is an error. Persian (fa) is the default language; English (en) serves
// staff and logs. A key missing from a language renders as "[key]" instead
// of falling back to another language, so tests notice it.
package locales

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

//go:embed fa/*.json en/*.json
var catalogFS embed.FS

// Default is the language used when none is asked for.
const Default = "fa"

// Languages lists the languages with a catalog, the default first.
var Languages = []string{"fa", "en"}

// catalog maps a message key to its text in one language.
type catalog map[string]string

// loadCatalogs reads and merges the embedded catalogs once per process.
var loadCatalogs = sync.OnceValues(func() (map[string]catalog, error) {
	return readCatalogs(catalogFS)
})

// readCatalogs reads <lang>/*.json for every language from fsys.
func readCatalogs(fsys fs.FS) (map[string]catalog, error) {
	all := make(map[string]catalog, len(Languages))
	for _, lang := range Languages {
		names, err := fs.Glob(fsys, lang+"/*.json")
		if err != nil {
			return nil, fmt.Errorf("locales: %w", err)
		}
		sort.Strings(names)
		cat := catalog{}
		from := map[string]string{} // key -> file that defined it
		for _, name := range names {
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("locales: %w", err)
			}
			entries, err := parseCatalog(data)
			if err != nil {
				return nil, fmt.Errorf("locales: %s: %w", name, err)
			}
			for _, e := range entries {
				if prev, dup := from[e.key]; dup {
					return nil, fmt.Errorf("locales: %s: key %q already defined in %s", name, e.key, path.Base(prev))
				}
				from[e.key] = name
				cat[e.key] = e.text
			}
		}
		all[lang] = cat
	}
	return all, nil
}

// entry is one key and its text, in file order.
type entry struct{ key, text string }

// parseCatalog reads one flat JSON object of strings, refusing nesting,
// non-string values and a key repeated within the file (which
// encoding/json would silently let the last one win).
func parseCatalog(data []byte) ([]entry, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("want a JSON object of key to string")
	}
	var out []entry
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string) // object keys are always strings
		tok, err = dec.Token()
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", key, err)
		}
		text, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("key %q: value is not a string", key)
		}
		if key == "" {
			return nil, errors.New("empty key")
		}
		if seen[key] {
			return nil, fmt.Errorf("key %q defined twice", key)
		}
		seen[key] = true
		out = append(out, entry{key, text})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("data after the JSON object")
	}
	return out, nil
}

// Printer renders catalog messages in one language and time zone. It is
// safe for concurrent use.
type Printer struct {
	lang string
	cat  catalog
	loc  *time.Location
}

// New returns a Printer for lang ("fa" or "en"; "" means Default) showing
// times in loc (nil means Asia/Tehran). It fails for an unknown language or
// when the embedded catalogs are broken.
func New(lang string, loc *time.Location) (*Printer, error) {
	if lang == "" {
		lang = Default
	}
	all, err := loadCatalogs()
	if err != nil {
		return nil, err
	}
	cat, ok := all[lang]
	if !ok {
		return nil, fmt.Errorf("locales: unknown language %q (have %s)", lang, strings.Join(Languages, ", "))
	}
	if loc == nil {
		loc = tehran()
	}
	return &Printer{lang: lang, cat: cat, loc: loc}, nil
}

// tehran is the company's zone; without tzdata it is the fixed +03:30 that
// Iran has kept since it dropped daylight saving in 2022.
func tehran() *time.Location {
	if loc, err := time.LoadLocation("Asia/Tehran"); err == nil {
		return loc
	}
	return time.FixedZone("+0330", 3*3600+1800)
}

// Lang returns the printer's language code.
func (p *Printer) Lang() string { return p.lang }

// Location returns the time zone the printer shows times in.
func (p *Printer) Location() *time.Location { return p.loc }

// Has reports whether the printer's language has a message for key, for
// callers that pick between an optional specific message and a general one.
func (p *Printer) Has(key string) bool {
	_, ok := p.cat[key]
	return ok
}

// T renders the message key with its {name} placeholders replaced by the
// formatted args (see the package's format rules on Printer.Format). A
// missing key renders as "[key]"; a placeholder without an arg stays
// visible as "{name}"; args the message does not use are ignored.
func (p *Printer) T(key string, args map[string]any) string {
	text, ok := p.cat[key]
	if !ok {
		return "[" + key + "]"
	}
	if !strings.Contains(text, "{") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 16)
	for {
		before, name, after, found := nextPlaceholder(text)
		b.WriteString(before)
		if !found {
			return b.String()
		}
		if v, ok := args[name]; ok {
			b.WriteString(p.Format(v))
		} else {
			b.WriteString("{" + name + "}")
		}
		text = after
	}
}

// nextPlaceholder splits text at its first valid {name}: the text before
// it (stray braces included), the name, and the rest. found is false when
// there is none; before is then the whole text.
func nextPlaceholder(text string) (before, name, after string, found bool) {
	for skipped := 0; ; {
		i := strings.IndexByte(text[skipped:], '{')
		if i < 0 {
			return text, "", "", false
		}
		i += skipped
		j := strings.IndexByte(text[i+1:], '}')
		if j < 0 {
			return text, "", "", false
		}
		if name = text[i+1 : i+1+j]; validPlaceholder(name) {
			return text[:i], name, text[i+j+2:], true
		}
		skipped = i + 1
	}
}

// validPlaceholder reports whether name may appear as {name}: ASCII letters,
// digits and underscores.
func validPlaceholder(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Placeholders returns the names of the {name} placeholders in text, sorted
// and without repeats, so tests can compare a message across languages.
func Placeholders(text string) []string {
	seen := map[string]bool{}
	var names []string
	for {
		_, name, after, found := nextPlaceholder(text)
		if !found {
			break
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
		text = after
	}
	sort.Strings(names)
	return names
}

// wordSeparator separates the words of a word list in a catalog.
const wordSeparator = "|"

// Words lists what people may type for key, in every language: names of
// commands and of decline reasons, on and off. A catalog holds them as one
// entry with the words separated by "|" ("" for none in that language), so
// that the words of a language live with its sentences. Input accepts them
// whatever the printer's language, so the result is every language's
// words, the default language's first, without repeats. It is nil when
// the catalogs cannot be read (New fails then too).
func Words(key string) []string {
	all, err := loadCatalogs()
	if err != nil {
		return nil
	}
	return words(all, key)
}

// words is Words in the catalogs all.
func words(all map[string]catalog, key string) []string {
	var out []string
	seen := map[string]bool{}
	for _, lang := range Languages {
		for _, w := range strings.Split(all[lang][key], wordSeparator) {
			if w = strings.TrimSpace(w); w != "" && !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}
