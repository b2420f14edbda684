package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"supportbot/export"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// A customer's edit or deletion answers the staff-group message that
// showed the original, once; one staff never saw gets a note.
func TestHandleEdit(t *testing.T) {
	tests := []struct {
		name     string
		original string // "W9" was relayed; "W0" never was
		revoked  bool
		want     string
		onRelay  bool
	}{
		{"edit of a relayed message", "W9", false, "ویرایش شد: نسخه ۴.۳ است، نه ۴.۲", true},
		{"deletion of a relayed message", "W9", true, "مشتری این پیام را پاک کرد", true},
		{"edit of a message staff never saw", "W0", false, "نسخه ۴.۳ است، نه ۴.۲", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newEngineFixture(t)
			ctx := context.Background()
			tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityNormal)
			const chat = "989121110001@s.whatsapp.net"
			at := f.at.Add(time.Minute)
			out := f.say(t, CustomerMessage{ID: "W9", Chat: chat, Phone: phoneSilver, At: at, Text: "نسخه ۴.۲ است"})
			var relay store.OutboxMessage
			for _, m := range out {
				if m.To == string(outbox.StaffGroup) && strings.Contains(m.Text, "نسخه ۴.۲ است") {
					relay = m
				}
			}
			if relay.ID == 0 {
				t.Fatalf("follow-up not relayed: %+v", out)
			}
			before := len(f.outbox(t))
			ed := CustomerEdit{ID: "E1", Chat: chat, Original: tt.original, Phone: phoneSilver, At: at.Add(time.Minute), Revoked: tt.revoked}
			if !tt.revoked {
				ed.Text = "نسخه ۴.۳ است، نه ۴.۲"
			}
			for range 2 { // a redelivery tells nobody twice
				if err := f.eng.HandleEdit(ctx, ed); err != nil {
					t.Fatal(err)
				}
			}
			got := f.outbox(t)[before:]
			if len(got) != 1 || got[0].To != string(outbox.StaffGroup) || !strings.Contains(got[0].Text, tt.want) {
				t.Fatalf("sent %+v, want one staff message with %q", got, tt.want)
			}
			if tt.onRelay && (got[0].ReplyTo != relay.ID || got[0].TicketID != tk.ID) {
				t.Errorf("answers %d on ticket %d, want the relay %d on ticket %d", got[0].ReplyTo, got[0].TicketID, relay.ID, tk.ID)
			}
			if !tt.onRelay && (got[0].ReplyTo != 0 || !strings.Contains(got[0].Text, phoneSilver)) {
				t.Errorf("note %+v, want one naming the customer and answering nothing", got[0])
			}
			exp, err := export.Messages(ctx, f.db, f.loc)
			if err != nil {
				t.Fatal(err)
			}
			var edits int
			for _, m := range exp {
				if m.Route != nil && *m.Route == store.RouteEdit && m.Text == ed.Text {
					edits++
				}
			}
			if want := map[bool]int{false: 1, true: 0}[tt.revoked]; edits != want {
				t.Errorf("export lists %d edits, want %d", edits, want)
			}
		})
	}
}
