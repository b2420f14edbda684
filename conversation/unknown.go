package conversation

import (
	"fmt"

	"supportbot/rules"
	"supportbot/store"
)

// unknown answers a number that belongs to no customer. It asks who they
// are and hands every message to staff (UnknownContact) so they can link
// the number; it never shows anything about any customer, contract or
// ticket. The refusal is stored once per conversation: on the first message
// and again only after the idle timeout.
func (t *turn) unknown(newConversation bool) error {
	if newConversation {
		rec := store.Denial{At: t.in.At, Phone: t.in.Phone, Reason: rules.DenyUnknownCustomer}
		if err := t.st.AddDenial(t.ctx, &rec); err != nil {
			return fmt.Errorf("store denial %s: %w", rec.Reason, err)
		}
		t.say("unknown.welcome", kv{"company": t.m.company()})
		t.say("unknown.ask", nil)
	} else {
		t.say("unknown.noted", nil)
	}
	if t.in.Text != "" || t.in.File != nil {
		t.events = append(t.events, Event{
			Kind:  UnknownContact,
			Phone: t.in.Phone,
			Text:  t.in.Text,
			Message: store.Message{
				At: t.in.At, Direction: store.FromCustomer, Author: t.in.Phone,
				Text: t.in.Text, File: t.in.File,
			},
		})
	}
	t.sess.to(stateIdentify)
	return nil
}
