package locales

import (
	"strings"
	"testing"
	"unicode"
)

// firstStrong is the direction the first strong character outside isolates
// gives a line, as Android and most clients pick a paragraph's direction:
// 'L', 'R', or 0 when there is none. U+200E counts as L, U+200F and U+061C
// as R; text between an isolate initiator (U+2066–U+2068) and U+2069 is
// skipped, as the Unicode bidi algorithm does.
func firstStrong(line string) rune {
	depth := 0
	for _, r := range line {
		switch {
		case r >= '\u2066' && r <= '\u2068':
			depth++
		case r == '\u2069':
			depth = max(0, depth-1)
		case depth > 0:
		case r == '\u200e':
			return 'L'
		case r == '\u200f', r == '\u061c':
			return 'R'
		case unicode.In(r, unicode.Arabic, unicode.Hebrew) && unicode.IsLetter(r):
			return 'R'
		case unicode.IsLetter(r):
			return 'L'
		}
	}
	return 0
}

// hasPersianLetters reports whether a line holds Arabic-script letters.
func hasPersianLetters(line string) bool {
	return strings.ContainsFunc(line, func(r rune) bool { return unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r) })
}

// TestEveryLineStaysRightToLeft renders every Persian catalog entry with
// Latin, digit and Persian arguments (and a mix) and checks that each line
// that holds Persian letters starts, outside isolates, with a right-to-left
// character, so it lays out right to left on every phone
// (docs/conversation.md, "Bidi").
func TestEveryLineStaysRightToLeft(t *testing.T) {
	p, err := New("fa", tehran())
	if err != nil {
		t.Fatal(err)
	}
	cat := mustCatalogs(t)["fa"]
	variants := map[string]func(i int) any{
		"latin":    func(int) any { return "CRM K-1004" },
		"phone":    func(int) any { return "+989121234567" },
		"digits":   func(int) any { return 1204 },
		"negative": func(int) any { return -5 },
		"persian":  func(int) any { return "ماژول گزارش" },
		"mixed": func(i int) any {
			if i%2 == 0 {
				return "C-203"
			}
			return "شرکت نمونه"
		},
	}
	for _, key := range sortedKeys(cat) {
		names := Placeholders(cat[key])
		for vname, v := range variants {
			args := map[string]any{}
			for i, n := range names {
				args[n] = v(i)
			}
			for n, line := range strings.Split(p.T(key, args), "\n") {
				if hasPersianLetters(line) && firstStrong(line) != 'R' {
					t.Errorf("%s (%s args) line %d lays out left to right: %q", key, vname, n+1, line)
				}
			}
		}
	}
	if firstStrong("\u2068K-1004\u2069 ماژول") != 'R' || firstStrong("K-1004 ماژول") != 'L' || firstStrong("\u200eK\u200e م") != 'L' {
		t.Fatal("firstStrong is wrong")
	}
}
