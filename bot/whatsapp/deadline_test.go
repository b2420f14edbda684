package whatsapp

import (
	"testing"
	"time"
)

// A message handled on whatsmeow's event loop is bounded like a queued
// one: an engine (or store) that hangs costs each try HandleTimeout, the
// message is left unacknowledged for WhatsApp to deliver again, and a stop
// (Close) is not held.
func TestEventLoopTryBounded(t *testing.T) {
	hs := newHarness(t, func(c *Config, _ *Link) { c.HandleTimeout = 50 * time.Millisecond })
	hs.a.h = hangingHandler{}
	done := make(chan bool, 1)
	go func() { done <- hs.a.HandleEvent(dm("H1", pnJID, text("سلام"))) }()
	select {
	case acked := <-done:
		if acked {
			t.Error("acknowledged a message the engine never took")
		}
	case <-time.After(time.Minute):
		t.Fatal("a hanging engine held whatsmeow's event loop past any bound")
	}
	closed := make(chan struct{})
	go func() { hs.a.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(time.Minute):
		t.Fatal("Close waited for ever")
	}
}
