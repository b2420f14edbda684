package outbox_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"supportbot/outbox"
	"supportbot/store"
)

// enqueueKind queues a message of kind to the staff group about ticket.
func (e *dispatchEnv) enqueueKind(kind string, ticket int64, text string) int64 {
	e.t.Helper()
	m := store.OutboxMessage{CreatedAt: e.clock.Now(), To: string(outbox.StaffGroup), TicketID: ticket, Text: text, Kind: kind}
	if err := e.st.Enqueue(context.Background(), &m); err != nil {
		e.t.Fatal(err)
	}
	return m.ID
}

// 100 messages queued to one group (reminders and digests first, then new
// cards) go out at no more than 20 a minute, the cards before every
// background message, each class in its own order; on a fake clock.
func TestSendBudgetCardsFirstAtTwentyAMinute(t *testing.T) {
	e := newDispatchEnv(t, outbox.DispatcherConfig{})
	start := e.clock.Now()
	var bg, cards []int64
	for i := range 60 {
		bg = append(bg, e.enqueueKind(store.OutboxBackground, int64(i+1), fmt.Sprintf("reminder %d", i)))
	}
	for i := range 40 {
		cards = append(cards, e.enqueueKind(store.OutboxCard, int64(100+i), fmt.Sprintf("card %d", i)))
	}
	e.flush()
	sent := e.tg.sent()
	if len(sent) != 100 {
		t.Fatalf("%d sends, want 100", len(sent))
	}
	var order []int64
	for i, d := range sent {
		order = append(order, d.m.ID)
		// At most 20 in any minute: the 21st after a send is a minute or
		// more later.
		if i >= 20 {
			if gap := d.at.Sub(sent[i-20].at); gap < time.Minute {
				t.Fatalf("sends %d and %d are %s apart: more than 20 in a minute", i-20, i, gap)
			}
		}
	}
	want := append(append([]int64(nil), cards...), bg...)
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("send %d was outbox %d, want %d (cards first, each kind in order)", i, order[i], want[i])
		}
	}
	if took := sent[99].at.Sub(start); took < 4*time.Minute || took > 5*time.Minute+time.Second {
		t.Errorf("100 messages took %s, want about 5 minutes at 20 a minute", took)
	}
	for _, id := range append(cards, bg...) {
		if m := e.get(id); m.Status != store.OutboxSent {
			t.Errorf("outbox %d %q", id, m.Status)
		}
	}
}

// A customer's follow-ups written within seconds go as one message while
// the group's budget holds them back; another ticket's, a file, or one
// written later is not joined, and every joined message is marked sent.
func TestFollowUpsJoined(t *testing.T) {
	e := newDispatchEnv(t, outbox.DispatcherConfig{})
	head := "new message from Acme about ticket 7:"
	first := e.enqueueKind(store.OutboxCard, 7, "card 7") // takes the group's slot
	var burst []int64
	for i := range 4 {
		burst = append(burst, e.enqueueKind(store.OutboxFollowUp, 7, head+"\npart "+fmt.Sprint(i)))
		e.clock.Advance(2 * time.Second)
	}
	other := e.enqueueKind(store.OutboxFollowUp, 8, "new message from Beta about ticket 8:\nhello")
	e.clock.Advance(30 * time.Second)
	late := e.enqueueKind(store.OutboxFollowUp, 7, head+"\nmuch later")
	e.flush()
	sent := e.tg.sent()
	if len(sent) != 4 || sent[0].m.ID != first {
		t.Fatalf("sends %+v, want the card, the joined burst, ticket 8's, the late one", sent)
	}
	joined := sent[1].m
	if joined.ID != burst[0] || joined.Text != head+"\npart 0\npart 1\npart 2\npart 3" {
		t.Errorf("joined message %d %q", joined.ID, joined.Text)
	}
	if sent[2].m.ID != other || sent[3].m.ID != late || strings.Contains(sent[3].m.Text, "part") {
		t.Errorf("then %d and %d (%q), want %d and %d alone", sent[2].m.ID, sent[3].m.ID, sent[3].m.Text, other, late)
	}
	ext := e.get(burst[0]).ExternalID
	for _, id := range burst {
		if m := e.get(id); m.Status != store.OutboxSent || m.ExternalID != ext {
			t.Errorf("outbox %d: %q %q, want sent as %q", id, m.Status, m.ExternalID, ext)
		}
	}
}

// Several quick status changes of one card queue one edit each; while the
// group's budget holds them back they go as one edit showing the last,
// every one of them marked sent. Another card's edit is not taken in.
func TestCardEditsCoalesce(t *testing.T) {
	e := newDispatchEnv(t, outbox.DispatcherConfig{})
	card := e.enqueueKind(store.OutboxCard, 7, "card 7: new")
	edit := func(of int64, ticket int64, text string, buttons ...string) int64 {
		m := store.OutboxMessage{CreatedAt: e.clock.Now(), To: string(outbox.StaffGroup), TicketID: ticket, Text: text,
			Kind: store.OutboxCard, Edit: of, Buttons: buttons, Topic: text}
		if err := e.st.Enqueue(context.Background(), &m); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	other := e.enqueueKind(store.OutboxCard, 8, "card 8: new")
	var edits []int64
	for _, status := range []string{"claimed", "answered", "closed"} {
		buttons := []string{"claim", "close"}
		if status == "closed" {
			buttons = nil
		}
		edits = append(edits, edit(card, 7, "card 7: "+status, buttons...))
		e.clock.Advance(time.Second)
	}
	otherEdit := edit(other, 8, "card 8: claimed")
	e.flush()
	sent := e.tg.sent()
	var got []string
	for _, s := range sent {
		got = append(got, fmt.Sprintf("%d:%s", s.m.Edit, s.m.Text))
	}
	want := []string{"0:card 7: new", "0:card 8: new", fmt.Sprintf("%d:card 7: closed", card), fmt.Sprintf("%d:card 8: claimed", other)}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sent %q, want %q", got, want)
	}
	if last := sent[2].m; len(last.Buttons) != 0 || last.Topic != "card 7: closed" || last.ID != edits[0] {
		t.Errorf("the one edit: id %d buttons %v topic %q; want the first edit's row showing the last (no buttons)", last.ID, last.Buttons, last.Topic)
	}
	for _, id := range append(edits, otherEdit) {
		if m := e.get(id); m.Status != store.OutboxSent {
			t.Errorf("edit %d %q, want sent", id, m.Status)
		}
	}
}
