package replay

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// locatedErr is how every Parse error starts: the script's name, and
// the line when one is to blame.
var locatedErr = regexp.MustCompile(`^script\.jsonl(:([0-9]+))?: `)

// FuzzParseScript feeds arbitrary scripts to Parse: it must never
// panic, every error must name the file (and a line that exists), and a
// script it accepts must be one it can run: events in time order, each
// with a sender or only a time, lines counted right.
func FuzzParseScript(f *testing.F) {
	day, err := os.ReadFile("../../examples/day.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	text := string(day)
	f.Add(text)
	f.Add(strings.ReplaceAll(text, "\n", "\r\n"))
	f.Add(text[:len(text)/2])
	for _, line := range strings.SplitN(text, "\n", 12) {
		f.Add(line)
	}
	for _, s := range []string{
		`{"at":"2026-11-28T09:00:00+03:30","whatsapp":"+989121234567","text":"سلام"}`,
		`{"at":"2026-11-28T09:00:30+03:30","whatsapp":"+989121234567","file":{"kind":"image","name":"error.png","bytes":48211}}`,
		`{"at":"2026-11-28T10:15:00+03:30","telegram":{"chat":"staff","user":1001,"name":"Sara"},"text":"لطفا نسخه را بفرستید","reply_to_ticket":12}`,
		`{"at":"2026-11-28T10:20:00+03:30","telegram":{"chat":"staff","user":1001,"name":"Sara"},"text":"/log 12 45m"}`,
		`{"at":"2026-11-28T11:00:00+03:30","telegram":{"chat":"private","user":2001,"name":"Reza"},"text":"/digest"}`,
		`{"at":"2026-11-28T11:00:00+03:30","telegram":{"chat":"staff","user":1001},"reply_to":"m12","text":"x"}`,
		`{"at":"2026-11-28T11:00:00+03:30","telegram":{"chat":"staff","user":1001},"callback":"claim:1"}`,
		`{"at":"2026-11-30T08:00:00+03:30"}`,
		`{"at":"2026-11-30T08:00:00+03:30","id":"w1","whatsapp":"۰۹۱۲۱۲۳۴۵۶۷","text":"۱"}`,
		"{\"at\":\"2026-11-30T08:00:00+03:30\"}\n{\"at\":\"2026-11-29T08:00:00+03:30\"}",
		`{"at":"2026-11-30T08:00:00+03:30"} {"at":"2026-11-30T08:00:00+03:30"}`,
		`{"at":"yesterday"}`, `{"at":null}`, `[]`, `{`, "\xff\xfe", "", "\n\n\n", `{"at":"2026-11-30T08:00:00Z","whatsapp":"x"}`,
		`{"at":"2026-11-30T08:00:00Z","telegram":{"chat":"staff","user":-1},"text":"x"}`,
		`{"at":"2026-11-30T08:00:00Z","whatsapp":"09121234567","file":{"kind":"exe","bytes":-1}}`,
		`{"at":"2026-11-30T08:00:00Z","unknown":1}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		events, err := Parse("script.jsonl", strings.NewReader(script))
		lines := strings.Count(script, "\n") + 1
		if err != nil {
			m := locatedErr.FindStringSubmatch(err.Error())
			if m == nil {
				t.Fatalf("error %q does not name the script", err)
			}
			if m[2] != "" {
				if n, _ := strconv.Atoi(m[2]); n < 1 || n > lines {
					t.Fatalf("error %q names line %d of %d", err, n, lines)
				}
			}
			if events != nil {
				t.Fatalf("events with an error: %v", events)
			}
			return
		}
		var last time.Time
		prevLine := 0
		for _, ev := range events {
			if ev.At.Before(last) {
				t.Fatalf("line %d: %s before %s", ev.Line, ev.At, last)
			}
			last = ev.At
			if ev.Line <= prevLine || ev.Line > lines {
				t.Fatalf("line number %d after %d, of %d lines", ev.Line, prevLine, lines)
			}
			prevLine = ev.Line
			switch {
			case ev.Phone != "" && ev.Telegram != nil:
				t.Fatalf("line %d: both senders", ev.Line)
			case ev.Phone != "":
				if !strings.HasPrefix(ev.Phone, "+98") || len(ev.Phone) != 13 {
					t.Fatalf("line %d: customer event %+v", ev.Line, ev)
				}
			case ev.Telegram != nil:
				if ev.Telegram.User <= 0 || ev.ReplyTo < 0 || ev.ReplyToTicket < 0 {
					t.Fatalf("line %d: telegram event %+v", ev.Line, ev)
				}
			default:
				if ev.Text != "" || ev.File != nil || ev.Callback != "" {
					t.Fatalf("line %d: a clock move with content %+v", ev.Line, ev)
				}
			}
			if ev.File != nil && (ev.File.Bytes < 0 || !fileKinds[ev.File.Kind]) {
				t.Fatalf("line %d: file %+v", ev.Line, ev.File)
			}
		}
	})
}
