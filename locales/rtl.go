package locales

import (
	"strings"
	"unicode"
)

// rlm (RIGHT-TO-LEFT MARK) is a strong right-to-left character that shows
// nothing: put first on a line, it makes the line right to left.
const rlm = "\u200f"

// RightToLeftLines starts with RLM every line of s that holds Persian
// letters but would lay out left to right because a Latin word comes first
// («CRM من باز نمی‌شود», a staff answer starting with «Excel»): text the bot
// relays from people as they typed it, which no catalog entry can isolate.
// Lines without Persian letters (an English sentence, a file name) and lines
// already right to left are left as they are (docs/conversation.md).
func RightToLeftLines(s string) string {
	if !strings.ContainsFunc(s, isPersianLetter) {
		return s
	}
	lines := strings.Split(s, "\n")
	changed := false
	for i, line := range lines {
		if firstStrong(line) == 'L' && strings.ContainsFunc(line, isPersianLetter) {
			lines[i] = rlm + line
			changed = true
		}
	}
	if !changed {
		return s
	}
	return strings.Join(lines, "\n")
}

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

func isPersianLetter(r rune) bool { return unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r) }

// hasPersianLetters reports whether a line holds Arabic-script letters.
func hasPersianLetters(line string) bool { return strings.ContainsFunc(line, isPersianLetter) }

// LaysOutWrongWay reports whether line holds Persian letters yet would lay
// out left to right in WhatsApp and Telegram: what RightToLeftLines mends.
func LaysOutWrongWay(line string) bool {
	return hasPersianLetters(line) && firstStrong(line) != 'R'
}
