package locales

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jalaali/go-jalaali"
)

// fsi and pdi isolate a Latin id, phone or signed number inside Persian
// text (FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE): the run keeps its
// own direction and, unlike LRM marks around it, can never make the line
// lay out left to right when it comes first (docs/conversation.md).
const (
	fsi = "\u2068"
	pdi = "\u2069"
)

// Raw is an argument inserted exactly as given: text already rendered by a
// Printer, or anything that must not get Persian digits or direction marks.
type Raw string

// localeKeyer is a code (rules.RequestKind, rules.Tier, rules.Status, …) that
// names the catalog entry describing it.
type localeKeyer interface{ LocaleKey() string }

// jalaliDater is a calendar date without a time (rules.Date).
type jalaliDater interface{ Jalali() (year, month, day int) }

// dayTimer is an instant near now, said as people say it: weekday, day and
// month and the time, without the year.
type dayTimer interface{ DayTime() time.Time }

// Format renders one argument the way T inserts it:
//   - Raw: as is;
//   - a value with LocaleKey() string: the catalog text of that key;
//   - a value with Jalali() (y, m, d int), such as rules.Date: the Jalali date
//     ("۱۱ آذر ۱۴۰۵");
//   - time.Time: Jalali date and time with weekday, in the printer's zone;
//   - a value with DayTime() time.Time: the same without the year
//     ("یک‌شنبه ۸ آذر، ساعت ۹:۳۰"), for instants in the current year;
//   - time.Duration: hours and minutes ("۲ ساعت و ۳۰ دقیقه");
//   - time.Weekday: the weekday's name;
//   - integers (any size, named integer types too): plain digits, no
//     separators, Persian digits in fa;
//   - strings (and Stringers, errors, anything else via fmt): in fa, text with
//     Latin letters or a leading "+" (ids like K-2001, E.164 phones) is
//     isolated (U+2068 … U+2069) and keeps its ASCII digits; other text gets
//     Persian digits. In en, strings are unchanged.
func (p *Printer) Format(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case Raw:
		return string(v)
	case localeKeyer:
		return p.T(v.LocaleKey(), nil)
	case jalaliDater:
		return p.jalaliDate(v.Jalali())
	case dayTimer:
		return p.DayTime(v.DayTime())
	case time.Time:
		return p.DateTime(v)
	case *time.Time:
		if v == nil {
			return ""
		}
		return p.DateTime(*v)
	case time.Duration:
		return p.Duration(v)
	case time.Weekday:
		return p.Weekday(v)
	case int:
		return p.Number(v)
	case string:
		return p.text(v)
	case fmt.Stringer, error:
		return p.text(fmt.Sprint(v)) // fmt survives nil receivers
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return p.number(strconv.FormatInt(rv.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return p.number(strconv.FormatUint(rv.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		s := strconv.FormatFloat(rv.Float(), 'f', -1, 64)
		if p.lang == "fa" {
			s = strings.Replace(s, ".", "٫", 1)
		}
		return p.number(s)
	case reflect.String:
		return p.text(rv.String())
	}
	return p.text(fmt.Sprint(v))
}

// text renders a plain string argument (see Format).
func (p *Printer) text(s string) string {
	if p.lang != "fa" || s == "" {
		return s
	}
	if strings.HasPrefix(s, "+") || strings.ContainsFunc(s, isLatinLetter) {
		return fsi + s + pdi
	}
	return Digits(s)
}

// number renders a decimal number already spelled in ASCII.
func (p *Printer) number(s string) string {
	if p.lang != "fa" {
		return s
	}
	if strings.HasPrefix(s, "-") {
		return fsi + Digits(s) + pdi
	}
	return Digits(s)
}

func isLatinLetter(r rune) bool { return unicode.Is(unicode.Latin, r) }

// Digits replaces ASCII digits with Persian ones (۰–۹), the digits of all
// customer-facing Persian text.
func Digits(s string) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) * 2)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' {
			b.WriteRune('۰' + rune(c-'0'))
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Number renders n with the language's digits and no thousands separator,
// as ticket numbers and counts are shown.
func (p *Printer) Number(n int) string {
	return p.number(strconv.Itoa(n))
}

// DateTime renders t in the printer's zone as Jalali date and time with the
// weekday: "سه‌شنبه ۱۰ آذر ۱۴۰۵، ساعت ۱۶:۰۰", "Tue 10 Azar 1405, 16:00".
func (p *Printer) DateTime(t time.Time) string {
	t = t.In(p.loc)
	date := p.Date(t)
	if p.lang == "fa" {
		return p.Weekday(t.Weekday()) + " " + date + "، ساعت " + p.Time(t)
	}
	return t.Weekday().String()[:3] + " " + date + ", " + p.Time(t)
}

// DayTime renders t as DateTime does but without the year, as a deadline
// in the next days reads naturally: "یک‌شنبه ۸ آذر، ساعت ۹:۳۰", "Sun 8 Azar, 9:30".
func (p *Printer) DayTime(t time.Time) string {
	t = t.In(p.loc)
	y, m, d := t.Date()
	_, jm, jd, err := jalaali.ToJalaali(y, m, d)
	if err != nil {
		return p.DateTime(t)
	}
	day := p.number(strconv.Itoa(jd)) + " " + p.MonthName(int(jm))
	if p.lang == "fa" {
		return p.Weekday(t.Weekday()) + " " + day + "، ساعت " + p.Time(t)
	}
	return t.Weekday().String()[:3] + " " + day + ", " + p.Time(t)
}

// Date renders the day of t in the printer's zone as a Jalali date with the
// month's name: "۱۰ آذر ۱۴۰۵", "10 Azar 1405".
func (p *Printer) Date(t time.Time) string {
	t = t.In(p.loc)
	y, m, d := t.Date()
	jy, jm, jd, err := jalaali.ToJalaali(y, m, d)
	if err != nil {
		return p.jalaliDate(0, 0, 0)
	}
	return p.jalaliDate(jy, int(jm), jd)
}

// jalaliDate renders a Jalali date; all zeros (a zero or unconvertible
// date) renders as a dash.
func (p *Printer) jalaliDate(y, m, d int) string {
	if y == 0 && m == 0 && d == 0 {
		return "—"
	}
	return p.number(strconv.Itoa(d)) + " " + p.MonthName(m) + " " + p.number(strconv.Itoa(y))
}

// Time renders the clock time of t in the printer's zone, 24-hour, without
// a leading zero: "۹:۳۰", "۱۷:۳۰", "17:30".
func (p *Printer) Time(t time.Time) string {
	t = t.In(p.loc)
	return p.number(fmt.Sprintf("%d:%02d", t.Hour(), t.Minute()))
}

// Duration renders d rounded to whole minutes as hours and minutes:
// "۲ ساعت و ۳۰ دقیقه", "۴۵ دقیقه", "۳ ساعت"; "2 h 30 min" in en.
func (p *Printer) Duration(d time.Duration) string {
	mins := int64(d.Round(time.Minute) / time.Minute)
	sign := ""
	if mins < 0 {
		mins = -mins
		sign = "-"
		if p.lang == "fa" {
			sign = "منفی "
		}
	}
	h, m := mins/60, mins%60
	num := func(n int64) string { return p.number(strconv.FormatInt(n, 10)) }
	var parts []string
	if p.lang == "fa" {
		if h > 0 {
			parts = append(parts, num(h)+" ساعت")
		}
		if m > 0 || h == 0 {
			parts = append(parts, num(m)+" دقیقه")
		}
		return sign + strings.Join(parts, " و ")
	}
	if h > 0 {
		parts = append(parts, num(h)+" h")
	}
	if m > 0 || h == 0 {
		parts = append(parts, num(m)+" min")
	}
	return sign + strings.Join(parts, " ")
}

// Weekday returns the name of w from the catalog ("weekday.<0–6>", Sunday
// being 0 as in time.Weekday): "سه‌شنبه", "Tuesday".
func (p *Printer) Weekday(w time.Weekday) string {
	return p.T("weekday."+strconv.Itoa(int(w)), nil)
}

// MonthName returns the name of Jalali month m (1 Farvardin … 12 Esfand) from
// the catalog ("jalali_month.<1–12>"): "آذر", "Azar".
func (p *Printer) MonthName(m int) string {
	return p.T("jalali_month."+strconv.Itoa(m), nil)
}

// Join puts rendered lines into one message, one per line, leaving out empty
// ones so optional lines (an outage notice, a contact-hours note) can be
// passed as "" when they do not apply.
func (p *Printer) Join(lines ...string) string {
	kept := lines[:0:0]
	for _, l := range lines {
		if l != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}
