package telegram_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"supportbot/bot/telegram"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"empty", "", 10, nil},
		{"blank", " \n\n ", 10, nil},
		{"fits", "hello\nworld", 20, []string{"hello\nworld"}},
		{"on lines", "aaaa\nbbbb\ncccc", 9, []string{"aaaa\nbbbb", "cccc"}},
		{"on words", "one two three four", 9, []string{"one two", "three", "four"}},
		{"hard cut", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"persian", "سلام دنیا", 5, []string{"سلام", "دنیا"}},
		{"emoji count two", "😀😀😀", 4, []string{"😀😀", "😀"}},
		{"blank lines at a cut dropped", "aaaa\n\n\n\nbbbb", 5, []string{"aaaa", "bbbb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := telegram.Split(tt.text, tt.limit); !slices.Equal(got, tt.want) {
				t.Errorf("Split(%q, %d) = %q, want %q", tt.text, tt.limit, got, tt.want)
			}
		})
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("hello\nworld", 5)
	f.Add("سلام دنیا 😀 "+strings.Repeat("x", 50), 7)
	f.Add("\xff\xfe bad utf8", 3)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		limit = 2 + abs(limit)%200
		parts := telegram.Split(text, limit)
		for _, p := range parts {
			if units(p) > limit {
				t.Fatalf("part %q is %d units, over %d", p, units(p), limit)
			}
			if strings.TrimSpace(p) == "" {
				t.Fatalf("empty part in %q", parts)
			}
		}
		if got, want := dense(strings.Join(parts, "")), dense(strings.ToValidUTF8(text, "\uFFFD")); got != want {
			t.Fatalf("text lost: got %q, want %q", got, want)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // the smallest int
			return 0
		}
		return -n
	}
	return n
}

// dense drops white space, which a cut may remove.
func dense(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func TestSplitKeepsLineBreaksAfterALongLine(t *testing.T) {
	got := telegram.Split("aaa bbb ccc\nd", 8)
	want := []string{"aaa bbb", "ccc\nd"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
