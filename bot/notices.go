package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"supportbot/locales"
	"supportbot/notice"
	"supportbot/outbox"
	"supportbot/store"
)

// Settings the notices keep, so a situation is told once across restarts.
const (
	// settingWhatsAppNotice is the WhatsApp connection problem staff were
	// last told of ("logged_out", "banned:UNTIL", "replaced", "outdated",
	// "down"), "" once they were told it is over.
	settingWhatsAppNotice = "whatsapp_notice"
	// settingPhoneNotice is the time the company phone was last seen
	// (RFC 3339) when staff were warned of its silence: once per silence.
	settingPhoneNotice = "whatsapp_phone_notice"
	// settingQueueNotice is the oldest queued message's time (RFC 3339)
	// when staff were told the WhatsApp queue is stuck, "" once they were
	// told it moves again: a restart in the same spell tells nobody twice,
	// whichever message is the oldest by then.
	settingQueueNotice = "whatsapp_queue_notice"
	// settingTelegramConflict is the Telegram conflict staff were last
	// told of ("instance", "webhook"), "" once they were told the bot
	// hears Telegram again.
	settingTelegramConflict = "telegram_conflict_notice"
)

// undeliveredQuote is how much of an undelivered message staff are shown,
// enough to pass it on by phone.
const undeliveredQuote = 500

// givenUpQuote is how much of a given-up message staff are shown: enough
// to answer it.
const givenUpQuote = 1000

// Notices is the one place where what the transports report (package
// notice) becomes words: it renders each event from the catalogs and
// enqueues it to the people it concerns, once per situation. The list of
// events and who hears each is in docs/operations.md.
type Notices struct {
	p      *locales.Printer
	report func(m store.OutboxMessage, attempts int, err error) string
	// managers is where managers' alerts go (Desk.ManagerAddresses);
	// privately their own chats, for notices about a Telegram group.
	managers  []outbox.Address
	privately []outbox.Address
	desk      *Desk // posts a card again when its topic was made anew
}

var _ notice.Notifier = (*Notices)(nil)

// NewNotices returns the notices worded by p, for the managers configured
// on d.
func NewNotices(p *locales.Printer, d *Desk) *Notices {
	n := &Notices{p: p, report: outbox.FailureReport(p), managers: d.ManagerAddresses(), desk: d}
	for _, id := range d.cfg.Managers {
		n.privately = append(n.privately, outbox.TelegramUser(id))
	}
	return n
}

