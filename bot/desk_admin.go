package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"supportbot/jobs/digest"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// cmdLink attaches a phone number or a hidden WhatsApp address to a
// customer, as staff do after an unknown contact wrote in: typed, or as a
// reply to the contact's card. The contact's conversation starts afresh and
// the customer is welcomed by name. A contact that is another customer's
// moves only with a trailing "force".
func (d *Desk) cmdLink(ctx context.Context, tx store.Store, in staffIn, args string) error {
	contact, id, force, err := d.linkTarget(ctx, tx, in, args)
	if err != nil {
		return err
	}
	cu, err := d.findCustomer(ctx, tx, id)
	if err != nil {
		return err
	}
	before, err := tx.CustomerByPhone(ctx, contact)
	if errors.Is(err, store.ErrNotFound) {
		before = store.Customer{}
	} else if err != nil {
		return fmt.Errorf("desk: owner of %s: %w", contact, err)
	}
	say := map[string]any{"phone": contact, "name": cu.Name, "customer_id": cu.ID, "old": before.Name, "old_id": before.ID}
	moved := before.ID != "" && before.ID != cu.ID
	if moved && !force {
		return fail("desk.err.link_taken", say)
	}
	if rules.IsHidden(contact) {
		err = tx.LinkAddress(ctx, contact, cu.ID, in.At)
	} else {
		err = tx.LinkPhone(ctx, contact, cu.ID)
	}
	if err != nil {
		return fmt.Errorf("desk: link %s to %s: %w", contact, cu.ID, err)
	}
	more, err := d.resume(ctx, tx, contact, in.At)
	if err != nil {
		return err
	}
	key := "desk.linked"
	if moved {
		key = "desk.linked.moved"
	}
	if _, err := d.post(ctx, tx, in.At, outbox.Post{To: outbox.WhatsApp(contact), Text: d.linkedText(say, more)}); err != nil {
		return err
	}
	return d.answer(ctx, tx, in, 0, d.printer.T(key, say))
}

// findCustomer finds a customer by the id staff typed: as written, then in
// ASCII digits and upper case ("p-۱" is P-1).
func (d *Desk) findCustomer(ctx context.Context, tx store.Store, id string) (store.Customer, error) {
	tries := []string{id}
	if norm := strings.ToUpper(rules.NormalizeDigits(id)); norm != id {
		tries = append(tries, norm)
	}
	for _, try := range tries {
		c, err := tx.Customer(ctx, try)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return store.Customer{}, fmt.Errorf("desk: customer %s: %w", try, err)
		}
	}
	return store.Customer{}, fail("desk.err.unknown_customer", map[string]any{"arg": clip(id, 32)})
}

// cmdUsage shows what each of a customer's contracts has used and has left.
func (d *Desk) cmdUsage(ctx context.Context, tx store.Store, in staffIn, args string) error {
	id, _ := nextField(args)
	if id == "" {
		return fail("desk.err.missing_customer", map[string]any{"usage": d.raw("desk.syntax.usage")})
	}
	cu, err := d.findCustomer(ctx, tx, id)
	if err != nil {
		return err
	}
	cs, err := tx.ContractsOf(ctx, cu.ID)
	if err != nil {
		return fmt.Errorf("desk: contracts of %s: %w", cu.ID, err)
	}
	p := d.printer
	lines := []string{p.T("desk.usage.header", map[string]any{"name": cu.Name, "customer_id": cu.ID, "at": in.At})}
	if len(cs) == 0 {
		lines = append(lines, p.T("desk.usage.none", nil))
	}
	for _, c := range cs {
		u, err := tx.Usage(ctx, c.ID, d.window(c, in.At))
		if err != nil {
			return fmt.Errorf("desk: usage of contract %s: %w", c.ID, err)
		}
		lines = append(lines, d.usageLines(c, u, in)...)
		if c.Kind == rules.KindHourly {
			entries, err := d.hourlyEntryLines(ctx, tx, c)
			if err != nil {
				return err
			}
			lines = append(lines, entries...)
		}
	}
	return d.answer(ctx, tx, in, 0, strings.Join(lines, "\n"))
}

// maxUsageEntries bounds the month-end and expiry charges /usage lists;
// the newest are shown.
const maxUsageEntries = 6

