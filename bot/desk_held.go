package bot

import (
	"context"
	"fmt"
	"strings"

	"supportbot/locales"
	"supportbot/rules"
	"supportbot/store"
)

// maxHeldLines bounds what /held lists: the newest messages, oldest first.
const maxHeldLines = 20

// cmdHeld lists what a customer's number sent that the bot stored without
// acting on (flood, cut texts, refused files, failures), so staff can read
// everything a customer wrote.
func (d *Desk) cmdHeld(ctx context.Context, tx store.Store, in StaffInput, args string) error {
	raw := strings.TrimSpace(args)
	if raw == "" {
		return fail("desk.err.held_args", map[string]any{"usage": d.raw("desk.syntax.held")})
	}
	phone, err := rules.ParsePhone(raw)
	if err != nil {
		if !strings.HasPrefix(raw, "lid:") {
			return fail("desk.err.bad_phone", map[string]any{"arg": clip(raw, 32), "usage": d.raw("desk.syntax.held")})
		}
		phone = raw // a sender whose number WhatsApp hid
	}
	held, err := tx.HeldMessages(ctx, phone)
	if err != nil {
		return fmt.Errorf("desk: held messages of %s: %w", phone, err)
	}
	p := d.p
	if len(held) == 0 {
		return d.answer(ctx, tx, in, 0, p.T("desk.held.empty", map[string]any{"phone": phone}))
	}
	lines := []string{p.T("desk.held.header", map[string]any{"phone": phone, "count": len(held)})}
	if len(held) > maxHeldLines {
		held = held[len(held)-maxHeldLines:]
	}
	for _, h := range held {
		text := strings.TrimSpace(h.Text)
		if h.File != nil {
			text = strings.TrimSpace(h.File.Name + " " + text)
		}
		lines = append(lines, p.T("desk.held.line", map[string]any{
			"at": h.At, "reason": d.raw(heldReasonKey(h.Reason)), "text": locales.Raw(clip(text, 300)),
		}))
	}
	return d.answer(ctx, tx, in, 0, strings.Join(lines, "\n"))
}

// heldReasonKey names the catalog entry that explains why a message was held.
func heldReasonKey(reason string) string {
	switch reason {
	case store.HeldFlood:
		return "desk.held.reason.flood"
	case store.HeldTooLong:
		return "desk.held.reason.too_long"
	case store.HeldFileTooLarge:
		return "desk.held.reason.file_too_large"
	default:
		return "desk.held.reason.failed"
	}
}
