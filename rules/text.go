package rules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jalaali/go-jalaali"
)

// Errors of the input parsers; the returned errors wrap one of them and add
// what exactly was wrong, so a caller can both branch and show the reason.
var (
	ErrInvalidPhone    = errors.New("invalid phone number")
	ErrInvalidDuration = errors.New("invalid duration")
	ErrInvalidDate     = errors.New("invalid date")
)

// NormalizeDigits turns Persian (U+06F0–06F9) and Arabic-Indic (U+0660–0669)
// digits into ASCII, because customers and CSV files use all three scripts
// for the same numbers. Everything else, invalid UTF-8 included, is kept.
func NormalizeDigits(s string) string {
	if !strings.ContainsFunc(s, isNonASCIIDigit) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= '۰' && r <= '۹':
			b.WriteByte(byte('0' + r - '۰'))
		case r >= '٠' && r <= '٩':
			b.WriteByte(byte('0' + r - '٠'))
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func isNonASCIIDigit(r rune) bool {
	return (r >= '۰' && r <= '۹') || (r >= '٠' && r <= '٩')
}

// Fold reduces text to the form used for matching words and menu choices, so
// that what a phone keyboard produces (Arabic ي and ك, any digit script,
// invisible joiners and direction marks, diacritics, stray spaces) compares
// equal to what we expect: digits become ASCII, Arabic letter variants become
// Persian, invisible and decorative characters are dropped, runs of
// whitespace become one space, the ends are trimmed and ASCII letters are
// lowercased. Invalid UTF-8 becomes U+FFFD. Fold is idempotent.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range NormalizeDigits(s) {
		switch {
		case r == 'ي' || r == 'ى':
			r = 'ی'
		case r == 'ك':
			r = 'ک'
		case r == 'ة':
			r = 'ه'
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case foldDrops(r):
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// foldDrops reports whether Fold removes r: joiners, direction marks,
// tatweel, Arabic diacritics and the byte-order mark.
func foldDrops(r rune) bool {
	return invisible(r) || r == '\u0640' || (r >= '\u064b' && r <= '\u065f') || r == '\u0670'
}

// invisible reports the zero-width characters and direction marks that
// text copied from the bot's messages (or typed on a phone) carries around
// ids and numbers: joiners, LRM/RLM/ALM, embeddings, isolates, the
// word joiner and the byte-order mark.
func invisible(r rune) bool {
	switch {
	case r == '\u200b', r == '\u200c', r == '\u200d', r == '\u200e', r == '\u200f':
		return true
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	case r == '\u061c', r == '\u2060', r == '\ufeff':
		return true
	}
	return false
}

// ParseMenuChoice reads a message that is only a number, as customers answer
// a numbered menu: any digit script, with spaces, direction marks and
// punctuation around it ("۱.", "1)", "(۲)", "3️⃣"). It reports false for
// anything else, including signs and numbers inside words.
func ParseMenuChoice(s string) (int, bool) {
	f := Fold(s)
	f = strings.TrimRightFunc(f, func(r rune) bool {
		return unicode.IsPunct(r) || r == ' ' || r == '\ufe0f' || r == '\u20e3'
	})
	f = strings.TrimLeftFunc(f, func(r rune) bool {
		return (unicode.IsPunct(r) && r != '-') || r == ' '
	})
	if f == "" || len(f) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// iranAreaCodes are the two-digit area codes (after the trunk 0) of Iranian
// landlines; 21 is Tehran.
var iranAreaCodes = map[string]bool{
	"11": true, "13": true, "17": true, "21": true, "23": true, "24": true,
	"25": true, "26": true, "28": true, "31": true, "34": true, "35": true,
	"38": true, "41": true, "44": true, "45": true, "51": true, "54": true,
	"56": true, "58": true, "61": true, "66": true, "71": true, "74": true,
	"76": true, "77": true, "81": true, "83": true, "84": true, "86": true,
	"87": true,
}

// ParsePhone turns an Iranian phone number written any usual way (0912…,
// +98912…, 0098912…, 98912…, 912…, a landline with its area code such as
// 021 12345678; spaces, dashes, dots, parentheses, any digit script and
// direction marks allowed) into E.164, +98 and ten digits, the one form we
// store and match on. Anything else is an error wrapping ErrInvalidPhone.
func ParsePhone(s string) (string, error) {
	f := Fold(s)
	if f == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidPhone)
	}
	plus := false
	digits := make([]byte, 0, len(f))
	for _, r := range f {
		switch {
		case r >= '0' && r <= '9':
			if len(digits) >= 20 {
				return "", fmt.Errorf("%w: too long", ErrInvalidPhone)
			}
			digits = append(digits, byte(r))
		case r == '+':
			if plus || len(digits) > 0 {
				return "", fmt.Errorf("%w: %q may only come first", ErrInvalidPhone, "+")
			}
			plus = true
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
		case unicode.IsLetter(r):
			return "", fmt.Errorf("%w: contains letters", ErrInvalidPhone)
		default:
			return "", fmt.Errorf("%w: unexpected character %q", ErrInvalidPhone, r)
		}
	}
	d := string(digits)
	switch {
	case d == "":
		return "", fmt.Errorf("%w: no digits", ErrInvalidPhone)
	case plus && !strings.HasPrefix(d, "98"):
		return "", fmt.Errorf("%w: country code is not Iran (+98)", ErrInvalidPhone)
	case plus:
		d = d[2:]
	case strings.HasPrefix(d, "0098"):
		d = d[4:]
	case strings.HasPrefix(d, "00"):
		return "", fmt.Errorf("%w: country code is not Iran (+98)", ErrInvalidPhone)
	case strings.HasPrefix(d, "98") && len(d) == 12:
		d = d[2:]
	}
	// A trunk 0 may follow the country code ("+98 (0) 912…").
	if len(d) == 11 && d[0] == '0' {
		d = d[1:]
	}
	switch {
	case len(d) > 10:
		return "", fmt.Errorf("%w: too long (%d digits)", ErrInvalidPhone, len(digits))
	case len(d) < 10 || d[0] == '0':
		return "", fmt.Errorf("%w: too short; write the full number with its area code, e.g. 021 for Tehran", ErrInvalidPhone)
	case d[0] == '9':
		// Mobile.
	case !iranAreaCodes[d[:2]]:
		return "", fmt.Errorf("%w: unknown area code 0%s", ErrInvalidPhone, d[:2])
	}
	return "+98" + d, nil
}

// textDigitsOnly reports whether s is non-empty and only ASCII digits.
func textDigitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// maxLogEntry is the most time one staff time-log entry may carry.
const maxLogEntry = 24 * time.Hour

// durationUnits maps the unit words staff type to their length.
var durationUnits = map[string]time.Duration{
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"ساعت": time.Hour,
	"m":    time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"دقیقه": time.Minute,
}

// durationWords are the number words a time log may use instead of digits.
var durationWords = map[string]float64{
	"یک": 1, "یه": 1, "دو": 2, "سه": 3, "چهار": 4, "پنج": 5, "شش": 6,
	"هفت": 7, "هشت": 8, "نه": 9, "ده": 10, "نیم": 0.5,
	"one": 1, "two": 2, "three": 3, "half": 0.5,
}

// ParseDuration reads a staff time-log entry: "45m", "1h30m", "1h", "1.5h",
// "90" (minutes), "1:30", "۴۵ دقیقه", "۱ ساعت و ۳۰ دقیقه", "یک ساعت و نیم",
// "۲ساعت". The result is positive, whole minutes and at most 24 hours;
// errors wrap ErrInvalidDuration and say what was wrong.
func ParseDuration(s string) (time.Duration, error) {
	f := strings.ReplaceAll(Fold(s), "٫", ".")
	if f == "" {
		return 0, fmt.Errorf("%w: empty", ErrInvalidDuration)
	}
	var d time.Duration
	if h, m, ok := strings.Cut(f, ":"); ok {
		h, m = strings.TrimSpace(h), strings.TrimSpace(m)
		hh, err1 := strconv.Atoi(h)
		mm, err2 := strconv.Atoi(m)
		if err1 != nil || err2 != nil || !textDigitsOnly(h) || len(h) > 2 || !textDigitsOnly(m) || len(m) != 2 || mm > 59 {
			return 0, fmt.Errorf("%w: %q is not hours:minutes like 1:30", ErrInvalidDuration, s)
		}
		d = time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute
	} else {
		var err error
		if d, err = parseDurationWords(f); err != nil {
			return 0, err
		}
	}
	switch {
	case d <= 0:
		return 0, fmt.Errorf("%w: must be more than zero", ErrInvalidDuration)
	case d > maxLogEntry:
		return 0, fmt.Errorf("%w: more than 24 hours in one entry", ErrInvalidDuration)
	case d%time.Minute != 0:
		return 0, fmt.Errorf("%w: not a whole number of minutes", ErrInvalidDuration)
	}
	return d, nil
}

// parseDurationWords reads the "number unit number unit" forms of a folded
// duration: hours before minutes, each at most once, a lone number meaning
// minutes and a bare number or "نیم" after hours meaning minutes or a half.
func parseDurationWords(f string) (time.Duration, error) {
	toks, err := durationTokens(f)
	if err != nil {
		return 0, err
	}
	if len(toks) == 1 && toks[0].num {
		return durationAmount(toks[0].value, time.Minute)
	}
	var total time.Duration
	last := time.Duration(0) // unit of the previous pair; 0 before any
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if !t.num {
			if _, ok := durationUnits[t.text]; ok {
				return 0, fmt.Errorf("%w: %q has no number before it", ErrInvalidDuration, t.text)
			}
			return 0, fmt.Errorf("%w: unknown word %q", ErrInvalidDuration, t.text)
		}
		unit := time.Duration(0)
		if i+1 < len(toks) && !toks[i+1].num {
			u, ok := durationUnits[toks[i+1].text]
			if !ok {
				return 0, fmt.Errorf("%w: unknown unit %q (use h or m, ساعت or دقیقه)", ErrInvalidDuration, toks[i+1].text)
			}
			unit = u
			i++
		} else if i == len(toks)-1 && last == time.Hour {
			// "1h30" means 1h30m, and so does "یک ساعت و نیم".
			unit = time.Minute
			if t.text == "نیم" || t.text == "half" {
				total += 30 * time.Minute
				continue
			}
		} else {
			return 0, fmt.Errorf("%w: number %q needs a unit (h or m)", ErrInvalidDuration, t.text)
		}
		if last != 0 && unit >= last {
			return 0, fmt.Errorf("%w: write hours before minutes, each once", ErrInvalidDuration)
		}
		if unit == time.Minute && last == time.Hour && t.value >= 60 {
			return 0, fmt.Errorf("%w: %s minutes after hours must be below 60", ErrInvalidDuration, t.text)
		}
		v, err := durationAmount(t.value, unit)
		if err != nil {
			return 0, err
		}
		total += v
		last = unit
	}
	return total, nil
}

