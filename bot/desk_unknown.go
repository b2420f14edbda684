package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/store"
)

// underUnknownCard relays a later message of an unknown number under the
// card it got today, instead of a new card with new /link instructions;
// done is false when the number has no card today.
func (d *Desk) underUnknownCard(ctx context.Context, tx store.Store, phone, text string, at time.Time) (done bool, err error) {
	card, err := tx.LatestUnknownCard(ctx, phone)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("desk: card of %s: %w", phone, err)
	}
	cardID := card.OutboxID
	if card.Day != at.In(d.loc).Format(time.DateOnly) || cardID == 0 {
		return false, nil
	}
	key := "desk.unknown.more"
	if strings.TrimSpace(text) == "" {
		key = "desk.unknown.more_no_text"
	}
	_, err = d.post(ctx, tx, at, outbox.Post{To: outbox.StaffGroup, ReplyTo: cardID, Text: d.printer.T(key, map[string]any{
		"phone": phone, "text": locales.Raw(clip(strings.TrimSpace(text), maxRelayRunes)),
	})})
	return true, err
}

// rememberUnknownCard notes the card an unknown number got today.
func (d *Desk) rememberUnknownCard(ctx context.Context, tx store.Store, phone string, at time.Time, cardID int64) error {
	// `/link CUSTOMER_ID` in reply to the card links this contact.
	card := store.UnknownCard{OutboxID: cardID, Contact: phone, Day: at.In(d.loc).Format(time.DateOnly)}
	if err := tx.AddUnknownCard(ctx, card); err != nil {
		return fmt.Errorf("desk: remember card of %s: %w", phone, err)
	}
	return nil
}

// LinkResumer goes on with a number's conversation once /link attached it
// to a customer, inside the command's transaction; it returns what to say
// to the customer after the welcome ("" for nothing).
type LinkResumer func(ctx context.Context, tx store.Store, phone string, at time.Time) (string, error)

// SetLinkResumer sets what /link does with the number's conversation; by
// default it starts afresh.
func (d *Desk) SetLinkResumer(r LinkResumer) { d.resumer = r }

// resume goes on with a just-linked number's conversation.
func (d *Desk) resume(ctx context.Context, tx store.Store, phone string, at time.Time) (string, error) {
	if d.resumer != nil {
		return d.resumer(ctx, tx, phone, at)
	}
	if err := tx.SaveSession(ctx, store.Session{Phone: phone, UpdatedAt: at}); err != nil {
		return "", fmt.Errorf("desk: reset conversation of %s: %w", phone, err)
	}
	return "", nil
}

// linkedText welcomes a just-linked number; when its earlier message goes on
// as a request, the question that follows replaces the pointer to the menu.
func (d *Desk) linkedText(say map[string]any, more string) string {
	if more == "" {
		return d.printer.T("desk.linked.customer", say)
	}
	return d.printer.Join(d.printer.T("desk.linked.customer_resume", say), more)
}