// hourlyEntryLines lists the charges scheduled work made to an hourly
// package: month-end minimums and hours lost at expiry.
func (d *Desk) hourlyEntryLines(ctx context.Context, tx store.Store, c rules.Contract) ([]string, error) {
	es, err := tx.HourlyEntries(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("desk: hourly entries of %s: %w", c.ID, err)
	}
	es = es[max(len(es)-maxUsageEntries, 0):]
	lines := make([]string, 0, len(es))
	for _, e := range es {
		key := "desk.usage.settlement"
		if e.Kind == store.HourlyExpiry {
			key = "desk.usage.expiry"
		}
		month := locales.Raw(e.Month)
		var y, m int
		if _, err := fmt.Sscanf(e.Month, "%d-%d", &y, &m); err == nil && m >= 1 && m <= 12 {
			month = locales.Raw(d.printer.MonthName(m) + " " + d.printer.Number(y))
		}
		lines = append(lines, d.printer.T(key, map[string]any{"month": month, "minutes": minutes(e.Minutes)}))
	}
	return lines, nil
}

// usageLines describes one contract's usage against its limits.
func (d *Desk) usageLines(c rules.Contract, u rules.Usage, in staffIn) []string {
	p := d.printer
	l := d.policy.Limits(c)
	lines := []string{p.T("desk.usage.contract", map[string]any{
		"contract_id": c.ID, "kind": c.Kind, "tier": c.Tier, "status": d.policy.Status(c, u, in.At),
	})}
	count := func(label string, used, limit int) {
		switch {
		case limit < 0:
			lines = append(lines, p.T("desk.usage.count_unlimited", map[string]any{"label": d.raw(label), "used": used}))
		case limit > 0 || used > 0:
			lines = append(lines, p.T("desk.usage.count", map[string]any{"label": d.raw(label), "used": used, "limit": limit}))
		}
	}
	hours := func(label string, used, limit int) {
		if limit > 0 || used > 0 {
			lines = append(lines, p.T("desk.usage.hours_year", map[string]any{
				"label": d.raw(label), "used": minutes(used), "left": minutes(max(limit-used, 0)), "total": minutes(max(limit, 0)),
			}))
		}
	}
	count("desk.usage.label.requests", u.MonthRequests, l.RequestsPerMonth)
	if c.Kind != rules.KindHourly {
		count("desk.usage.label.onsite", u.Onsite, l.Onsite)
		count("desk.usage.label.reinstalls", u.Reinstalls, l.Reinstalls)
		count("desk.usage.label.reviews", u.Reviews, l.Reviews)
		hours("desk.usage.label.customization", u.CustomizationMin, l.CustomizationMin)
		hours("desk.usage.label.training", u.TrainingMin, l.TrainingMin)
		return lines
	}
	lines = append(lines, p.T("desk.usage.hourly", map[string]any{
		"used":  minutes(u.HoursUsedMin),
		"left":  minutes(rules.HoursLeftMin(l.HoursTotalMin/60, u.HoursUsedMin)),
		"total": minutes(l.HoursTotalMin),
		"month": minutes(u.MonthUsedMin),
		"cap":   minutes(l.MonthCapMin),
	}))
	return lines
}

// cmdOutage switches the power-outage notice customers see; without an
// argument it says whether the notice is on.
func (d *Desk) cmdOutage(ctx context.Context, tx store.Store, in staffIn, args string) error {
	arg, _ := nextField(args)
	var value string
	switch arg := rules.Fold(arg); {
	case arg == "":
		v, err := tx.Setting(ctx, store.SettingOutage)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("desk: outage setting: %w", err)
		}
		key := "desk.outage.is_off"
		if v == "on" {
			key = "desk.outage.is_on"
		}
		return d.answer(ctx, tx, in, 0, d.printer.T(key, nil))
	case arg == "on" || isWord("words.outage.on", arg):
		value = "on"
	case arg == "off" || isWord("words.outage.off", arg):
		value = "off"
	default:
		return fail("desk.err.bad_outage", map[string]any{"arg": clip(arg, 32)})
	}
	if err := tx.SetSetting(ctx, store.SettingOutage, value); err != nil {
		return fmt.Errorf("desk: outage setting: %w", err)
	}
	return d.answer(ctx, tx, in, 0, d.printer.T("desk.outage."+value, nil))
}

// cmdDigest sends the SLA digest and its chart now, to the chat that asked.
func (d *Desk) cmdDigest(ctx context.Context, tx store.Store, in staffIn, _ string) error {
	return digest.Send(ctx, tx, d.digestEnv(), in.At, []outbox.Address{replyAddr(in.StaffInput)})
}
