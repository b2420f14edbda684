package telegram

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Telegram's limits on visible text, counted in UTF-16 code units after
// HTML entities are parsed.
const (
	MaxText    = 4096 // a text message
	MaxCaption = 1024 // a photo or document caption
)

// Split cuts text into parts of at most limit UTF-16 code units, on line
// boundaries where it can, else between words, else between characters.
// Parts lose the trailing white space at a cut; empty parts are dropped.
func Split(text string, limit int) []string {
	limit = max(limit, 2) // room for any one character
	text = strings.ToValidUTF8(text, "\uFFFD")
	var out []string
	for _, p := range split(text, limit, []string{"\n", " ", ""}) {
		if p = strings.TrimRight(p, " \t\r\n"); strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// split packs the pieces text falls into at seps[0] into parts of at most
// limit units, and cuts any piece that is too long at the next separator.
// The empty separator cuts between characters, the last resort. A part may
// end with one separator beyond the limit, which Split trims.
func split(text string, limit int, seps []string) []string {
	if units(text) <= limit || len(seps) == 0 {
		return []string{text}
	}
	var out []string
	var cur strings.Builder
	n := 0
	for _, piece := range strings.SplitAfter(text, seps[0]) {
		pn := units(piece)
		if n+units(strings.TrimSuffix(piece, seps[0])) <= limit {
			cur.WriteString(piece)
			n += pn
			continue
		}
		if n > 0 {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
		if units(strings.TrimSuffix(piece, seps[0])) <= limit {
			cur.WriteString(piece)
			n = pn
			continue
		}
		body := strings.TrimSuffix(piece, seps[0])
		sub := split(body, limit, seps[1:])
		out = append(out, sub[:len(sub)-1]...)
		last := sub[len(sub)-1] + piece[len(body):] // keep the separator
		cur.WriteString(last)
		n = units(last)
	}
	if n > 0 {
		out = append(out, cur.String())
	}
	return out
}

// units is the length of s in UTF-16 code units, as Telegram counts.
func units(s string) int {
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		if l := utf16.RuneLen(r); l > 0 {
			n += l
		} else {
			n++
		}
	}
	return n
}

// clipUnits cuts s to at most limit UTF-16 code units, on a rune boundary,
// ending it with "…" when cut.
func clipUnits(s string, limit int) string {
	if units(s) <= limit {
		return s
	}
	n := 0
	for i, r := range s {
		l := max(utf16.RuneLen(r), 1)
		if n+l > limit-1 { // room for the ellipsis
			return s[:i] + "…"
		}
		n += l
	}
	return s
}
