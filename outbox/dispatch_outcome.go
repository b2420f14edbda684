package outbox

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"time"
)

// Sends whose outcome is unknown.
//
// The outbox promises each message once. The dispatcher records a send's
// outcome before it takes the next step, retrying the record (never the
// send) while the database cannot take it (markSent). A duplicate is
// still possible in two cases, and each is counted per transport, for
// /metrics (supportbot_outbox_unknown_outcomes_total):
//
//   - the send failed in a way that does not say whether the transport
//     took the message (a timeout, a connection cut after the request was
//     written): the retry may deliver it a second time; WhatsApp's retry
//     reuses the message id, so the recipient's phone shows it once;
//   - the dispatcher stopped before the record could be made: the message
//     is still pending and goes out again at the next start.
//
// A process killed between a send and its record is the third case; it
// cannot count itself, and the crash test bounds it (one message per
// transport lane per kill). See docs/durability.md.

// maxRecordWait is the longest wait between two tries of a record.
const maxRecordWait = 5 * time.Second

// ambiguous reports whether a send error leaves open that the message went
// out.
func ambiguous(err error) bool {
	if err == nil || IsPermanent(err) {
		return false
	}
	var un *UnavailableError
	if errors.As(err, &un) {
		return false // refused before sending
	}
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		(errors.As(err, &ne) && ne.Timeout())
}

// UnknownOutcomes counts, by transport, the sends since the start whose
// outcome is unknown, so that a duplicate is possible.
func (d *Dispatcher) UnknownOutcomes() map[string]int64 {
	d.smu.RLock()
	defer d.smu.RUnlock()
	out := make(map[string]int64, len(d.lanes))
	for p, l := range d.lanes {
		out[p] = l.unknown.Load()
	}
	return out
}
