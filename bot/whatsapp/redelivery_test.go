package whatsapp

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"

	"supportbot/bot/whatsapp/whatsapptest"
	"supportbot/inbound"
)

// pairedSession makes a session file that holds an account, as `supportbot
// pair` leaves it (without the network: the device gets its id and is
// saved), and dials it.
func pairedSession(t *testing.T) (*whatsmeow.Client, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "whatsapp-session.db")
	s, err := openSession(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := types.NewADJID("989120000000", 0, 7)
	s.device.ID = &id
	s.device.PushName = "Company"
	s.device.Account = &waAdv.ADVSignedDeviceIdentity{
		Details: []byte{1}, AccountSignature: make([]byte, 64), AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	if err := s.device.Save(ctx); err != nil {
		t.Fatal(err)
	}
	s.db.Close()
	link, closeFile, err := Dial(ctx, path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeFile() })
	if !link.Paired {
		t.Fatal("the paired session reads as unpaired")
	}
	return link.Client.(*whatsmeow.Client), path
}

// withWire gives the harness a real whatsmeow client, dialled on a paired
// session file, in front of the adapter's event handler.
func (hs *harness) withWire() *whatsapptest.Wire {
	cli, _ := pairedSession(hs.t)
	return whatsapptest.NewWire(cli)
}

func TestDialSettings(t *testing.T) {
	cli, path := pairedSession(t)
	for name, on := range map[string]bool{
		"SynchronousAck":                     cli.SynchronousAck,
		"EnableDecryptedEventBuffer":         cli.EnableDecryptedEventBuffer,
		"AutomaticMessageRerequestFromPhone": cli.AutomaticMessageRerequestFromPhone,
		"UseRetryMessageStore":               cli.UseRetryMessageStore,
		"EnableAutoReconnect":                cli.EnableAutoReconnect,
		"InitialAutoReconnect":               cli.InitialAutoReconnect,
	} {
		if !on {
			t.Errorf("%s is off", name)
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("session file mode %o, want 600 (it holds the account's keys)", mode)
	}
}

// An existing session file made readable by others is closed up on open.
func TestSessionFileModeTightened(t *testing.T) {
	path := filepath.Join(t.TempDir(), "whatsapp-session.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, closeFile, err := Dial(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	closeFile()
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %o, want 600", info.Mode().Perm())
	}
}

// A message whose handling failed is not lost: whatsmeow keeps its
// plaintext in the session file, and WhatsApp's redelivery of the same
// ciphertext (which the Signal session can no longer decrypt) is served
// from there. Once handled, a further delivery dispatches nothing. Without
// the buffer the same sequence loses the message: the test can fail.
func TestRedeliveryAfterHandlerFailureLosesNothing(t *testing.T) {
	tests := []struct {
		name   string
		buffer bool
		want   []whatsapptest.Outcome
		got    int
	}{
		{"buffer on (Dial)", true, []whatsapptest.Outcome{whatsapptest.Failed, whatsapptest.Handled, whatsapptest.Repeated}, 1},
		{"buffer off", false, []whatsapptest.Outcome{whatsapptest.Failed, whatsapptest.Lost, whatsapptest.Lost}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t)
			wire := hs.withWire()
			wire.Client().EnableDecryptedEventBuffer = tt.buffer
			fail := true
			hs.h.fail = func(inbound.CustomerMessage) error {
				if fail {
					return errBoom
				}
				return nil
			}
			ctx := context.Background()
			evt := dm("RD1", pnJID, text("نرم‌افزار باز نمی‌شود"))
			for i, want := range tt.want {
				got, err := wire.Deliver(ctx, evt, hs.a.HandleEvent)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("delivery %d: %s, want %s", i+1, got, want)
				}
				fail = false // the database is back
			}
			if got := hs.h.messages(); len(got) != tt.got || (tt.got == 1 && got[0].Text != "نرم‌افزار باز نمی‌شود") {
				t.Errorf("engine got %+v, want %d message(s)", got, tt.got)
			}
		})
	}
}

// A message that arrives while the adapter is closing is left for
// redelivery, and the next run (a new adapter on the same session file)
// gets it from the buffer.
func TestClosedAdapterLeavesMessagesForRedelivery(t *testing.T) {
	hs := newHarness(t)
	wire := hs.withWire()
	ctx := context.Background()
	hs.a.Close()
	evt := dm("C1", pnJID, text("سلام"))
	if got, err := wire.Deliver(ctx, evt, hs.a.HandleEvent); err != nil || got != whatsapptest.Failed {
		t.Fatalf("delivery to a closed adapter: %s, %v; want it left unacknowledged", got, err)
	}
	if len(hs.h.messages()) != 0 {
		t.Error("a closed adapter handed on a message")
	}
	next := New(hs.a.link, hs.db, hs.h, hs.a.cfg)
	if got, err := wire.Deliver(ctx, evt, next.HandleEvent); err != nil || got != whatsapptest.Handled {
		t.Fatalf("redelivery after the restart: %s, %v", got, err)
	}
	if got := hs.h.messages(); len(got) != 1 || got[0].ID != "C1" {
		t.Errorf("engine got %+v", got)
	}
}
