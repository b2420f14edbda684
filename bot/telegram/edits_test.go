package telegram_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"supportbot/bot/telegram"
	"supportbot/bot/telegram/telegramtest"
	"supportbot/outbox"
)

// Through the real library and the real desk: a staff member who edits an
// answer the customer already has is told once, in reply to the edited
// message, and the edit does not reach the customer; an administrator
// posting as the group is told, in reply, that the bot cannot tell who
// they are, and their answer does not reach the customer.
func TestEditsAndAnonymousAdmins(t *testing.T) {
	for _, topics := range []bool{false, true} {
		t.Run("topics="+strconv.FormatBool(topics), func(t *testing.T) {
			h := newHarness(t, func(c *telegram.Config) { c.Topics = topics })
			if topics {
				h.srv.Forum(staffChat)
			}
			ctx := context.Background()
			desk, _, phone := deskTicket(t, h, topics)
			card := h.srv.SentTo(staffChat)[0]
			thread := card.Thread
			push := func(u tgbotapi.Update) int {
				if topics {
					return h.srv.PushInTopic(u, thread)
				}
				return h.srv.Push(u)
			}
			answer := telegramtest.Reply(staff, sara, "نسخه ۵ را نصب کنید", card.MessageID, telegramtest.BotUser)
			anon := telegramtest.Reply(staff, telegramtest.AnonymousBot, "نسخه را بفرمایید", card.MessageID, telegramtest.BotUser)
			anon.Message.SenderChat = &staff

			dh := &deskHandler{st: h.db, desk: desk, rec: recorder{st: h.db}}
			stop := h.run(h.ad, dh)
			push(answer)
			push(telegramtest.Edited(answer, "نسخه ۶ را نصب کنید", answer.Message.Date+60))
			push(telegramtest.Edited(answer, "نسخه ۶.۱ را نصب کنید", answer.Message.Date+90))
			last := push(anon)
			wait(t, "every update handled", func() bool { return h.offset() == strconv.Itoa(last+1) })
			stop()
			h.flush()

			due, err := h.db.DueOutbox(ctx, h.clock.Now().AddDate(1, 0, 0), 1000)
			if err != nil {
				t.Fatal(err)
			}
			var toCustomer []string
			for _, m := range due {
				if m.To == string(outbox.WhatsApp(phone)) {
					toCustomer = append(toCustomer, m.Text)
				}
			}
			if len(toCustomer) != 1 || !strings.Contains(toCustomer[0], "نسخه ۵") {
				t.Errorf("to the customer %q, want the first answer only", toCustomer)
			}
			var edits, anons []telegramtest.Sent
			for _, s := range h.srv.SentTo(staffChat) {
				switch {
				case strings.Contains(s.Text, "ویرایش"):
					edits = append(edits, s)
				case strings.Contains(s.Text, "ناشناس"):
					anons = append(anons, s)
				}
			}
			if len(edits) != 1 || edits[0].ReplyTo != answer.Message.MessageID || edits[0].Thread != thread {
				t.Errorf("told of the edit %+v, want once, in reply to %d, in thread %d", edits, answer.Message.MessageID, thread)
			}
			if len(anons) != 1 || anons[0].ReplyTo != anon.Message.MessageID || anons[0].Thread != thread {
				t.Errorf("told the anonymous admin %+v, want once, in reply to %d, in thread %d", anons, anon.Message.MessageID, thread)
			}
		})
	}
}
