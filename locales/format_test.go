package locales

import (
	"errors"
	"testing"
	"time"
)

// mustPrinter returns a Printer over the embedded catalogs or stops the test.
func mustPrinter(tb testing.TB, lang string) *Printer {
	tb.Helper()
	p, err := New(lang, time.FixedZone("Asia/Tehran", 3*3600+1800))
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// withKeys gives p its own copy of its catalog with extra test messages.
func withKeys(p *Printer, extra catalog) {
	cat := make(catalog, len(p.cat)+len(extra))
	for k, v := range p.cat {
		cat[k] = v
	}
	for k, v := range extra {
		cat[k] = v
	}
	p.cat = cat
}

// code stands in for the rules code types (rules.Severity and friends).
type code string

func (c code) LocaleKey() string { return "severity." + string(c) }

// civil stands in for rules.Date: a Jalali date, and a String that must not win.
type civil struct{ y, m, d int }

func (c civil) Jalali() (int, int, int) { return c.y, c.m, c.d }
func (c civil) String() string          { return "gregorian" }

type ticketID int64

type phone string

func TestNew(t *testing.T) {
	p, err := New("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Lang() != "fa" || p.Location() == nil {
		t.Errorf("New(\"\", nil) = lang %q, loc %v", p.Lang(), p.Location())
	}
	if _, err := New("de", nil); err == nil {
		t.Error("New(\"de\") succeeded, want error")
	}
	en := mustPrinter(t, "en")
	if en.Lang() != "en" || !en.Has("severity.critical") || en.Has("no.such.key") {
		t.Errorf("en printer: lang %q, Has wrong", en.Lang())
	}
}

func TestDateTime(t *testing.T) {
	fa, en := mustPrinter(t, "fa"), mustPrinter(t, "en")
	tests := []struct {
		at             string
		faWant, enWant string
	}{
		// 1 December 2026 is Tuesday 10 Azar 1405.
		{"2026-12-01T16:00:00+03:30", "سه\u200cشنبه ۱۰ آذر ۱۴۰۵، ساعت ۱۶:۰۰", "Tue 10 Azar 1405, 16:00"},
		{"2026-12-01T12:30:00Z", "سه\u200cشنبه ۱۰ آذر ۱۴۰۵، ساعت ۱۶:۰۰", "Tue 10 Azar 1405, 16:00"},
		// 27 November 2026 is Friday 6 Azar 1405; late UTC evening is already Saturday in Tehran.
		{"2026-11-27T09:05:00+03:30", "جمعه ۶ آذر ۱۴۰۵، ساعت ۹:۰۵", "Fri 6 Azar 1405, 9:05"},
		{"2026-11-27T21:00:00Z", "شنبه ۷ آذر ۱۴۰۵، ساعت ۰:۳۰", "Sat 7 Azar 1405, 0:30"},
		// Nowruz 1405 fell on Saturday 21 March 2026.
		{"2026-03-21T08:30:00+03:30", "شنبه ۱ فروردین ۱۴۰۵، ساعت ۸:۳۰", "Sat 1 Farvardin 1405, 8:30"},
		// 30 Esfand 1403 (a leap year) was Thursday 20 March 2025.
		{"2025-03-20T17:30:00+03:30", "پنج\u200cشنبه ۳۰ اسفند ۱۴۰۳، ساعت ۱۷:۳۰", "Thu 30 Esfand 1403, 17:30"},
	}
	for _, tt := range tests {
		at, err := time.Parse(time.RFC3339, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		if got := fa.DateTime(at); got != tt.faWant {
			t.Errorf("fa DateTime(%s) = %q, want %q", tt.at, got, tt.faWant)
		}
		if got := en.DateTime(at); got != tt.enWant {
			t.Errorf("en DateTime(%s) = %q, want %q", tt.at, got, tt.enWant)
		}
	}

	at := time.Date(2026, 12, 1, 17, 30, 0, 0, fa.Location())
	if got := fa.Date(at); got != "۱۰ آذر ۱۴۰۵" {
		t.Errorf("fa Date = %q", got)
	}
	if got := en.Date(at); got != "10 Azar 1405" {
		t.Errorf("en Date = %q", got)
	}
	if got := fa.Time(at); got != "۱۷:۳۰" {
		t.Errorf("fa Time = %q", got)
	}
	if got := en.Time(at); got != "17:30" {
		t.Errorf("en Time = %q", got)
	}
	if got := fa.Date(time.Time{}); got != "—" {
		t.Errorf("fa Date(zero) = %q, want a dash", got)
	}
}

func TestDuration(t *testing.T) {
	fa, en := mustPrinter(t, "fa"), mustPrinter(t, "en")
	tests := []struct {
		d              time.Duration
		faWant, enWant string
	}{
		{2*time.Hour + 30*time.Minute, "۲ ساعت و ۳۰ دقیقه", "2 h 30 min"},
		{45 * time.Minute, "۴۵ دقیقه", "45 min"},
		{3 * time.Hour, "۳ ساعت", "3 h"},
		{50 * time.Hour, "۵۰ ساعت", "50 h"},
		{0, "۰ دقیقه", "0 min"},
		{90 * time.Second, "۲ دقیقه", "2 min"},
		{-30 * time.Minute, "منفی ۳۰ دقیقه", "-30 min"},
	}
	for _, tt := range tests {
		if got := fa.Duration(tt.d); got != tt.faWant {
			t.Errorf("fa Duration(%v) = %q, want %q", tt.d, got, tt.faWant)
		}
		if got := en.Duration(tt.d); got != tt.enWant {
			t.Errorf("en Duration(%v) = %q, want %q", tt.d, got, tt.enWant)
		}
	}
}

func TestNumbersAndNames(t *testing.T) {
	fa, en := mustPrinter(t, "fa"), mustPrinter(t, "en")
	if got := Digits("K-2001 at 17:30"); got != "K-۲۰۰۱ at ۱۷:۳۰" {
		t.Errorf("Digits = %q", got)
	}
	if got := fa.Number(1405); got != "۱۴۰۵" {
		t.Errorf("fa Number = %q", got)
	}
	if got := fa.Number(-3); got != "\u2068-۳\u2069" {
		t.Errorf("fa Number(-3) = %q", got)
	}
	if got := en.Number(12345); got != "12345" {
		t.Errorf("en Number = %q", got)
	}
	if got := fa.Weekday(time.Saturday); got != "شنبه" {
		t.Errorf("fa Weekday(Saturday) = %q", got)
	}
	if got := en.Weekday(time.Tuesday); got != "Tuesday" {
		t.Errorf("en Weekday(Tuesday) = %q", got)
	}
	if got := fa.MonthName(9); got != "آذر" {
		t.Errorf("fa MonthName(9) = %q", got)
	}
	if got := en.MonthName(12); got != "Esfand" {
		t.Errorf("en MonthName(12) = %q", got)
	}
	if got := fa.MonthName(13); got != "[jalali_month.13]" {
		t.Errorf("fa MonthName(13) = %q", got)
	}
	if got := fa.Join("یک", "", "دو"); got != "یک\nدو" {
		t.Errorf("Join = %q", got)
	}
	if got := fa.Join(); got != "" {
		t.Errorf("Join() = %q", got)
	}
}

func TestT(t *testing.T) {
	fa, en := mustPrinter(t, "fa"), mustPrinter(t, "en")
	withKeys(fa, catalog{
		"t.x":      "درخواست {id} برای {who}",
		"t.braces": "{ not one } {open",
		"t.plain":  "بدون جای خالی",
	})
	withKeys(en, catalog{"t.x": "Request {id} for {who}"})

	at := time.Date(2026, 12, 1, 16, 0, 0, 0, fa.Location())
	tests := []struct {
		name string
		p    *Printer
		key  string
		args map[string]any
		want string
	}{
		{"missing key", fa, "x", nil, "[x]"},
		{"missing key en", en, "t.braces", nil, "[t.braces]"},
		{"no placeholders", fa, "t.plain", map[string]any{"id": 1}, "بدون جای خالی"},
		{"unknown placeholder stays", fa, "t.x", map[string]any{"id": 12}, "درخواست ۱۲ برای {who}"},
		{"extra args ignored", fa, "t.x", map[string]any{"id": 1, "who": "رضا", "extra": 3}, "درخواست ۱ برای رضا"},
		{"not placeholders", fa, "t.braces", map[string]any{"open": 1}, "{ not one } {open"},
		{"latin id isolated", fa, "t.x", map[string]any{"id": "K-2001", "who": "CRM Co"}, "درخواست \u2068K-2001\u2069 برای \u2068CRM Co\u2069"},
		{"latin id plain in en", en, "t.x", map[string]any{"id": "K-2001", "who": "CRM Co"}, "Request K-2001 for CRM Co"},
		{"phone digits persian", fa, "t.x", map[string]any{"id": "09198906850", "who": phone("021-8888")}, "درخواست ۰۹۱۹۸۹۰۶۸۵۰ برای ۰۲۱-۸۸۸۸"},
		{"e164 phone wrapped", fa, "t.x", map[string]any{"id": "+989121234567", "who": ""}, "درخواست \u2068+989121234567\u2069 برای "},
		{"persian text with digits", fa, "t.x", map[string]any{"id": "شماره 12", "who": "x"}, "درخواست شماره ۱۲ برای \u2068x\u2069"},
		{"raw", fa, "t.x", map[string]any{"id": Raw("K-2001 12"), "who": Raw("۱")}, "درخواست K-2001 12 برای ۱"},
		{"locale key", fa, "t.x", map[string]any{"id": code("critical"), "who": code("nope")}, "درخواست بحرانی برای [severity.nope]"},
		{"locale key en", en, "t.x", map[string]any{"id": code("important"), "who": 7}, "Request Important for 7"},
		{"jalali date", fa, "t.x", map[string]any{"id": civil{1405, 9, 11}, "who": civil{}}, "درخواست ۱۱ آذر ۱۴۰۵ برای —"},
		{"jalali date en", en, "t.x", map[string]any{"id": civil{1405, 9, 11}, "who": 0}, "Request 11 Azar 1405 for 0"},
		{"time", fa, "t.x", map[string]any{"id": at, "who": &at}, "درخواست سه\u200cشنبه ۱۰ آذر ۱۴۰۵، ساعت ۱۶:۰۰ برای سه\u200cشنبه ۱۰ آذر ۱۴۰۵، ساعت ۱۶:۰۰"},
		{"nil time pointer", fa, "t.x", map[string]any{"id": (*time.Time)(nil), "who": nil}, "درخواست  برای "},
		{"duration", fa, "t.x", map[string]any{"id": 90 * time.Minute, "who": time.Saturday}, "درخواست ۱ ساعت و ۳۰ دقیقه برای شنبه"},
		{"sized ints", fa, "t.x", map[string]any{"id": int64(2001), "who": uint8(7)}, "درخواست ۲۰۰۱ برای ۷"},
		{"named int", fa, "t.x", map[string]any{"id": ticketID(12), "who": -5}, "درخواست ۱۲ برای \u2068-۵\u2069"},
		{"float", fa, "t.x", map[string]any{"id": 1.5, "who": 2.0}, "درخواست ۱٫۵ برای ۲"},
		{"error", fa, "t.x", map[string]any{"id": errors.New("disk full"), "who": errors.New("خطا ۵")}, "درخواست \u2068disk full\u2069 برای خطا ۵"},
		{"bool", en, "t.x", map[string]any{"id": true, "who": []int{1}}, "Request true for [1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.T(tt.key, tt.args); got != tt.want {
				t.Errorf("T(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestCatalogCodes(t *testing.T) {
	fa, en := mustPrinter(t, "fa"), mustPrinter(t, "en")
	tests := []struct {
		key, fa, en string
	}{
		{"request_kind.remote", "اتصال از راه دور", "Remote connection"},
		{"request_kind.onsite", "خدمات حضوری", "On-site service"},
		{"request_kind.reinstall", "نصب مجدد", "Reinstallation"},
		{"tier.silver", "بسته نقره\u200cای", "Silver package"},
		{"tier.h50", "بسته ساعتی ۵۰ ساعته", "Hourly package, 50 hours"},
		{"weekday.2", "سه\u200cشنبه", "Tuesday"},
	}
	for _, tt := range tests {
		if got := fa.T(tt.key, nil); got != tt.fa {
			t.Errorf("fa %s = %q, want %q", tt.key, got, tt.fa)
		}
		if got := en.T(tt.key, nil); got != tt.en {
			t.Errorf("en %s = %q, want %q", tt.key, got, tt.en)
		}
	}
}

func BenchmarkT(b *testing.B) {
	p := mustPrinter(b, "fa")
	withKeys(p, catalog{"t.x": "درخواست {id} در {at} برای {who} ثبت شد ({kind})"})
	args := map[string]any{"id": 12, "at": time.Date(2026, 12, 1, 16, 0, 0, 0, p.Location()), "who": "K-2001", "kind": code("critical")}
	for b.Loop() {
		p.T("t.x", args)
	}
}

// soon is an instant said without its year.
type soon time.Time

func (s soon) DayTime() time.Time { return time.Time(s) }

func TestDayTimeLeavesOutTheYear(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 29, 9, 30, 0, 0, loc)
	for lang, want := range map[string]string{"fa": "یک‌شنبه ۸ آذر، ساعت ۹:۳۰", "en": "Sun 8 Azar, 9:30"} {
		p, err := New(lang, loc)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Format(soon(at)); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
