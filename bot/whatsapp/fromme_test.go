package whatsapp

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"supportbot/inbound"
	"supportbot/outbox"
	"supportbot/store"
)

// companyHandler is the engine's side with HandleCompanyPhone.
type companyHandler struct {
	*fakeHandler
	cmu     sync.Mutex
	company []inbound.CompanyMessage
}

func (h *companyHandler) HandleCompanyPhone(_ context.Context, m inbound.CompanyMessage) error {
	h.cmu.Lock()
	defer h.cmu.Unlock()
	h.company = append(h.company, m)
	return nil
}

// ownJID is the company's own account: device 0 is the phone, device 7
// this bot.
var (
	ownPhone = types.JID{User: "989350000000", Server: types.DefaultUserServer}
	ownLID   = types.JID{User: "777000111", Server: types.HiddenUserServer}
)

// fromPhone is a message typed on the company phone into chat, as
// whatsmeow builds it: Sender is our own account (device 0), Chat the
// recipient, the content wrapped in a DeviceSentMessage that UnwrapRaw
// opens.
func fromPhone(id string, sender, chat types.JID, m *waE2E.Message) *events.Message {
	e := &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{Chat: chat, Sender: sender, IsFromMe: true},
			ID:            id, Timestamp: t0, Type: "text",
		},
		RawMessage: &waE2E.Message{DeviceSentMessage: &waE2E.DeviceSentMessage{
			DestinationJID: proto.String(chat.String()), Message: m}},
	}
	return e.UnwrapRaw()
}

func TestFromMe(t *testing.T) {
	tests := []struct {
		name string
		evt  *events.Message
		want *inbound.CompanyMessage // nil: nothing recorded
	}{
		{"typed on the phone to a customer", fromPhone("F1", ownPhone, pnJID, text("سلام، نسخه جدید را نصب کنید")),
			&inbound.CompanyMessage{ID: "F1", Chat: pnJID.String(), Phone: "+989121234567", Text: "سلام، نسخه جدید را نصب کنید"}},
		{"ephemeral inside the device-sent wrapper", fromPhone("F2", ownPhone, pnJID,
			&waE2E.Message{EphemeralMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("پیام موقت")}}}}),
			&inbound.CompanyMessage{ID: "F2", Chat: pnJID.String(), Phone: "+989121234567", Text: "پیام موقت"}},
		{"to a hidden chat with the number beside it", func() *events.Message {
			e := fromPhone("F3", ownLID, anonID, text("پاسخ"))
			e.Info.RecipientAlt = types.NewJID("989123333333", types.DefaultUserServer)
			return e
		}(), &inbound.CompanyMessage{ID: "F3", Chat: anonID.String(), Phone: "+989123333333", Text: "پاسخ"}},
		{"to a hidden chat in the LID map", fromPhone("F4", ownLID, lidJID, text("پاسخ")),
			&inbound.CompanyMessage{ID: "F4", Chat: lidJID.String(), Phone: "+989127777777", Text: "پاسخ"}},
		{"a location sent from the phone", fromPhone("F5", ownPhone, pnJID, &waE2E.Message{LocationMessage: &waE2E.LocationMessage{
			DegreesLatitude: proto.Float64(35.7), DegreesLongitude: proto.Float64(51.4)}}),
			&inbound.CompanyMessage{ID: "F5", Chat: pnJID.String(), Phone: "+989121234567"}},
		{"note to self", fromPhone("F6", ownPhone, ownPhone, text("یادداشت")), nil},
		{"in a group", func() *events.Message {
			e := fromPhone("F7", ownPhone, types.NewJID("120363000000000001", types.GroupServer), text("سلام به همه"))
			e.Info.IsGroup = true
			return e
		}(), nil},
		{"an edit from the phone", func() *events.Message {
			e := fromPhone("F8", ownPhone, pnJID, &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
				Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(), EditedMessage: text("اصلاح")}})
			return e
		}(), nil},
		{"a reaction", fromPhone("F9", ownPhone, pnJID, &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Text: proto.String("👍")}}), nil},
		{"status broadcast", fromPhone("F10", ownPhone, types.StatusBroadcastJID, text("وضعیت")), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			ch := &companyHandler{fakeHandler: hs.h}
			hs.a = New(hs.a.link, hs.db, ch, hs.a.cfg)
			if !hs.event(tt.evt) {
				t.Fatal("HandleEvent = false")
			}
			if got := hs.h.messages(); len(got) != 0 {
				t.Errorf("taken as a customer message: %+v", got)
			}
			if r := hs.cli.Reads(); len(r) != 0 {
				t.Errorf("marked read %v", r)
			}
			if s := hs.cli.Sent(); len(s) != 0 {
				t.Errorf("the bot answered: %+v", s)
			}
			if tt.want == nil {
				if len(ch.company) != 0 {
					t.Errorf("recorded %+v", ch.company)
				}
				return
			}
			if len(ch.company) != 1 {
				t.Fatalf("recorded %+v, want one", ch.company)
			}
			got := ch.company[0]
			if tt.want.Text == "" { // a described kind: a location shows as a map link
				if !strings.Contains(got.Text, "maps.google.com/?q=35.700000,51.400000") {
					t.Errorf("a location from the phone shows as %q, want its map link", got.Text)
				}
				tt.want.Text = got.Text
			}
			if got.ID != tt.want.ID || got.Chat != tt.want.Chat || got.Phone != tt.want.Phone || got.Text != tt.want.Text || !got.At.Equal(t0) {
				t.Errorf("recorded %+v, want %+v at %v", got, *tt.want, t0)
			}
		})
	}
}

