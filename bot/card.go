package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// maxDescriptionRunes bounds the description on a card, so the card stays
// one Telegram message.
const maxDescriptionRunes = 2500

// card is the text of a ticket's card in the staff group: who asks, under
// which contract, for what, by when, and what they wrote and sent.
func (d *Desk) card(ctx context.Context, tx store.Store, t store.Ticket) (string, error) {
	var k known
	if c, err := tx.Card(ctx, t.ID); err == nil {
		k.sentAt = c.SentAt
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("desk: card of ticket %d: %w", t.ID, err)
	}
	text, _, err := d.cardWith(ctx, tx, t, k)
	return text, err
}

// known is what the caller already read in the same transaction: the
// ticket's customer and contract, used instead of reading them again when
// their ids match the ticket's (a zero field is read from tx).
type known struct {
	customer *store.Customer
	contract *rules.Contract
	reopened bool // the customer's message reopened the ticket
	// relayed, when set, receives the outbox id of the staff-group message
	// that shows the customer's message (its relay, or the card it opened),
	// so a later edit or deletion of it can answer that (engine_edits.go).
	relayed *int64
	// sentAt is WhatsApp's time for the customer's message, zero when none.
	sentAt time.Time
}

// cardWith is card, using what the caller already knows, and also returns
// the ticket's messages it read.
func (d *Desk) cardWith(ctx context.Context, tx store.Store, t store.Ticket, k known) (string, []store.Message, error) {
	var cu store.Customer
	var err error
	if k.customer != nil && k.customer.ID == t.CustomerID {
		cu = *k.customer
	} else if cu, err = d.customer(ctx, tx, t.CustomerID); err != nil {
		return "", nil, err
	}
	var c rules.Contract
	if k.contract != nil && k.contract.ID == t.ContractID {
		c = *k.contract
	} else if c, err = d.contract(ctx, tx, t.ContractID); err != nil {
		return "", nil, err
	}
	msgs, err := tx.Messages(ctx, t.ID)
	if err != nil {
		return "", nil, fmt.Errorf("desk: messages of ticket %d: %w", t.ID, err)
	}
	p := d.printer
	lines := []string{
		p.T("desk.card.title", map[string]any{"id": t.ID}),
		p.T("desk.card.customer", map[string]any{"name": outbox.ScrubMarks(cu.Name), "customer_id": t.CustomerID}),
		p.T("desk.card.contract", map[string]any{"contract_id": t.ContractID, "kind": c.Kind, "tier": c.Tier}),
		p.T("desk.card.request", map[string]any{"kind": t.Kind}),
	}
	if t.Severity != "" {
		lines = append(lines, p.T("desk.card.severity", map[string]any{"severity": t.Severity}))
	}
	lines = append(lines,
		p.T("desk.card.due", map[string]any{"due": t.FirstResponseDue}),
		p.T("desk.card.phone", map[string]any{"phone": t.Phone}),
	)
	if r, ok := d.policy.TierOf(c); ok && r.Dedicated && c.DedicatedStaff != 0 {
		who, err := d.staffRef(ctx, tx, c.DedicatedStaff, "")
		if err != nil {
			return "", nil, err
		}
		lines = append(lines, p.T("desk.card.dedicated", map[string]any{"mention": who}))
	}
	switch t.Status {
	case store.TicketNew:
	case store.TicketDeclined:
		lines = append(lines, p.T("desk.card.declined", map[string]any{"status": d.status(t.Status), "reason": t.DeclineReason}))
	default:
		lines = append(lines, p.T("desk.card.status", map[string]any{"status": d.status(t.Status)}))
	}
	if t.Assignee != 0 {
		who, err := d.staffRef(ctx, tx, t.Assignee, t.AssigneeName)
		if err != nil {
			return "", nil, err
		}
		lines = append(lines, p.T("desk.card.assignee", map[string]any{"name": who}))
	}
	if line := d.afterCloseLine(t, msgs); line != "" {
		lines = append(lines, line)
	}
	if t.LoggedMin > 0 {
		lines = append(lines, p.T("desk.card.logged", map[string]any{"logged": minutes(t.LoggedMin)}))
	}
	if c.Kind == rules.KindHourly && t.ChargedMin > 0 {
		lines = append(lines, p.T("desk.card.charged", map[string]any{"charged": minutes(t.ChargedMin)}))
	}
	if desc := strings.TrimSpace(t.Description); desc != "" {
		lines = append(lines, p.T("desk.card.description", map[string]any{"text": locales.Raw(clip(desc, maxDescriptionRunes))}))
	}
	if sent := d.sentLine(k.sentAt, t.OpenedAt); sent != "" {
		// WhatsApp's time for the message that opened the ticket, when it
		// came late (a backlog after downtime): the deadline runs from
		// its arrival, the line says when the customer wrote.
		lines = append(lines, sent)
	}
	var files []string
	for _, m := range msgs {
		if m.File != nil && m.Direction == store.FromCustomer {
			files = append(files, p.T("desk.card.file", map[string]any{"file": locales.Raw(d.fileText(*m.File))}))
		}
	}
	if len(files) > 0 {
		lines = append(lines, p.T("desk.card.files", nil))
		lines = append(lines, files...)
	}
	return strings.Join(lines, "\n"), msgs, nil
}

