package conversation

import (
	"strings"
	"unicode"

	"supportbot/rules"
)

// known moves the conversation of a customer we know. newConversation is
// true for the first message ever and after the idle timeout.
func (t *turn) known(newConversation bool) error {
	s := &t.sess
	if s.state == stateIdentify {
		// Staff linked the number while it was unknown: start over.
		s.to(stateIdle)
		newConversation = true
	}
	if newConversation && !s.fresh && s.state != stateIdle {
		switch {
		case s.state.inRequest():
			t.say("flow.expired", nil)
		case s.state == statePickTicket:
			t.say("followup.expired", nil)
		}
		s.to(stateIdle)
	}
	if t.in.File == nil {
		switch parseCommand(t.in.Text) {
		case cmdMenu:
			return t.mainMenu(newConversation)
		case cmdCancel:
			return t.cancel()
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
	default:
		return t.onIdle()
	}
}

// onIdle reads a message with no menu on screen: a greeting, or anything
// from a customer with no open ticket, gets the menu; anything else is a
// follow-up on the customer's open ticket (asking which when there are
// several).
func (t *turn) onIdle() error {
	if t.in.File == nil && (t.in.Text == "" || isGreeting(t.in.Text)) {
		return t.mainMenu(true)
	}
	open, err := t.openTickets()
	if err != nil {
		return err
	}
	switch len(open) {
	case 0:
		return t.mainMenu(true)
	case 1:
		return t.fileFollowUps(open[0], []pending{t.message()})
	default:
		t.askTicket(open, []pending{t.message()})
		return nil
	}
}

// mainMenu shows the main menu, with the greeting at the start of a
// conversation, and waits for a choice.
func (t *turn) mainMenu(greet bool) error {
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

// onMainMenu reads a main-menu choice.
func (t *turn) onMainMenu() error {
	n, ok := choice(t.in.Text, menuItems)
	if !ok {
		if t.in.File == nil && isGreeting(t.in.Text) {
			return t.mainMenu(true)
		}
		t.say("hint.invalid_choice", kv{"max": menuItems})
		t.showMainMenu()
		return nil
	}
	switch n {
	case menuNew:
		return t.startRequest()
	case menuTickets:
		return t.showTickets()
	case menuContract:
		return t.showContracts()
	case menuContact:
		return t.showContact()
	default:
		return t.showSales()
	}
}

// cancel drops whatever was in progress and leaves no menu on screen.
func (t *turn) cancel() error {
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
	n, ok := rules.ParseMenuChoice(text)
	if !ok || n < 1 || n > max {
		return 0, false
	}
	return n, true
}

// greetingWords are the words of a message that is only a greeting.
var greetingWords = map[string]bool{
	"سلام": true, "درود": true, "علیکم": true, "سلامعلیکم": true, "وقت": true, "وقتتون": true,
	"وقتتان": true, "روز": true, "روزتون": true, "صبح": true, "ظهر": true, "عصر": true, "شب": true,
	"بخیر": true, "به": true, "خیر": true, "خسته": true, "نباشید": true, "عرض": true, "ادب": true,
	"hi": true, "hello": true, "hey": true, "salam": true, "good": true, "morning": true,
	"afternoon": true, "evening": true, "dorood": true,
}

// isGreeting reports whether text is only a greeting ("سلام", "سلام وقت
// بخیر", "hello 🙏"), which shows the menu rather than filing a follow-up.
func isGreeting(text string) bool {
	words := strings.FieldsFunc(rules.Fold(text), func(r rune) bool { return !unicode.IsLetter(r) })
	if len(words) == 0 || len(words) > 8 {
		return false
	}
	for _, w := range words {
		if !greetingWords[w] {
			return false
		}
	}
	return true
}