// A message the bot itself sent, should WhatsApp echo it, is not an answer
// from the phone: it is on the ticket already.
func TestFromMeEchoOfOwnSend(t *testing.T) {
	hs := newHarness(t)
	ch := &companyHandler{fakeHandler: hs.h}
	hs.a = New(hs.a.link, hs.db, ch, hs.a.cfg)
	ctx := context.Background()
	hs.mustContact("+989121234567", pnJID)
	id, err := hs.a.Send(ctx, store.OutboxMessage{ID: 1, To: string(outbox.WhatsApp("+989121234567")), Text: "پاسخ ربات", CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	bot := types.JID{User: ownPhone.User, Server: ownPhone.Server, Device: 7}
	if !hs.event(fromPhone(id, bot, pnJID, text("پاسخ ربات"))) {
		t.Fatal("HandleEvent = false")
	}
	if len(ch.company) != 0 {
		t.Errorf("the bot's own send recorded as a company-phone answer: %+v", ch.company)
	}
}

// sentRecordFails is the store with the record of sends failing while
// fail is set, as a full disk or a locked database would.
type sentRecordFails struct {
	store.Store
	mu   sync.Mutex
	fail bool
}

func (s *sentRecordFails) failing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fail
}

func (s *sentRecordFails) AddWhatsAppSent(ctx context.Context, m store.WhatsAppSent) error {
	if s.failing() {
		return errBoom
	}
	return s.Store.AddWhatsAppSent(ctx, m)
}

func (s *sentRecordFails) SendingWhatsApp(ctx context.Context, m store.WhatsAppSent) error {
	if s.failing() {
		return errBoom
	}
	return s.Store.SendingWhatsApp(ctx, m)
}

// Whatever becomes of the record of a send or of the send itself, WhatsApp's
// echo of a message the bot sent never passes for an answer typed on the
// company phone, and the customer's phone shows it once.
func TestEchoOfASendWhoseRecordFailed(t *testing.T) {
	tests := []struct {
		name   string
		record bool             // the record of the first try fails
		lose   func(n int) bool // the answer to the n-th send is lost
	}{
		{"the record fails", true, nil},
		{"the answer is lost after WhatsApp took it", false, func(n int) bool { return n == 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			ch := &companyHandler{fakeHandler: hs.h}
			st := &sentRecordFails{Store: hs.db, fail: tt.record}
			hs.a = New(hs.a.link, st, ch, hs.a.cfg)
			hs.mustContact("+989121234567", pnJID)
			hs.cli.SetLoseAnswer(tt.lose)
			ctx := context.Background()
			m := store.OutboxMessage{CreatedAt: t0, To: string(outbox.WhatsApp("+989121234567")), TicketID: 4, Text: "پاسخ کارشناس", Status: store.OutboxPending, NextAttempt: t0}
			must(t, hs.db.Enqueue(ctx, &m))
			d := outbox.NewDispatcher(st, outbox.DispatcherConfig{Now: hs.clock.Now, Sleep: func(context.Context, time.Duration) error { return nil }})
			d.Register("whatsapp", hs.a)
			bot := types.JID{User: ownPhone.User, Server: ownPhone.Server, Device: 7}
			echo := func() {
				t.Helper()
				for _, s := range hs.cli.Sent() { // WhatsApp echoes each send to the linked devices
					if !hs.event(fromPhone(s.ID, bot, pnJID, s.Msg)) {
						t.Fatal("echo not acknowledged")
					}
				}
			}
			must(t, d.Flush(ctx))
			echo() // before the retry
			st.mu.Lock()
			st.fail = false
			st.mu.Unlock()
			hs.clock.Add(time.Minute)
			must(t, d.Flush(ctx))
			echo()
			if len(ch.company) != 0 {
				t.Errorf("the bot's own send recorded as a company-phone answer: %+v", ch.company)
			}
			if shown := hs.cli.Shown(); len(shown) != 1 {
				t.Errorf("the customer's phone shows %d messages, want 1", len(shown))
			}
			got, _ := hs.db.OutboxMessage(ctx, m.ID)
			rec, err := hs.db.WhatsAppSent(ctx, got.ExternalID)
			if got.Status != store.OutboxSent || err != nil || rec.OutboxID != m.ID || rec.TicketID != 4 {
				t.Errorf("row %s %q, followed %+v, %v; want sent and followed for receipts", got.Status, got.ExternalID, rec, err)
			}
		})
	}
}
