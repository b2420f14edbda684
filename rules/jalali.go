package rules

import (
	"fmt"
	"time"

	jalaali "github.com/jalaali/go-jalaali"
)

// JalaliMonthNames are the Solar Hijri month names in English
// transliteration, Farvardin first, for logs and English text; Persian names
// belong to the locales.
var JalaliMonthNames = [12]string{
	"Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
	"Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
}

// Jalali returns d in the Solar Hijri calendar, the calendar customers read
// and quotas are counted in. It returns zeros for dates the conversion does
// not cover (before 560 or after 3797 CE), including the zero Date.
func (d Date) Jalali() (year, month, day int) {
	if d.IsZero() {
		return 0, 0, 0
	}
	jy, jm, jd, err := jalaali.ToJalaali(d.Year, d.Month, d.Day)
	if err != nil {
		return 0, 0, 0
	}
	return jy, int(jm), jd
}

// JalaliDate returns the Gregorian date of a Solar Hijri date, so dates
// people write in Jalali (holidays, contract terms) can be stored as Dates.
// It fails for dates that do not exist, such as month 13 or 30 Esfand of a
// common year.
func JalaliDate(year, month, day int) (Date, error) {
	if !jalaali.IsValidDate(year, month, day) {
		return Date{}, fmt.Errorf("invalid Jalali date %04d/%02d/%02d", year, month, day)
	}
	gy, gm, gd, err := jalaali.ToGregorian(year, jalaali.Month(month), day)
	if err != nil {
		return Date{}, fmt.Errorf("jalali date %04d/%02d/%02d: %w", year, month, day, err)
	}
	return Date{Year: gy, Month: gm, Day: gd}, nil
}

// JalaliOf returns the Solar Hijri date of t in t's location, the day a
// person in that zone would write down.
func JalaliOf(t time.Time) (year, month, day int) {
	return DateOf(t).Jalali()
}

// AddJalaliYears returns the same Jalali day n years after d, the way a
// contract year runs from one Jalali anniversary to the next. 30 Esfand
// becomes 29 Esfand in a year without it. It returns the zero Date when d
// or the result is out of the conversion's range.
func AddJalaliYears(d Date, n int) Date {
	jy, jm, jd := d.Jalali()
	if jy == 0 && jm == 0 {
		return Date{}
	}
	return jalaliClamped(jy+n, jm, jd)
}

// AddJalaliMonths returns the same Jalali day n months after d (before it
// when n < 0), the way monthly terms run. The day is clamped to the length
// of the target month (31 days in Farvardin–Shahrivar, 30 in Mehr–Bahman,
// 29 or 30 in Esfand). It returns the zero Date out of range.
func AddJalaliMonths(d Date, n int) Date {
	jy, jm, jd := d.Jalali()
	if jy == 0 && jm == 0 {
		return Date{}
	}
	m := jy*12 + (jm - 1) + n
	return jalaliClamped(floorDiv(m, 12), floorMod(m, 12)+1, jd)
}

// JalaliMonthStart returns 00:00 on the first day of the Jalali month that
// holds t, in t's location: monthly quotas and hourly minimums reset then.
func JalaliMonthStart(t time.Time) time.Time {
	jy, jm, _ := JalaliOf(t)
	return jalaliClamped(jy, jm, 1).Time(t.Location())
}

// JalaliMonthEnd returns the start of the Jalali month after the one that
// holds t, the exclusive end of t's quota month.
func JalaliMonthEnd(t time.Time) time.Time {
	jy, jm, _ := JalaliOf(t)
	return AddJalaliMonths(jalaliClamped(jy, jm, 1), 1).Time(t.Location())
}

// JalaliYearStart returns 00:00 on 1 Farvardin of the Jalali year that holds
// t, in t's location.
func JalaliYearStart(t time.Time) time.Time {
	jy, _, _ := JalaliOf(t)
	return jalaliClamped(jy, 1, 1).Time(t.Location())
}

// JalaliYearEnd returns 00:00 on 1 Farvardin of the next Jalali year, the
// exclusive end of t's Jalali year, when unused hourly hours expire.
func JalaliYearEnd(t time.Time) time.Time {
	jy, _, _ := JalaliOf(t)
	return jalaliClamped(jy+1, 1, 1).Time(t.Location())
}

// JalaliMonthKey names the Jalali month that holds t as "1405-09", a key
// that sorts in time order, for counting requests and charges per month.
func JalaliMonthKey(t time.Time) string {
	jy, jm, _ := JalaliOf(t)
	return fmt.Sprintf("%04d-%02d", jy, jm)
}

// jalaliClamped returns the Gregorian date of year/month/day with day cut to
// the length of that month, or the zero Date when the year is out of range.
func jalaliClamped(year, month, day int) Date {
	n, err := jalaali.MonthLength(year, month)
	if err != nil {
		return Date{}
	}
	d, err := JalaliDate(year, month, min(max(day, 1), n))
	if err != nil {
		return Date{}
	}
	return d
}
