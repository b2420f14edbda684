package bot

import (
	"context"
	"fmt"
	"strings"

	"supportbot/locales"
	"supportbot/rules"
	"supportbot/store"
)

// heldPageLines is how many held messages one /held answer lists: a page,
// newest page first, each page oldest first.
const heldPageLines = 20

// cmdHeld lists what a customer's number sent that the bot stored without
// acting on (flood, cut texts, refused files, failures), so staff can read
// everything a customer wrote: `/held PHONE` the newest page, `/held PHONE
// 2` the one before it, and so on. Only the page asked for is read.
func (d *Desk) cmdHeld(ctx context.Context, tx store.Store, in staffIn, args string) error {
	raw := strings.TrimSpace(args)
	if raw == "" {
		return fail("desk.err.held_args", map[string]any{"usage": d.raw("desk.syntax.held")})
	}
	page := 1
	phone, err := heldPhone(raw)
	if err != nil {
		// Perhaps a page number after the phone.
		if i := strings.LastIndexAny(raw, " \t"); i > 0 {
			if n, perr := parseTicketID(raw[i+1:]); perr == nil {
				if phone, err = heldPhone(strings.TrimSpace(raw[:i])); err == nil {
					page = int(min(n, 1<<30))
				}
			}
		}
	}
	if err != nil {
		return fail("desk.err.bad_phone", map[string]any{"arg": clip(raw, 32), "usage": d.raw("desk.syntax.held")})
	}
	held, total, err := tx.HeldPage(ctx, phone, (page-1)*heldPageLines, heldPageLines)
	if err != nil {
		return fmt.Errorf("desk: held messages of %s: %w", phone, err)
	}
	p := d.printer
	if total == 0 {
		return d.answer(ctx, tx, in, 0, p.T("desk.held.empty", map[string]any{"phone": phone}))
	}
	pages := (total + heldPageLines - 1) / heldPageLines
	if len(held) == 0 {
		return fail("desk.err.held_page", map[string]any{"page": page, "pages": pages, "phone": phone})
	}
	lines := []string{p.T("desk.held.header", map[string]any{"phone": phone, "count": total})}
	for _, h := range held {
		text := strings.TrimSpace(h.Text)
		if h.File != nil {
			text = strings.TrimSpace(h.File.Name + " " + text)
		}
		lines = append(lines, p.T("desk.held.line", map[string]any{
			"at": h.At, "reason": d.raw(heldReasonKey(h.Reason)), "text": locales.Raw(clip(text, 300)),
		}))
	}
	if pages > 1 {
		key := "desk.held.page"
		if page >= pages {
			key = "desk.held.last_page"
		}
		lines = append(lines, p.T(key, map[string]any{"page": page, "pages": pages, "phone": phone, "next": page + 1}))
	}
	return d.answer(ctx, tx, in, 0, strings.Join(lines, "\n"))
}

// heldPhone is the phone /held names: a phone number in any form, or a
// sender whose number WhatsApp hid ("lid:…").
func heldPhone(s string) (string, error) {
	phone, err := rules.ParsePhone(s)
	if err != nil && strings.HasPrefix(s, "lid:") && !strings.ContainsAny(s, " \t") {
		return s, nil
	}
	return phone, err
}

// heldReasonKey names the catalog entry that explains why a message was held.
func heldReasonKey(reason store.HeldReason) string {
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
