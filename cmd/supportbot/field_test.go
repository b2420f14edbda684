package main

import (
	"strings"
	"testing"

	"supportbot/locales"
)

// Transcript tests of how real customers write (docs/conversation.md),
// through the binary with the goodCSV customers: C-1 gold product, C-2
// bronze product in Mashhad, C-3 project silver with an hourly package.
// Each case is a habit that once got a wrong answer. 2026-11-29 is Sunday.

const (
	phoneC1 = "09121230001"
	phoneC2 = "09151230002"
	phoneC3 = "989121230003"
)

func TestFieldHabits(t *testing.T) {
	tests := []struct {
		name   string
		events []string
		check  func(t *testing.T, d *desk, out []sent)
	}{{
		// Customers and staff start lines with Latin words (CRM, Excel): the
		// relayed line must still lay out right to left.
		name: "latin first words keep lines right to left",
		events: []string{
			customer("2026-11-29T10:00:00+03:30", phoneC2, "ERP و CRM هر دو از صبح مشکل دارند"),
			customer("2026-11-29T10:00:20+03:30", phoneC2, "1"),
			customer("2026-11-29T10:00:40+03:30", phoneC2, "1"),
			customer("2026-11-29T10:01:00+03:30", phoneC2, "Excel هم باز نمی‌شود"),
			staff("2026-11-29T10:30:00+03:30", "Excel را ببندید و دوباره باز کنید", `"reply_to_ticket":1`),
		},
		check: func(t *testing.T, d *desk, out []sent) {
			if len(find(out, group, "CRM")) == 0 || len(find(out, waC2, "Excel را ببندید")) == 0 {
				t.Fatalf("the texts were not relayed:\n%s", dump(out))
			}
			for _, m := range out {
				for _, line := range strings.Split(m.Text, "\n") {
					if locales.LaysOutWrongWay(line) {
						t.Errorf("%s to %s: line %q lays out left to right", m.ID, m.To, line)
					}
				}
			}
		},
	}, {
		// «از صبح» ("since this morning") was read as thanks: answered
		// «خواهش می‌کنم» and left out of the ticket.
		name: "«از صبح» joins the description",
		events: []string{
			customer("2026-11-29T10:00:00+03:30", phoneC3, "پورتال بالا نمیاد"),
			customer("2026-11-29T10:00:05+03:30", phoneC3, "از صبح"),
			customer("2026-11-29T10:00:30+03:30", phoneC3, "1"),
			customer("2026-11-29T10:00:50+03:30", phoneC3, "1"),
			customer("2026-11-29T10:01:10+03:30", phoneC3, "3"),
		},
		check: func(t *testing.T, d *desk, out []sent) {
			if got := find(out, "whatsapp:+989121230003", "خواهش می‌کنم"); len(got) != 0 {
				t.Errorf("«از صبح» answered as thanks:\n%s", dump(got))
			}
			if got := find(out, group, "پورتال بالا نمیاد", "از صبح"); len(got) == 0 {
				t.Errorf("the card does not carry «از صبح»:\n%s", dump(out))
			}
		},
	}, {
		// An angry face is no thanks.
		name: "an angry emoji is not thanked",
		events: []string{
			customer("2026-11-29T10:00:00+03:30", phoneC2, "😡"),
		},
		check: func(t *testing.T, d *desk, out []sent) {
			if len(find(out, waC2)) != 1 || len(find(out, waC2, "خواهش می‌کنم")) != 0 {
				t.Errorf("want one reply, not a «you are welcome»:\n%s", dump(out))
			}
		},
	}, {
		// The score question waits after a close; the customer goes on in
		// the menus, and a «۲» there is a menu answer, not a score of 2 that
		// tells the managers the customer is unhappy.
		name: "a number after using the menus is not a score",
		events: []string{
			customer("2026-11-29T10:00:00+03:30", phoneC2, "خروجی اکسل خالی است"),
			customer("2026-11-29T10:00:20+03:30", phoneC2, "1"),
			customer("2026-11-29T10:00:40+03:30", phoneC2, "1"),
			staff("2026-11-29T10:10:00+03:30", "/close 1"),
			customer("2026-11-29T10:20:00+03:30", phoneC2, "منو"),
			customer("2026-11-29T10:20:10+03:30", phoneC2, "4"),
			customer("2026-11-29T10:20:30+03:30", phoneC2, "2"),
		},
		check: func(t *testing.T, d *desk, out []sent) {
			if tk := d.ticket("2026-11-29T11:00:00+03:30", 1); tk["csat"] != nil {
				t.Errorf("score %v stored from a menu answer", tk["csat"])
			}
			if got := find(out, "telegram:user:2001", "نارضایتی"); len(got) != 0 {
				t.Errorf("managers alerted of a score nobody gave:\n%s", dump(got))
			}
			if got := find(out, waC2, "از نظر شما سپاسگزاریم"); len(got) != 0 {
				t.Errorf("«۲» was thanked as a score:\n%s", dump(got))
			}
		},
	}, {
		// A customer copying a staff command: «/close» reopened the closed
		// ticket and went to staff as a customer message.
		name: "a staff command from a customer does nothing",
		events: []string{
			customer("2026-11-29T10:00:00+03:30", phoneC2, "خروجی اکسل خالی است"),
			customer("2026-11-29T10:00:20+03:30", phoneC2, "1"),
			customer("2026-11-29T10:00:40+03:30", phoneC2, "1"),
			staff("2026-11-29T10:10:00+03:30", "/close 1"),
			customer("2026-11-29T10:11:00+03:30", phoneC2, "/close"),
			customer("2026-11-29T10:12:00+03:30", phoneC2, "/tickets"),
		},
		check: func(t *testing.T, d *desk, out []sent) {
			if tk := d.ticket("2026-11-29T11:00:00+03:30", 1); tk["status"] != "closed" {
				t.Errorf("ticket %v after «/close» from the customer, want closed", tk["status"])
			}
			if got := find(out, group, "/close"); len(got) != 0 {
				t.Errorf("the customer's «/close» reached staff:\n%s", dump(got))
			}
			if got := find(out, waC2, "همکاران پشتیبانی"); len(got) != 2 {
				t.Errorf("want the staff-command answer twice:\n%s", dump(out))
			}
		},
	}, {
		// «درخواست ۲ چی شد؟» with two requests open: the customer said
		// which, and was asked «which request?» all the same.
		name: "a message naming its ticket goes to it",
		events: []string{
			customer("2026-11-29T10:00:00+03:30", phoneC1, "اپ موبایل کند است"),
			customer("2026-11-29T10:00:20+03:30", phoneC1, "1"),
			customer("2026-11-29T10:00:40+03:30", phoneC1, "1"),
			customer("2026-11-29T10:01:00+03:30", phoneC1, "منو"),
			customer("2026-11-29T10:01:10+03:30", phoneC1, "1"),
			customer("2026-11-29T10:01:20+03:30", phoneC1, "2"),
			customer("2026-11-29T10:01:30+03:30", phoneC1, "گزارش ماهانه کجاست؟"),
			customer("2026-11-29T11:00:00+03:30", phoneC1, "درخواست ٢ چی شد؟"),
		},
		check: func(t *testing.T, d *desk, out []sent) {
			if got := find(out, waC1, "مربوط به کدام درخواست"); len(got) != 0 {
				t.Errorf("asked which request although the message names it:\n%s", dump(got))
			}
			if got := find(out, group, "درخواست ٢ چی شد؟"); len(got) != 1 || got[0].Ticket != 2 {
				t.Errorf("want the message relayed on ticket 2:\n%s", dump(out))
			}
		},
	}, {
		// «۳» (my contract) then «۵» (sales) from the menu just shown: the
		// second number showed the main menu again.
		name: "a view keeps the main menu for the next number",
		events: []string{
			customer("2026-11-29T10:00:00+03:30", phoneC2, "سلام"),
			customer("2026-11-29T10:00:10+03:30", phoneC2, "۳"),
			customer("2026-11-29T10:00:30+03:30", phoneC2, "۵"),
		},
		check: func(t *testing.T, d *desk, out []sent) {
			got := find(out, waC2)
			if len(got) != 3 || !strings.Contains(got[2].Text, "فروش و پشتیبانی ویژه") {
				t.Errorf("«۵» after the contract view did not show sales:\n%s", dump(out))
			}
		},
	}, {
		// Asking for the phone number during a power cut started a request
		// («پیام شما دریافت شد… نوع درخواست») instead of giving the numbers.
		name: "asking for the phone number gets it, with the fallback",
		events: []string{
			`{"at":"2026-11-29T09:00:00+03:30","telegram":{"chat":"private","user":2001,"name":"Reza"},"text":"/outage on"}`,
			customer("2026-11-29T10:00:00+03:30", phoneC2, "شماره تلفن پشتیبانی چنده؟"),
		},
		check: func(t *testing.T, d *desk, out []sent) {
			got := find(out, waC2)
			if len(got) != 1 || !strings.Contains(got[0].Text, "۰۲۱۹۱۰۰۱۲۳۴") || !strings.Contains(got[0].Text, "۰۹۱۹۸۹۰۶۸۵۰") ||
				strings.Contains(got[0].Text, "نوع درخواست") {
				t.Errorf("want the support and fallback numbers, no request:\n%s", dump(out))
			}
		},
	}, {
		// A sticker reaches the conversation as «[استیکر]» (bot/whatsapp):
		// it started a request («نوع درخواست …») like a description, and on
		// an open ticket went to staff.
		name: "a sticker is no description",
		events: []string{
			customer("2026-11-29T10:00:00+03:30", phoneC2, "[استیکر]"),
			customer("2026-11-29T10:05:00+03:30", phoneC2, "خروجی اکسل خالی است"),
			customer("2026-11-29T10:05:20+03:30", phoneC2, "1"),
			customer("2026-11-29T10:05:40+03:30", phoneC2, "1"),
			customer("2026-11-29T10:10:00+03:30", phoneC2, "[استیکر]"),
		},
		check: func(t *testing.T, d *desk, out []sent) {
			if got := find(out, waC2); len(got) == 0 || strings.Contains(got[0].Text, "نوع درخواست") {
				t.Errorf("a sticker started a request:\n%s", dump(out))
			}
			if got := find(out, group, "استیکر"); len(got) != 0 {
				t.Errorf("a sticker reached staff:\n%s", dump(got))
			}
		},
	}, {
		// «ممنون، حل شد» after the close reopened the ticket and told staff
		// «تیکت ۱ … دوباره باز شد».
		name: "thanks, it is solved, does not reopen",
		events: []string{
			customer("2026-11-29T10:00:00+03:30", phoneC2, "خروجی اکسل خالی است"),
			customer("2026-11-29T10:00:20+03:30", phoneC2, "1"),
			customer("2026-11-29T10:00:40+03:30", phoneC2, "1"),
			staff("2026-11-29T10:30:00+03:30", "کش مرورگر را پاک کنید", `"reply_to_ticket":1`),
			staff("2026-11-29T10:31:00+03:30", "/close 1"),
			customer("2026-11-29T10:40:00+03:30", phoneC2, "ممنون، حل شد"),
		},
		check: func(t *testing.T, d *desk, out []sent) {
			if tk := d.ticket("2026-11-29T11:00:00+03:30", 1); tk["status"] != "closed" {
				t.Errorf("ticket %v after «ممنون، حل شد», want closed", tk["status"])
			}
			if got := find(out, group, "ممنون، حل شد"); len(got) != 0 {
				t.Errorf("staff told of a reopening:\n%s", dump(got))
			}
		},
	}, {
		// «درخواستم چی شد؟» with nothing open got «which kind of request?»,
		// on the way to a new ticket whose problem is the question.
		name: "a status question with nothing open lists the requests",
		events: []string{
			customer("2026-11-29T10:00:00+03:30", phoneC2, "سلام، درخواستم چی شد؟"),
		},
		check: func(t *testing.T, d *desk, out []sent) {
			got := find(out, waC2)
			if len(got) != 1 || strings.Contains(got[0].Text, "نوع درخواست") || !strings.Contains(got[0].Text, "درخواستی") {
				t.Errorf("want the (empty) list of requests, no new request:\n%s", dump(out))
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDesk(t, "fa")
			tt.check(t, d, d.play(tt.events...))
		})
	}
}
