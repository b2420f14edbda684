package outbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"supportbot/locales"
	"supportbot/store"
)

// Sender delivers one outbox message over a transport and returns the
// transport's id for it, which the outbox keeps so that a reply to the
// message can be traced back to it.
type Sender interface {
	Send(ctx context.Context, m store.OutboxMessage) (externalID string, err error)
}

// RetryAfter is implemented by send errors that say how long to wait before
// the next try, such as Telegram's 429 Too Many Requests.
type RetryAfter interface {
	RetryAfter() time.Duration
}

// PermanentError marks a send error that no retry can fix (a chat the bot
// was removed from, a file that is gone): the dispatcher gives up at once.
type PermanentError struct{ Err error }

// Error is the wrapped error's text.
func (e *PermanentError) Error() string { return e.Err.Error() }

// Unwrap exposes the wrapped error to errors.Is and errors.As.
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying; nil stays nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &PermanentError{Err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked Permanent.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// UnavailableError marks a send error that says nothing about the message:
// the transport (or, with Recipient, only this recipient) cannot be reached
// now. The dispatcher holds the message without counting an attempt and
// tries again with backoff, for as long as it takes; nothing is given up
// because a network or a peer is down.
type UnavailableError struct {
	Err error
	// Recipient limits the hold to the message's recipient (a group the
	// bot was removed from): the transport's other chats go on.
	Recipient bool
}

// Error is the wrapped error's text.
func (e *UnavailableError) Error() string { return e.Err.Error() }

// Unwrap exposes the wrapped error to errors.Is and errors.As.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Unavailable marks err as "the transport is down, hold this message": the
// whole transport's lane waits (with backoff, or until Available); nil
// stays nil.
func Unavailable(err error) error {
	if err == nil {
		return nil
	}
	return &UnavailableError{Err: err}
}

// RecipientUnavailable marks err as "this recipient cannot be reached now,
// hold its messages": only messages to the same address wait; nil stays nil.
func RecipientUnavailable(err error) error {
	if err == nil {
		return nil
	}
	return &UnavailableError{Err: err, Recipient: true}
}

// IsUnavailable reports whether err, or an error it wraps, was marked
// Unavailable or RecipientUnavailable.
func IsUnavailable(err error) bool {
	var u *UnavailableError
	return errors.As(err, &u)
}

// DispatcherConfig tunes delivery. Zero fields take the defaults given.
type DispatcherConfig struct {
	MaxAttempts int           // tries before giving up; default 8
	MinBackoff  time.Duration // wait after the first failure, doubled after each; default 5s
	MaxBackoff  time.Duration // longest wait between tries; default 10m
	// MaxHold is the longest wait between tries while a transport or a
	// recipient is unavailable (no attempts are counted); default 1m.
	MaxHold      time.Duration
	PollInterval time.Duration // how often Run looks for due messages; default 1s
	// SendGrace is how long a send in flight when ctx ends may go on;
	// default 3s.
	SendGrace time.Duration
	// The pace: the least time between two messages to one group (default
	// 3s, 20 a minute), to any other recipient (default 1s), and between
	// any two sends (default 1/30 s, 30 a second). Negative means no wait.
	GroupInterval time.Duration
	ChatInterval  time.Duration
	Overall       time.Duration
	// Groups are the addresses paced as groups; default telegram:staff and
	// telegram:managers.
	Groups []Address
	// JoinWindow: a customer's follow-ups relayed to staff (kind
	// store.OutboxFollowUp, text only) about one ticket, written within
	// this time of the first and waiting together, go as one message;
	// default 15s, negative joins none.
	JoinWindow time.Duration
	// Report words the staff group's notice about a message given up on;
	// default DefaultFailureReport.
	Report func(m store.OutboxMessage, attempts int, err error) string
	Now    func() time.Time                                 // default time.Now
	Sleep  func(ctx context.Context, d time.Duration) error // default a timer that stops on ctx
	Log    *slog.Logger                                     // default slog.Default()
}

func (c *DispatcherConfig) defaults() {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 5 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 10 * time.Minute
	}
	if c.MaxHold <= 0 {
		c.MaxHold = time.Minute
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.SendGrace <= 0 {
		c.SendGrace = 3 * time.Second
	}
	if c.GroupInterval == 0 {
		c.GroupInterval = 3 * time.Second
	}
	if c.ChatInterval == 0 {
		c.ChatInterval = time.Second
	}
	if c.Overall == 0 {
		c.Overall = time.Second / 30
	}
	if c.JoinWindow == 0 {
		c.JoinWindow = 15 * time.Second
	}
	if c.Groups == nil {
		c.Groups = []Address{StaffGroup, ManagersGroup}
	}
	if c.Report == nil {
		c.Report = DefaultFailureReport
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = Sleep
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
}

// Sleep waits d, or until ctx ends (then it returns ctx's error). It is the
// default sleeper of the transports' pacing and the dispatcher's backoff.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// FailureReport words the staff group's notice about a message the bot gave
// up on, in p's language. It names the recipient and the error and quotes
// the start of the text, so a person can deliver it by hand.
func FailureReport(p *locales.Printer) func(m store.OutboxMessage, attempts int, err error) string {
	return func(m store.OutboxMessage, attempts int, err error) string {
		lines := []string{p.T("transport.failed", map[string]any{"id": m.ID, "to": m.To, "attempts": attempts})}
		if m.TicketID != 0 {
			lines = append(lines, p.T("transport.failed_ticket", map[string]any{"ticket": m.TicketID}))
		}
		lines = append(lines, p.T("transport.failed_error", map[string]any{"error": locales.Raw(shorten(errText(err), 300))}))
		if t := strings.TrimSpace(m.Text); t != "" {
			lines = append(lines, p.T("transport.failed_text", map[string]any{"text": locales.Raw(shorten(t, 500))}))
		}
		if m.File != nil {
			lines = append(lines, p.T("transport.failed_file", map[string]any{"name": m.File.Name}))
		}
		return strings.Join(lines, "\n")
	}
}

// DefaultFailureReport is FailureReport in the default language (Persian).
var DefaultFailureReport = FailureReport(defaultPrinter())

// defaultPrinter is the Persian printer in Tehran time. The catalogs are
// embedded and checked by the locales tests, so failing here is a build
// defect, not bad input.
func defaultPrinter() *locales.Printer {
	p, err := locales.New(locales.Default, nil)
	if err != nil {
		panic(fmt.Sprintf("embedded catalogs: %v", err))
	}
	return p
}

// Dispatcher delivers the outbox: it routes each due message by the prefix
// of its address ("telegram", "whatsapp") to a registered Sender, marks it
// sent, retries failures with capped exponential backoff, gives up after
// MaxAttempts and tells the staff group, and paces sends per recipient and
// overall. Messages for an address with no Sender stay pending until one is
// registered (a transport that is not running loses nothing).
//
// Each transport has its own lane (a goroutine in Run, its own pace and
// holds), so a transport that stalls or is down never delays another's
// messages. A wait the transport asks for (RetryAfter, Telegram's 429) and
// an Unavailable error hold messages without counting an attempt.
type Dispatcher struct {
	st   store.Store
	cfg  DispatcherConfig
	wake chan struct{} // nudges Run when a lane is added

	smu   sync.RWMutex
	lanes map[string]*lane // by address prefix
}

// lane delivers one transport's messages.
type lane struct {
	prefix string
	s      Sender
	wake   chan struct{}

	mu       sync.Mutex               // one delivery pass at a time; guards the rest
	next     map[string]time.Time     // earliest next send per recipient, by pace
	hold     map[string]time.Time     // recipients waiting for a retry of an earlier message
	holdFor  map[string]time.Duration // the last hold of an unavailable recipient, doubled each time
	last     time.Time                // the last send, for the overall pace
	down     time.Time                // the whole transport unavailable until
	downFor  time.Duration            // the last such wait, doubled each time
	downSent bool                     // whether the outage was logged
	unknown  atomic.Int64             // sends whose outcome is unknown (dispatch_outcome.go)
}

// NewDispatcher returns a dispatcher for the outbox in st.
func NewDispatcher(st store.Store, cfg DispatcherConfig) *Dispatcher {
	cfg.defaults()
	return &Dispatcher{
		st:    st,
		cfg:   cfg,
		wake:  make(chan struct{}, 1),
		lanes: map[string]*lane{},
	}
}

// Register routes addresses that start with prefix and a colon (prefix
// "telegram" takes "telegram:staff") to s, in a lane of their own.
func (d *Dispatcher) Register(prefix string, s Sender) {
	prefix = strings.TrimSuffix(prefix, ":")
	d.smu.Lock()
	if l := d.lanes[prefix]; l != nil {
		l.mu.Lock()
		l.s = s
		l.mu.Unlock()
	} else {
		d.lanes[prefix] = &lane{
			prefix:  prefix,
			s:       s,
			wake:    make(chan struct{}, 1),
			next:    map[string]time.Time{},
			hold:    map[string]time.Time{},
			holdFor: map[string]time.Duration{},
		}
	}
	d.smu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// laneList is every lane, in no particular order.
func (d *Dispatcher) laneList() []*lane {
	d.smu.RLock()
	defer d.smu.RUnlock()
	ls := make([]*lane, 0, len(d.lanes))
	for _, l := range d.lanes {
		ls = append(ls, l)
	}
	return ls
}

// Wake nudges Run to look at the outbox now rather than at the next poll,
// after something was enqueued. It never blocks.
func (d *Dispatcher) Wake() {
	for _, l := range d.laneList() {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
}

// Available says that the transport with prefix answers again (a poll
// succeeded after an outage): its held messages are tried at once rather
// than at the end of their backoff.
func (d *Dispatcher) Available(prefix string) {
	d.smu.RLock()
	l := d.lanes[prefix]
	d.smu.RUnlock()
	if l == nil {
		return
	}
	l.mu.Lock()
	wasDown := !l.down.IsZero()
	l.down, l.downFor = time.Time{}, 0
	l.mu.Unlock()
	if wasDown {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
}

// Run delivers due messages until ctx is done, then returns nil: one
// goroutine per transport, and one more for transports registered later.
// Storage errors are logged and retried at the next poll.
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	started := map[*lane]bool{}
	for {
		for _, l := range d.laneList() {
			if !started[l] {
				started[l] = true
				wg.Go(func() { d.runLane(ctx, l) })
			}
		}
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-d.wake:
		}
	}
}

func (d *Dispatcher) runLane(ctx context.Context, l *lane) {
	for {
		l.mu.Lock()
		_, slot, err := d.pass(ctx, l, map[int64]bool{})
		l.mu.Unlock()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			d.cfg.Log.Error("outbox delivery", "transport", l.prefix, "err", err)
		}
		wait := d.cfg.PollInterval
		if !slot.IsZero() {
			wait = min(wait, max(slot.Sub(d.cfg.Now()), time.Millisecond))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-l.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// Flush delivers everything that is due, trying each message at most once
// and waiting out the per-recipient pace as needed; the lanes flush side by
// side, so a stalled transport does not hold up the others. Messages held
// back by a retry or an outage stay pending. It is for tests and for
// shutdown.
func (d *Dispatcher) Flush(ctx context.Context) error {
	tried := map[*lane]map[int64]bool{}
	for {
		// Rounds, because one lane's give-up may enqueue a report for
		// another.
		ls := d.laneList()
		errs := make([]error, len(ls))
		moved := make([]bool, len(ls))
		for _, l := range ls {
			if tried[l] == nil {
				tried[l] = map[int64]bool{}
			}
		}
		var wg sync.WaitGroup
		for i, l := range ls {
			t := tried[l]
			wg.Go(func() { moved[i], errs[i] = d.flushLane(ctx, l, t) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil || !slices.Contains(moved, true) {
			return err
		}
	}
}

// flushLane is Flush for one lane; it reports whether it tried anything.
func (d *Dispatcher) flushLane(ctx context.Context, l *lane, tried map[int64]bool) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	any := false
	for {
		progress, slot, err := d.pass(ctx, l, tried)
		any = any || progress
		if err != nil {
			return any, fmt.Errorf("%s: %w", l.prefix, err)
		}
		if progress {
			continue
		}
		if slot.IsZero() {
			return any, nil
		}
		if err := d.cfg.Sleep(ctx, slot.Sub(d.cfg.Now())); err != nil {
			return any, fmt.Errorf("%s: %w", l.prefix, err)
		}
	}
}

// pass tries every due message of l's transport not in tried whose
// recipient may be sent to now, in outbox order. It reports whether it
// tried any, and the earliest time a recipient it had to skip may be sent
// to (zero when none).
func (d *Dispatcher) pass(ctx context.Context, l *lane, tried map[int64]bool) (progress bool, slot time.Time, err error) {
	now := d.cfg.Now()
	if l.down.After(now) {
		return false, time.Time{}, nil
	}
	l.prune(now)
	due, err := d.st.DueOutbox(ctx, now, 0)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("due outbox: %w", err)
	}
	// The send budget's priorities: what matters to a customer now (cards
	// and their edits, follow-ups, answers) before background messages
	// (reminders, digests, alerts); each class keeps its order, so each
	// chat still sees its messages of a kind in order.
	slices.SortStableFunc(due, func(a, b store.OutboxMessage) int {
		return cmp.Compare(background(a), background(b))
	})
	skipped := map[string]bool{}
	for i, m := range due {
		prefix := Address(m.To).Transport()
		if prefix != l.prefix || tried[m.ID] || skipped[m.To] {
			continue
		}
		if l.down.After(d.cfg.Now()) {
			break // the transport went down during this pass
		}
		if l.hold[m.To].After(d.cfg.Now()) {
			// An earlier message to this recipient waits for its retry;
			// later ones wait with it, so each chat sees them in order.
			skipped[m.To] = true
			continue
		}
		if at := l.next[m.To]; at.After(d.cfg.Now()) {
			skipped[m.To] = true
			if slot.IsZero() || at.Before(slot) {
				slot = at
			}
			continue
		}
		if err := d.cfg.Sleep(ctx, l.last.Add(d.cfg.Overall).Sub(d.cfg.Now())); err != nil {
			return progress, slot, err
		}
		tried[m.ID] = true
		progress = true
		m, joined := d.join(due[i+1:], m, tried)
		if len(joined) == 0 {
			m, joined = supersede(due[i+1:], m, tried)
		}
		for _, id := range joined {
			tried[id] = true
		}
		if err := d.deliver(ctx, l, m, joined...); err != nil {
			return progress, slot, err
		}
	}
	return progress, slot, nil
}

// background reports a message that may wait for the others: 1 for a
// reminder, digest or alert, else 0.
func background(m store.OutboxMessage) int {
	if m.Kind == store.OutboxBackground {
		return 1
	}
	return 0
}

// maxJoinedRunes bounds a joined follow-up so it stays one Telegram message.
const maxJoinedRunes = 3500

// join gathers into m, a customer's follow-up, the follow-ups about the same
// ticket that wait behind it in rest (its next messages to the same chat,
// text only, written within JoinWindow of it), so a customer writing in
// bursts costs one message of the group's budget. Each joined message's
// first line is left out when it repeats m's ("new message from … about
// ticket N:"). It returns the message to send and the ids joined into it.
func (d *Dispatcher) join(rest []store.OutboxMessage, m store.OutboxMessage, tried map[int64]bool) (store.OutboxMessage, []int64) {
	if d.cfg.JoinWindow < 0 || !joinable(m) {
		return m, nil
	}
	head, _, _ := strings.Cut(m.Text, "\n")
	size := len([]rune(m.Text))
	var ids []int64
	for _, n := range rest {
		if n.To != m.To || tried[n.ID] {
			continue
		}
		if !joinable(n) || n.TicketID != m.TicketID || n.CreatedAt.Sub(m.CreatedAt) > d.cfg.JoinWindow {
			break // the chat's next message is something else: order is kept
		}
		text := n.Text
		if h, body, ok := strings.Cut(text, "\n"); ok && h == head {
			text = body
		}
		if size += len([]rune(text)) + 1; size > maxJoinedRunes {
			break
		}
		m.Text += "\n" + text
		ids = append(ids, n.ID)
	}
	return m, ids
}

// supersede makes m, an edit of an earlier message (a ticket's card at a
// status change), show what the latest edit of the same message waiting
// behind it in rest shows, and returns the ids of those later edits: they
// are sent as one, so several quick status changes cost one edit of the
// group's budget, and the card ends as the last of them says. The rows are
// kept and marked sent together (an edit being sent while the desk queues
// the next one is never changed under the dispatcher's hands).
func supersede(rest []store.OutboxMessage, m store.OutboxMessage, tried map[int64]bool) (store.OutboxMessage, []int64) {
	if m.Edit == 0 || m.File != nil {
		return m, nil
	}
	var ids []int64
	for _, n := range rest {
		if n.To != m.To || n.Edit != m.Edit || n.File != nil || tried[n.ID] {
			continue
		}
		m.Text, m.Buttons, m.Topic, m.Thread, m.Kind = n.Text, n.Buttons, n.Topic, n.Thread, n.Kind
		ids = append(ids, n.ID)
	}
	return m, ids
}

// joinable is a follow-up that can be joined with others: text alone.
func joinable(m store.OutboxMessage) bool {
	return m.Kind == store.OutboxFollowUp && m.File == nil && len(m.Buttons) == 0 && m.Edit == 0 && m.Attempts == 0
}

// prune forgets recipients whose pace and holds have long passed.
func (l *lane) prune(now time.Time) {
	for _, m := range []map[string]time.Time{l.next, l.hold} {
		if len(m) < 1000 {
			continue
		}
		for to, at := range m {
			if at.Before(now.Add(-time.Minute)) {
				delete(m, to)
				delete(l.holdFor, to)
			}
		}
	}
}

func (d *Dispatcher) interval(to string) time.Duration {
	for _, g := range d.cfg.Groups {
		if string(g) == to {
			return d.cfg.GroupInterval
		}
	}
	return d.cfg.ChatInterval
}

// deliver sends m once and records the outcome. Only storage errors and a
// cancelled ctx are returned; a failed send is a retry, a hold or a give-up.
func (d *Dispatcher) deliver(ctx context.Context, l *lane, m store.OutboxMessage, joined ...int64) error {
	log := d.cfg.Log.With("outbox_id", m.ID, "to", m.To, "ticket", m.TicketID)
	// A send in flight at a stop may finish (for SendGrace): one cut off
	// after the transport took it would go out again at the next start.
	sendCtx, cancel := graceful(ctx, d.cfg.SendGrace)
	ext, sendErr := l.s.Send(sendCtx, m)
	cancel()
	// What happened is recorded even when ctx ends meanwhile: a message sent
	// but not marked sent would go out twice.
	rec := context.WithoutCancel(ctx)
	now := d.cfg.Now()
	l.last = now
	if sendErr == nil {
		l.next[m.To] = now.Add(d.interval(m.To))
		delete(l.holdFor, m.To)
		if l.downSent {
			d.cfg.Log.Info("transport delivers again", "transport", l.prefix)
		}
		l.down, l.downFor, l.downSent = time.Time{}, 0, false
		if err := d.markSent(ctx, l, append([]int64{m.ID}, joined...), now, ext); err != nil {
			log.Error("sent but not marked sent; it may be sent again", "err", err)
			return fmt.Errorf("mark %d sent: %w", m.ID, err)
		}
		log.Debug("sent", "external_id", ext, "joined", len(joined))
		return nil
	}
	if ambiguous(sendErr) {
		l.unknown.Add(1) // it may have gone out: the retry may duplicate it
	}
	if ctx.Err() != nil {
		// Interrupted by shutdown: not the message's fault, try it next time.
		return ctx.Err()
	}
	var un *UnavailableError
	var ra RetryAfter
	switch {
	case errors.As(sendErr, &un) && !un.Recipient:
		l.downFor = d.holdBackoff(l.downFor)
		l.down = now.Add(l.downFor)
		if !l.downSent {
			log.Warn("transport unavailable; its messages wait", "transport", l.prefix, "retry_in", l.downFor, "err", sendErr)
			l.downSent = true
		} else {
			log.Debug("transport still unavailable", "transport", l.prefix, "retry_in", l.downFor, "err", sendErr)
		}
		return d.postpone(rec, m.ID, now, sendErr) // the hold is the lane's: Available ends it
	case un != nil:
		l.holdFor[m.To] = d.holdBackoff(l.holdFor[m.To])
		l.hold[m.To] = now.Add(l.holdFor[m.To])
		log.Warn("recipient unavailable; its messages wait", "retry_in", l.holdFor[m.To], "err", sendErr)
		return d.postpone(rec, m.ID, now, sendErr)
	case errors.As(sendErr, &ra) && ra.RetryAfter() > 0 && !IsPermanent(sendErr):
		// The transport's own pace: a wait, not a failure.
		l.hold[m.To] = now.Add(ra.RetryAfter())
		log.Info("transport asked to wait", "retry_in", ra.RetryAfter())
		return d.postpone(rec, m.ID, l.hold[m.To], sendErr)
	}
	attempts := m.Attempts + 1
	if IsPermanent(sendErr) || attempts >= d.cfg.MaxAttempts {
		return d.giveUp(rec, log, m, attempts, sendErr)
	}
	wait := d.backoff(attempts)
	next := now.Add(wait)
	if err := d.st.MarkRetry(rec, m.ID, next, shorten(errText(sendErr), 500)); err != nil {
		return fmt.Errorf("mark %d for retry: %w", m.ID, err)
	}
	l.hold[m.To] = next
	log.Warn("send failed; will retry", "attempt", attempts, "retry_in", wait, "err", sendErr)
	return nil
}

// graceful is a context that ends grace after parent does (or at cancel).
func graceful(parent context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	stop := context.AfterFunc(parent, func() {
		t := time.AfterFunc(grace, cancel)
		context.AfterFunc(ctx, func() { t.Stop() })
	})
	return ctx, func() { stop(); cancel() }
}

// holdBackoff is the next wait of an unavailable transport or recipient
// after one of prev: MinBackoff, doubled each time, at most MaxHold.
func (d *Dispatcher) holdBackoff(prev time.Duration) time.Duration {
	if prev <= 0 {
		return min(d.cfg.MinBackoff, d.cfg.MaxHold)
	}
	return min(prev*2, d.cfg.MaxHold)
}

// postpone keeps m pending until next without counting an attempt.
func (d *Dispatcher) postpone(ctx context.Context, id int64, next time.Time, sendErr error) error {
	if err := d.st.Postpone(ctx, id, next, shorten(errText(sendErr), 500)); err != nil {
		return fmt.Errorf("postpone %d: %w", id, err)
	}
	return nil
}

// markSent records a delivery. A message the transport took but the
// outbox still holds as pending would go out again, so the record is
// retried, the lane waiting, for as long as the dispatcher runs (a locked
// or full database); nothing else is sent meanwhile. Only when ctx ends
// first is it given up, and counted as an unknown outcome
// (dispatch_outcome.go).
func (d *Dispatcher) markSent(ctx context.Context, l *lane, ids []int64, at time.Time, ext string) error {
	rec := context.WithoutCancel(ctx)
	wait := 100 * time.Millisecond
	id := ids[0]
	for {
		var err error
		if len(ids) == 1 {
			err = d.st.MarkSent(rec, id, at, ext)
		} else {
			// Follow-ups joined into one message: all of them or none.
			err = d.st.InTx(rec, func(tx store.Store) error {
				for _, id := range ids {
					if err := tx.MarkSent(rec, id, at, ext); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || d.cfg.Sleep(ctx, wait) != nil {
			l.unknown.Add(1)
			return err
		}
		d.cfg.Log.Warn("sent but not yet recorded; retrying the record, not the send", "outbox_id", id, "retry_in", wait, "err", err)
		wait = min(wait*2, maxRecordWait)
	}
}

// backoff is the wait after the n-th failure: MinBackoff doubled n-1 times,
// at most MaxBackoff.
func (d *Dispatcher) backoff(n int) time.Duration {
	w := d.cfg.MinBackoff
	for i := 1; i < n && w < d.cfg.MaxBackoff; i++ {
		w *= 2
	}
	return min(w, d.cfg.MaxBackoff)
}

// giveUp marks m failed and, in the same transaction, tells the staff group,
// unless m was itself such a report.
func (d *Dispatcher) giveUp(ctx context.Context, log *slog.Logger, m store.OutboxMessage, attempts int, sendErr error) error {
	now := d.cfg.Now()
	reported := false
	err := d.st.InTx(ctx, func(tx store.Store) error {
		if err := tx.MarkFailed(ctx, m.ID, shorten(errText(sendErr), 500)); err != nil {
			return err
		}
		// A report about an earlier failure is not reported: no loop.
		if isReport, err := tx.IsOutboxReport(ctx, m.ID); err != nil || isReport {
			return err
		}
		id, err := Enqueue(ctx, tx, now, Post{To: StaffGroup, TicketID: m.TicketID, Text: d.cfg.Report(m, attempts, sendErr)})
		if err != nil {
			return err
		}
		reported = true
		return tx.MarkOutboxReport(ctx, id, m.ID)
	})
	if err != nil {
		return fmt.Errorf("give up on %d: %w", m.ID, err)
	}
	log.Error("gave up on message", "attempts", attempts, "permanent", IsPermanent(sendErr), "reported", reported, "err", sendErr)
	if reported {
		d.Wake()
	}
	return nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// shorten cuts s to at most n runes, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
