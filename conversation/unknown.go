package conversation

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"supportbot/rules"
	"supportbot/store"
)

// notedEvery is how often an unknown number hears again that its messages
// reach staff: at most one more reply an hour after the first.
const notedEvery = time.Hour

// unknown answers a number that belongs to no customer. The first message
// of a day gets the who-are-you reply and staff one card (UnknownContact
// with NewCard); later messages that day reach staff under that card and
// get at most one more reply an hour. The number's first description-like
// message (and the files sent after it) is kept, so the request can start
// with it once staff link the number (Machine.Linked). It never shows anything about any customer,
// contract or ticket.
func (t *turn) unknown() error {
	if t.sess.state != stateIdentify {
		t.sess.to(stateIdentify)
	}
	d := &t.sess.data
	day := rules.DateOf(t.in.At.In(t.loc())).String()
	newCard := d.Card != day
	switch {
	case newCard:
		rec := store.Denial{At: t.in.At, Phone: t.in.Phone, Reason: rules.DenyUnknownCustomer}
		if err := t.st.AddDenial(t.ctx, &rec); err != nil {
			return fmt.Errorf("store denial %s: %w", rec.Reason, err)
		}
		t.say("unknown.welcome", kv{"company": t.m.company()})
		t.say("unknown.ask", nil)
		d.Card, d.Noted = day, t.in.At
	case t.in.At.Sub(d.Noted) >= notedEvery:
		t.say("unknown.noted", nil)
		d.Noted = t.in.At
	}
	if err := t.route(t.in.Received, 0, store.RouteUnknown); err != nil {
		return err
	}
	switch {
	case len(d.Draft) == 0 && describes(t.in.Text, t.in.File):
		d.Draft = []pending{t.message()}
	case len(d.Draft) > 0 && len(d.Draft) < maxPending && t.in.File != nil:
		// Screenshots of the problem go with it.
		d.Draft = append(d.Draft, t.message())
	}
	if t.in.Text != "" || t.in.File != nil {
		t.events = append(t.events, Event{
			Kind:    UnknownContact,
			Phone:   t.in.Phone,
			Text:    t.in.Text,
			NewCard: newCard,
			Message: store.Message{
				At: t.in.At, Direction: store.FromCustomer, Author: t.in.Phone,
				Text: t.in.Text, File: t.in.File,
			},
		})
	}
	return nil
}

// describes reports whether a message could describe a request: a file, or
// text that is not a number, a command, only a greeting or only courtesy.
func describes(text string, file *store.File) bool {
	if file != nil {
		return true
	}
	if text == "" || isGreeting(text) || isCourtesy(text) || parseCommand(text) != cmdNone {
		return false
	}
	if _, number := rules.ParseMenuChoice(text); number {
		return false
	}
	// Only punctuation («؟», «...») says nothing to file.
	return strings.ContainsFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}
