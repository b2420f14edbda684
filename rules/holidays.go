package rules

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"maps"
	"strconv"
	"strings"
	"sync"
)

//go:embed holidays.tsv
var holidaysTSV string

// shippedHolidays parses the embedded list once; a bad list is a build
// mistake that the package tests catch, so it panics.
var shippedHolidays = sync.OnceValue(func() map[Date]string {
	h, err := ParseHolidays(strings.NewReader(holidaysTSV))
	if err != nil {
		panic("rules: embedded holidays.tsv: " + err.Error())
	}
	return h
})

// ShippedHolidays returns the official Iranian holidays shipped with the
// program (SPEC: the current and next Jalali year), keyed by Gregorian date
// with their English names. The map is the caller's own copy, so config can
// add and remove dates.
func ShippedHolidays() map[Date]string {
	return maps.Clone(shippedHolidays())
}

// ParseHolidays reads a holiday list in the format of the shipped
// holidays.tsv, so operators can keep their own: one holiday a line, fields
// separated by tabs (gregorian YYYY-MM-DD, jalali YYYY/MM/DD, status, Persian
// name, English name); blank lines and lines starting with # are skipped.
// The Jalali column must name the same day as the Gregorian one, which
// catches most typing mistakes. Errors name the line.
func ParseHolidays(r io.Reader) (map[Date]string, error) {
	out := make(map[Date]string)
	seen := make(map[Date]int)
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(strings.TrimSpace(text), "#") {
			continue
		}
		d, name, err := parseHolidayLine(text)
		if err != nil {
			return nil, fmt.Errorf("holidays line %d: %w", line, err)
		}
		if prev, ok := seen[d]; ok {
			return nil, fmt.Errorf("holidays line %d: %s already listed on line %d", line, d, prev)
		}
		seen[d] = line
		out[d] = name
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("holidays line %d: %w", line+1, err)
	}
	return out, nil
}

func parseHolidayLine(text string) (Date, string, error) {
	f := strings.Split(text, "\t")
	if len(f) != 5 {
		return Date{}, "", fmt.Errorf("want 5 tab-separated fields (gregorian, jalali, status, name_fa, name_en), got %d", len(f))
	}
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	d, err := ParseISODate(f[0])
	if err != nil {
		return Date{}, "", err
	}
	j, err := parseJalaliDate(f[1])
	if err != nil {
		return Date{}, "", err
	}
	if j != d {
		y, m, dd := d.Jalali()
		return Date{}, "", fmt.Errorf("jalali %s is %s, but gregorian %s is %04d/%02d/%02d", f[1], j, d, y, m, dd)
	}
	if f[2] == "" {
		return Date{}, "", fmt.Errorf("empty status")
	}
	if f[4] == "" {
		return Date{}, "", fmt.Errorf("empty English name")
	}
	return d, f[4], nil
}

// parseJalaliDate reads a Jalali date written as 1405/01/01.
func parseJalaliDate(s string) (Date, error) {
	parts := strings.Split(s, "/")
	var n [3]int
	ok := len(parts) == 3
	for i := 0; ok && i < 3; i++ {
		ok = len(parts[i]) > 0 && len(parts[i]) <= 4 && strings.Trim(parts[i], "0123456789") == ""
		if ok {
			n[i], _ = strconv.Atoi(parts[i])
		}
	}
	if !ok {
		return Date{}, fmt.Errorf("jalali date %q: want YYYY/MM/DD", s)
	}
	return JalaliDate(n[0], n[1], n[2])
}
