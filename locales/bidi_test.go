package locales

import (
	"strings"
	"testing"
)

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

// TestRightToLeftLines: text people typed, relayed as it is, keeps every
// Persian line right to left; other lines and right-to-left lines are
// untouched.
func TestRightToLeftLines(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"CRM من باز نمی‌شود", "\u200fCRM من باز نمی‌شود"},
		{"ERP و CRM\nهر دو\nExcel 2019 خطا", "\u200fERP و CRM\nهر دو\n\u200fExcel 2019 خطا"},
		{"Hello, error 500", "Hello, error 500"},
		{"report.xlsx", "report.xlsx"},
		{"«K-1001» کد", "\u200f«K-1001» کد"},
		{"\u2068K-1001\u2069 کد", "\u2068K-1001\u2069 کد"},
		{"\u200fCRM من", "\u200fCRM من"},
		{"۱۲ CRM خطا", "\u200f۱۲ CRM خطا"},
		{"", ""},
	} {
		got := RightToLeftLines(c.in)
		if got != c.want {
			t.Errorf("RightToLeftLines(%q) = %q, want %q", c.in, got, c.want)
		}
		for _, line := range strings.Split(got, "\n") {
			if hasPersianLetters(line) && firstStrong(line) != 'R' {
				t.Errorf("%q: line %q lays out left to right", c.in, line)
			}
		}
	}
}