// Notify words ev and enqueues it in tx (notice.Notifier).
func (n *Notices) Notify(ctx context.Context, tx store.Store, at time.Time, ev notice.Event) error {
	staff := []outbox.Address{outbox.StaffGroup}
	everyone := append(staff, n.managers...)
	var err error
	switch ev := ev.(type) {
	case notice.WhatsAppNotPaired:
		err = n.connection(ctx, tx, at, "logged_out", everyone, n.p.T("whatsapp.not_paired", map[string]any{"command": ev.Command}))
	case notice.WhatsAppLoggedOut:
		err = n.connection(ctx, tx, at, "logged_out", everyone, n.p.T("whatsapp.logged_out", map[string]any{"command": ev.Command}))
	case notice.WhatsAppDown:
		err = n.connection(ctx, tx, at, "down", everyone, n.p.T("whatsapp.down", map[string]any{"since": ev.Since, "minutes": int(ev.For.Minutes())}))
	case notice.WhatsAppReplaced:
		err = n.connection(ctx, tx, at, "replaced", everyone, n.p.T("whatsapp.replaced", nil))
	case notice.WhatsAppOutdated:
		err = n.connection(ctx, tx, at, "outdated", everyone, n.p.T("whatsapp.outdated", map[string]any{"version": ev.Version}))
	case notice.WhatsAppBanned:
		err = n.ban(ctx, tx, at, everyone, ev)
	case notice.WhatsAppBack:
		err = n.back(ctx, tx, at, everyone)
	case notice.WhatsAppPhoneSilent:
		err = n.phoneSilent(ctx, tx, at, everyone, ev)
	case notice.WhatsAppUndelivered:
		err = n.undelivered(ctx, tx, at, ev)
	case notice.WhatsAppQueueStuck:
		err = n.queueStuck(ctx, tx, at, everyone, ev)
	case notice.WhatsAppQueueMoving:
		err = n.queueMoving(ctx, tx, at, everyone)
	case notice.WhatsAppQueuedGivenUp:
		err = n.givenUp(ctx, tx, at, staff, ev)
	case notice.WhatsAppMissedCall:
		err = n.post(ctx, tx, at, []outbox.Address{outbox.WhatsApp(ev.Address)}, 0, n.p.T("whatsapp.call_reply", nil))
		if err == nil {
			err = n.post(ctx, tx, at, staff, 0, n.p.T("whatsapp.kind.call", map[string]any{"address": ev.Address, "at": ev.At}))
		}
	case notice.WhatsAppEdited:
		err = n.post(ctx, tx, at, staff, 0, n.p.T("whatsapp.kind.edited", map[string]any{"address": ev.Address, "text": ev.Text}))
	case notice.WhatsAppRevoked:
		err = n.post(ctx, tx, at, staff, 0, n.p.T("whatsapp.kind.revoked", map[string]any{"address": ev.Address}))
	case notice.WhatsAppUndecryptable:
		err = n.post(ctx, tx, at, staff, 0, n.p.T("whatsapp.kind.undecryptable", map[string]any{"address": ev.Address}))
	case notice.TelegramMigrated:
		field := "telegram.staff_chat_id"
		if ev.Chat == outbox.ManagersGroup {
			field = "telegram.managers_chat_id"
		}
		err = n.post(ctx, tx, at, n.privately, 0, n.p.T("telegram.migrated", map[string]any{
			"chat": n.chatName(ev.Chat), "setting": field + ": " + strconv.FormatInt(ev.NewID, 10)}))
	case notice.TelegramRemoved:
		err = n.post(ctx, tx, at, n.privately, 0, n.p.T("telegram.removed", map[string]any{"chat": n.chatName(ev.Chat)}))
	case notice.TelegramRestored:
		err = n.post(ctx, tx, at, n.privately, 0, n.p.T("telegram.restored", map[string]any{"chat": n.chatName(ev.Chat)}))
	case notice.TelegramTopicRemade:
		// The card went with the deleted topic: it is posted in the new
		// one now, not at the ticket's next status change.
		var card int64
		if n.desk != nil {
			card, err = n.desk.repostCard(ctx, tx, ev.Ticket, at)
		}
		if ev.Card != nil {
			*ev.Card = card
		}
		if err == nil {
			_, err = outbox.Enqueue(ctx, tx, at, outbox.Post{To: outbox.StaffGroup, TicketID: ev.Ticket, Thread: ev.Ticket,
				Text: n.p.T("telegram.topic_remade", map[string]any{"id": ev.Ticket})})
		}
	case notice.TelegramConflict:
		kind, key := "instance", "telegram.conflict"
		if ev.Webhook {
			kind, key = "webhook", "telegram.conflict_webhook"
		}
		err = n.spell(ctx, tx, at, settingTelegramConflict, kind, everyone, n.p.T(key, nil))
	case notice.TelegramPolling:
		err = n.spell(ctx, tx, at, settingTelegramConflict, "", everyone, n.p.T("telegram.polling_again", nil))
	case notice.TelegramWasUnreachable:
		// Once per outage, by its start (the notices table): a restart
		// between the report and its send tells nobody twice.
		var fresh bool
		if fresh, err = tx.RecordNotice(ctx, "telegram_unreachable:"+ev.Since.UTC().Format(time.RFC3339), at); err == nil && fresh {
			since := n.p.Time(ev.Since)
			if n.p.Date(ev.Since) != n.p.Date(ev.Until) {
				since = n.p.DayTime(ev.Since)
			}
			err = n.post(ctx, tx, at, everyone, 0, n.p.T("telegram.was_unreachable", map[string]any{
				"since": locales.Raw(since), "until": locales.Raw(n.p.Time(ev.Until)), "minutes": int(ev.Until.Sub(ev.Since).Minutes())}))
		}
	case notice.TelegramFileTooBig:
		err = n.post(ctx, tx, at, []outbox.Address{ev.Chat}, ev.Ticket, n.p.T("transport.file_too_big", nil))
	default:
		return fmt.Errorf("notice %s: no words for it", ev.Kind())
	}
	if err != nil {
		return fmt.Errorf("notice %s: %w", ev.Kind(), err)
	}
	return nil
}

// post enqueues text to each address in to.
func (n *Notices) post(ctx context.Context, tx store.Store, at time.Time, to []outbox.Address, ticket int64, text string) error {
	for _, addr := range to {
		if _, err := outbox.Enqueue(ctx, tx, at, outbox.Post{To: addr, TicketID: ticket, Text: text}); err != nil {
			return err
		}
	}
	return nil
}

// connection tells to of a WhatsApp connection problem unless it is the
// one they were last told of, however often WhatsApp repeats it.
func (n *Notices) connection(ctx context.Context, tx store.Store, at time.Time, problem string, to []outbox.Address, text string) error {
	prev, err := setting(ctx, tx, settingWhatsAppNotice)
	if err != nil || prev == problem {
		return err
	}
	if err := n.post(ctx, tx, at, to, 0, text); err != nil {
		return err
	}
	return tx.SetSetting(ctx, settingWhatsAppNotice, problem)
}

