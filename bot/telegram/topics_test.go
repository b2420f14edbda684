package telegram_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"supportbot/bot"

	"supportbot/bot/telegram"
	"supportbot/bot/telegram/telegramtest"
	"supportbot/notice"
	"supportbot/outbox"
	"supportbot/store"
)

// Topics mode against the fake Bot API: the card makes the ticket's topic
// (createForumTopic with its title) and goes there with message_thread_id,
// as do follow-ups; an edit renames the topic (editForumTopic); a deleted
// topic is made again at the next message, which is not lost; a message
// written in a topic reaches its ticket.
func TestTopics(t *testing.T) {
	h := newHarness(t, func(c *telegram.Config) { c.Topics = true })
	h.srv.Forum(staffChat)
	title := "Ticket 12 · Acme · problem · new"
	card := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 12, Thread: 12, Kind: store.OutboxCard,
		Topic: title, Text: "Ticket 12\nnew", Buttons: []string{"claim"}})
	h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 12, Thread: 12, Kind: store.OutboxFollowUp, Text: "the customer wrote", ReplyTo: card})
	general := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), Text: "a digest"}) // no thread: the General topic
	h.flush()

	creates := h.srv.Calls("createForumTopic")
	if len(creates) != 1 || creates[0].Params.Get("name") != title {
		t.Fatalf("createForumTopic calls %v, want one named %q", creates, title)
	}
	topics := h.srv.Topics(staffChat)
	if len(topics) != 1 {
		t.Fatalf("topics %v", topics)
	}
	var thread int
	for id := range topics {
		thread = id
	}
	sent := h.srv.SentTo(staffChat)
	if len(sent) != 3 || sent[0].Thread != thread || sent[1].Thread != thread || sent[2].Thread != 0 {
		t.Fatalf("sent %+v, want the card and follow-up in topic %d, the digest outside", sent, thread)
	}
	if sent[1].ReplyTo != sent[0].MessageID || sent[0].Markup == nil {
		t.Errorf("follow-up replies to %d (card %d), card markup %v", sent[1].ReplyTo, sent[0].MessageID, sent[0].Markup)
	}
	if m := h.outbox(general); m.Status != store.OutboxSent {
		t.Errorf("digest %q", m.Status)
	}

	// The status changes: the card is edited and the topic renamed.
	answered := "Ticket 12 · Acme · problem · answered"
	edit := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 12, Thread: 12, Kind: store.OutboxCard, Edit: card,
		Topic: answered, Text: "Ticket 12\nanswered", Buttons: []string{"claim"}})
	h.flush()
	if m := h.outbox(edit); m.Status != store.OutboxSent {
		t.Fatalf("edit %q %s", m.Status, m.LastError)
	}
	if got := h.srv.Topics(staffChat)[thread].Name; got != answered || len(h.srv.Calls("editForumTopic")) != 1 {
		t.Errorf("topic named %q after %d renames, want %q", got, len(h.srv.Calls("editForumTopic")), answered)
	}
	if html, _ := h.srv.Shown(staffChat, sent[0].MessageID); html != "<b>Ticket 12</b>\nanswered" {
		t.Errorf("card shows %q", html)
	}

	// Someone deletes the topic: the next message makes it again.
	h.srv.DeleteTopic(staffChat, thread)
	after := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 12, Thread: 12, Kind: store.OutboxFollowUp, Text: "the customer wrote again", ReplyTo: card})
	h.flush()
	m := h.outbox(after)
	topics = h.srv.Topics(staffChat)
	if m.Status != store.OutboxSent || len(topics) != 1 || len(h.srv.Calls("createForumTopic")) != 2 {
		t.Fatalf("after the delete: %q (%s), topics %v", m.Status, m.LastError, topics)
	}
	var again int
	for id, tp := range topics {
		again = id
		if tp.Name != answered {
			t.Errorf("the new topic is named %q, want %q", tp.Name, answered)
		}
	}
	last := h.srv.SentTo(staffChat)
	if l := last[len(last)-1]; l.Thread != again || l.Text != "the customer wrote again" {
		t.Errorf("last sent %+v, want the follow-up in the new topic %d", l, again)
	}

	// Staff write in the topic: the message names its ticket.
	rec := &recorder{st: h.db}
	stop := h.run(h.ad, rec)
	h.srv.PushInTopic(telegramtest.Message(staff, sara, "نسخه را بفرمایید"), again)
	h.srv.PushInTopic(telegramtest.Message(staff, sara, "/close"), again)
	h.srv.PushInTopic(telegramtest.Message(staff, sara, "in a topic people made"), 999999)
	h.srv.Push(telegramtest.Message(staff, sara, "in General"))
	wait(t, "four messages", func() bool { return rec.count() == 4 })
	stop()
	for i, want := range []int64{12, 12, 0, 0} {
		in := rec.all()[i].in
		if in.Thread != want || in.ReplyTo != 0 {
			t.Errorf("message %d (%q): thread %d, reply to %d; want thread %d and no reply", i, in.Text, in.Thread, in.ReplyTo, want)
		}
	}
}

