// Package bot wires the customer conversation, the staff desk, the outbox and
// the scheduled jobs to transports. Everything that happens for one inbound
// message (deduplication, state change, tickets, outbound messages) is
// written in one transaction, so a crash never leaves half of it behind;
// under load many messages share one transaction (group commit, see
// engine_group.go), each still all or nothing.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"supportbot/conversation"
	"supportbot/inbound"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/store"
)

// The inbound types the transports hand the engine (package inbound),
// named here as the engine has always named them.
const (
	TransportWhatsApp = inbound.TransportWhatsApp
	TransportTelegram = inbound.TransportTelegram
)

// CustomerMessage is inbound.CustomerMessage.
type CustomerMessage = inbound.CustomerMessage

// Engine handles inbound messages from both sides. Each message is
// deduplicated by its transport id, acted on and answered (into the outbox)
// in one transaction, which it may share with other messages (group
// commit); a Handle call returns once that transaction is committed, so a
// transport acknowledges only what is stored.
type Engine struct {
	store   store.Store
	conv    *conversation.Machine
	desk    *Desk
	printer *locales.Printer
	limits  Limits
	flood   *flood
	group   *committer
	log     *slog.Logger
}

// NewEngine wires the conversation and the desk to a store. printer renders
// customer-facing text. The engine starts with DefaultLimits.
func NewEngine(st store.Store, conv *conversation.Machine, desk *Desk, printer *locales.Printer) *Engine {
	f := newFlood()
	if desk != nil && conv != nil {
		desk.SetIntake(conv)
	}
	e := &Engine{store: st, conv: conv, desk: desk, printer: printer, limits: DefaultLimits(), flood: f,
		group: &committer{st: st, flood: f, budget: batchBudget}, log: slog.Default()}
	if desk != nil {
		desk.SetLinkResumer(e.linked)
	}
	return e
}

// linked goes on with a number staff just linked (/link): a request that
// its earlier message started is taken up (conversation.Machine.Linked).
func (e *Engine) linked(ctx context.Context, tx store.Store, phone string, at time.Time) (string, error) {
	res, err := e.conv.Linked(ctx, tx, phone, at)
	if err != nil {
		return "", fmt.Errorf("conversation with %s: %w", phone, err)
	}
	var text []string
	for _, r := range res.Replies {
		text = append(text, e.render(r.Lines))
	}
	res.Replies = nil
	if err := e.apply(ctx, tx, CustomerMessage{Phone: phone, At: at}, res); err != nil {
		return "", err
	}
	return strings.Join(text, "\n"), nil
}

// SetLogger sets where the engine reports bugs it survived (a panic while
// handling a message); the default is slog.Default(). Call it before the
// first message.
func (e *Engine) SetLogger(l *slog.Logger) { e.log = l }

// SetLimits replaces the flood and size limits. Call it before the first
// message.
func (e *Engine) SetLimits(l Limits) { e.limits = l }

// Limits are the flood and size limits in force; a transport may use
// MaxFileBytes to skip downloading a file the engine would refuse.
func (e *Engine) Limits() Limits { return e.limits }

// CommitStats counts the engine's group commits so far.
func (e *Engine) CommitStats() CommitStats { return e.group.snapshot() }

// Store is the engine's database.
func (e *Engine) Store() store.Store { return e.store }

// Desk is the engine's staff desk.
func (e *Engine) Desk() *Desk { return e.desk }

// HandleCustomer stores and answers one customer message exactly once: a
// message whose transport id was seen before changes nothing. It returns
// after the message and everything it caused are committed.
func (e *Engine) HandleCustomer(ctx context.Context, m CustomerMessage) error {
	m = scrubbed(m)
	err := e.group.do(ctx, func(ctx context.Context, b *batch) error { return e.customer(ctx, b, m) })
	var pe *PanicError
	if !errors.As(err, &pe) {
		return err
	}
	// A bug: retrying cannot help, and the customer must not be lost. The
	// message is recorded and held, and staff told, so the transport can
	// acknowledge it and a person can answer.
	why := shorten(fmt.Sprint(pe.Value), 300)
	held := e.group.do(ctx, func(ctx context.Context, b *batch) error { return e.failed(ctx, b.tx, m, why, "engine.staff.failed") })
	if held != nil {
		return errors.Join(err, held)
	}
	e.log.Error("a customer message could not be handled; it is held and staff were told",
		"message_id", m.ID, "err", err)
	return nil
}

