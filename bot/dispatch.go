package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
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

// DispatcherConfig tunes delivery. Zero fields take the defaults given.
type DispatcherConfig struct {
	MaxAttempts  int           // tries before giving up; default 8
	MinBackoff   time.Duration // wait after the first failure, doubled after each; default 5s
	MaxBackoff   time.Duration // longest wait between tries; default 10m
	PollInterval time.Duration // how often Run looks for due messages; default 1s
	// The pace: the least time between two messages to one group (default
	// 3s, 20 a minute), to any other recipient (default 1s), and between
	// any two sends (default 1/30 s, 30 a second). Negative means no wait.
	GroupInterval time.Duration
	ChatInterval  time.Duration
	Overall       time.Duration
	// Groups are the addresses paced as groups; default telegram:staff and
	// telegram:managers.
	Groups []string
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
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
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
	if c.Groups == nil {
		c.Groups = []string{StaffGroup, ManagersGroup}
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

// settingReportPrefix marks outbox messages that are failure reports, so a
// report that fails in turn is not reported again.
const settingReportPrefix = "outbox_report:"

// Dispatcher delivers the outbox: it routes each due message by the prefix
// of its address ("telegram", "whatsapp") to a registered Sender, marks it
// sent, retries failures with capped exponential backoff (or the wait the
// transport asked for), gives up after MaxAttempts and tells the staff
// group, and paces sends per recipient and overall. Messages for an address
// with no Sender stay pending until one is registered (a transport that is
// not running loses nothing).
type Dispatcher struct {
	st   store.Store
	cfg  DispatcherConfig
	wake chan struct{}

	smu     sync.RWMutex
	senders map[string]Sender

	mu   sync.Mutex           // one delivery pass at a time; guards next, hold and last
	next map[string]time.Time // earliest next send per recipient, by pace
	hold map[string]time.Time // recipients waiting for a retry of an earlier message
	last time.Time            // the last send, for the overall pace
}

// NewDispatcher returns a dispatcher for the outbox in st.
func NewDispatcher(st store.Store, cfg DispatcherConfig) *Dispatcher {
	cfg.defaults()
	return &Dispatcher{
		st:      st,
		cfg:     cfg,
		wake:    make(chan struct{}, 1),
		senders: map[string]Sender{},
		next:    map[string]time.Time{},
		hold:    map[string]time.Time{},
	}
}

// Register routes addresses that start with prefix and a colon (prefix
// "telegram" takes "telegram:staff") to s.
func (d *Dispatcher) Register(prefix string, s Sender) {
	d.smu.Lock()
	defer d.smu.Unlock()
	d.senders[strings.TrimSuffix(prefix, ":")] = s
}

func (d *Dispatcher) sender(to string) Sender {
	prefix, _, ok := strings.Cut(to, ":")
	if !ok {
		return nil
	}
	d.smu.RLock()
	defer d.smu.RUnlock()
	return d.senders[prefix]
}

// Wake nudges Run to look at the outbox now rather than at the next poll,
// after something was enqueued. It never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers due messages until ctx is done, then returns nil. Storage
// errors are logged and retried at the next poll.
func (d *Dispatcher) Run(ctx context.Context) error {
	for {
		d.mu.Lock()
		_, slot, err := d.pass(ctx, map[int64]bool{})
		d.mu.Unlock()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			d.cfg.Log.Error("outbox delivery", "err", err)
		}
		wait := d.cfg.PollInterval
		if !slot.IsZero() {
			wait = min(wait, max(slot.Sub(d.cfg.Now()), time.Millisecond))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-d.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// Flush delivers everything that is due, trying each message at most once
// and waiting out the per-recipient pace as needed. Messages held back by a
// retry stay pending. It is for tests and for shutdown.
func (d *Dispatcher) Flush(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	tried := map[int64]bool{}
	for {
		progress, slot, err := d.pass(ctx, tried)
		if err != nil {
			return err
		}
		if progress {
			continue
		}
		if slot.IsZero() {
			return nil
		}
		if err := d.cfg.Sleep(ctx, slot.Sub(d.cfg.Now())); err != nil {
			return err
		}
	}
}

// pass tries every due message not in tried whose recipient may be sent to
// now, in outbox order. It reports whether it tried any, and the earliest
// time a recipient it had to skip may be sent to (zero when none).
func (d *Dispatcher) pass(ctx context.Context, tried map[int64]bool) (progress bool, slot time.Time, err error) {
	now := d.cfg.Now()
	d.prune(now)
	due, err := d.st.DueOutbox(ctx, now, 0)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("due outbox: %w", err)
	}
	skipped := map[string]bool{}
	for _, m := range due {
		if tried[m.ID] || skipped[m.To] {
			continue
		}
		s := d.sender(m.To)
		if s == nil {
			continue
		}
		if d.hold[m.To].After(d.cfg.Now()) {
			// An earlier message to this recipient waits for its retry;
			// later ones wait with it, so each chat sees them in order.
			skipped[m.To] = true
			continue
		}
		if at := d.next[m.To]; at.After(d.cfg.Now()) {
			skipped[m.To] = true
			if slot.IsZero() || at.Before(slot) {
				slot = at
			}
			continue
		}
		if err := d.cfg.Sleep(ctx, d.last.Add(d.cfg.Overall).Sub(d.cfg.Now())); err != nil {
			return progress, slot, err
		}
		tried[m.ID] = true
		progress = true
		if err := d.deliver(ctx, s, m); err != nil {
			return progress, slot, err
		}
	}
	return progress, slot, nil
}

// prune forgets recipients whose pace and holds have long passed.
func (d *Dispatcher) prune(now time.Time) {
	for _, m := range []map[string]time.Time{d.next, d.hold} {
		if len(m) < 1000 {
			continue
		}
		for to, at := range m {
			if at.Before(now.Add(-time.Minute)) {
				delete(m, to)
			}
		}
	}
}

func (d *Dispatcher) interval(to string) time.Duration {
	for _, g := range d.cfg.Groups {
		if g == to {
			return d.cfg.GroupInterval
		}
	}
	return d.cfg.ChatInterval
}

// deliver sends m once and records the outcome. Only storage errors and a
// cancelled ctx are returned; a failed send is a retry or a give-up.
func (d *Dispatcher) deliver(ctx context.Context, s Sender, m store.OutboxMessage) error {
	log := d.cfg.Log.With("outbox_id", m.ID, "to", m.To, "ticket", m.TicketID)
	ext, sendErr := s.Send(ctx, m)
	// What happened is recorded even when ctx ends meanwhile: a message sent
	// but not marked sent would go out twice.
	rec := context.WithoutCancel(ctx)
	now := d.cfg.Now()
	d.last = now
	if sendErr == nil {
		d.next[m.To] = now.Add(d.interval(m.To))
		if err := d.markSent(rec, m.ID, now, ext); err != nil {
			log.Error("sent but not marked sent; it may be sent again", "err", err)
			return fmt.Errorf("mark %d sent: %w", m.ID, err)
		}
		log.Debug("sent", "external_id", ext)
		return nil
	}
	if ctx.Err() != nil {
		// Interrupted by shutdown: not the message's fault, try it next time.
		return ctx.Err()
	}
	attempts := m.Attempts + 1
	if IsPermanent(sendErr) || attempts >= d.cfg.MaxAttempts {
		return d.giveUp(rec, log, m, attempts, sendErr)
	}
	wait := d.backoff(attempts)
	var ra RetryAfter
	if errors.As(sendErr, &ra) && ra.RetryAfter() > 0 {
		wait = ra.RetryAfter()
	}
	next := now.Add(wait)
	if err := d.st.MarkRetry(rec, m.ID, next, shorten(errText(sendErr), 500)); err != nil {
		return fmt.Errorf("mark %d for retry: %w", m.ID, err)
	}
	d.hold[m.To] = next
	log.Warn("send failed; will retry", "attempt", attempts, "retry_in", wait, "err", sendErr)
	return nil
}

// markSent records a delivery, trying a few times: a message the transport
// took but the outbox still holds as pending goes out again.
func (d *Dispatcher) markSent(ctx context.Context, id int64, at time.Time, ext string) error {
	var err error
	for wait := 100 * time.Millisecond; ; wait *= 4 {
		if err = d.st.MarkSent(ctx, id, at, ext); err == nil || wait > 2*time.Second {
			return err
		}
		if d.cfg.Sleep(ctx, wait) != nil {
			return err
		}
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
		_, err := tx.Setting(ctx, settingReportPrefix+strconv.FormatInt(m.ID, 10))
		switch {
		case err == nil:
			return nil // a report about an earlier failure: do not loop
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		id, err := enqueue(ctx, tx, now, Post{To: StaffGroup, TicketID: m.TicketID, Text: d.cfg.Report(m, attempts, sendErr)})
		if err != nil {
			return err
		}
		reported = true
		return tx.SetSetting(ctx, settingReportPrefix+strconv.FormatInt(id, 10), strconv.FormatInt(m.ID, 10))
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