// A topic someone closed is reopened for the ticket's next message, which
// goes there: no second topic, the card stays where it is.
func TestClosedTopicIsReopened(t *testing.T) {
	h := newHarness(t, func(c *telegram.Config) { c.Topics = true })
	h.srv.Forum(staffChat)
	card := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 7, Thread: 7, Kind: store.OutboxCard,
		Topic: "Ticket 7", Text: "Ticket 7\nnew"})
	h.flush()
	thread := h.srv.SentTo(staffChat)[0].Thread
	h.srv.CloseTopic(staffChat, thread)
	after := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 7, Thread: 7, Kind: store.OutboxFollowUp, Text: "the customer wrote", ReplyTo: card})
	h.flush()
	if m := h.outbox(after); m.Status != store.OutboxSent {
		t.Fatalf("follow-up %q: %s", m.Status, m.LastError)
	}
	topics := h.srv.Topics(staffChat)
	sent := h.srv.SentTo(staffChat)
	if len(topics) != 1 || topics[thread].Closed || len(h.srv.Calls("createForumTopic")) != 1 || len(h.srv.Calls("reopenForumTopic")) != 1 {
		t.Errorf("topics %+v after %d creates and %d reopens, want the one topic reopened", topics, len(h.srv.Calls("createForumTopic")), len(h.srv.Calls("reopenForumTopic")))
	}
	if l := sent[len(sent)-1]; len(sent) != 2 || l.Thread != thread || l.ReplyTo != sent[0].MessageID {
		t.Errorf("sent %+v, want the follow-up in topic %d under the card", sent, thread)
	}
}

// Without topics mode a Thread is ignored: everything goes to the group.
func TestTopicsOff(t *testing.T) {
	h := newHarness(t)
	h.srv.Forum(staffChat)
	h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 3, Thread: 3, Topic: "x", Text: "card"})
	h.flush()
	if s := h.srv.SentTo(staffChat); len(s) != 1 || s[0].Thread != 0 || len(h.srv.Calls("createForumTopic")) != 0 {
		t.Errorf("sent %+v", s)
	}
}

var _ = strconv.Itoa

// A topic someone deleted is made again at the ticket's next message, and
// the card (gone with the old topic) is posted in the new one at once,
// with its buttons, by the real desk; a later status change edits the new
// card. When the card cannot go at once (Telegram asks to wait), the
// message waits for it.
func TestRemadeTopicGetsItsCard(t *testing.T) {
	for _, throttled := range []bool{false, true} {
		t.Run(map[bool]string{false: "at once", true: "after a 429 on the card"}[throttled], func(t *testing.T) {
			remadeTopicGetsItsCard(t, throttled)
		})
	}
}

func remadeTopicGetsItsCard(t *testing.T, throttled bool) {
	var notices notice.Notifier
	h := newHarness(t, func(c *telegram.Config) {
		c.Topics = true
		c.Notify = notice.NotifierFunc(func(ctx context.Context, tx store.Store, at time.Time, ev notice.Event) error {
			return notices.Notify(ctx, tx, at, ev)
		})
	})
	h.srv.Forum(staffChat)
	desk, tk, _ := deskTicket(t, h, true)
	notices = bot.NewNotices(deskPrinter(t), desk)
	ctx := context.Background()
	old := h.srv.SentTo(staffChat)[0]
	h.srv.DeleteTopic(staffChat, old.Thread)

	now := h.clock.Now()
	err := h.db.InTx(ctx, func(tx store.Store) error {
		return desk.CustomerWrote(ctx, tx, tk, store.Message{TicketID: tk.ID, At: now, Direction: store.FromCustomer, Text: "هنوز خطا می‌دهد"}, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	if throttled {
		// The follow-up's try finds the topic gone; the card's post (the
		// next sendMessage) is refused for 5 s.
		h.srv.Fail("sendMessage", telegramtest.Failure{Skip: 1, Code: 429, Description: "Too Many Requests: retry after 5", RetryAfter: 5})
		h.flush()
		for _, s := range h.srv.SentTo(staffChat)[1:] {
			t.Errorf("sent %q while the card waits", s.Text)
		}
		h.clock.Advance(10 * time.Second)
	}
	h.flush()
	var thread int
	for id := range h.srv.Topics(staffChat) {
		thread = id
	}
	var card *telegramtest.Sent
	for _, s := range h.srv.SentTo(staffChat) {
		if s.Thread == thread && s.Markup != nil && strings.Contains(s.Text, "تیکت شماره") {
			card = &s
		}
	}
	if thread == 0 || thread == old.Thread || card == nil {
		t.Fatalf("topic %d (was %d); card in it: %v; sent %+v", thread, old.Thread, card, h.srv.SentTo(staffChat))
	}
	// Staff read the new topic top-down: the card first, once, then the
	// message that found the topic gone, then the line saying why.
	var inTopic []string
	for _, s := range h.srv.SentTo(staffChat) {
		if s.Thread == thread {
			inTopic = append(inTopic, s.Text)
		}
	}
	if len(inTopic) != 3 || !strings.Contains(inTopic[0], "تیکت شماره") || !strings.Contains(inTopic[1], "هنوز خطا می‌دهد") ||
		!strings.HasPrefix(inTopic[2], "🔁") {
		t.Errorf("the new topic shows, in order:\n%s\nwant the card, the customer's message, the re-made line", strings.Join(inTopic, "\n---\n"))
	}
	due, err := h.db.DueOutbox(ctx, h.clock.Now().Add(time.Hour), 0)
	if err != nil || len(due) != 0 {
		t.Errorf("still due: %+v, %v; want everything sent", due, err)
	}
	// Nothing is sent twice when the dispatcher comes to the card's row.
	h.flush()
	if n := len(h.srv.SentTo(staffChat)); n != len(inTopic)+1 {
		t.Errorf("%d messages in the group after another flush, want %d (the old card and the new topic's)", n, len(inTopic)+1)
	}

	// /claim: the new card is edited in place.
	err = h.db.InTx(ctx, func(tx store.Store) error {
		return desk.HandleStaff(ctx, tx, bot.StaffInput{At: now, Chat: bot.ChatStaff, UserID: sara.ID, UserName: "Sara", Text: "/claim", Thread: tk.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	h.flush()
	if html, ok := h.srv.Shown(staffChat, card.MessageID); !ok || !strings.Contains(html, "Sara") {
		t.Errorf("the new card shows %q after /claim, want it edited to name Sara", html)
	}
}
