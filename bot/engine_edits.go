package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"supportbot/inbound"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/store"
)

// CustomerEdit is inbound.CustomerEdit.
type CustomerEdit = inbound.CustomerEdit

// rememberRelay records, for a customer message with an id, the outbox id
// of the staff-group message that showed it.
func (e *Engine) rememberRelay(ctx context.Context, tx store.Store, m CustomerMessage, relayed int64) error {
	if relayed == 0 || m.ID == "" {
		return nil
	}
	if err := tx.SetMessageRelay(ctx, m.DedupChat(), m.ID, relayed); err != nil {
		return fmt.Errorf("remember relay of %s: %w", m.ID, err)
	}
	return nil
}

// HandleEdit shows staff, once, that a customer edited or deleted an
// earlier message: as a reply to the staff-group message that showed it
// («ویرایش شد: …»), on its ticket; a message staff were never shown (a
// menu answer) gets a note with the customer's address instead. An edit's
// new text is kept with the received messages (route "edit", export
// -messages); the original stays as it was.
func (e *Engine) HandleEdit(ctx context.Context, ed CustomerEdit) error {
	ed.Text = strings.ToValidUTF8(ed.Text, "\uFFFD")
	if ed.Chat == "" {
		ed.Chat = ed.Phone
	}
	return e.group.do(ctx, func(ctx context.Context, b *batch) error {
		tx := b.tx
		kind := "edit:"
		if ed.Revoked {
			kind = "revoke:"
		}
		if ed.ID != "" {
			fresh, err := tx.RecordChatInbound(ctx, TransportWhatsApp, ed.Chat, kind+ed.ID, ed.At)
			if err != nil || !fresh {
				return err
			}
		}
		c, err := e.canonical(ctx, tx, CustomerMessage{Phone: ed.Phone, Chat: ed.Chat})
		if err != nil {
			return err
		}
		ed.Phone = c.Phone
		var relay store.OutboxMessage
		if id, err := tx.MessageRelay(ctx, ed.Chat, ed.Original); err == nil {
			if relay, err = tx.OutboxMessage(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("edit: relayed message: %w", err)
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("edit: relayed message: %w", err)
		}
		text := clip(strings.TrimSpace(ed.Text), maxRelayRunes)
		if !ed.Revoked && text != "" {
			r := store.Received{At: ed.At, Phone: ed.Phone, TicketID: relay.TicketID, Route: store.RouteEdit, Text: ed.Text}
			if len(r.Text) > maxHeldBytes {
				r.Text = strings.ToValidUTF8(r.Text[:maxHeldBytes], "")
			}
			if err := tx.AddReceived(ctx, &r); err != nil {
				return fmt.Errorf("store edit from %s: %w", ed.Phone, err)
			}
		}
		p := e.desk.printer
		post := outbox.Post{To: outbox.StaffGroup}
		switch {
		case relay.ID != 0 && ed.Revoked:
			post.TicketID, post.ReplyTo = relay.TicketID, relay.ID
			post.Text = p.T("engine.edit.revoked", nil)
		case relay.ID != 0:
			post.TicketID, post.ReplyTo = relay.TicketID, relay.ID
			post.Text = p.T("engine.edit.edited", map[string]any{"text": locales.Raw(text)})
		case ed.Revoked:
			post.Text = p.T("whatsapp.kind.revoked", map[string]any{"address": ed.Phone})
		default:
			post.Text = p.T("whatsapp.kind.edited", map[string]any{"address": ed.Phone, "text": locales.Raw(text)})
		}
		if !ed.Revoked && text == "" {
			return nil
		}
		_, err = outbox.Enqueue(ctx, tx, ed.At, post)
		return err
	})
}

// sentLate is how far WhatsApp's time for a message may be from ours
// before staff are shown it.
const sentLate = time.Minute

// sentLine tells staff when a message they are shown was really sent,
// when that differs from when it arrived by more than sentLate (a backlog
// after downtime): «ارسال‌شده ۱۰:۴۲»; "" otherwise.
func (d *Desk) sentLine(sent, at time.Time) string {
	if sent.IsZero() || sent.Sub(at).Abs() <= sentLate {
		return ""
	}
	when := d.printer.Time(sent)
	if s, a := sent.In(d.loc), at.In(d.loc); s.YearDay() != a.YearDay() || s.Year() != a.Year() {
		when = d.printer.DayTime(sent)
	}
	return d.printer.T("desk.customer.sent_at", map[string]any{"when": locales.Raw(when)})
}