// HoldCustomer keeps a message a transport could not get handled (it kept
// failing, why) aside for a person to answer and tells staff, as for a
// panic: the last resort before the message would be lost. An id seen
// before is a no-op.
func (e *Engine) HoldCustomer(ctx context.Context, m CustomerMessage, why string) error {
	m = scrubbed(m)
	key := heldCauseKey(why)
	return e.group.do(ctx, func(ctx context.Context, b *batch) error { return e.failed(ctx, b.tx, m, shorten(why, 300), key) })
}

// heldCauseKey is the staff alert that words why a transport gave up on a
// message, from the last error it kept (text: it may have been stored
// across a restart): the database (engine.staff.failed_database, with
// the problem), time running out, or else no cause named. A software
// error (a panic) is HandleCustomer's. The database's reasons are
// SQLite's own error texts, which do not change.
func heldCauseKey(why string) string {
	w := strings.ToLower(why)
	for _, c := range []struct{ key, text string }{
		{"locked", "database is locked"}, {"locked", "database table is locked"},
		{"locked", "sqlite_busy"}, {"locked", "sqlite_locked"},
		{"disk_full", "database or disk is full"}, {"disk_full", "sqlite_full"},
		{"read_only", "readonly database"}, {"read_only", "sqlite_readonly"},
		{"damaged", "malformed"}, {"damaged", "file is not a database"}, {"damaged", "sqlite_corrupt"}, {"damaged", "sqlite_notadb"},
		{"failing", "disk i/o error"}, {"failing", "sqlite_ioerr"}, {"failing", "unable to open database"}, {"failing", "sqlite_cantopen"},
	} {
		if strings.Contains(w, c.text) {
			return "engine.db_problem." + c.key
		}
	}
	if strings.Contains(w, "deadline exceeded") || strings.Contains(w, "timed out") || strings.Contains(w, "timeout") {
		return "engine.staff.failed_timeout"
	}
	return "engine.staff.failed_other"
}

// scrubbed is m with valid UTF-8 and no invisible marks in its text and
// file name.
func scrubbed(m CustomerMessage) CustomerMessage {
	m.Text = outbox.ScrubMarks(strings.ToValidUTF8(m.Text, "\uFFFD"))
	if m.File != nil {
		f := *m.File
		f.Name = outbox.ScrubMarks(strings.ToValidUTF8(f.Name, "\uFFFD"))
		m.File = &f
	}
	return m
}

// failed keeps a message whose handling failed (why) and tells staff in
// the words of key: engine.staff.failed for a bug, or heldCauseKey's.
func (e *Engine) failed(ctx context.Context, tx store.Store, m CustomerMessage, why, key string) error {
	if m.ID != "" {
		fresh, err := tx.RecordChatInbound(ctx, TransportWhatsApp, m.DedupChat(), m.ID, m.At)
		if err != nil || !fresh {
			return err
		}
	}
	if err := e.hold(ctx, tx, m, store.HeldFailed, m.File); err != nil {
		return err
	}
	if err := e.received(ctx, tx, m, store.RouteHeld, store.HeldFailed); err != nil {
		return err
	}
	p := e.desk.printer
	file := ""
	if m.File != nil {
		file = e.desk.fileText(*m.File)
	}
	args := map[string]any{"phone": m.Phone}
	if problem, ok := strings.CutPrefix(key, "engine.db_problem."); ok {
		args["problem"] = locales.Raw(p.T("engine.db_problem."+problem, nil))
		key = "engine.staff.failed_database"
	}
	text := withLines(p.T(key, args),
		line(p, "notice.line.file", file),
		line(p, "notice.line.text", clip(strings.TrimSpace(m.Text), maxRelayRunes)),
		line(p, "notice.line.error", why))
	_, err := outbox.Enqueue(ctx, tx, m.At, outbox.Post{To: outbox.StaffGroup, Text: text})
	return err
}