// durationAmount multiplies a parsed number by its unit, refusing amounts
// that are out of range or not whole minutes.
func durationAmount(v float64, unit time.Duration) (time.Duration, error) {
	if v > float64(maxLogEntry/unit) {
		return 0, fmt.Errorf("%w: more than 24 hours in one entry", ErrInvalidDuration)
	}
	mins := v * float64(unit/time.Minute)
	whole := float64(int64(mins + 0.5))
	if d := mins - whole; d > 1e-9 || d < -1e-9 {
		return 0, fmt.Errorf("%w: not a whole number of minutes", ErrInvalidDuration)
	}
	return time.Duration(whole) * time.Minute, nil
}

// durationToken is a number (digits or a number word) or a word.
type durationToken struct {
	text  string
	num   bool
	value float64
}

// durationTokens splits a folded duration into numbers and words, dropping
// spaces, commas and the connectors "و" and "and".
func durationTokens(f string) ([]durationToken, error) {
	var toks []durationToken
	for i := 0; i < len(f); {
		r, n := utf8.DecodeRuneInString(f[i:])
		switch {
		case r >= '0' && r <= '9':
			j := i
			for j < len(f) && (f[j] >= '0' && f[j] <= '9' || f[j] == '.') {
				j++
			}
			text := f[i:j]
			if len(text) > 8 {
				return nil, fmt.Errorf("%w: number %q is too long", ErrInvalidDuration, text)
			}
			v, err := strconv.ParseFloat(text, 64)
			if err != nil || strings.HasSuffix(text, ".") {
				return nil, fmt.Errorf("%w: bad number %q", ErrInvalidDuration, text)
			}
			toks = append(toks, durationToken{text: text, num: true, value: v})
			i = j
		case unicode.IsLetter(r):
			j := i
			for j < len(f) {
				r2, n2 := utf8.DecodeRuneInString(f[j:])
				if !unicode.IsLetter(r2) && !unicode.Is(unicode.Mn, r2) {
					break
				}
				j += n2
			}
			word := f[i:j]
			i = j
			if word == "و" || word == "and" {
				continue
			}
			if v, ok := durationWords[word]; ok {
				toks = append(toks, durationToken{text: word, num: true, value: v})
				continue
			}
			toks = append(toks, durationToken{text: word})
		case r == ' ' || r == ',' || r == '،':
			i += n
		case r == '-' && i == 0:
			return nil, fmt.Errorf("%w: must be more than zero", ErrInvalidDuration)
		default:
			return nil, fmt.Errorf("%w: unexpected character %q", ErrInvalidDuration, r)
		}
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("%w: no number", ErrInvalidDuration)
	}
	return toks, nil
}

