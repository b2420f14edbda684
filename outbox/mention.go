package outbox

import (
	"strconv"
	"strings"
)

// Mentions. The desk names staff by name; where Telegram should also
// notify the person, the name is wrapped in a mention token that only the
// desk makes: mentionStart, the user id, mentionSep, the name, mentionEnd.
// The Telegram adapter turns a token into a mention when the id is known
// staff (else into the name alone); every other reader shows the name
// (PlainMentions). The token's marks are control characters that
// ScrubMarks removes from everything people type (customer and staff
// text, names, file names), so no text from outside can make a mention,
// whatever it contains (a literal tg://user?id=N stays text).
const (
	mentionStart = "\x1e"
	mentionSep   = "\x1f"
	mentionEnd   = "\x1e"
)

// MentionToken is the desk's mention of userID, shown as name.
func MentionToken(userID int64, name string) string {
	return mentionStart + strconv.FormatInt(userID, 10) + mentionSep + ScrubMarks(name) + mentionEnd
}

// Mention is one mention token found in a text.
type Mention struct {
	Start, End int // byte offsets of the whole token
	UserID     int64
	Name       string
}

// Mentions lists the mention tokens in s, in order.
func Mentions(s string) []Mention {
	var out []Mention
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], mentionStart)
		if j < 0 {
			break
		}
		start := i + j
		rest := s[start+len(mentionStart):]
		idText, after, ok := strings.Cut(rest, mentionSep)
		id, err := strconv.ParseInt(idText, 10, 64)
		name, _, ok2 := strings.Cut(after, mentionEnd)
		if !ok || !ok2 || err != nil || id <= 0 || strings.Contains(name, mentionSep) {
			i = start + len(mentionStart)
			continue
		}
		end := start + len(mentionStart) + len(idText) + len(mentionSep) + len(name) + len(mentionEnd)
		out = append(out, Mention{Start: start, End: end, UserID: id, Name: name})
		i = end
	}
	return out
}

// PlainMentions shows each mention token of s as its name, and drops any
// stray mark.
func PlainMentions(s string) string {
	if !strings.ContainsAny(s, mentionStart+mentionSep) {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range Mentions(s) {
		b.WriteString(s[last:m.Start])
		b.WriteString(m.Name)
		last = m.End
	}
	b.WriteString(s[last:])
	return ScrubMarks(b.String())
}

// ScrubMarks removes the mention token's marks from text that came from
// outside.
func ScrubMarks(s string) string {
	if !strings.ContainsAny(s, mentionStart+mentionSep) {
		return s
	}
	return strings.NewReplacer(mentionStart, "", mentionSep, "").Replace(s)
}

// CallbackData is the inline-button data the transport attaches to button
// of a message about ticketID: card buttons ("claim") get the ticket number
// ("claim:12"); buttons that carry their own data ("decline:12:misuse") are
// used as they are. The desk reads it back from a button press.
func CallbackData(button string, ticketID int64) string {
	if strings.Contains(button, ":") {
		return button
	}
	return button + ":" + strconv.FormatInt(ticketID, 10)
}
