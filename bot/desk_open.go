package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"supportbot/conversation"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// PhoneIntake opens a ticket for a request taken on the phone under the
// same rules as the WhatsApp conversation (conversation.Machine).
type PhoneIntake interface {
	OpenByPhone(ctx context.Context, st conversation.Store, r conversation.PhoneRequest) (conversation.PhoneOutcome, error)
}

var _ PhoneIntake = (*conversation.Machine)(nil)

// SetIntake gives the desk the intake /open uses; NewEngine sets the
// engine's conversation.
func (d *Desk) SetIntake(pi PhoneIntake) { d.intake = pi }

// parseRequestKind reads a kind: its code, its menu number (any digit
// script) or a Persian word.
func parseRequestKind(s string) (rules.RequestKind, bool) {
	f := rules.Fold(s)
	if n, err := strconv.Atoi(f); err == nil {
		if n >= 1 && n <= len(rules.AllRequestKinds) {
			return rules.AllRequestKinds[n-1], true
		}
		return "", false
	}
	for _, k := range rules.AllRequestKinds {
		if f == string(k) || isWord("words.request_kind."+string(k), f) {
			return k, true
		}
	}
	return "", false
}

// parseSeverity reads a severity: its code, number 1-3 or Persian name.
func parseSeverity(s string) (rules.Severity, bool) {
	f := rules.Fold(s)
	if n, err := strconv.Atoi(f); err == nil {
		if n >= 1 && n <= len(rules.AllSeverities) {
			return rules.AllSeverities[n-1], true
		}
		return "", false
	}
	for _, v := range rules.AllSeverities {
		if f == string(v) || isWord("words.severity."+string(v), f) {
			return v, true
		}
	}
	return "", false
}

// cmdOpen opens a ticket for a request taken on the phone:
// "/open CUSTOMER_ID [CONTRACT_ID] KIND [SEVERITY] TEXT". The rules are
// the WhatsApp conversation's; a denial is stored and explained here, and
// an opened ticket gets its card and the customer a confirmation with the
// tracking number and the promised time.
func (d *Desk) cmdOpen(ctx context.Context, tx store.Store, in staffIn, args string) error {
	usage := d.raw("lifecycle.syntax.open")
	id, rest := nextField(args)
	if id == "" {
		return fail("desk.err.missing_customer", map[string]any{"usage": usage})
	}
	cu, err := d.findCustomer(ctx, tx, id)
	if err != nil {
		return err
	}
	contracts, err := tx.ContractsOf(ctx, cu.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("desk: contracts of %s: %w", cu.ID, err)
	}
	req := conversation.PhoneRequest{Customer: cu, In: conversation.Inbound{At: in.At}}
	field, after := nextField(rest)
	for _, c := range contracts {
		if strings.EqualFold(rules.Fold(field), rules.Fold(c.ID)) {
			req.ContractID, rest = c.ID, after
			break
		}
	}
	field, rest = nextField(rest)
	kind, ok := parseRequestKind(field)
	if !ok {
		return fail("lifecycle.open.err_kind", map[string]any{"arg": clip(field, 32), "usage": usage})
	}
	req.Kind = kind
	if kind.NeedsSeverity() {
		field, after := nextField(rest)
		sev, ok := parseSeverity(field)
		if !ok {
			return fail("lifecycle.open.err_severity", map[string]any{"kind": kind, "usage": usage})
		}
		req.Severity, rest = sev, after
	}
	if rest == "" {
		return fail("lifecycle.open.err_text", map[string]any{"usage": usage})
	}
	req.Text = rest
	if d.intake == nil {
		return fail("lifecycle.open.err_unavailable", nil)
	}
	if req.Phone, err = d.contactPhone(ctx, tx, cu); err != nil {
		return err
	}
	out, err := d.intake.OpenByPhone(ctx, tx, req)
	if err != nil {
		return fmt.Errorf("desk: phone request of %s: %w", cu.ID, err)
	}
	switch {
	case len(out.Ambiguous) > 0:
		return fail("lifecycle.open.err_contract", map[string]any{"customer_id": cu.ID, "contracts": strings.Join(out.Ambiguous, "، "), "usage": usage})
	case out.Denied != "":
		in.audit.note("open", 0, "denied "+string(out.Denied)+": "+args)
		lines := []string{d.printer.T("lifecycle.open.denied", map[string]any{"name": cu.Name, "customer_id": cu.ID, "reason": out.Denied, "code": string(out.Denied)})}
		for _, l := range out.Explain.Lines {
			lines = append(lines, d.printer.T(l.Key, l.Args))
		}
		return d.answer(ctx, tx, in, 0, strings.Join(lines, "\n"))
	}
	t := out.Ticket
	in.audit.note("open", t.ID, args)
	if err := d.ticketOpened(ctx, tx, t, in.At, eventKnown(out.Event)); err != nil {
		return err
	}
	key := "lifecycle.open.staff"
	if t.Phone != "" {
		lines := []string{d.printer.T("lifecycle.open.customer_intro", nil)}
		for _, l := range out.Customer.Lines {
			lines = append(lines, d.printer.T(l.Key, l.Args))
		}
		if _, err := d.post(ctx, tx, in.At, outbox.Post{To: outbox.WhatsApp(t.Phone), TicketID: t.ID, Text: strings.Join(lines, "\n")}); err != nil {
			return err
		}
	} else {
		key = "lifecycle.open.staff_no_phone"
	}
	return d.answer(ctx, tx, in, t.ID, d.printer.T(key, map[string]any{"id": t.ID, "name": cu.Name, "phone": t.Phone, "due": t.FirstResponseDue}))
}

// contactPhone is the number a phone request's ticket answers to: the
// customer's number that last wrote on WhatsApp, else their first number,
// "" when they have none.
func (d *Desk) contactPhone(ctx context.Context, tx store.Store, cu store.Customer) (string, error) {
	best := ""
	var last store.WhatsAppContact
	for _, ph := range cu.Phones {
		c, err := tx.WhatsAppContact(ctx, ph)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("desk: whatsapp contact %s: %w", ph, err)
		}
		if best == "" || c.LastAt.After(last.LastAt) {
			best, last = ph, c
		}
	}
	if best == "" && len(cu.Phones) > 0 {
		best = cu.Phones[0]
	}
	return best, nil
}