// ParseDate reads a date from CSV files and staff: year/month/day with "/" or
// "-" ("1405/09/06", "2026-11-27"), any digit script, spaces around it. A
// year below 1700 is Jalali (Solar Hijri) and is converted; otherwise it is
// Gregorian. Dates that do not exist are errors wrapping ErrInvalidDate.
func ParseDate(s string) (Date, error) {
	f := Fold(s)
	if f == "" {
		return Date{}, fmt.Errorf("%w: empty", ErrInvalidDate)
	}
	sep := "/"
	if strings.Contains(f, "-") {
		sep = "-"
	}
	parts := strings.Split(f, sep)
	if len(parts) != 3 {
		return Date{}, fmt.Errorf("%w: %q is not year/month/day like 1405/09/06 or 2026-11-27", ErrInvalidDate, s)
	}
	var n [3]int
	for i, p := range parts {
		p = strings.TrimSpace(p)
		width := 2
		if i == 0 {
			width = 4
		}
		if p == "" || len(p) > width || (i == 0 && len(p) != 4) {
			return Date{}, fmt.Errorf("%w: %q is not year/month/day like 1405/09/06 or 2026-11-27", ErrInvalidDate, s)
		}
		for j := 0; j < len(p); j++ {
			if p[j] < '0' || p[j] > '9' {
				return Date{}, fmt.Errorf("%w: %q is not year/month/day like 1405/09/06 or 2026-11-27", ErrInvalidDate, s)
			}
			n[i] = n[i]*10 + int(p[j]-'0')
		}
	}
	y, m, d := n[0], n[1], n[2]
	if y < 1000 {
		return Date{}, fmt.Errorf("%w: year %d is out of range", ErrInvalidDate, y)
	}
	if m < 1 || m > 12 {
		return Date{}, fmt.Errorf("%w: month %d is out of range 1-12", ErrInvalidDate, m)
	}
	if y < 1700 {
		if !jalaali.IsValidDate(y, m, d) {
			return Date{}, fmt.Errorf("%w: Jalali %04d/%02d/%02d does not exist", ErrInvalidDate, y, m, d)
		}
		gy, gm, gd, err := jalaali.ToGregorian(y, jalaali.Month(m), d)
		if err != nil {
			return Date{}, fmt.Errorf("%w: Jalali %04d/%02d/%02d: %w", ErrInvalidDate, y, m, d, err)
		}
		return Date{Year: gy, Month: gm, Day: gd}, nil
	}
	t := time.Date(y, time.Month(m), d, 12, 0, 0, 0, time.UTC)
	if d < 1 || t.Day() != d || t.Month() != time.Month(m) {
		return Date{}, fmt.Errorf("%w: %04d-%02d-%02d does not exist", ErrInvalidDate, y, m, d)
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, nil
}
