package conversation

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"supportbot/rules"
	"supportbot/store"
)

// known moves the conversation of a customer we know. newConversation is
// true for the first message ever and after the idle timeout.
func (t *turn) known(newConversation bool) error {
	s := &t.sess
	if s.state == stateIdentify {
		// Staff linked the number while it was unknown: start over.
		s.to(stateIdle)
		newConversation = true
		t.newConv = true
	}
	if t.in.File == nil && isCourtesy(t.in.Text) {
		return t.onCourtesy()
	}
	if newConversation && !s.fresh && s.state != stateIdle {
		switch {
		case s.state.inRequest():
			t.say("flow.expired", nil)
			if err := t.dropDraft(store.RouteWaiting); err != nil {
				return err
			}
		case s.state == statePickTicket:
			t.say("followup.expired", nil)
		}
		s.to(stateIdle)
	}
	if t.in.File == nil {
		switch parseCommand(t.in.Text) {
		case cmdMenu:
			if s.state == statePickTicket && isZero(t.in.Text) {
				return t.newFromPending()
			}
			return t.mainMenu(newConversation)
		case cmdCancel:
			return t.cancel()
		}
		if word, ok := slashCommand(t.in.Text); ok {
			return t.onSlashCommand(word, newConversation)
		}
		// «شماره تماس شما چنده؟» asks for the number: it gets the contact
		// details, not the start of a request or a note on a ticket.
		if (s.state == stateIdle || s.state == stateMainMenu) && asksForPhone(t.in.Text) {
			return t.showContact()
		}
	}
	switch s.state {
	case stateMainMenu:
		return t.onMainMenu()
	case statePickContract:
		return t.onPickContract()
	case statePickKind:
		return t.onPickKind()
	case statePickSeverity:
		return t.onPickSeverity()
	case stateDescribe:
		return t.onDescribe()
	case statePickTicket:
		return t.onPickTicket()
	case stateOffer:
		return t.onOffer()
	default:
		return t.onIdle()
	}
}

// onIdle reads a message with no menu on screen: a greeting or a bare
// number gets the menu (a number means nothing without one); anything else
// is free text.
func (t *turn) onIdle() error {
	if t.in.File == nil {
		if t.in.Text == "" || isGreeting(t.in.Text) {
			return t.mainMenu(true)
		}
		if !describes(t.in.Text, nil) {
			return t.mainMenu(t.newConv)
		}
	}
	return t.freeText()
}

// freeText places a description-like message (not a number, a command,
// only a greeting or only courtesy): on the customer's open ticket (asking
// which when there are several), else on a ticket closed within the reopen
// window (reopening it), else as the description of a new request.
func (t *turn) freeText() error {
	open, err := t.openTickets()
	if err != nil {
		return err
	}
	switch len(open) {
	case 0:
	case 1:
		return t.fileFollowUps(open[0], []pending{t.message()})
	default:
		if tk, ok := namedTicket(t.in.Text, open); ok {
			return t.fileFollowUps(tk, []pending{t.message()})
		}
		return t.askTicket(open, []pending{t.message()})
	}
	if t.in.File == nil && saysResolved(t.in.Text) {
		// «ممنون، حل شد» after a close reopened the ticket and told staff.
		return t.onCourtesy()
	}
	if tk, ok, err := t.reopenable(); err != nil || ok {
		if err != nil {
			return err
		}
		return t.reopen(tk)
	}
	if t.in.File == nil && asksStatus(t.in.Text) {
		// «تیکتم چی شد؟» with nothing open asks about the requests: it
		// got «which kind of new request?». The list answers it.
		return t.showTickets()
	}
	t.sess.to(stateIdle)
	if err := t.keep(&t.sess.data.Draft); err != nil {
		return err
	}
	return t.startRequest()
}

// keep adds the inbound message to a list of kept messages (a draft, the
// messages waiting for a ticket pick), bounded by maxPending.
func (t *turn) keep(list *[]pending) error {
	*list = append(*list, t.message())
	if len(*list) > maxPending {
		*list = (*list)[len(*list)-maxPending:]
	}
	return t.route(t.in.Received, 0, store.RouteWaiting)
}

// dropDraft ends the draft of a request that will not open a ticket; its
// messages stay stored with route.
func (t *turn) dropDraft(route string) error {
	for _, p := range t.sess.data.Draft {
		if err := t.route(p.Ref, 0, route); err != nil {
			return err
		}
	}
	t.sess.data.Draft = nil
	return nil
}

