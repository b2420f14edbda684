package conversation

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"supportbot/store"
)

// FuzzHandle feeds arbitrary chat text, in arbitrary states, to the machine:
// it must never panic or fail, answer unless it answered within quietFor
// (a burst gets one reply; an unknown number within notedEvery), and always
// leave a valid session behind.
func FuzzHandle(f *testing.F) {
	for _, s := range []string{
		"", "0", "1", "۱", "١", "10", "۱۰", "لغو", "منو", "منوي", "سلام", "سلام علیكم 🙏",
		"\u200f۲\u200e", "3️⃣", "-1", "99999999999999999999", "\xff\xfe", "\x00", "1.", "(۲)",
		strings.Repeat("ب", 10<<10), strings.Repeat("🙂", 3000), "\u202eabc", "گزارش باز نمی‌شود",
	} {
		f.Add(s, uint8(0), uint16(10))
	}
	phones := []string{phoneSilver, phoneBronze, phoneMulti, phoneUnknown, phoneHourly, phoneNone, phoneExpired, phoneGold}
	// The scripts that put each phone in an interesting state first.
	prefixes := [][]string{nil, {"0"}, {"0", "1"}, {"0", "1", "1"}, {"0", "1", "2"}, {"0", "1", "5"}}

	f.Fuzz(func(t *testing.T, text string, sel uint8, gapSec uint16) {
		fs := fixture()
		m := New(newPolicy(), testConfig)
		ctx := context.Background()
		phone := phones[int(sel)%len(phones)]
		now := sunday10
		var replied time.Time
		send := func(in Inbound) {
			r, err := m.Handle(ctx, fs, in)
			if err != nil {
				t.Fatalf("Handle(%q): %v", in.Text, err)
			}
			if len(r.Replies) == 0 || len(r.Replies[0].Lines) == 0 {
				// An unknown number's later messages go to staff under its
				// card with at most one more reply an hour.
				quiet := quietFor
				if in.Phone == phoneUnknown {
					quiet = notedEvery
				}
				if replied.IsZero() || in.At.Sub(replied) >= quiet {
					t.Fatalf("Handle(%q): no reply", in.Text)
				}
			} else {
				replied = in.At
			}
			checkSession(t, fs, in.Phone)
			if phone == phoneUnknown {
				assertNoLeak(t, fs, []Result{r})
			}
		}
		// Two open tickets for follow-ups.
		if phone == phoneSilver {
			for _, s := range []string{"0", "1", "2", "a", "0", "1", "2", "b"} {
				now = now.Add(time.Second)
				send(Inbound{Phone: phone, At: now, Text: s})
			}
		}
		for _, s := range prefixes[int(sel/8)%len(prefixes)] {
			now = now.Add(time.Second)
			send(Inbound{Phone: phone, At: now, Text: s})
		}
		now = now.Add(time.Duration(gapSec) * time.Second)
		send(Inbound{Phone: phone, At: now, Text: text})
		var file *store.File
		if sel%2 == 1 {
			file = &store.File{Kind: "document", Name: text}
		}
		send(Inbound{Phone: phone, At: now.Add(time.Second), Text: text, File: file})
		send(Inbound{Phone: phone, At: now.Add(2 * time.Second), Text: "0"})
	})
}

// checkSession fails unless the phone's saved session is valid.
func checkSession(t *testing.T, fs *fakeStore, phone string) {
	t.Helper()
	s, ok := fs.sessions[phone]
	if !ok {
		t.Fatalf("no session saved")
	}
	var d data
	if err := json.Unmarshal([]byte(s.Data), &d); err != nil {
		t.Fatalf("session data %q: %v", s.Data, err)
	}
	loaded := session{state: state(s.State), data: d}
	if !slices.Contains(allStates, loaded.state) || !loaded.valid() {
		t.Fatalf("invalid session saved: %+v", s)
	}
}