// afterCloseLine says on a closed ticket's card that someone answered
// the customer after the close (the company phone, which may write on a
// ticket closed within the reopen window without reopening it): who and
// when, the latest; "" when nobody did.
func (d *Desk) afterCloseLine(t store.Ticket, msgs []store.Message) string {
	if t.Status != store.TicketClosed || t.ClosedAt.IsZero() {
		return ""
	}
	var last *store.Message
	for i := range msgs {
		if m := &msgs[i]; m.Direction == store.FromStaff && m.At.After(t.ClosedAt) {
			last = m
		}
	}
	if last == nil {
		return ""
	}
	return d.printer.T("desk.card.after_close", map[string]any{
		"author": locales.Raw(clip(outbox.ScrubMarks(last.Author), 64)), "when": locales.Raw(d.printer.DayTime(last.At)),
	})
}

// maxHistoryRunes bounds /ticket's message history; the newest messages win.
const maxHistoryRunes = 3500

// history is a ticket's messages and internal notes, oldest first, as
// much of the newest as fits one Telegram message.
func (d *Desk) history(ctx context.Context, tx store.Store, t store.Ticket) (string, error) {
	msgs, err := tx.Messages(ctx, t.ID)
	if err != nil {
		return "", fmt.Errorf("desk: messages of ticket %d: %w", t.ID, err)
	}
	if len(msgs) == 0 {
		return d.printer.T("desk.history.empty", map[string]any{"id": t.ID}), nil
	}
	var lines []string
	size, shown := 0, 0
	for i := len(msgs) - 1; i >= 0; i-- {
		line := d.historyLine(msgs[i])
		if size += utf8.RuneCountInString(line); size > maxHistoryRunes && shown > 0 {
			break
		}
		lines = append(lines, line)
		shown++
	}
	slices.Reverse(lines)
	head := []string{d.printer.T("desk.history.header", map[string]any{"id": t.ID})}
	if hidden := len(msgs) - shown; hidden > 0 {
		head = append(head, d.printer.T("desk.history.more", map[string]any{"count": hidden}))
	}
	return strings.Join(append(head, lines...), "\n"), nil
}

// historyLine is one message of a ticket's history.
func (d *Desk) historyLine(m store.Message) string {
	text := clip(strings.TrimSpace(m.Text), 300)
	if m.File != nil {
		file := d.printer.T("desk.history.file", map[string]any{"file": locales.Raw(d.fileText(*m.File))})
		text = strings.TrimSpace(text + " " + file)
	}
	key := "desk.history.customer"
	switch m.Direction {
	case store.FromStaff:
		key = "desk.history.staff"
	case store.StaffNote:
		key = "desk.history.note"
	}
	return d.printer.T(key, map[string]any{"at": m.At, "name": m.Author, "text": locales.Raw(text)})
}

// fileText describes a file for staff: name, kind and size.
func (d *Desk) fileText(f store.File) string {
	name := clip(strings.TrimSpace(f.Name), 80)
	if name == "" {
		name = d.printer.T("desk.file.unnamed", nil)
	}
	return d.printer.T("desk.file", map[string]any{"name": name, "kind": d.fileKind(f.Kind), "size": locales.Raw(d.size(f.Bytes))})
}

// fileKind names a file kind in words; unknown kinds are shown as they are.
func (d *Desk) fileKind(kind store.FileKind) string {
	switch kind {
	case store.FileImage, store.FileDocument, store.FileAudio, store.FileVoice, store.FileVideo:
		return d.printer.T("desk.file_kind."+string(kind), nil)
	case "":
		return d.printer.T("desk.file_kind.document", nil)
	}
	return clip(string(kind), 20)
}

// size writes a byte count the way people read it.
func (d *Desk) size(n int64) string {
	switch {
	case n < 1024:
		return d.printer.T("desk.size.bytes", map[string]any{"n": max(n, 0)})
	case n < 1024*1024:
		return d.printer.T("desk.size.kb", map[string]any{"n": (n + 1023) / 1024})
	}
	tenths := (n*10 + 512*1024) / (1024 * 1024)
	return d.printer.T("desk.size.mb", map[string]any{"whole": tenths / 10, "tenth": tenths % 10})
}

// customer loads a customer; one that is gone is shown by its id.
func (d *Desk) customer(ctx context.Context, tx store.Store, id string) (store.Customer, error) {
	c, err := tx.Customer(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Customer{ID: id, Name: id}, nil
	}
	if err != nil {
		return store.Customer{}, fmt.Errorf("desk: customer %s: %w", id, err)
	}
	return c, nil
}

// contract loads a contract; one that is gone is the zero contract, which
// no rule charges or covers.
func (d *Desk) contract(ctx context.Context, tx store.Store, id string) (rules.Contract, error) {
	c, err := tx.Contract(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return rules.Contract{ID: id}, nil
	}
	if err != nil {
		return rules.Contract{}, fmt.Errorf("desk: contract %s: %w", id, err)
	}
	return c, nil
}

// userID shows a Telegram user id nobody has named: the number, isolated,
// never a link (docs/telegram.md, "Mentions").
func userID(id int64) locales.Raw { return locales.Raw(fsi + strconv.FormatInt(id, 10) + pdi) }

// minutes is a minute count as a duration, which the printer writes in
// hours and minutes.
func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

// ButtonLabel is the text the transport shows on a button: the action for
// card buttons, the reason for a decline reason picker's buttons.
func ButtonLabel(p *locales.Printer, button string) string {
	parts := strings.Split(button, ":")
	if len(parts) == 3 && parts[0] == "decline" {
		return p.T(rules.DeclineReason(parts[2]).LocaleKey(), nil)
	}
	return p.T("desk.button."+parts[0], nil)
}
