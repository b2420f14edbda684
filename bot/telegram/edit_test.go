package telegram_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"supportbot/bot/telegram/telegramtest"
	"supportbot/outbox"
	"supportbot/store"
)

// A card is edited in place (editMessageText) at each change: buttons go
// when the ticket closes, an edit that changes nothing is not an error, and
// a card someone deleted is posted anew, later edits changing the new one.
func TestCardEditedInPlace(t *testing.T) {
	h := newHarness(t)
	card := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 7, Kind: store.OutboxCard,
		Text: "Ticket 7\nstatus: new", Buttons: []string{"claim", "close"}})
	h.flush()
	sent := h.srv.SentTo(staffChat)
	if len(sent) != 1 {
		t.Fatalf("card: sent %+v", sent)
	}
	msgID := sent[0].MessageID

	steps := []struct {
		name    string
		text    string
		buttons []string
		method  string // the call that carries it
		onto    int    // the message it changes (0: a new one)
	}{
		{"claimed", "Ticket 7\nstatus: new\nassignee: Sara", []string{"claim", "close"}, "editMessageText", msgID},
		{"closed, buttons gone", "Ticket 7\nstatus: closed", nil, "editMessageText", msgID},
		{"the same again", "Ticket 7\nstatus: closed", nil, "", msgID}, // "not modified": nothing new
	}
	for _, st := range steps {
		before := len(h.srv.Sent())
		id := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 7, Kind: store.OutboxCard, Edit: card, Text: st.text, Buttons: st.buttons})
		h.flush()
		m := h.outbox(id)
		if m.Status != store.OutboxSent || m.ExternalID != strconvExt(staffChat, st.onto) {
			t.Fatalf("%s: edit %q %q, want sent as %d", st.name, m.Status, m.ExternalID, st.onto)
		}
		news := h.srv.Sent()[before:]
		if st.method == "" {
			if len(news) != 0 {
				t.Errorf("%s: sent %+v, want nothing", st.name, news)
			}
			continue
		}
		if len(news) != 1 || news[0].Method != st.method || news[0].MessageID != st.onto {
			t.Fatalf("%s: sent %+v, want one %s of message %d", st.name, news, st.method, st.onto)
		}
		if (news[0].Markup != nil) != (len(st.buttons) > 0) {
			t.Errorf("%s: markup %+v, want buttons %v", st.name, news[0].Markup, st.buttons)
		}
		html, _ := h.srv.Shown(staffChat, st.onto)
		if !strings.HasPrefix(html, "<b>Ticket 7</b>") || !strings.Contains(html, strings.SplitN(st.text, "\n", 2)[1]) {
			t.Errorf("%s: the card shows %q", st.name, html)
		}
	}
	if n := len(h.srv.Calls("editMessageText")); n != 3 {
		t.Errorf("%d editMessageText calls, want 3", n)
	}

	// Deleted by someone: posted anew, and the next edit changes that one.
	h.srv.DeleteMessage(staffChat, msgID)
	id := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 7, Kind: store.OutboxCard, Edit: card, Text: "Ticket 7\nstatus: reopened", Buttons: []string{"claim"}})
	h.flush()
	reposted := h.srv.SentTo(staffChat)
	last := reposted[len(reposted)-1]
	if m := h.outbox(id); m.Status != store.OutboxSent || last.Method != "sendMessage" || last.Markup == nil {
		t.Fatalf("after the delete: %q, last sent %+v, want the card posted anew with its buttons", m.Status, last)
	}
	id = h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 7, Kind: store.OutboxCard, Edit: card, Text: "Ticket 7\nstatus: closed again"})
	h.flush()
	if m := h.outbox(id); m.Status != store.OutboxSent || m.ExternalID != strconvExt(staffChat, last.MessageID) {
		t.Errorf("edit after the repost: %q %q, want an edit of %d", m.Status, m.ExternalID, last.MessageID)
	}
	if html, _ := h.srv.Shown(staffChat, last.MessageID); !strings.Contains(html, "closed again") {
		t.Errorf("the reposted card shows %q", html)
	}
	// Nothing was given up, so nothing was reported.
	for _, s := range h.srv.SentTo(staffChat) {
		if strings.Contains(s.Text, "⚠️") {
			t.Errorf("a failure report: %q", s.Text)
		}
	}
}

// An edit refused for its markup goes again as plain text; a 429 on an
// edit waits like any send.
func TestCardEditFallsBackAndWaits(t *testing.T) {
	h := newHarness(t)
	card := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 8, Kind: store.OutboxCard, Text: "Ticket 8\nnew", Buttons: []string{"claim"}})
	h.flush()
	h.srv.Fail("editMessageText", telegramtest.TooManyRequests(3))
	h.srv.Fail("editMessageText", telegramtest.Failure{Code: 400, Description: "Bad Request: can't parse entities: unsupported start tag"})
	id := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 8, Kind: store.OutboxCard, Edit: card, Text: "Ticket 8\nclaimed by " + outbox.MentionToken(1001, "Sara")})
	h.flush()
	if m := h.outbox(id); m.Status != store.OutboxPending || m.Attempts != 0 {
		t.Fatalf("after a 429: %q, %d attempts; want pending, none counted", m.Status, m.Attempts)
	}
	h.clock.Advance(4 * time.Second)
	h.flush()
	m := h.outbox(id)
	edits := h.srv.Calls("editMessageText")
	if m.Status != store.OutboxSent || len(edits) != 3 || edits[2].Params.Get("parse_mode") != "" ||
		edits[2].Params.Get("text") != "Ticket 8\nclaimed by Sara" {
		t.Errorf("%q after %d calls (last %v), want sent as plain text with the name", m.Status, len(edits), edits[len(edits)-1].Params)
	}
}

// strconvExt is the outbox's external id of a Telegram message.
func strconvExt(chat int64, msg int) string {
	return strconv.FormatInt(chat, 10) + ":" + strconv.Itoa(msg)
}