// sameBan is how far apart the ends of two reported bans may be for them
// to be one ban: whatsmeow repeats a ban with its length counted from each
// report, so its end moves by the time between them.
const sameBan = 10 * time.Minute

// ban tells to of a ban unless they were told of this one: a report whose
// end is within sameBan of the told one's is a repeat; a ban that ends
// later than that (lengthened, or a new one) is told.
func (n *Notices) ban(ctx context.Context, tx store.Store, at time.Time, to []outbox.Address, ev notice.WhatsAppBanned) error {
	prev, err := setting(ctx, tx, settingWhatsAppNotice)
	if err != nil {
		return err
	}
	if v, ok := strings.CutPrefix(prev, "banned:"); ok {
		if told, err := time.Parse(time.RFC3339, v); err == nil && ev.Until.Sub(told).Abs() <= sameBan {
			return nil
		}
	}
	return n.connection(ctx, tx, at, "banned:"+ev.Until.UTC().Format(time.RFC3339), to, n.banned(ev))
}

// back tells to that the connection is up again, only after a problem
// they were told of.
func (n *Notices) back(ctx context.Context, tx store.Store, at time.Time, to []outbox.Address) error {
	prev, err := setting(ctx, tx, settingWhatsAppNotice)
	if err != nil || prev == "" {
		return err
	}
	if err := n.post(ctx, tx, at, to, 0, n.p.T("whatsapp.back", nil)); err != nil {
		return err
	}
	return tx.SetSetting(ctx, settingWhatsAppNotice, "")
}

// spell tells to text when the situation kept in setting key changes to
// now ("" is the situation over, told only after a problem was), so each
// is told once however often it is reported and across restarts.
func (n *Notices) spell(ctx context.Context, tx store.Store, at time.Time, key, now string, to []outbox.Address, text string) error {
	prev, err := setting(ctx, tx, key)
	if err != nil || prev == now {
		return err
	}
	if err := n.post(ctx, tx, at, to, 0, text); err != nil {
		return err
	}
	return tx.SetSetting(ctx, key, now)
}

// banned words a ban with its reason, WhatsApp's code when the catalog
// has no words for it.
func (n *Notices) banned(ev notice.WhatsAppBanned) string {
	reasonKey := fmt.Sprintf("whatsapp.ban_reason.%d", ev.Code)
	reason := n.p.T(reasonKey, nil)
	if !n.p.Has(reasonKey) {
		reason = n.p.T("whatsapp.ban_reason.other", map[string]any{"code": ev.Code})
	}
	key := "whatsapp.banned"
	if !ev.LengthKnown {
		key = "whatsapp.banned_unknown"
	}
	return n.p.T(key, map[string]any{"reason": locales.Raw(reason), "until": ev.Until})
}

// phoneSilent warns to once per silence of the company phone.
func (n *Notices) phoneSilent(ctx context.Context, tx store.Store, at time.Time, to []outbox.Address, ev notice.WhatsAppPhoneSilent) error {
	stamp := ev.Seen.UTC().Format(time.RFC3339)
	told, err := setting(ctx, tx, settingPhoneNotice)
	if err != nil || told == stamp {
		return err
	}
	text := n.p.T("whatsapp.phone_offline", map[string]any{"days": ev.Days, "left": max(14-ev.Days, 0)})
	if err := n.post(ctx, tx, at, to, 0, text); err != nil {
		return err
	}
	return tx.SetSetting(ctx, settingPhoneNotice, stamp)
}

// queueStuck tells to of a stuck WhatsApp queue, unless they were told it
// is stuck and not yet that it moves again: the adapter reports a spell
// once, and a restart in the middle of one (perhaps with another message
// now the oldest, the first given up) tells nobody twice.
func (n *Notices) queueStuck(ctx context.Context, tx store.Store, at time.Time, to []outbox.Address, ev notice.WhatsAppQueueStuck) error {
	stamp := ev.Oldest.UTC().Format(time.RFC3339Nano)
	told, err := setting(ctx, tx, settingQueueNotice)
	if err != nil || told != "" {
		return err
	}
	text := n.p.T("whatsapp.queue.stuck", map[string]any{"count": ev.Count, "minutes": int(ev.Waited / time.Minute)})
	if err := n.post(ctx, tx, at, to, 0, text); err != nil {
		return err
	}
	return tx.SetSetting(ctx, settingQueueNotice, stamp)
}

// queueMoving tells to that the queue moves again, only after they were
// told it was stuck.
func (n *Notices) queueMoving(ctx context.Context, tx store.Store, at time.Time, to []outbox.Address) error {
	told, err := setting(ctx, tx, settingQueueNotice)
	if err != nil || told == "" {
		return err
	}
	if err := n.post(ctx, tx, at, to, 0, n.p.T("whatsapp.queue.moving", nil)); err != nil {
		return err
	}
	return tx.SetSetting(ctx, settingQueueNotice, "")
}

