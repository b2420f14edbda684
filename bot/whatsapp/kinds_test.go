package whatsapp

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"supportbot/notice"
)

// raw is a message as whatsmeow dispatches it: RawMessage as decrypted,
// Message with the wrappers taken off (UnwrapRaw).
func raw(id string, sender types.JID, m *waE2E.Message) *events.Message {
	e := dm(id, sender, nil)
	e.RawMessage = m
	return e.UnwrapRaw()
}

// Every kind of message a customer can send reaches the engine as text
// staff can read.
func TestInboundKindsReachStaffAsText(t *testing.T) {
	tests := []struct {
		name string
		msg  *waE2E.Message
		want []string
	}{
		{"location", &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(35.6997), DegreesLongitude: proto.Float64(51.3380), Name: proto.String("دفتر")}},
			[]string{"https://maps.google.com/?q=35.699700,51.338000", "دفتر"}},
		{"live location", &waE2E.Message{LiveLocationMessage: &waE2E.LiveLocationMessage{DegreesLatitude: proto.Float64(29.6), DegreesLongitude: proto.Float64(52.5)}},
			[]string{"q=29.600000,52.500000"}},
		{"contact card", &waE2E.Message{ContactMessage: &waE2E.ContactMessage{DisplayName: proto.String("علی رضایی"),
			Vcard: proto.String("BEGIN:VCARD\nVERSION:3.0\nFN:علی رضایی\nTEL;type=CELL;waid=989121112233:+98 912 111 2233\nEND:VCARD")}},
			[]string{"علی رضایی", "+98 912 111 2233"}},
		{"poll", &waE2E.Message{PollCreationMessageV3: &waE2E.PollCreationMessage{Name: proto.String("کدام نسخه؟"),
			Options: []*waE2E.PollCreationMessage_Option{{OptionName: proto.String("۱۲")}, {OptionName: proto.String("۱۳")}}}},
			[]string{"کدام نسخه؟", "• ۱۲", "• ۱۳"}},
		{"sticker", &waE2E.Message{StickerMessage: &waE2E.StickerMessage{Mimetype: proto.String("image/webp")}}, []string{"[استیکر]"}},
		{"list reply", &waE2E.Message{ListResponseMessage: &waE2E.ListResponseMessage{Title: proto.String("پشتیبانی فنی")}}, []string{"پشتیبانی فنی"}},
		{"button reply", &waE2E.Message{ButtonsResponseMessage: &waE2E.ButtonsResponseMessage{Response: &waE2E.ButtonsResponseMessage_SelectedDisplayText{SelectedDisplayText: "بله"}}}, []string{"بله"}},
		{"ephemeral text", &waE2E.Message{EphemeralMessage: &waE2E.FutureProofMessage{Message: text("پیام ناپدیدشونده")}}, []string{"پیام ناپدیدشونده"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			if !hs.event(raw("K1", pnJID, tt.msg)) {
				t.Fatal("not acknowledged")
			}
			got := hs.h.messages()
			if len(got) != 1 {
				t.Fatalf("engine got %d messages, want 1", len(got))
			}
			for _, w := range tt.want {
				if !strings.Contains(got[0].Text, w) {
					t.Errorf("text %q lacks %q", got[0].Text, w)
				}
			}
		})
	}
}

// A round video note is kept like a video.
func TestInboundRoundVideo(t *testing.T) {
	hs := newHarness(t)
	hs.cli.AddMedia("/ptv/1", []byte("MP4"))
	hs.event(raw("V1", pnJID, &waE2E.Message{PtvMessage: &waE2E.VideoMessage{Mimetype: proto.String("video/mp4"), DirectPath: proto.String("/ptv/1"), FileLength: proto.Uint64(3), MediaKey: []byte{1}}}))
	if got := hs.h.messages(); len(got) != 1 || got[0].File == nil || got[0].File.Kind != "video" || got[0].File.Path == "" {
		t.Errorf("engine got %+v", got)
	}
}

