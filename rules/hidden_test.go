package rules

import (
	"strings"
	"testing"
)

func TestIsHidden(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"lid:111222333", true},
		{"lid:0", true},
		{"lid:", false},
		{"", false},
		{"LID:111", false},  // the stored form is lower case
		{"lid:١٢٣", false},  // … with ASCII digits
		{"lid:12a", false},  // digits only
		{"lid:-1", false},   // no sign
		{"lid: 123", false}, // no space
		{"xlid:123", false}, // the prefix first
		{"+989121234567", false},
		{"lid:123\u2069", false}, // marks are ParseHidden's to drop
	}
	for _, tt := range tests {
		if got := IsHidden(tt.addr); got != tt.want {
			t.Errorf("IsHidden(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

// ParseHidden reads a hidden address as staff type or paste it: any digit
// script and case, surrounding space, and the invisible marks the bot puts
// around ids in its own messages.
func TestParseHidden(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" when not a hidden address
	}{
		{"lid:111222333", "lid:111222333"},
		{"LID:111222333", "lid:111222333"},
		{"  Lid:111222333\n", "lid:111222333"},
		{"lid:۱۱۱۲۲۲۳۳۳", "lid:111222333"},
		{"lid:١١١٢٢٢٣٣٣", "lid:111222333"},
		{"\u2068lid:111222333\u2069", "lid:111222333"},       // pasted from the bot's message
		{"\u200elid:111\u200f222333\u200e", "lid:111222333"}, // LRM and RLM
		{"\u202alid:111222333\u202c", "lid:111222333"},       // embedding
		{"\ufefflid:111222333", "lid:111222333"},             // byte-order mark
		{"lid:", ""},
		{"lid:12a", ""},
		{"lid: 123", ""},
		{"lid:12 34", ""},
		{"lid:１２３", ""}, // full-width digits are not read as digits
		{"+989121234567", ""},
		{"۰۹۱۲۱۲۳۴۵۶۷", ""},
		{"", ""},
		{"\u2068\u2069", ""},
	}
	for _, tt := range tests {
		got, ok := ParseHidden(tt.in)
		if ok != (tt.want != "") || (ok && got != tt.want) {
			t.Errorf("ParseHidden(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

// FuzzParseHidden: whatever staff type, an address ParseHidden accepts is
// one IsHidden accepts, plain ASCII, and read again unchanged; a stored
// address is read as itself.
func FuzzParseHidden(f *testing.F) {
	for _, s := range []string{"lid:111222333", "LID:۱۲۳", "\u2068lid:1\u2069", "lid:", "+989121234567", "lid:1\u200c2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		addr, ok := ParseHidden(s)
		if ok {
			if !IsHidden(addr) || !strings.HasPrefix(addr, HiddenPrefix) {
				t.Fatalf("ParseHidden(%q) = %q, not a stored hidden address", s, addr)
			}
			for i := 0; i < len(addr); i++ {
				if addr[i] >= 0x80 {
					t.Fatalf("ParseHidden(%q) = %q, not ASCII", s, addr)
				}
			}
			if again, ok := ParseHidden(addr); !ok || again != addr {
				t.Fatalf("ParseHidden(%q) = %q, %v; want it unchanged", addr, again, ok)
			}
		}
		if IsHidden(s) {
			if got, ok := ParseHidden(s); !ok || got != s {
				t.Fatalf("stored %q read as %q, %v", s, got, ok)
			}
		}
	})
}
