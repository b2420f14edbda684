package rules_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"supportbot/rules"
)

func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{
		"09121234567", "+989121234567", "00989121234567", "989121234567", "9121234567",
		"0912 123 4567", "(0912) 123-45.67", "+98 (0) 912 123 4567", "۰۹۱۹۸۹۰۶۸۵۰",
		"٠٩١٢١٢٣٤٥٦٧", "\u200e+98 912 123 4567\u200e", "021 12345678", "+98 21 1234 5678",
		"+1 415 555 2671", "0912abc", "12345678", "", "++98", "0000000000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := rules.ParsePhone(s)
		if err != nil {
			return
		}
		if len(got) != 13 || !strings.HasPrefix(got, "+98") {
			t.Fatalf("ParsePhone(%q) = %q, not +98 and 10 digits", s, got)
		}
		for i := 3; i < len(got); i++ {
			if got[i] < '0' || got[i] > '9' {
				t.Fatalf("ParsePhone(%q) = %q, not +98 and 10 digits", s, got)
			}
		}
		again, err := rules.ParsePhone(got)
		if err != nil || again != got {
			t.Fatalf("ParsePhone(%q) = %q, %v; want itself", got, again, err)
		}
	})
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{
		"", "منو", "كي", "می\u200cخواهم", "\u200f\u202bمنو\u202c\u200e", "منـــو", "مَنُو",
		"  سلام \t خوبید ", "MeNu K-2001", "۱٢3", "ممنون 🙏", "a \u200e b", "a\xffb", "\xe2\u200c\x80\x8c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := rules.Fold(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Fold(%q) = %q, invalid UTF-8", s, got)
		}
		if again := rules.Fold(got); again != got {
			t.Fatalf("Fold not idempotent: Fold(%q) = %q, Fold of that = %q", s, got, again)
		}
		if strings.TrimSpace(got) != got || strings.Contains(got, "  ") {
			t.Fatalf("Fold(%q) = %q, whitespace not collapsed", s, got)
		}
	})
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{
		"45m", "1h30m", "1h", "1.5h", "90", "1:30", "۴۵ دقیقه", "۱ ساعت و ۳۰ دقیقه", "۲ساعت",
		"یک ساعت و نیم", "نیم ساعت", "25h", "-5m", "0", "1h 90m", "30s", "۱٫۵ ساعت",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := rules.ParseDuration(s)
		if err != nil {
			return
		}
		if d <= 0 || d > 24*time.Hour || d%time.Minute != 0 {
			t.Fatalf("ParseDuration(%q) = %v, want positive whole minutes up to 24h", s, d)
		}
		// The canonical spelling of the result parses back to it.
		again, err := rules.ParseDuration(fmt.Sprintf("%dm", int(d/time.Minute)))
		if err != nil || again != d {
			t.Fatalf("ParseDuration of %v's minutes = %v, %v", d, again, err)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"1405/09/06", "1405-09-06", "2026-11-27", "2026/11/27", "۱۴۰۵/۰۹/۰۶", "1403/12/30",
		"1404/12/30", "2026-02-30", "1405/13/01", "27/11/2026", "", "0999/01/01",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := rules.ParseDate(s)
		if err != nil {
			return
		}
		tm := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
		if tm.Year() != d.Year || tm.Month() != d.Month || tm.Day() != d.Day {
			t.Fatalf("ParseDate(%q) = %v, not a real date", s, d)
		}
		if d.Year < 1700 {
			return // its ISO form would read as Jalali
		}
		again, err := rules.ParseDate(tm.Format("2006-01-02"))
		if err != nil || again != d {
			t.Fatalf("ParseDate of %v's ISO form = %v, %v", d, again, err)
		}
	})
}

func FuzzParseMenuChoice(f *testing.F) {
	for _, s := range []string{"1", "۱", "١", "۱.", "1)", "(۳)", "\u200f۵\u200f", "۱۰", "0", "منو", "-1", "3\ufe0f\u20e3", "1 2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := rules.ParseMenuChoice(s)
		if !ok {
			return
		}
		if n < 0 {
			t.Fatalf("ParseMenuChoice(%q) = %d, negative", s, n)
		}
		if again, ok := rules.ParseMenuChoice(fmt.Sprint(n)); !ok || again != n {
			t.Fatalf("ParseMenuChoice(%d) = %d, %v", n, again, ok)
		}
	})
}
