package bot

import (
	"sync"
	"time"

	"supportbot/rules"
)

// Limits bound what one customer's messages can make the bot do. A zero
// field means no limit.
type Limits struct {
	// MessagesPerMinute is the most messages one phone may send in a
	// minute. Past it the customer gets one polite notice and then silence
	// until the rate falls under the limit again; every message is still
	// stored (held), none is lost.
	MessagesPerMinute int
	// MaxTextRunes cuts longer texts to that many characters, with a note
	// to the customer; the whole text is held.
	MaxTextRunes int
	// MaxFileBytes refuses larger files politely; the message is held with
	// the file's description.
	MaxFileBytes int64
}

// DefaultLimits are the shipped limits: 20 messages a minute, 4,000
// characters a message, 16 MB a file (the config's whatsapp.max_file_mb).
func DefaultLimits() Limits {
	return Limits{MessagesPerMinute: rules.DefaultMessagesPerMinute, MaxTextRunes: rules.DefaultMaxTextRunes, MaxFileBytes: rules.DefaultMaxFileBytes}
}

// floodWindow is the span MessagesPerMinute counts over.
const floodWindow = time.Minute

// floodState is one phone's recent rate: a sliding one-minute window,
// estimated from the counts of the current and the previous fixed window
// (the previous one weighted by how much of it still overlaps), so it costs
// a few words per phone whatever the limit. Messages are counted by their
// own time (the transport's or the script's), never the wall clock, so
// replays are deterministic.
type floodState struct {
	start     time.Time // start of the current fixed window
	cur, prev int       // messages in the current and the previous window
	noticed   bool      // the notice was sent in this flood
}

// step counts a message at at and reports whether it is over limit. The
// messages that are over the limit count too: a customer who keeps sending
// stays silenced until they slow down.
func (s floodState) step(at time.Time, limit int) (floodState, bool) {
	switch elapsed := at.Sub(s.start); {
	case s.start.IsZero() || elapsed >= 2*floodWindow:
		s = floodState{start: at, noticed: s.noticed}
	case elapsed >= floodWindow:
		s.start, s.prev, s.cur = s.start.Add(floodWindow), s.cur, 0
	}
	elapsed := max(at.Sub(s.start), 0) // a clock that went back counts as now
	overlap := floodWindow - min(elapsed, floodWindow)
	rate := s.cur + 1 + int(int64(s.prev)*int64(overlap)/int64(floodWindow))
	s.cur++
	return s, rate > limit
}

// flood keeps every phone's floodState between batches.
type flood struct {
	mu     sync.Mutex
	phones map[string]floodState
	latest time.Time // the latest message time seen, for pruning
	adds   int
}

func newFlood() *flood { return &flood{phones: map[string]floodState{}} }

// get is the phone's state as of the last commit.
func (f *flood) get(phone string) floodState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.phones[phone]
}

// apply stores the states a committed batch staged, and now and then drops
// phones quiet for longer than two windows, which count as new.
func (f *flood) apply(staged map[string]floodState) {
	if len(staged) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for phone, s := range staged {
		if _, ok := f.phones[phone]; !ok {
			f.adds++
		}
		f.phones[phone] = s
		if s.start.After(f.latest) {
			f.latest = s.start
		}
	}
	if f.adds < 4096 {
		return
	}
	f.adds = 0
	for phone, s := range f.phones {
		if f.latest.Sub(s.start) >= 2*floodWindow {
			delete(f.phones, phone)
		}
	}
}

// check counts a message from phone at at in the batch and says whether it
// is over the limit, and whether it is the first such in this flood (the
// one that gets the notice). A message within the limit ends the flood.
func (b *batch) check(f *flood, phone string, at time.Time, limit int) (over, first bool) {
	s, ok := b.flood[phone]
	if !ok {
		s = f.get(phone)
	}
	s, over = s.step(at, limit)
	first = over && !s.noticed
	s.noticed = over
	b.flood[phone] = s
	return over, first
}
