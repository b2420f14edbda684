package rules_test

import (
	"errors"
	"testing"
	"time"

	"supportbot/rules"
)

func TestNormalizeDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abc", "abc"},
		{"۰۱۲۳۴۵۶۷۸۹", "0123456789"},
		{"٠١٢٣٤٥٦٧٨٩", "0123456789"},
		{"۱2٣", "123"},
		{"تیکت ۱۲ 🙂", "تیکت 12 🙂"},
		{"\xff۱", "\xff1"},
	}
	for _, tt := range tests {
		if got := rules.NormalizeDigits(tt.in); got != tt.want {
			t.Errorf("NormalizeDigits(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"arabic yeh and kaf", "كي", "کی"},
		{"alef maksura", "موسى", "موسی"},
		{"teh marbuta", "مدرسة", "مدرسه"},
		{"zwnj removed", "می\u200cخواهم", "میخواهم"},
		{"bidi marks", "\u200f\u202bمنو\u202c\u200e", "منو"},
		{"isolates", "\u2067۱۲\u2069", "12"},
		{"tatweel", "منـــو", "منو"},
		{"diacritics", "مَنُو", "منو"},
		{"superscript alef", "رحمٰن", "رحمن"},
		{"bom", "\ufeffسلام", "سلام"},
		{"whitespace", "  سلام \t\n  خوبید  ", "سلام خوبید"},
		{"nbsp", "a\u00a0b", "a b"},
		{"mark between spaces", "a \u200e b", "a b"},
		{"ascii lowercase", "MeNu K-2001", "menu k-2001"},
		{"digits", "۱٢3", "123"},
		{"emoji kept", "ممنون 🙏", "ممنون 🙏"},
		{"invalid utf8", "a\xffb", "a\ufffdb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rules.Fold(tt.in)
			if got != tt.want {
				t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := rules.Fold(got); again != got {
				t.Errorf("Fold not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestParseMenuChoice(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1, true},
		{"۱", 1, true},
		{"١", 1, true},
		{" ۲ ", 2, true},
		{"۱.", 1, true},
		{"1)", 1, true},
		{"(۳)", 3, true},
		{"۴-", 4, true},
		{"\u200f۵\u200f", 5, true},
		{"\u202b۶\u202c", 6, true},
		{"۱۰", 10, true},
		{"1٠", 10, true},
		{"0", 0, true},
		{"۰", 0, true},
		{"07", 7, true},
		{"3\ufe0f\u20e3", 3, true},
		{"«۲»", 2, true},
		{"۲؟", 2, true},
		{"", 0, false},
		{"   ", 0, false},
		{"منو", 0, false},
		{"گزینه ۲", 0, false},
		{"1 2", 0, false},
		{"1.5", 0, false},
		{"-1", 0, false},
		{"+1", 0, false},
		{"۱🙂", 0, false},
		{"1234567890", 0, false},
	}
	for _, tt := range tests {
		got, ok := rules.ParseMenuChoice(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseMenuChoice(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParsePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"09121234567", "+989121234567"},
		{"+989121234567", "+989121234567"},
		{"00989121234567", "+989121234567"},
		{"989121234567", "+989121234567"},
		{"9121234567", "+989121234567"},
		{"0912 123 4567", "+989121234567"},
		{"0912-123-4567", "+989121234567"},
		{"(0912) 123.45.67", "+989121234567"},
		{"+98 (0) 912 123 4567", "+989121234567"},
		{"۰۹۱۲۱۲۳۴۵۶۷", "+989121234567"},
		{"٠٩١٢١٢٣٤٥٦٧", "+989121234567"},
		{"۰۹۱۲123٤٥٦٧", "+989121234567"},
		{"\u200e+98 912 123 4567\u200e", "+989121234567"},
		{"\u202a۰۹۱۹۸۹۰۶۸۵۰\u202c", "+989198906850"},
		{"  09198906850  ", "+989198906850"},
		{"021 12345678", "+982112345678"},
		{"021-1234-5678", "+982112345678"},
		{"(021) 12345678", "+982112345678"},
		{"+98 21 1234 5678", "+982112345678"},
		{"۰۲۱۸۸۷۷۶۶۵۵", "+982188776655"},
		{"031 3222 1111", "+983132221111"},
	}
	for _, tt := range tests {
		got, err := rules.ParsePhone(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParsePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}

	bad := []string{
		"",
		"   ",
		"\u200f",
		"0912",
		"12345678",                // no area code
		"0912123456",              // one digit short
		"091212345678",            // one digit long
		"+1 415 555 2671",         // not Iran
		"001 415 555 2671",        // not Iran
		"+44 20 7946 0958",        // not Iran
		"0912abc4567",             // letters
		"شماره ۰۹۱۲۱۲۳۴۵۶۷",       // words
		"0912 123 4567 🙂",         // emoji
		"09121234567+",            // plus in the middle
		"++989121234567",          // two pluses
		"02012345678",             // no such area code
		"0000000000",              // zeros
		"12345678901234567890123", // far too long
	}
	for _, in := range bad {
		got, err := rules.ParsePhone(in)
		if err == nil {
			t.Errorf("ParsePhone(%q) = %q, want error", in, got)
			continue
		}
		if !errors.Is(err, rules.ErrInvalidPhone) {
			t.Errorf("ParsePhone(%q) error %v does not wrap ErrInvalidPhone", in, err)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"45m", 45 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"1h", time.Hour},
		{"1H 30M", 90 * time.Minute},
		{"1h30", 90 * time.Minute},
		{"1.5h", 90 * time.Minute},
		{"90", 90 * time.Minute},
		{"۹۰", 90 * time.Minute},
		{"1:30", 90 * time.Minute},
		{"۱:۳۰", 90 * time.Minute},
		{"0:45", 45 * time.Minute},
		{"45 min", 45 * time.Minute},
		{"2 hours 15 minutes", 135 * time.Minute},
		{"۴۵ دقیقه", 45 * time.Minute},
		{"۴۵دقیقه", 45 * time.Minute},
		{"۱ ساعت و ۳۰ دقیقه", 90 * time.Minute},
		{"۱ ساعت، ۳۰ دقیقه", 90 * time.Minute},
		{"۲ساعت", 2 * time.Hour},
		{"٢ ساعت", 2 * time.Hour},
		{"۱٫۵ ساعت", 90 * time.Minute},
		{"یک ساعت", time.Hour},
		{"یک ساعت و نیم", 90 * time.Minute},
		{"نیم ساعت", 30 * time.Minute},
		{"دو ساعت و ۱۵ دقیقه", 135 * time.Minute},
		{"\u200f۳۰ دقیقه\u200f", 30 * time.Minute},
		{"24h", 24 * time.Hour},
		{"1440", 24 * time.Hour},
	}
	for _, tt := range tests {
		got, err := rules.ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}

	bad := []string{
		"", " ", "0", "0m", "-5m", "25h", "24h1m", "1441", "1.5", "0.01h",
		"30s", "m", "ساعت", "۴۵ روز", "1h 2h", "30m 1h", "1h 90m", "1:3", "1:75", "a:30",
		"1h30m20", "5 5", "1..5h", "12345678901h", "🙂", "۴۵ دقیقه 🙂", "1h-30m",
	}
	for _, in := range bad {
		got, err := rules.ParseDuration(in)
		if err == nil {
			t.Errorf("ParseDuration(%q) = %v, want error", in, got)
			continue
		}
		if !errors.Is(err, rules.ErrInvalidDuration) {
			t.Errorf("ParseDuration(%q) error %v does not wrap ErrInvalidDuration", in, err)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want rules.Date
	}{
		{"1405/09/06", rules.Date{Year: 2026, Month: time.November, Day: 27}},
		{"1405-09-06", rules.Date{Year: 2026, Month: time.November, Day: 27}},
		{"1405/9/6", rules.Date{Year: 2026, Month: time.November, Day: 27}},
		{"۱۴۰۵/۰۹/۰۶", rules.Date{Year: 2026, Month: time.November, Day: 27}},
		{"١٤٠٥/٠٩/٠٦", rules.Date{Year: 2026, Month: time.November, Day: 27}},
		{"  ۱۴۰۵/۰۹/۰۶\u200f ", rules.Date{Year: 2026, Month: time.November, Day: 27}},
		{"1405/09/10", rules.Date{Year: 2026, Month: time.December, Day: 1}},
		{"1405/01/01", rules.Date{Year: 2026, Month: time.March, Day: 21}},
		{"1403/12/30", rules.Date{Year: 2025, Month: time.March, Day: 20}}, // 1403 is leap
		{"2026-11-27", rules.Date{Year: 2026, Month: time.November, Day: 27}},
		{"2026/11/27", rules.Date{Year: 2026, Month: time.November, Day: 27}},
		{"۲۰۲۶-۱۱-۲۷", rules.Date{Year: 2026, Month: time.November, Day: 27}},
		{"2024-02-29", rules.Date{Year: 2024, Month: time.February, Day: 29}},
	}
	for _, tt := range tests {
		got, err := rules.ParseDate(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}

	bad := []string{
		"", "1405/13/01", "1405/00/10", "1405/07/31", "1404/12/30", // 1404 is not leap
		"2026-02-30", "2025-02-29", "2026-13-01", "2026-11-00", "2026-11-31",
		"27/11/2026", "05/09/06", "1405/09", "1405/09/06/01", "1405-09/06", "14050906",
		"1405/09/06 12:00", "abc", "۱۴۰۵/۰۹/۰۶ 🙂", "0999/01/01", "1405/009/06",
	}
	for _, in := range bad {
		got, err := rules.ParseDate(in)
		if err == nil {
			t.Errorf("ParseDate(%q) = %v, want error", in, got)
			continue
		}
		if !errors.Is(err, rules.ErrInvalidDate) {
			t.Errorf("ParseDate(%q) error %v does not wrap ErrInvalidDate", in, err)
		}
	}
}
