package rules

import "strings"

// HiddenPrefix starts a hidden WhatsApp address: a sender WhatsApp shows
// without a phone number ("lid:DIGITS"). See docs/whatsapp.md.
const HiddenPrefix = "lid:"

// IsHidden reports whether addr is a hidden address, "lid:" and digits.
func IsHidden(addr string) bool {
	digits, ok := strings.CutPrefix(addr, HiddenPrefix)
	if !ok || digits == "" {
		return false
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseHidden reads a hidden address as people type it: "lid:" and
// digits, in any digits and case, with direction marks ignored. It returns
// the address in its one stored form and whether s is one.
func ParseHidden(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		if invisible(r) {
			return -1
		}
		return r
	}, s)
	s = strings.ToLower(NormalizeDigits(strings.TrimSpace(s)))
	return s, IsHidden(s)
}
