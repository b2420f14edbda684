package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"supportbot/rules"
	"supportbot/store"
)

// scope says who may run a command.
type scope int

const (
	anyone         scope = iota
	staffChat            // members of the staff group, in the group
	managersOnly         // configured managers, in any chat
	staffOrManager       // either of the above
)

// handler runs one command with the text after the command name.
type handler func(d *Desk, ctx context.Context, tx store.Store, in StaffInput, args string) error

// command is one staff or manager command and the names it answers to.
type command struct {
	name    string   // canonical, as docs/interface.md lists it
	aliases []string // Persian names staff may type instead
	scope   scope
	run     handler
}

// commands is the command table; /help lists it in this order.
var commands = []command{
	{"tickets", []string{"تیکت‌ها", "تیکتها"}, staffChat, (*Desk).cmdTickets},
	{"ticket", []string{"تیکت"}, staffChat, (*Desk).cmdTicket},
	{"claim", []string{"برداشتن", "برمی‌دارم"}, staffChat, (*Desk).cmdClaim},
	{"assign", []string{"ارجاع", "واگذاری"}, staffChat, (*Desk).cmdAssign},
	{"log", []string{"زمان", "ثبت‌زمان"}, staffChat, (*Desk).cmdLog},
	{"close", []string{"بستن", "ببند"}, staffChat, (*Desk).cmdClose},
	{"reopen", []string{"بازکردن", "بازگشایی"}, staffChat, (*Desk).cmdReopen},
	{"decline", []string{"رد"}, staffChat, (*Desk).cmdDecline},
	{"note", []string{"یادداشت"}, staffChat, (*Desk).cmdNote},
	{"link", []string{"اتصال", "پیوند"}, staffChat, (*Desk).cmdLink},
	{"usage", []string{"مصرف"}, staffOrManager, (*Desk).cmdUsage},
	{"held", []string{"نگه‌داشته"}, staffChat, (*Desk).cmdHeld},
	{"open", []string{"ثبت", "تیکت‌تلفنی"}, staffChat, (*Desk).cmdOpen},
	{"r", []string{"پاسخ"}, staffChat, (*Desk).cmdSavedReply},
	{"snippet", []string{"پاسخ‌آماده"}, staffChat, (*Desk).cmdSnippet},
	{"snippets", []string{"پاسخ‌های‌آماده"}, staffChat, (*Desk).cmdSnippets},
	{"wait", []string{"انتظار"}, staffChat, (*Desk).cmdWait},
	{"merge", []string{"ادغام"}, staffChat, (*Desk).cmdMerge},
	{"statement", []string{"صورتحساب", "صورت‌حساب"}, staffOrManager, (*Desk).cmdStatement},
	{"outage", []string{"قطعی", "قطعی‌برق"}, managersOnly, (*Desk).cmdOutage},
	{"digest", []string{"گزارش", "خلاصه"}, managersOnly, (*Desk).cmdDigest},
	{"help", []string{"راهنما", "start"}, anyone, (*Desk).cmdHelp},
}

// commandIndex maps every folded name and alias to its command.
var commandIndex = func() map[string]*command {
	m := make(map[string]*command)
	for i := range commands {
		c := &commands[i]
		m[rules.Fold(c.name)] = c
		for _, a := range c.aliases {
			m[rules.Fold(a)] = c
		}
	}
	return m
}()

// handleCommand runs the command text starts with, after checking who may.
func (d *Desk) handleCommand(ctx context.Context, tx store.Store, in StaffInput, text string) error {
	name, args := splitCommand(text)
	c := commandIndex[rules.Fold(name)]
	if c == nil {
		return fail("desk.err.unknown_command", map[string]any{"command": clip(name, 32)})
	}
	if err := d.allowed(c.scope, in); err != nil {
		return err
	}
	args = topicArgs(c.name, in.Thread, args)
	in.audit.command(c.name, args)
	return c.run(d, ctx, tx, in, args)
}

// ticketOnly are the commands that take nothing but a ticket number.
var ticketOnly = map[string]bool{"ticket": true, "claim": true, "close": true, "reopen": true}

// topicArgs puts the ticket of the topic a command was written in before
// its arguments, so "/close" or "/log 45m" in ticket 12's topic act on
// ticket 12. A command that names the topic's ticket itself is left as it
// is, and so is one of the ticket-only commands naming another ticket.
func topicArgs(name string, thread int64, args string) string {
	if thread <= 0 || !ticketFirst[name] {
		return args
	}
	field, rest := nextField(args)
	if id, err := parseTicketID(field); err == nil && (id == thread || (ticketOnly[name] && rest == "")) {
		return args
	}
	return strings.TrimSpace(strconv.FormatInt(thread, 10) + " " + args)
}

