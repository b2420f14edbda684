package bot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"supportbot/export"
	"supportbot/outbox"
	"supportbot/store"
)

// customerWords is what customers send, as they send it: greetings,
// numbers in three digit scripts and in words, menu words, thanks and
// emoji, problems in one long message, follow-ups, and files.
var customerWords = []string{
	"سلام", "سلام وقت بخیر", "سلام و عرض ادب", "0", "۰", "منو", "لغو", "1", "۱", "١", "2", "۲", "٢", "3", "۳", "5", "10", "۱۰",
	"گزینه ۱", "یک", "دو", "بحرانی", "مهم", "عادی", "ممنون", "مرسی 🙏", "دستتون درد نکنه", "باشه", "ok", "👍", "🌹",
	"از دیروز گزارش فروش ماهانه در اپ موبایل باز نمیشه و خطای ۵۰۰ میده", "کی جواب میدید؟", "نشد، هنوز همان خطا را می‌دهد",
	"چطور کاربر جدید تعریف کنم؟", "؟", "", "\u200f۲\u200e", "3️⃣", "خروجي اكسل خالي است",
}

// TestEveryCustomerMessageIsInTheExport sends random sequences of customer
// messages (and, among them, staff answers and closes, and pauses), through
// the real engine on a real database, and checks the property the
// conversation promises: every message received is in export -messages,
// once, in order, with where it went; a message on a ticket names a ticket
// of that customer.
func TestEveryCustomerMessageIsInTheExport(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4, 5, 6, 7, 8}
	if testing.Short() {
		seeds = seeds[:2]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			f := newEngineFixture(t)
			ctx := context.Background()
			r := rand.New(rand.NewPCG(seed, seed*7919))
			phones := []string{phoneSilver, phoneProj, phoneGold, "+989359990000"}
			now := f.at
			type sent struct {
				phone, text string
				file        bool
			}
			var want []sent
			for i := range 120 {
				now = now.Add(time.Duration(r.IntN(200)) * time.Second)
				if r.IntN(10) == 0 {
					now = now.Add(time.Duration(r.IntN(72)) * time.Hour)
				}
				switch r.IntN(12) {
				case 0: // a staff answer or close on some ticket
					ts, err := f.db.ListTickets(ctx, store.TicketFilter{OpenOnly: true})
					if err != nil {
						t.Fatal(err)
					}
					if len(ts) == 0 {
						continue
					}
					tk := ts[r.IntN(len(ts))]
					in := StaffInput{At: now, Chat: ChatStaff, UserID: 1001, UserName: "Sara", Text: "لطفاً نسخه را بفرستید", ReplyToTicket: tk.ID}
					if r.IntN(2) == 0 {
						in = StaffInput{At: now, Chat: ChatStaff, UserID: 1001, UserName: "Sara", Text: fmt.Sprintf("/close %d", tk.ID)}
					}
					if err := f.eng.HandleStaff(ctx, fmt.Sprintf("u%d", i), in); err != nil {
						t.Fatal(err)
					}
					continue
				}
				m := CustomerMessage{ID: fmt.Sprintf("w%d", i), Phone: phones[r.IntN(len(phones))], At: now,
					Text: customerWords[r.IntN(len(customerWords))]}
				if r.IntN(6) == 0 {
					m.File = &store.File{Kind: "image", Name: fmt.Sprintf("s%d.jpg", i), Bytes: 4000}
				}
				if err := f.eng.HandleCustomer(ctx, m); err != nil {
					t.Fatalf("message %d %q: %v", i, m.Text, err)
				}
				want = append(want, sent{m.Phone, strings.ToValidUTF8(m.Text, "\uFFFD"), m.File != nil})
			}
			msgs, err := export.Messages(ctx, f.db, f.loc)
			if err != nil {
				t.Fatal(err)
			}
			tickets, err := f.db.ListTickets(ctx, store.TicketFilter{})
			if err != nil {
				t.Fatal(err)
			}
			owner := map[int64]string{}
			for _, tk := range tickets {
				owner[tk.ID] = tk.CustomerID
			}
			var got []export.Message
			for _, m := range msgs {
				if m.From == "customer" {
					got = append(got, m)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("export lists %d customer messages, %d were sent", len(got), len(want))
			}
			for i, w := range want {
				g := got[i]
				if g.Phone != w.phone || g.Text != w.text || (g.File != nil) != w.file {
					t.Errorf("message %d: export %s %q file=%v, sent %s %q file=%v", i, g.Phone, g.Text, g.File != nil, w.phone, w.text, w.file)
				}
				if g.Route == nil || *g.Route == "" {
					t.Errorf("message %d %q: no route", i, w.text)
				}
				if g.Ticket != nil {
					c, err := f.db.CustomerByPhone(ctx, g.Phone)
					if err != nil || owner[*g.Ticket] != c.ID {
						t.Errorf("message %d %q from %s on ticket %d of %s", i, w.text, g.Phone, *g.Ticket, owner[*g.Ticket])
					}
				}
			}
		})
	}
}

