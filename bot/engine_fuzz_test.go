package bot

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"supportbot/store"
)

// FuzzHandleCustomer sends arbitrary messages through the whole engine, with
// small limits so that cutting, refusing files and the flood limit all
// come into play: it must never fail or panic, and the customer always
// gets a valid answer or, in a flood, is held.
func FuzzHandleCustomer(f *testing.F) {
	for _, s := range []string{
		"سلام", "0", "۱", "١", "1", "منو", "لغو", "\u200f۲\u200e", "3️⃣", "\xff\xfe", "\x00",
		strings.Repeat("ب", 300), strings.Repeat("🙂", 200), "\u202eabc", "گزارش باز نمی‌شود",
	} {
		f.Add(s, uint8(0), uint16(5), int64(0))
		f.Add(s, uint8(1), uint16(0), int64(5000))
	}
	fx := newEngineFixture(f)
	fx.eng.SetLimits(Limits{MessagesPerMinute: 6, MaxTextRunes: 50, MaxFileBytes: 1000})
	phones := []string{phoneSilver, phoneProj, phoneGold, "+989350000001"}
	at := fx.at
	var lastID int64 // the last outbox message seen
	f.Fuzz(func(t *testing.T, text string, sel uint8, gapSec uint16, fileBytes int64) {
		ctx := context.Background()
		phone := phones[int(sel)%len(phones)]
		at = at.Add(time.Duration(gapSec) * time.Second)
		var file *store.File
		if fileBytes != 0 {
			file = &store.File{Kind: "document", Name: text, Bytes: fileBytes}
		}
		held := len(fx.held(t, phone))
		if err := fx.eng.HandleCustomer(ctx, CustomerMessage{Phone: phone, At: at, Text: text, File: file}); err != nil {
			t.Fatalf("HandleCustomer(%q): %v", text, err)
		}
		var out []store.OutboxMessage
		for {
			m, err := fx.db.OutboxMessage(ctx, lastID+1)
			if err != nil {
				break
			}
			out, lastID = append(out, m), m.ID
		}
		answered := false
		for _, m := range out {
			if !utf8.ValidString(m.Text) || strings.TrimSpace(m.Text) == "" {
				t.Fatalf("sent %q", m.Text)
			}
			if m.To == WhatsAppAddr(phone) {
				answered = true
			}
		}
		if !answered && len(fx.held(t, phone)) == held {
			t.Fatalf("HandleCustomer(%q): no answer and nothing held", text)
		}
	})
}