// Edits and revokes, as WhatsApp sends them (a protocol message, an edit
// wrapped in EditedMessage), are reported once with the address and never
// reach the conversation; so are calls and messages that cannot be opened.
// The adapter words nothing itself.
func TestInboundEditsRevokesCallsUndecryptable(t *testing.T) {
	key := &waCommon.MessageKey{RemoteJID: proto.String(pnJID.String()), FromMe: proto.Bool(false), ID: proto.String("ORIG1")}
	edit := &waE2E.Message{EditedMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
		Key: key, Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(), EditedMessage: text("نسخهٔ ۱۲ است، نه ۱۱")}}}}
	revoke := &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Key: key, Type: waE2E.ProtocolMessage_REVOKE.Enum()}}
	undecryptable := &events.UndecryptableMessage{Info: dm("U1", pnJID, nil).Info, DecryptFailMode: events.DecryptFailShow}
	call := &events.CallOffer{BasicCallMeta: types.BasicCallMeta{From: pnJID, Timestamp: t0, CallCreator: pnJID, CallID: "CALL1"}}
	tests := []struct {
		name string
		evt  any
		want notice.Event
	}{
		{"edit", raw("E1", pnJID, edit), notice.WhatsAppEdited{Address: customer, Text: "نسخهٔ ۱۲ است، نه ۱۱"}},
		{"revoke", raw("R1", pnJID, revoke), notice.WhatsAppRevoked{Address: customer}},
		{"undecryptable", undecryptable, notice.WhatsAppUndecryptable{Address: customer}},
		// What WhatsApp marks decrypt-fail="hide" (a reaction, a poll vote)
		// a phone does not show either: staff are not asked to chase it.
		{"undecryptable, hidden", &events.UndecryptableMessage{Info: dm("U2", pnJID, nil).Info, DecryptFailMode: events.DecryptFailHide}, nil},
		{"call", call, notice.WhatsAppMissedCall{Address: customer, At: t0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			for range 2 { // a redelivery tells nobody twice
				if !hs.event(tt.evt) {
					t.Fatal("not acknowledged")
				}
			}
			hs.clock.Add(undecryptableWait) // an undecryptable message did not come after all
			hs.a.Check(context.Background())
			hs.a.Check(context.Background())
			if got := hs.h.messages(); len(got) != 0 {
				t.Errorf("the conversation got %+v", got)
			}
			var want []notice.Event
			if tt.want != nil {
				want = []notice.Event{tt.want}
			}
			if got := hs.notes.events(); !slices.Equal(got, want) {
				t.Errorf("reported %+v, want %+v", got, want)
			}
			if got := hs.outbox(); len(got) != 0 {
				t.Errorf("the adapter enqueued %+v itself", got)
			}
		})
	}
}

// A message that could not be decrypted usually arrives seconds later
// (whatsmeow asks for it again): staff are asked to chase only one that
// has not come within undecryptableWait, and one still waiting when the
// bot stops is told then, not lost.
func TestUndecryptableToldOnlyIfItNeverComes(t *testing.T) {
	ctx := context.Background()
	hs := newHarness(t)
	failed := func(id string) *events.UndecryptableMessage {
		return &events.UndecryptableMessage{Info: dm(id, pnJID, nil).Info, DecryptFailMode: events.DecryptFailShow}
	}
	told := func() int {
		n := 0
		for _, ev := range hs.notes.events() {
			if _, ok := ev.(notice.WhatsAppUndecryptable); ok {
				n++
			}
		}
		return n
	}
	hs.event(failed("A1"))
	hs.event(failed("A1")) // whatsmeow's next try fails too
	hs.event(failed("B1"))
	hs.clock.Add(30 * time.Second)
	hs.a.Check(ctx)
	if n := told(); n != 0 {
		t.Fatalf("told %d times before the retry had a chance", n)
	}
	if !hs.event(dm("A1", pnJID, text("سلام، برنامه باز نمی‌شود"))) { // the retry worked
		t.Fatal("not acknowledged")
	}
	hs.clock.Add(undecryptableWait)
	hs.a.Check(ctx)
	hs.a.Check(ctx)
	if got := hs.notes.events(); len(got) != 1 || got[0] != (notice.WhatsAppUndecryptable{Address: customer}) {
		t.Errorf("reported %+v, want B1 only, once", got)
	}
	if got := hs.h.messages(); len(got) != 1 || got[0].ID != "A1" {
		t.Errorf("the engine got %+v, want A1", got)
	}
	hs.event(failed("C1"))
	hs.a.Close()
	if n := told(); n != 2 {
		t.Errorf("told %d in all after a stop with C1 waiting, want 2", n)
	}
}

// A notice that cannot be stored leaves the event unacknowledged, so
// WhatsApp delivers it again and it is told then.
func TestInboundNoticeFailureIsRetried(t *testing.T) {
	call := &events.CallOffer{BasicCallMeta: types.BasicCallMeta{From: pnJID, Timestamp: t0, CallCreator: pnJID, CallID: "CALL2"}}
	hs := newHarness(t)
	hs.notes.fail = errBoom
	if hs.event(call) {
		t.Fatal("acknowledged although the notice failed")
	}
	hs.notes.fail = nil
	for range 2 {
		if !hs.event(call) {
			t.Fatal("redelivery not acknowledged")
		}
	}
	if got := hs.notes.events(); len(got) != 1 {
		t.Errorf("reported %+v, want the call once", got)
	}
}

// WhatsApp's own announcements account is not a customer.
func TestInboundIgnoresPSA(t *testing.T) {
	hs := newHarness(t)
	if !hs.event(dm("PSA1", types.PSAJID, text("WhatsApp news"))) {
		t.Fatal("not acknowledged")
	}
	if got := hs.h.messages(); len(got) != 0 {
		t.Errorf("engine got %+v", got)
	}
}