// allowed refuses, with a userError, what in's sender may not do.
func (d *Desk) allowed(s scope, in StaffInput) error {
	staff, manager := in.Chat == ChatStaff, d.managers[in.UserID]
	switch {
	case s == staffChat && !staff:
		return fail("desk.refuse.staff_only", nil)
	case s == managersOnly && !manager:
		return fail("desk.refuse.managers_only", nil)
	case s == staffOrManager && !staff && !manager:
		return fail("desk.refuse.staff_or_managers", nil)
	}
	return nil
}

// splitCommand cuts "/name@Bot rest" into "name" and "rest".
func splitCommand(text string) (name, rest string) {
	text = strings.TrimPrefix(strings.TrimSpace(text), "/")
	name, rest = text, ""
	if i := strings.IndexFunc(text, isSpace); i >= 0 {
		name, rest = text[:i], strings.TrimSpace(text[i:])
	}
	if bot, _, ok := strings.Cut(name, "@"); ok {
		name = bot
	}
	return name, rest
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' || r == '\u3000'
}

// nextField cuts the first whitespace-separated field off s.
func nextField(s string) (field, rest string) {
	s = strings.TrimSpace(s)
	if i := strings.IndexFunc(s, isSpace); i >= 0 {
		return s[:i], strings.TrimSpace(s[i:])
	}
	return s, ""
}

// handleCallback runs an inline button: "claim:12", "close:12", "log:12",
// "decline:12" (asks for a reason) or "decline:12:misuse".
func (d *Desk) handleCallback(ctx context.Context, tx store.Store, in StaffInput) error {
	if err := d.allowed(staffChat, in); err != nil {
		return err
	}
	action, rest, _ := strings.Cut(in.Callback, ":")
	num, reason, _ := strings.Cut(rest, ":")
	id, err := parseTicketID(num)
	if err != nil {
		return fail("desk.err.bad_button", nil)
	}
	in.audit.note("button:"+action, id, reason)
	switch {
	case action == "claim" && reason == "":
		return d.cmdClaim(ctx, tx, in, num)
	case action == "close" && reason == "":
		return d.cmdClose(ctx, tx, in, num)
	case action == "log" && reason == "":
		if _, err := d.ticket(ctx, tx, id); err != nil {
			return err
		}
		return d.answer(ctx, tx, in, id, d.printer.T("desk.log.prompt", map[string]any{"id": id}))
	case action == "decline" && reason == "":
		return d.declinePicker(ctx, tx, in, id)
	case action == "decline":
		return d.cmdDecline(ctx, tx, in, num+" "+reason)
	}
	return fail("desk.err.bad_button", nil)
}

// maxTicketID bounds ticket numbers staff type, far above any real one.
const maxTicketID = 1 << 40

// parseTicketID reads a ticket number in any digit script, "#12" too.
func parseTicketID(s string) (int64, error) {
	f := strings.TrimPrefix(rules.Fold(s), "#")
	if f == "" || len(f) > 15 {
		return 0, errors.New("not a ticket number")
	}
	for i := 0; i < len(f); i++ {
		if f[i] < '0' || f[i] > '9' {
			return 0, errors.New("not a ticket number")
		}
	}
	id, err := strconv.ParseInt(f, 10, 64)
	if err != nil || id <= 0 || id > maxTicketID {
		return 0, errors.New("not a ticket number")
	}
	return id, nil
}

// ticketArg reads the ticket number at the start of args for the command
// whose usage line is usageKey, and loads the ticket.
func (d *Desk) ticketArg(ctx context.Context, tx store.Store, args, usageKey string) (store.Ticket, string, error) {
	field, rest := nextField(args)
	if field == "" {
		return store.Ticket{}, "", fail("desk.err.missing_ticket", map[string]any{"usage": d.raw(usageKey)})
	}
	id, err := parseTicketID(field)
	if err != nil {
		return store.Ticket{}, "", fail("desk.err.bad_ticket", map[string]any{"arg": clip(field, 32), "usage": d.raw(usageKey)})
	}
	t, err := d.ticket(ctx, tx, id)
	return t, rest, err
}

// ticket loads a ticket; a missing one is a userError.
func (d *Desk) ticket(ctx context.Context, tx store.Store, id int64) (store.Ticket, error) {
	t, err := tx.Ticket(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Ticket{}, fail("desk.err.ticket_not_found", map[string]any{"id": id})
	}
	if err != nil {
		return store.Ticket{}, fmt.Errorf("desk: ticket %d: %w", id, err)
	}
	return t, nil
}

// mustBeOpen refuses to act on a closed or declined ticket.
func (d *Desk) mustBeOpen(t store.Ticket) error {
	if t.Status.Open() {
		return nil
	}
	return &userError{ticket: t.ID, key: "desk.err.ticket_not_open", args: map[string]any{"id": t.ID, "status": d.status(t.Status)}}
}

// cmdHelp lists the commands.
func (d *Desk) cmdHelp(ctx context.Context, tx store.Store, in StaffInput, _ string) error {
	return d.answer(ctx, tx, in, 0, d.printer.T("desk.help", nil)+"\n\n"+d.printer.T("lifecycle.help", nil))
}