func TestStaffNamesReachCustomersOnlyAsConfigured(t *testing.T) {
	tests := []struct {
		user     int64
		name     string
		want     string
		notShown string
	}{
		{1002, "Reza K", "رضا کریمی", "Reza"},
		{1001, "Sara", "کارشناس پشتیبانی", "Sara"},
	}
	for _, tt := range tests {
		f := newDeskFixture(t)
		f.desk.cfg.StaffNames = map[int64]string{1002: "رضا کریمی"}
		tk := f.ticket(t, "A-1", phoneSilver, "question", "")
		sent := f.handle(t, StaffInput{At: f.at.Add(time.Hour), Chat: ChatStaff, UserID: tt.user, UserName: tt.name,
			Text: "از منوی گزارش‌ها", ReplyToTicket: tk.ID})
		m := only(t, sent)
		if !strings.Contains(m.Text, tt.want) || strings.Contains(m.Text, tt.notShown) {
			t.Errorf("user %d: customer reads %q, want %q and never %q", tt.user, m.Text, tt.want, tt.notShown)
		}
		msgs, err := export.Messages(context.Background(), f.db, f.loc)
		if err != nil {
			t.Fatal(err)
		}
		last := msgs[len(msgs)-1]
		if last.From != "staff" || last.User == nil || *last.User != tt.user || last.Internal {
			t.Errorf("export %+v, want the staff message with its user", last)
		}
	}
}

func TestUnknownNumberGetsOneCardADay(t *testing.T) {
	f := newEngineFixture(t)
	phone := "+989351234567"
	var cards, under, replies int
	for i, at := range []time.Time{f.at, f.at.Add(10 * time.Second), f.at.Add(20 * time.Second), f.at.Add(30 * time.Minute),
		f.at.Add(90 * time.Minute), f.at.Add(24 * time.Hour)} {
		for _, m := range f.say(t, CustomerMessage{ID: fmt.Sprint("u", i), Phone: phone, At: at, Text: fmt.Sprintf("پیام %d", i)}) {
			switch {
			case m.To == string(outbox.WhatsApp(phone)):
				replies++
			case m.To == string(outbox.StaffGroup) && m.ReplyTo == 0:
				cards++
			case m.To == string(outbox.StaffGroup):
				under++
			}
		}
	}
	// Day one: a card, four messages under it, the welcome and one more
	// reply after an hour; day two: a new card and a new welcome.
	if cards != 2 || under != 4 || replies != 3 {
		t.Errorf("cards %d, relayed under a card %d, replies %d; want 2, 4, 3", cards, under, replies)
	}
}

func TestDeclineSaysTheQuotaOnlyWhereThereIsOne(t *testing.T) {
	for _, tt := range []struct {
		contract, phone string
		quota           bool
	}{
		{"A-1", phoneSilver, true}, // silver: 10 requests a month
		{"G-1", phoneGold, false},  // gold: unlimited
		{"A-3", phoneProj, false},  // project
	} {
		f := newDeskFixture(t)
		tk := f.ticket(t, tt.contract, tt.phone, "question", "")
		sent := f.handle(t, StaffInput{At: f.at.Add(time.Hour), Chat: ChatStaff, UserID: 1001, Text: fmt.Sprintf("/decline %d misuse", tk.ID)})
		var text string
		for _, m := range sent {
			if m.To == string(outbox.WhatsApp(tt.phone)) {
				text = m.Text
			}
		}
		if got := strings.Contains(text, f.p.T("desk.declined.quota", nil)); got != tt.quota {
			t.Errorf("%s: quota sentence %v, want %v:\n%s", tt.contract, got, tt.quota, text)
		}
	}
}

func TestCommandsIgnoreDirectionMarks(t *testing.T) {
	f := newDeskFixture(t)
	tk := f.ticket(t, "A-1", phoneSilver, "question", "")
	// Ids as the bot prints them, copied with their invisible marks.
	for _, cmd := range []string{
		"/usage \u200eP-1\u200e", "/usage \u2068P-1\u2069", "\u200f/usage P-1",
		fmt.Sprintf("/ticket \u2068%d\u2069", tk.ID), fmt.Sprintf("/claim \u200e%d\u200e", tk.ID),
		"/link \u2068+989351234567\u2069 \u2068P-1\u2069",
	} {
		sent := f.handle(t, StaffInput{At: f.at.Add(time.Hour), Chat: ChatStaff, UserID: 1001, Text: cmd})
		for _, m := range sent {
			if strings.Contains(m.Text, "پیدا نشد") || strings.Contains(m.Text, "معتبری نیست") || strings.Contains(m.Text, "شماره تیکت نیست") || strings.Contains(m.Text, "[desk.") {
				t.Errorf("%q: %s", cmd, m.Text)
			}
		}
		if len(sent) == 0 {
			t.Errorf("%q: no answer", cmd)
		}
	}
	if c, err := f.db.CustomerByPhone(context.Background(), "+989351234567"); err != nil || c.ID != "P-1" {
		t.Errorf("linked to %+v, %v", c, err)
	}
}
