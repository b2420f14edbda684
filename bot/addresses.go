package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// canonical is the contact a customer message is one conversation under:
// a hidden address whose number WhatsApp revealed as the same customer's
// is that number, so writing by either is one session and one ticket list.
// Dedup keeps the chat the message came by.
func (e *Engine) canonical(ctx context.Context, tx store.Store, m CustomerMessage) (CustomerMessage, error) {
	if !rules.IsHidden(m.Phone) {
		return m, nil
	}
	a, err := tx.Address(ctx, m.Phone)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.Phone == "") {
		return m, nil
	}
	if err != nil {
		return m, fmt.Errorf("engine: address %s: %w", m.Phone, err)
	}
	m.Chat = m.DedupChat()
	m.Phone = a.Phone
	return m, nil
}

// Reveal is WhatsApp telling which number a hidden address belongs to
// (whatsmeow's LID map, a message's SenderAlt, the replay's "reveals").
// A linked address and the number are joined when the number is the same
// customer's; when it is another customer's or nobody's, nothing is merged,
// staff are told once with both sides, and the address goes on as before.
// An address nobody linked joins the customer the number belongs to, if
// any. It reports the contact later messages from the address are keyed by.
func (e *Engine) Reveal(ctx context.Context, address, phone string, at time.Time) (string, error) {
	if !rules.IsHidden(address) {
		return "", fmt.Errorf("reveal: %q is not a hidden address (lid:DIGITS)", address)
	}
	if p, err := rules.ParsePhone(phone); err == nil {
		phone = p
	}
	key := address
	err := e.group.do(ctx, func(ctx context.Context, b *batch) error {
		k, err := e.reveal(ctx, b.tx, address, phone, at)
		key = k
		return err
	})
	return key, err
}

func (e *Engine) reveal(ctx context.Context, tx store.Store, address, phone string, at time.Time) (string, error) {
	owner, err := tx.CustomerByPhone(ctx, phone)
	if errors.Is(err, store.ErrNotFound) {
		owner = store.Customer{}
	} else if err != nil {
		return address, fmt.Errorf("reveal: owner of %s: %w", phone, err)
	}
	a, err := tx.Address(ctx, address)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if owner.ID == "" {
			return address, nil // two strangers: nothing to join
		}
		if err := tx.LinkAddress(ctx, address, owner.ID, at); err != nil {
			return address, err
		}
		return phone, tx.JoinAddress(ctx, address, phone)
	case err != nil:
		return address, fmt.Errorf("reveal: address %s: %w", address, err)
	case a.Phone == phone:
		return phone, nil
	case owner.ID == a.CustomerID:
		return phone, tx.JoinAddress(ctx, address, phone)
	}
	// The number is another customer's, or nobody's: tell staff once.
	fresh, err := tx.RecordNotice(ctx, "reveal_told:"+address+" "+phone, at)
	if err != nil || !fresh {
		return address, err
	}
	linked, err := tx.Customer(ctx, a.CustomerID)
	if err != nil {
		return address, fmt.Errorf("reveal: customer %s: %w", a.CustomerID, err)
	}
	args := map[string]any{"address": address, "phone": phone, "name": linked.Name, "customer_id": linked.ID,
		"other": owner.Name, "other_id": owner.ID}
	key := "desk.reveal.unknown"
	if owner.ID != "" {
		key = "desk.reveal.conflict"
	}
	if _, err := e.desk.post(ctx, tx, at, outbox.Post{To: outbox.StaffGroup, Text: e.desk.printer.T(key, args)}); err != nil {
		return address, err
	}
	return address, nil
}

// linkTarget reads what /link is to attach: a phone number or a hidden
// address typed before the customer id, or the contact of the unknown
// card the command replies to. force is a trailing "force".
func (d *Desk) linkTarget(ctx context.Context, tx store.Store, in staffIn, args string) (contact, customerID string, force bool, err error) {
	fields := strings.Fields(args)
	if n := len(fields); n > 0 && strings.EqualFold(fields[n-1], "force") {
		force, fields = true, fields[:n-1]
	}
	usage := map[string]any{"usage": d.raw("desk.syntax.link")}
	switch {
	case len(fields) == 1 && in.ReplyTo != 0:
		card, err := tx.UnknownCard(ctx, in.ReplyTo)
		if errors.Is(err, store.ErrNotFound) || card.Contact == "" {
			return "", "", false, fail("desk.err.link_args", usage)
		}
		if err != nil {
			return "", "", false, fmt.Errorf("desk: card %d: %w", in.ReplyTo, err)
		}
		return card.Contact, fields[0], force, nil
	case len(fields) < 2:
		return "", "", false, fail("desk.err.link_args", usage)
	}
	customerID = fields[len(fields)-1]
	raw := strings.Join(fields[:len(fields)-1], " ")
	if addr, ok := rules.ParseHidden(raw); ok {
		return addr, customerID, force, nil
	}
	phone, err := rules.ParsePhone(raw)
	if err != nil {
		return "", "", false, fail("desk.err.bad_phone", map[string]any{"arg": clip(raw, 32), "usage": d.raw("desk.syntax.link")})
	}
	return phone, customerID, force, nil
}