// onCourtesy answers thanks, agreement or emoji: at most one short reply
// in quietFor, kept on the customer's latest ticket, never relayed, and the
// conversation stays where it was.
func (t *turn) onCourtesy() error {
	t.courtesy = true
	var latest int64
	ts, err := t.st.ListTickets(t.ctx, store.TicketFilter{CustomerID: t.cust.ID})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("tickets of %s: %w", t.cust.ID, err)
	}
	for _, tk := range ts {
		if tk.CustomerID == t.cust.ID && tk.ID > latest {
			latest = tk.ID
		}
	}
	if err := t.route(t.in.Received, latest, store.RouteCourtesy); err != nil {
		return err
	}
	if d := &t.sess.data; d.Quiet.IsZero() || t.in.At.Sub(d.Quiet) >= quietFor {
		switch courtesyOf(t.in.Text) {
		case notCourtesy: // only «حل شد» and the like come here so
			t.say("courtesy.resolved", nil)
		case courtesyAgree:
			t.say("courtesy.agree", nil)
		case courtesyEmoji:
			t.say("courtesy.emoji", nil)
		default:
			t.say("courtesy.reply", nil)
		}
		d.Quiet = t.in.At
	}
	return nil
}

// mainMenu shows the main menu, with the greeting at the start of a
// conversation, and waits for a choice.
func (t *turn) mainMenu(greet bool) error {
	if err := t.dropDraft(store.RouteWaiting); err != nil {
		return err
	}
	if greet {
		t.say("greeting", kv{"customer": t.cust.Name, "company": t.m.company()})
	}
	t.showMainMenu()
	t.sess.to(stateMainMenu)
	return nil
}

func (t *turn) showMainMenu() {
	t.say("menu.title", nil)
	for _, k := range []string{"menu.new", "menu.tickets", "menu.contract", "menu.contact", "menu.sales"} {
		t.say(k, nil)
	}
	t.say("menu.footer", nil)
}

// Main menu choices (docs/interface.md "Codes").
const (
	menuNew = iota + 1
	menuTickets
	menuContract
	menuContact
	menuSales
	menuItems = menuSales
)

// onMainMenu reads a main-menu choice; free text with the menu on screen
// is read as free text, not refused.
func (t *turn) onMainMenu() error {
	n, ok := readChoice(t.in.Text, menuItems, nil)
	if t.in.File != nil {
		ok = false
	}
	if !ok {
		if t.in.File == nil && isGreeting(t.in.Text) {
			return t.mainMenu(true)
		}
		if !describes(t.in.Text, t.in.File) {
			t.say("hint.invalid_choice", kv{"max": menuItems})
			t.showMainMenu()
			return nil
		}
		return t.freeText()
	}
	var err error
	switch n {
	case menuNew:
		return t.startRequest()
	case menuTickets:
		err = t.showTickets()
	case menuContract:
		err = t.showContracts()
	case menuContact:
		err = t.showContact()
	default:
		err = t.showSales()
	}
	// After a view the main menu stays on screen: a customer who read
	// «۳» (the contract) goes on with «۵» from the same menu, and was shown
	// the menu again instead.
	t.sess.to(stateMainMenu)
	return err
}

// cancel drops whatever was in progress and leaves no menu on screen.
func (t *turn) cancel() error {
	if err := t.dropDraft(store.RouteWaiting); err != nil {
		return err
	}
	if t.sess.state.inRequest() || t.sess.state == statePickTicket {
		t.say("cancel.done", nil)
	} else {
		t.say("cancel.nothing", nil)
	}
	t.sess.to(stateIdle)
	t.hint = true
	return nil
}

// command is a word that works in every state.
type command int

const (
	cmdNone   command = iota
	cmdMenu           // "0", "منو": show the main menu
	cmdCancel         // "لغو": drop the request in progress
)