// givenUp tells to, once per message, that a queued message was given up:
// what was lost (the file, or the whole message), what the customer wrote
// and why. A line with nothing to say is left out.
func (n *Notices) givenUp(ctx context.Context, tx store.Store, at time.Time, to []outbox.Address, ev notice.WhatsAppQueuedGivenUp) error {
	if ev.MessageID != "" {
		fresh, err := tx.RecordNotice(ctx, "whatsapp_given_up:"+ev.Chat+":"+ev.MessageID, at)
		if err != nil || !fresh {
			return err
		}
	}
	key := "whatsapp.queue.dropped"
	switch {
	case ev.Unreadable:
		key = "whatsapp.queue.unreadable"
	case ev.FileLost:
		key = "whatsapp.queue.file_lost"
	}
	text := n.p.T(key, map[string]any{"address": ev.Address, "attempts": ev.Attempts})
	received := ""
	if !ev.At.IsZero() {
		received = n.p.Format(ev.At)
	}
	file := ""
	if ev.File != nil && n.desk != nil {
		file = n.desk.fileText(*ev.File)
	}
	text = withLines(text,
		line(n.p, "notice.line.received", received),
		line(n.p, "notice.line.file", file),
		line(n.p, "notice.line.text", clipRunes(ev.Text, givenUpQuote)),
		line(n.p, "notice.line.error", ev.Error))
	return n.post(ctx, tx, at, to, 0, text)
}

// line is the catalog line key (notice.line.*) showing value, "" when
// value is blank: a notice never shows a label with nothing after it.
func line(p *locales.Printer, key, value string) string {
	if strings.TrimSpace(value) == "" {
		return ""
	}
	return p.T(key, map[string]any{"value": locales.Raw(value)})
}

// withLines is text with each non-empty line below it.
func withLines(text string, lines ...string) string {
	for _, l := range lines {
		if l != "" {
			text += "\n" + l
		}
	}
	return text
}

// undelivered tells the staff group that a message did not arrive,
// quoting its start so a person can pass it on by phone.
func (n *Notices) undelivered(ctx context.Context, tx store.Store, at time.Time, ev notice.WhatsAppUndelivered) error {
	text := ""
	if m, err := tx.OutboxMessage(ctx, ev.OutboxID); err == nil {
		text = clipRunes(strings.TrimSpace(m.Text), undeliveredQuote)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	reason := n.p.T("whatsapp.reason.no_receipt", map[string]any{"wait": ev.Wait})
	if ev.Refused {
		reason = n.p.T("whatsapp.reason.refused", nil)
	}
	key := "whatsapp.undelivered"
	if ev.Ticket == 0 {
		key = "whatsapp.undelivered_no_ticket"
	}
	body := n.p.T(key, map[string]any{"ticket": ev.Ticket, "address": ev.Address, "reason": locales.Raw(reason)})
	return n.post(ctx, tx, at, []outbox.Address{outbox.StaffGroup}, ev.Ticket, withLines(body, line(n.p, "notice.line.quote", text)))
}

// chatName is how a Telegram group is named in a notice about it.
func (n *Notices) chatName(chat outbox.Address) locales.Raw {
	if chat == outbox.ManagersGroup {
		return locales.Raw(n.p.T("telegram.chat.managers", nil))
	}
	return locales.Raw(n.p.T("telegram.chat.staff", nil))
}

// setting reads key, "" when it was never set.
func setting(ctx context.Context, tx store.Store, key string) (string, error) {
	v, err := tx.Setting(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return v, err
}

// clipRunes shortens s to at most n runes, marking the cut.
func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// FailureReport words the staff group's report on a message the outbox gave
// up on (outbox.DispatcherConfig.Report): outbox.FailureReport, with a
// transport's refusal (notice.NeverWrote, notice.WhatsAppRefused) in
// staff's words instead of the error's.
func (n *Notices) FailureReport(m store.OutboxMessage, attempts int, err error) string {
	return n.report(m, attempts, n.reason(err))
}

// reason is err in staff's words when a transport gave its reason as data,
// else err.
func (n *Notices) reason(err error) error {
	var never *notice.NeverWrote
	if errors.As(err, &never) {
		return worded{n.p.T("whatsapp.never_wrote", map[string]any{"address": never.Address}), err}
	}
	var refused *notice.WhatsAppRefused
	if errors.As(err, &refused) {
		args := map[string]any{"code": refused.Code}
		key := fmt.Sprintf("whatsapp.server_error.%d", refused.Code)
		if !n.p.Has(key) {
			key = "whatsapp.server_error.other"
		}
		return worded{n.p.T(key, args), err}
	}
	return err
}

// worded is an error shown to people in their words.
type worded struct {
	text string
	err  error
}

func (w worded) Error() string { return w.text }
func (w worded) Unwrap() error { return w.err }