// customer handles one customer message inside batch b's transaction, and
// edits the cards of the tickets it changed.
func (e *Engine) customer(ctx context.Context, b *batch, m CustomerMessage) error {
	return e.desk.watched(ctx, b.tx, m.At, func(tx store.Store) error { return e.customerIn(ctx, b, tx, m) })
}

// customerIn is customer's work, in tx.
func (e *Engine) customerIn(ctx context.Context, b *batch, tx store.Store, m CustomerMessage) error {
	if m.ID != "" {
		fresh, err := tx.RecordChatInbound(ctx, TransportWhatsApp, m.DedupChat(), m.ID, m.At)
		if err != nil || !fresh {
			return err
		}
	}
	m, err := e.canonical(ctx, tx, m) // a hidden address joined with its number (addresses.go)
	if err != nil {
		return err
	}
	if limit := e.limits.MessagesPerMinute; limit > 0 {
		if over, first := b.check(e.flood, m.Phone, m.At, limit); over {
			if err := e.received(ctx, tx, m, store.RouteHeld, store.HeldFlood); err != nil {
				return err
			}
			return e.flooded(ctx, tx, m, first)
		}
	}
	rec := store.Received{At: m.At, SentAt: m.SentAt, Phone: m.Phone, Route: store.RouteMenu, Text: m.Text, File: m.File}
	// A score answering the satisfaction question asked at a close never
	// reaches the conversation (where a bare number shows the menu). Once
	// the customer has gone on in the conversation (a menu, a denial) and is
	// still in it, a bare number belongs to it: «۲» after a refused request
	// is not a score.
	seen := &phoneSeen{tx: tx}
	menu := func(asked time.Time) (bool, error) {
		if busy, err := e.conv.AwaitsChoice(ctx, seen.recording(), m.Phone, m.At); err != nil || busy {
			return busy, err
		}
		return e.conv.UsedSince(ctx, tx, m.Phone, asked, m.At)
	}
	if scored, err := e.desk.AnswerCSAT(ctx, tx, m.Phone, m.At, m.Text, m.File, menu); err != nil || scored {
		if err == nil {
			rec.Route = store.RouteScore
			err = tx.AddReceived(ctx, &rec)
		}
		return err
	}
	// When the menu was looked at, the conversation gets the phone state
	// read for it: nothing since wrote the session or the customer, and
	// below only the received message is stored first.
	tx = seen.handedOn()
	in := conversation.Inbound{Phone: m.Phone, At: m.At, Text: m.Text, File: m.File, SentAt: m.SentAt}
	var notes []conversation.Line
	if text, cut := cutRunes(m.Text, e.limits.MaxTextRunes); cut {
		rec.Held = store.HeldTooLong
		if err := e.hold(ctx, tx, m, store.HeldTooLong, nil); err != nil {
			return err
		}
		in.Text = text
		notes = append(notes, conversation.Line{Key: "limits.truncated", Args: map[string]any{"max": e.limits.MaxTextRunes}})
	}
	if f := m.File; f != nil && e.limits.MaxFileBytes > 0 && f.Bytes > e.limits.MaxFileBytes {
		rec.Held = store.HeldFileTooLarge
		if err := e.hold(ctx, tx, m, store.HeldFileTooLarge, f); err != nil {
			return err
		}
		in.File = nil
		notes = append(notes, conversation.Line{Key: "limits.file_too_large", Args: map[string]any{
			"file": locales.Raw(e.desk.fileText(*f)), "max": locales.Raw(e.desk.size(e.limits.MaxFileBytes)),
		}})
		if strings.TrimSpace(in.Text) == "" {
			// Nothing is left for the conversation: only the refusal.
			rec.Route = store.RouteHeld
			if err := tx.AddReceived(ctx, &rec); err != nil {
				return fmt.Errorf("store message from %s: %w", m.Phone, err)
			}
			_, err := outbox.Enqueue(ctx, tx, m.At, outbox.Post{To: outbox.WhatsApp(m.Phone), Text: e.render(notes)})
			return err
		}
	}
	// Every message is stored as received before the conversation acts on
	// it; the conversation records where it went (export -messages).
	if err := tx.AddReceived(ctx, &rec); err != nil {
		return fmt.Errorf("store message from %s: %w", m.Phone, err)
	}
	in.Received = rec.ID
	res, err := e.conv.Handle(ctx, tx, in)
	if err != nil {
		return fmt.Errorf("conversation with %s: %w", m.Phone, err)
	}
	if len(notes) > 0 {
		if len(res.Replies) == 0 {
			res.Replies = []conversation.Reply{{}}
		}
		res.Replies[0].Lines = append(notes, res.Replies[0].Lines...)
	}
	return e.apply(ctx, tx, m, res)
}

