package whatsapp

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"supportbot/bot/whatsapp/whatsapptest"
	"supportbot/inbound"
)

// editHandler is the engine's side with HandleEdit; it also records the
// order of everything it is given.
type editHandler struct {
	*fakeHandler
	emu   sync.Mutex
	edits []inbound.CustomerEdit
	order []string
}

func (h *editHandler) HandleCustomer(ctx context.Context, m inbound.CustomerMessage) error {
	if err := h.fakeHandler.HandleCustomer(ctx, m); err != nil {
		return err
	}
	h.emu.Lock()
	defer h.emu.Unlock()
	h.order = append(h.order, "message:"+m.ID)
	return nil
}

func (h *editHandler) HandleEdit(_ context.Context, e inbound.CustomerEdit) error {
	h.emu.Lock()
	defer h.emu.Unlock()
	h.edits = append(h.edits, e)
	h.order = append(h.order, "edit:"+e.Original)
	return nil
}

// Edits and deletions, as whatsmeow builds them, reach the engine with the
// id of the message they change; one that comes while that message's file
// is still downloading waits behind it.
func TestEditsReachTheEngineInOrder(t *testing.T) {
	hs := newHarness(t)
	h := &editHandler{fakeHandler: hs.h}
	hs.a = New(hs.a.link, hs.db, h, hs.a.cfg)
	g := newGate("/doc")
	hs.cli.SetDownloadGate(g.wait)
	hs.cli.AddMedia("/doc", []byte("%PDF-1.4"))

	key := &waCommon.MessageKey{RemoteJID: proto.String(pnJID.String()), FromMe: proto.Bool(false), ID: proto.String("D1")}
	edit := &waE2E.Message{EditedMessage: &waE2E.FutureProofMessage{Message: &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{
		Key: key, Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(), EditedMessage: text("فایل درست این است")}}}}
	revoke := &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Key: key, Type: waE2E.ProtocolMessage_REVOKE.Enum()}}

	if !hs.a.HandleEvent(dm("D1", pnJID, whatsapptest.Image("فایل", "image/png", "/doc", 8))) {
		t.Fatal("not acknowledged")
	}
	if !hs.a.HandleEvent(raw("E1", pnJID, edit)) {
		t.Fatal("edit not acknowledged")
	}
	if len(h.edits) != 0 {
		t.Fatalf("the edit overtook the message it edits: %+v", h.edits)
	}
	close(g.release)
	if !hs.a.waitIdle(time.Minute) {
		t.Fatal("queue not drained")
	}
	if !hs.event(raw("R1", pnJID, revoke)) {
		t.Fatal("deletion not acknowledged")
	}
	want := []string{"message:D1", "edit:D1", "edit:D1"}
	if len(h.order) != len(want) || h.order[0] != want[0] || h.order[1] != want[1] || h.order[2] != want[2] {
		t.Fatalf("engine got %v, want %v", h.order, want)
	}
	e, r := h.edits[0], h.edits[1]
	if e.ID != "E1" || e.Text != "فایل درست این است" || e.Revoked || e.Phone != "+989121234567" || e.Chat != pnJID.String() {
		t.Errorf("edit %+v", e)
	}
	if r.ID != "R1" || !r.Revoked || r.Text != "" || r.Original != "D1" {
		t.Errorf("deletion %+v", r)
	}
}
