package whatsapp

import (
	"context"
	"errors"
	"time"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"supportbot/notice"
	"supportbot/store"
)

// Receipts of the messages the bot sent, and the check for those that never
// arrived (docs/whatsapp.md).

// handleReceipt follows the receipts of messages the bot sent: delivered,
// read, or refused by WhatsApp (staff are told).
func (a *Adapter) handleReceipt(e *events.Receipt) bool {
	if e.IsFromMe {
		a.fromPhone(e.Sender, e.Timestamp)
		return true // our other devices
	}
	if e.IsGroup {
		return true
	}
	var failed bool
	switch e.Type {
	case types.ReceiptTypeDelivered, types.ReceiptTypeRead, types.ReceiptTypePlayed:
	case types.ReceiptTypeServerError:
		failed = true
	default:
		return true
	}
	if !a.begin() {
		return false
	}
	defer a.end()
	ctx := a.base
	at := e.Timestamp
	if at.IsZero() {
		at = a.cfg.Now()
	}
	for _, id := range e.MessageIDs {
		if err := a.receipt(ctx, id, e.Type, failed, at); err != nil {
			a.cfg.Log.Error("receipt", "message_id", id, "type", string(e.Type), "err", err)
			return false
		}
	}
	return true
}

func (a *Adapter) receipt(ctx context.Context, id string, typ types.ReceiptType, failed bool, at time.Time) error {
	told := false
	err := a.st.InTx(ctx, func(tx store.Store) error {
		s, err := tx.WhatsAppSent(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil // not one of ours (or sent before tracking began)
		}
		if err != nil {
			return err
		}
		switch {
		case failed:
			if !s.FailedAt.IsZero() {
				return nil
			}
			s.FailedAt = at
			if s.DeliveredAt.IsZero() && !s.Reported {
				s.Reported = true
				if err := a.tellUndelivered(ctx, tx, s, true); err != nil {
					return err
				}
				told = true
			}
		case typ == types.ReceiptTypeDelivered:
			if !s.DeliveredAt.IsZero() {
				return nil
			}
			s.DeliveredAt = at
		default: // read or played
			if !s.ReadAt.IsZero() {
				return nil
			}
			s.ReadAt = at
			if s.DeliveredAt.IsZero() {
				s.DeliveredAt = at
			}
		}
		return tx.UpdateWhatsAppSent(ctx, s)
	})
	if told {
		a.cfg.Handled()
	}
	return err
}

// CheckUndelivered tells staff about each message that has gone
// UndeliveredAfter without a delivery receipt, once.
func (a *Adapter) CheckUndelivered(ctx context.Context) error {
	if !a.begin() {
		return nil
	}
	defer a.end()
	list, err := a.st.UndeliveredWhatsApp(ctx, a.cfg.Now().Add(-a.cfg.UndeliveredAfter))
	if err != nil {
		return err
	}
	for _, s := range list {
		err := a.st.InTx(ctx, func(tx store.Store) error {
			s.Reported = true
			if err := tx.UpdateWhatsAppSent(ctx, s); err != nil {
				return err
			}
			return a.tellUndelivered(ctx, tx, s, false)
		})
		if err != nil {
			return err
		}
	}
	if len(list) > 0 {
		a.cfg.Handled()
	}
	return nil
}

// tellUndelivered reports, in tx, that s did not arrive: WhatsApp refused
// it, or no receipt came within UndeliveredAfter.
func (a *Adapter) tellUndelivered(ctx context.Context, tx store.Store, s store.WhatsAppSent, refused bool) error {
	wait := a.cfg.UndeliveredAfter
	if refused {
		wait = 0
	}
	return a.cfg.Notify.Notify(ctx, tx, a.cfg.Now(), notice.WhatsAppUndelivered{
		OutboxID: s.OutboxID, Ticket: s.TicketID, Address: s.Address, Refused: refused, Wait: wait})
}