// received stores a message that the conversation will not see, with
// where it went.
func (e *Engine) received(ctx context.Context, tx store.Store, m CustomerMessage, route string, held store.HeldReason) error {
	r := store.Received{At: m.At, SentAt: m.SentAt, Phone: m.Phone, Route: route, Held: held, Text: m.Text, File: m.File}
	if len(r.Text) > maxHeldBytes {
		r.Text = strings.ToValidUTF8(r.Text[:maxHeldBytes], "")
	}
	if err := tx.AddReceived(ctx, &r); err != nil {
		return fmt.Errorf("store message from %s: %w", m.Phone, err)
	}
	return nil
}

// maxHeldBytes bounds the text kept of one held message, as the
// conversation bounds what it stores.
const maxHeldBytes = 64 << 10

// hold keeps the message (its whole text, and file when given) aside for
// reason.
func (e *Engine) hold(ctx context.Context, tx store.Store, m CustomerMessage, reason store.HeldReason, f *store.File) error {
	text := m.Text
	if len(text) > maxHeldBytes {
		text = strings.ToValidUTF8(text[:maxHeldBytes], "")
	}
	h := store.HeldMessage{At: m.At, Phone: m.Phone, Reason: reason, Text: text, File: f}
	if err := tx.Hold(ctx, &h); err != nil {
		return fmt.Errorf("hold message from %s: %w", m.Phone, err)
	}
	return nil
}

// flooded keeps a message that came over the rate limit. The first one of a
// flood gets the customer a polite notice and tells staff; later ones get
// silence until the customer slows down.
func (e *Engine) flooded(ctx context.Context, tx store.Store, m CustomerMessage, first bool) error {
	if err := e.hold(ctx, tx, m, store.HeldFlood, m.File); err != nil {
		return err
	}
	if !first {
		return nil
	}
	limit := e.limits.MessagesPerMinute
	notice := e.printer.T("limits.flood", map[string]any{"limit": limit})
	if _, err := outbox.Enqueue(ctx, tx, m.At, outbox.Post{To: outbox.WhatsApp(m.Phone), Text: notice}); err != nil {
		return err
	}
	args := map[string]any{"phone": m.Phone, "limit": limit}
	key := "limits.staff.flood_unknown"
	switch c, err := tx.CustomerByPhone(ctx, m.Phone); {
	case err == nil:
		key, args["customer"] = "limits.staff.flood", c.Name
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("customer of %s: %w", m.Phone, err)
	}
	_, err := outbox.Enqueue(ctx, tx, m.At, outbox.Post{To: outbox.StaffGroup, Text: e.desk.printer.T(key, args)})
	return err
}

// cutRunes cuts s to at most n characters; n <= 0 means no limit.
func cutRunes(s string, n int) (string, bool) {
	if n <= 0 || len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s, false
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j], true
		}
		i++
	}
	return s, false
}