// slashCommand reads a message that is a bot command as staff type them in
// Telegram («/close 12», «/tickets», «/start»): a slash and Latin letters
// first. Paths and dates («/var/log»، «۱۴۰۵/۰۹/۱۵») are not.
func slashCommand(text string) (string, bool) {
	f := strings.TrimSpace(rules.Fold(text))
	rest, ok := strings.CutPrefix(f, "/")
	if !ok {
		return "", false
	}
	end := strings.IndexFunc(rest, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r == '_') })
	if end < 0 {
		end = len(rest)
	}
	word, after := rest[:end], rest[end:]
	if word == "" || (after != "" && !strings.HasPrefix(after, " ") && !strings.HasPrefix(after, "@")) {
		return "", false
	}
	return word, true
}

// onSlashCommand answers a customer who writes a staff command: it is not
// a message for the ticket (a «/close» must not reopen one) and nothing is
// done; «/start» and «/help», as people type to any bot, show the menu.
// The conversation stays where it was.
func (t *turn) onSlashCommand(word string, newConversation bool) error {
	if word == "start" || word == "help" {
		return t.mainMenu(newConversation)
	}
	t.say("staff_command", nil)
	return nil
}

// parseCommand recognises the words that work everywhere, in any digit
// script, with Arabic letter variants and stray marks or punctuation.
func parseCommand(text string) command {
	if n, ok := rules.ParseMenuChoice(text); ok && n == 0 {
		return cmdMenu
	}
	switch strings.TrimFunc(rules.Fold(text), trimmable) {
	case "منو", "منوی اصلی", "menu":
		return cmdMenu
	case "لغو", "انصراف", "cancel":
		return cmdCancel
	}
	return cmdNone
}

// trimmable is punctuation, symbols and spaces around a command word.
func trimmable(r rune) bool {
	return unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r) || r == '\ufe0f'
}

// choice reads the answer to a numbered menu of max items.
func choice(text string, max int) (int, bool) {
	return readChoice(text, max, nil)
}

// isZero reports whether text is the number 0 in any digit script.
func isZero(text string) bool {
	n, ok := rules.ParseMenuChoice(text)
	return ok && n == 0
}

// greetingWords are the words of a message that is only a greeting.
var greetingWords = map[string]bool{
	"سلام": true, "درود": true, "علیکم": true, "سلامعلیکم": true, "وقت": true, "وقتتون": true,
	"وقتتان": true, "روز": true, "روزتون": true, "صبح": true, "ظهر": true, "عصر": true, "شب": true,
	"بخیر": true, "به": true, "خیر": true, "و": true, "همگی": true, "خسته": true, "نباشید": true, "عرض": true, "ادب": true,
	"hi": true, "hello": true, "hey": true, "salam": true, "good": true, "morning": true,
	"afternoon": true, "evening": true, "dorood": true,
}

// greetBack answers a greeting sent in the middle of a flow: «وقت شما هم
// بخیر» only to someone who wished it («سلام وقت بخیر»، «صبح بخیر»); a bare
// «سلام» gets «سلام، وقت بخیر» (the «هم» would answer a wish not made).
func (t *turn) greetBack() {
	for _, w := range strings.Fields(rules.Fold(t.in.Text)) {
		switch w {
		case "بخیر", "خیر", "نباشید", "morning", "afternoon", "evening":
			t.say("greeting.again", nil)
			return
		}
	}
	t.say("greeting.again_plain", nil)
}

// greetingAnchors are the greeting words that make a message a greeting;
// the others («صبح»، «روز»، «وقت») only beside one: «از صبح» is a
// description, «صبح بخیر» a greeting.
var greetingAnchors = map[string]bool{
	"سلام": true, "درود": true, "علیکم": true, "سلامعلیکم": true, "بخیر": true, "نباشید": true, "ادب": true,
	"hi": true, "hello": true, "hey": true, "salam": true, "morning": true, "afternoon": true, "evening": true, "dorood": true,
}

// isGreeting reports whether text is only a greeting ("سلام", "سلام وقت
// بخیر", "hello 🙏"), which shows the menu rather than filing a follow-up.
func isGreeting(text string) bool {
	words := strings.FieldsFunc(rules.Fold(text), func(r rune) bool { return !unicode.IsLetter(r) })
	if len(words) == 0 || len(words) > 8 {
		return false
	}
	anchored := false
	for i, w := range words {
		if !greetingWords[w] {
			return false
		}
		// «به خیر» as in «صبح به خیر»; «خیر» alone is "no".
		if greetingAnchors[w] || (w == "خیر" && i > 0 && words[i-1] == "به") {
			anchored = true
		}
	}
	return anchored
}
