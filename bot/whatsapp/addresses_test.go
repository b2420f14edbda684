package whatsapp

import (
	"context"
	"slices"
	"testing"

	"go.mau.fi/whatsmeow/types"

	"supportbot/outbox"
	"supportbot/store"
)

// Hidden senders in the shapes whatsmeow gives them (Chat and Sender the
// @lid JID, SenderAlt the phone number when WhatsApp tells it,
// AddressingMode lid): a linked address is keyed as the engine says after
// a reveal, or by itself; an unlinked one as before. Replies go to the
// hidden chat.
func TestInboundLinkedHiddenAddresses(t *testing.T) {
	const hidden = "lid:444555666"
	own := "+989121234567"
	tests := []struct {
		name     string
		alt      types.JID
		joined   string // the number joined earlier, "" for none
		key      string // what the engine answers Reveal with
		want     string
		revealed []string
	}{
		{"linked, no number given", types.JID{}, "", "", hidden, nil},
		{"linked, own number revealed", pnJID, "", own, own, []string{hidden + "=" + own}},
		{"linked, another customer's number revealed", types.NewJID("989123333333", types.DefaultUserServer), "", hidden, hidden, []string{hidden + "=+989123333333"}},
		{"linked and joined earlier, no number given", types.JID{}, own, "", own, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rh *revealingHandler
			hs := newHarness(t)
			rh = &revealingHandler{fakeHandler: hs.h, key: func(string, string) string { return tt.key }}
			hs.a.h = rh
			ctx := context.Background()
			must(t, hs.db.UpsertCustomer(ctx, store.Customer{ID: "C-1", Name: "شرکت یک"}))
			must(t, hs.db.LinkAddress(ctx, hidden, "C-1", t0))
			if tt.joined != "" {
				must(t, hs.db.JoinAddress(ctx, hidden, tt.joined))
			}
			e := dm("H1", anonID, text("سلام"))
			e.Info.SenderAlt = tt.alt
			e.Info.AddressingMode = types.AddressingModeLID
			if !hs.event(e) {
				t.Fatal("not acknowledged")
			}
			got := hs.h.messages()
			if len(got) != 1 || got[0].Phone != tt.want {
				t.Fatalf("engine got %+v, want keyed %s", got, tt.want)
			}
			if !slices.Equal(rh.revealed, tt.revealed) {
				t.Errorf("revealed %v, want %v", rh.revealed, tt.revealed)
			}
			if _, err := hs.a.Send(ctx, store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp(tt.want)), Text: "پاسخ"}); err != nil {
				t.Fatal(err)
			}
			if s := hs.cli.Sent(); len(s) != 1 || s[0].To != anonID {
				t.Errorf("reply sent to %+v, want the hidden chat %s", s, anonID)
			}
		})
	}
}
