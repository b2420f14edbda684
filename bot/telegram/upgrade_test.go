package telegram_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"supportbot/bot/telegram"
	"supportbot/bot/telegram/telegramtest"
	"supportbot/outbox"
	"supportbot/store"
	"supportbot/store/sqlite/sqlitetest"
)

// partsBefore0022 writes what the program before migration 0022 kept of a
// partly sent message: telegram_parts:ID = "CHAT:MSG,MSG…", and
// telegram_part:CHAT:MSG = ID for every part after the first
// (sqlitetest.Rewind).
const partsBefore0022 = `
INSERT INTO settings (key, value)
	SELECT 'telegram_parts:' || outbox_id, chat || ':' || group_concat(external_id, ',')
	FROM (SELECT * FROM current.outbox_parts WHERE chat != '' ORDER BY outbox_id, part) GROUP BY outbox_id, chat;
INSERT INTO settings (key, value)
	SELECT 'telegram_part:' || chat || ':' || external_id, outbox_id FROM current.outbox_parts WHERE chat != '' AND part > 0;
`

// TestUpgradeResumesAPartlySentMessage: a long message the previous
// program sent only in part (Telegram refused the third part with a 429)
// goes on after the upgrade with the parts not sent yet, none twice, its
// id the first part's; a reply to a part sent before the upgrade reaches
// the message.
func TestUpgradeResumesAPartlySentMessage(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.srv.Fail("sendMessage", telegramtest.Failure{Skip: 2, Code: 429, Description: "Too Many Requests: retry after 1", RetryAfter: 1})
	long := strings.Repeat("a line of text\n", 1000)
	want := telegram.Split(long, telegram.MaxText)
	if len(want) < 4 {
		t.Fatalf("the text splits in %d parts, want at least 4", len(want))
	}
	id := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), Text: long})
	h.flush()
	before := h.srv.SentTo(staffChat)
	if len(before) != 2 {
		t.Fatalf("%d parts went before the 429, want 2", len(before))
	}

	path := sqlitetest.Rewind(t, h.db, 21, partsBefore0022)
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var old string
	if err := raw.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, fmt.Sprintf("telegram_parts:%d", id)).Scan(&old); err != nil {
		t.Fatalf("the old database lacks the parts: %v", err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	h.path = path
	h.db = h.open()
	h.ad = h.adapter(h.db)
	h.disp = outbox.NewDispatcher(h.db, outbox.DispatcherConfig{Now: h.clock.Now, Sleep: h.clock.Sleep, Log: h.log})
	h.disp.Register("telegram", h.ad)

	h.clock.Advance(2e9)
	h.flush()
	sent := h.srv.SentTo(staffChat)
	if len(sent) != len(want) {
		t.Fatalf("the message went as %d messages, want %d (no part twice)", len(sent), len(want))
	}
	for i := range want {
		if sent[i].Text != want[i] {
			t.Errorf("part %d differs", i)
		}
	}
	if m := h.outbox(id); m.Status != store.OutboxSent || m.ExternalID != fmt.Sprintf("%d:%d", staffChat, before[0].MessageID) {
		t.Errorf("after the upgrade: status %q external id %q; want sent, the first part %d (stored %q)", m.Status, m.ExternalID, before[0].MessageID, old)
	}

	rec := &recorder{st: h.db}
	stop := h.run(h.ad, rec)
	h.srv.Push(telegramtest.Reply(staff, sara, "got it", before[1].MessageID, telegramtest.BotUser))
	wait(t, "the reply", func() bool { return rec.count() == 1 })
	stop()
	if got := rec.all()[0].in.ReplyTo; got != id {
		t.Errorf("reply to the second part, sent before the upgrade: ReplyTo %d, want %d", got, id)
	}
}

// topicsBefore0025 writes what the program before migration 0025 kept of
// forum topics: telegram_topic:T = "CHAT:THREAD:TITLE" and
// telegram_topic_ticket:CHAT:THREAD = T (sqlitetest.Rewind).
const topicsBefore0025 = `
INSERT INTO settings (key, value) SELECT 'telegram_topic:' || ticket_id, chat || ':' || thread || ':' || title FROM current.ticket_topics;
INSERT INTO settings (key, value) SELECT 'telegram_topic_ticket:' || chat || ':' || thread, ticket_id FROM current.topic_threads;
`

// TestUpgradeKeepsTopics: a ticket's forum topic, kept in settings by the
// previous program, is the one its next message goes to after migration
// 0025 (no second topic is made), and a message written in it reaches the
// ticket.
func TestUpgradeKeepsTopics(t *testing.T) {
	h := newHarness(t, func(c *telegram.Config) { c.Topics = true })
	h.srv.Forum(staffChat)
	title := "Ticket 12 · Acme: Tehran · problem · new"
	h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 12, Thread: 12, Kind: store.OutboxCard,
		Topic: title, Text: "Ticket 12\nnew", Buttons: []string{"claim"}})
	h.flush()
	var thread int
	for id := range h.srv.Topics(staffChat) {
		thread = id
	}
	if thread == 0 {
		t.Fatal("no topic made")
	}

	h.path = sqlitetest.Rewind(t, h.db, 24, topicsBefore0025)
	h.db = h.open()
	h.ad = h.adapter(h.db)
	h.disp = outbox.NewDispatcher(h.db, outbox.DispatcherConfig{Now: h.clock.Now, Sleep: h.clock.Sleep, Log: h.log})
	h.disp.Register("telegram", h.ad)
	h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 12, Thread: 12, Kind: store.OutboxFollowUp, Text: "the customer wrote"})
	h.flush()
	sent := h.srv.SentTo(staffChat)
	if n := len(h.srv.Calls("createForumTopic")); n != 1 || sent[len(sent)-1].Thread != thread {
		t.Fatalf("after the upgrade: %d topics made, the follow-up went to thread %d; want 1, %d", n, sent[len(sent)-1].Thread, thread)
	}

	rec := &recorder{st: h.db}
	stop := h.run(h.ad, rec)
	h.srv.PushInTopic(telegramtest.Message(staff, sara, "در حال بررسی"), thread)
	wait(t, "the message in the topic", func() bool { return rec.count() == 1 })
	stop()
	if got := rec.all()[0].in.Thread; got != 12 {
		t.Errorf("a message in the topic after the upgrade: Thread %d, want ticket 12", got)
	}
}