// apply renders the conversation's replies into the outbox and hands its
// events to the staff desk.
func (e *Engine) apply(ctx context.Context, tx store.Store, m CustomerMessage, res conversation.Result) error {
	var ticketID int64
	for _, ev := range res.Events {
		if ev.Ticket.ID != 0 {
			ticketID = ev.Ticket.ID
		}
	}
	for _, r := range res.Replies {
		if _, err := outbox.Enqueue(ctx, tx, m.At, outbox.Post{To: outbox.WhatsApp(m.Phone), TicketID: ticketID, Text: e.render(r.Lines)}); err != nil {
			return err
		}
	}
	var relayed int64
	for _, ev := range res.Events {
		var err error
		switch ev.Kind {
		case conversation.TicketOpened:
			k := eventKnown(ev)
			k.relayed = &relayed
			if e.desk.sentLine(ev.Sent, ev.Arrived) != "" {
				// When the customer began writing the request, not when
				// its last message came: staff see how long they have
				// waited (docs/telegram.md, "Cards").
				k.sentAt = ev.Sent
			}
			err = e.desk.ticketOpened(ctx, tx, ev.Ticket, m.At, k)
		case conversation.FollowUp:
			k := eventKnown(ev)
			k.reopened = ev.Reopened
			k.relayed = &relayed
			k.sentAt = m.SentAt
			err = e.desk.customerWrote(ctx, tx, ev.Ticket, ev.Message, m.At, k)
		case conversation.UnknownContact:
			err = e.desk.UnknownContact(ctx, tx, ev.Phone, ev.Text, m.At)
		}
		if err != nil {
			return fmt.Errorf("staff desk: %w", err)
		}
	}
	return e.rememberRelay(ctx, tx, m, relayed)
}

// eventKnown is what the conversation read for an event in the message's
// transaction, for the desk to use instead of reading it again.
func eventKnown(ev conversation.Event) known {
	var k known
	if ev.Customer.ID != "" {
		k.customer = &ev.Customer
	}
	if ev.Contract.ID != "" {
		k.contract = &ev.Contract
	}
	return k
}

func (e *Engine) render(lines []conversation.Line) string {
	parts := make([]string, 0, len(lines))
	for _, l := range lines {
		parts = append(parts, e.printer.T(l.Key, l.Args))
	}
	return strings.Join(parts, "\n")
}

// maxStaffRunes bounds a staff message: Telegram's own limit, so only a
// script can be cut.
const maxStaffRunes = 4096

// HandleStaff handles one Telegram message or button press exactly once,
// returning after it and its answers are committed.
func (e *Engine) HandleStaff(ctx context.Context, id string, in StaffInput) error {
	// Mention marks are the desk's own (desk_card_edit.go): never taken
	// from what people type.
	in.Text, _ = cutRunes(outbox.ScrubMarks(strings.ToValidUTF8(in.Text, "\uFFFD")), maxStaffRunes)
	in.Callback, _ = cutRunes(outbox.ScrubMarks(strings.ToValidUTF8(in.Callback, "\uFFFD")), maxStaffRunes)
	in.UserName = outbox.ScrubMarks(strings.ToValidUTF8(in.UserName, "\uFFFD"))
	if in.File != nil {
		f := *in.File
		f.Name = outbox.ScrubMarks(f.Name)
		in.File = &f
	}
	err := e.group.do(ctx, func(ctx context.Context, b *batch) error {
		if fresh, err := freshUpdate(ctx, b.tx, id, in.At); err != nil || !fresh {
			return err
		}
		return e.desk.HandleStaff(ctx, b.tx, in)
	})
	var pe *PanicError
	if !errors.As(err, &pe) {
		return err
	}
	// A bug: retrying cannot help, and the transport would only retry and
	// then skip the update without a word. The update is recorded and the
	// staff member told, in the chat it came from, that nothing was done,
	// with what they sent, so it is neither lost nor half done.
	told := e.group.do(ctx, func(ctx context.Context, b *batch) error {
		if fresh, err := freshUpdate(ctx, b.tx, id, in.At); err != nil || !fresh {
			return err
		}
		sent := in.Text
		if sent == "" {
			sent = in.Callback
		}
		text := e.desk.printer.T("engine.staff.command_failed", map[string]any{
			"text":  locales.Raw(clip(strings.TrimSpace(sent), maxRelayRunes)),
			"error": locales.Raw(shorten(fmt.Sprint(pe.Value), 300)),
		})
		return e.desk.answer(ctx, b.tx, staffIn{StaffInput: in}, 0, text)
	})
	if told != nil {
		return errors.Join(err, told)
	}
	e.log.Error("a staff message could not be handled; the sender was told", "update", id, "err", err)
	return nil
}

// freshUpdate records a Telegram update id; false means it was seen before
// and the update is a replay. Input without an id is always fresh.
func freshUpdate(ctx context.Context, tx store.Store, id string, at time.Time) (bool, error) {
	if id == "" {
		return true, nil
	}
	return tx.RecordInbound(ctx, TransportTelegram, id, at)
}
