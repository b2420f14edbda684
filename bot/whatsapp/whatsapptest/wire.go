package whatsapptest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"

	"go.mau.fi/libsignal/signalerror"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"
)

// Wire plays WhatsApp's server and the Signal ratchet in front of a real
// *whatsmeow.Client, so a test can deliver the same encrypted message
// twice and see what whatsmeow does with the second delivery.
//
// It follows whatsmeow's decryptMessages (message.go): the ciphertext goes
// through the client's own bufferedDecrypt (the decrypted-event buffer in
// the session file when EnableDecryptedEventBuffer is on); the plaintext
// becomes an events.Message with UnwrapRaw, as handleDecryptedMessage
// builds it; the buffered plaintext is cleared only when the handler
// returned true. Like a real Signal session, a ciphertext decrypts once:
// decrypting it again fails with the ratchet's "old counter" error, which
// whatsmeow logs and drops.
type Wire struct {
	cli *whatsmeow.Client

	mu        sync.Mutex
	decrypted map[[32]byte]bool
}

// NewWire puts a wire in front of cli.
func NewWire(cli *whatsmeow.Client) *Wire {
	return &Wire{cli: cli, decrypted: map[[32]byte]bool{}}
}

// Outcome is what became of one delivery.
type Outcome string

// Outcomes of a delivery.
const (
	Handled  Outcome = "handled"  // the handler took it; whatsmeow acknowledges it
	Failed   Outcome = "failed"   // the handler failed; no receipt, the server delivers it again
	Lost     Outcome = "lost"     // it could not be decrypted again; whatsmeow drops it
	Repeated Outcome = "repeated" // already handled; whatsmeow acknowledges it and dispatches nothing
)

// Deliver sends evt (as a customer's phone would: its Info, with
// evt.RawMessage or else evt.Message as the plaintext) through the client
// to handler, and says what became of it. Delivering the same evt again is
// WhatsApp's redelivery of the same ciphertext.
func (w *Wire) Deliver(ctx context.Context, evt *events.Message, handler func(any) bool) (Outcome, error) {
	raw := evt.RawMessage
	if raw == nil {
		raw = evt.Message
	}
	plain, err := proto.Marshal(raw)
	if err != nil {
		return "", err
	}
	// The ciphertext stands for this message from this sender: the same
	// event delivered again is the same ciphertext.
	ciphertext := sha256.Sum256(append([]byte(evt.Info.Sender.String()+"\x00"+evt.Info.ID+"\x00"), plain...))
	decrypt := func(context.Context) ([]byte, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.decrypted[ciphertext] {
			return nil, fmt.Errorf("failed to decrypt normal message: %w", signalerror.ErrOldCounter)
		}
		w.decrypted[ciphertext] = true
		return plain, nil
	}
	//lint:ignore SA1019 the wire stands in for the server, so it calls the decrypt step directly
	got, hash, err := w.cli.DangerousInternals().BufferedDecrypt(ctx, ciphertext[:], evt.Info.Timestamp, decrypt, "normal", evt.Info.Sender.String())
	switch {
	case errors.Is(err, whatsmeow.ErrEventAlreadyProcessed):
		return Repeated, nil
	case errors.Is(err, signalerror.ErrOldCounter):
		return Lost, nil
	case err != nil:
		return "", err
	}
	var msg waE2E.Message
	if err := proto.Unmarshal(got, &msg); err != nil {
		return "", err
	}
	out := &events.Message{Info: evt.Info, RawMessage: &msg}
	if !handler(out.UnwrapRaw()) {
		return Failed, nil
	}
	if w.cli.EnableDecryptedEventBuffer {
		if err := w.cli.Store.EventBuffer.ClearBufferedEventPlaintext(ctx, hash); err != nil {
			return "", err
		}
	}
	return Handled, nil
}

// Client is the whatsmeow client behind the wire.
func (w *Wire) Client() *whatsmeow.Client { return w.cli }
