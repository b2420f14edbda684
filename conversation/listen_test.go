package conversation

import (
	"context"
	"slices"
	"testing"
	"time"

	"supportbot/rules"
	"supportbot/store"
)

// Tests of "The customer conversation: what every message gets"
// (docs/conversation.md), written as customers write: greetings first,
// the problem in one long message, Arabic-keyboard digits, words for
// numbers, photo bursts and thanks.

// photo is a screenshot as WhatsApp delivers it.
func photo(name string) *store.File { return &store.File{Kind: "image", Name: name, Bytes: 48211} }

func TestDescriptionFirst(t *testing.T) {
	desc := "سلام وقت بخیر. از دیروز گزارش فروش ماهانه در اپ موبایل باز نمیشه و خطای ۵۰۰ میده"
	tests := []struct {
		name    string
		phone   string
		answers []string // what the bot asks, answered as customers answer
		asked   [][]string
		kind    rules.RequestKind
		sev     rules.Severity
	}{
		{"silver: kind and severity in Arabic digits and words", phoneSilver, []string{"١", "بحرانی"},
			[][]string{{"kind.title_draft"}, {"severity.title", "severity.option"}}, rules.RequestProblem, rules.SeverityCritical},
		{"silver: «گزینه ۲» for a question asks no severity", phoneSilver, []string{"گزینه ۲"},
			[][]string{{"kind.title_draft"}}, rules.RequestQuestion, ""},
		{"several contracts: the contract first", phoneMulti, []string{"1", "2"},
			[][]string{{"contract_pick.title"}, {"kind.title_draft"}}, rules.RequestQuestion, ""},
		{"«یک» and «دو»", phoneGold, []string{"یک", "دو"},
			[][]string{{"kind.title_draft"}, {"severity.title"}}, rules.RequestProblem, rules.SeverityImportant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fixture()
			c := newChat(t, f, tt.phone, sunday10)
			r := c.send(desc)
			first := c.last
			wantKeys(t, r, tt.asked[0]...)
			noKeys(t, r, "menu.title", "describe.prompt", "hint.invalid_choice")
			for i, a := range tt.answers {
				r = c.send(a)
				if i+1 < len(tt.asked) {
					wantKeys(t, r, tt.asked[i+1]...)
				}
				noKeys(t, r, "describe.prompt", "hint.invalid_choice")
			}
			wantKeys(t, r, "ticket.opened")
			if len(f.tickets) != 1 {
				t.Fatalf("tickets %+v", f.tickets)
			}
			tk := f.tickets[0]
			if tk.Description != desc || tk.Kind != tt.kind || tk.Severity != tt.sev {
				t.Errorf("ticket %q %s %s, want the first message, %s %s", tk.Description, tk.Kind, tk.Severity, tt.kind, tt.sev)
			}
			if got := f.routes[first]; got != (routed{tk.ID, store.RouteTicket}) {
				t.Errorf("first message went to %+v, want the ticket", got)
			}
			if ev := eventsOf(r, TicketOpened); len(ev) != 1 || ev[0].Message.Text != desc {
				t.Errorf("staff event %+v, want the description on the card", r.Events)
			}
			wantState(t, c, stateIdle)
		})
	}
}

func TestGreetingAloneStillShowsTheMenu(t *testing.T) {
	for _, text := range []string{"سلام", "سلام وقت بخیر", "سلام و عرض ادب", "سلام 🙏", "درود، خسته نباشید"} {
		c := newChat(t, fixture(), phoneSilver, sunday10)
		r := c.send(text)
		wantKeys(t, r, "greeting", "menu.title")
		wantState(t, c, stateMainMenu)
	}
	// A bare number with no menu on screen starts nothing: the menu.
	f := fixture()
	c := newChat(t, f, phoneBronze, sunday10)
	c.sendAll("0", "1", "3") // remote: not in bronze, denied; no menu on screen
	r := c.send("1")
	wantKeys(t, r, "menu.title")
	if len(f.tickets) != 0 {
		t.Errorf("tickets %+v", f.tickets)
	}
}

func TestFileFirstStartsARequest(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneSilver, sunday10)
	r := c.sendFile("", photo("error.png"))
	wantKeys(t, r, "kind.title_draft")
	r = c.sendAll("2")
	wantKeys(t, r, "ticket.opened")
	if len(f.messages) != 1 || f.messages[0].File == nil || f.messages[0].TicketID != 1 {
		t.Errorf("messages %+v, want the photo on ticket 1", f.messages)
	}
}

func TestGreetingMidFlow(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneSilver, sunday10)
	c.sendAll("0", "1")
	r := c.send("سلام")
	// A bare «سلام» gets «سلام، وقت بخیر», not «وقت شما هم بخیر» (a wish
	// the customer did not make).
	wantKeys(t, r, "greeting.again_plain", "kind.title")
	noKeys(t, r, "greeting.again")
	wantState(t, c, statePickKind)
	wantKeys(t, c.send("صبح بخیر"), "greeting.again")
	c.send("2")
	r = c.send("سلام وقت بخیر")
	wantKeys(t, r, "greeting.again", "describe.prompt")
	wantState(t, c, stateDescribe)
	if len(f.tickets) != 0 {
		t.Fatalf("a greeting became the description: %+v", f.tickets)
	}
	r = c.send("خروجی اکسل گزارش‌ها خالی است")
	wantKeys(t, r, "ticket.opened")
	if f.tickets[0].Description != "خروجی اکسل گزارش‌ها خالی است" {
		t.Errorf("description %q", f.tickets[0].Description)
	}
}

func TestPhotoBurstWhileAMenuIsOnScreen(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneSilver, sunday10)
	c.send("از صبح نرم‌افزار بالا نمیاد")
	replies := 0
	for i := range 6 {
		if r := c.sendFile("", photo("s"+string(rune('1'+i))+".jpg")); len(r.Replies) > 0 {
			replies++
			wantKeys(t, r, "draft.kept", "kind.title")
		}
		wantState(t, c, statePickKind)
	}
	if replies != 1 {
		t.Errorf("%d replies to six photos, want 1", replies)
	}
	r := c.sendAll("1", "3")
	wantKeys(t, r, "ticket.opened")
	if n := len(f.messages); n != 7 {
		t.Errorf("%d messages on the ticket, want the text and six photos", n)
	}
	for _, m := range f.messages {
		if m.TicketID != 1 {
			t.Errorf("message %+v not on ticket 1", m)
		}
	}
}

func TestOpenTicketGreetThenAsk(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneSilver, sunday10)
	c.sendAll("0", "1", "2", "پرسش درباره تنظیمات اعلان‌ها")
	c.now = c.now.Add(time.Hour)
	r := c.send("سلام")
	wantKeys(t, r, "menu.title")
	r = c.send("کی جواب میدید؟")
	wantKeys(t, r, "followup.added_due")
	if got := line(t, r, "followup.added_due").Args["due"].(nearTime).DayTime(); !got.Equal(f.tickets[0].FirstResponseDue) {
		t.Errorf("promised %s, want the ticket's deadline %s", got, f.tickets[0].FirstResponseDue)
	}
	r = c.sendFile("", photo("screen.png"))
	if len(r.Replies) != 0 {
		t.Errorf("a second acknowledgement within 2 minutes: %v", keys(r))
	}
	if ev := eventsOf(r, FollowUp); len(ev) != 1 || ev[0].Message.File == nil {
		t.Errorf("the screenshot did not reach staff: %+v", r.Events)
	}
	// After the first answer the acknowledgement gives the status.
	f.tickets[0].FirstResponseAt, f.tickets[0].Status = c.now, store.TicketAnswered
	c.now = c.now.Add(3 * time.Minute)
	r = c.send("هنوز مشکل دارم")
	wantKeys(t, r, "followup.added_status")
	if len(f.messages) != 4 {
		t.Errorf("%d messages, want the description and three follow-ups", len(f.messages))
	}
}

func TestTicketPickerByTrackingNumber(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		want   int64 // 0: a new request
	}{
		{"Persian digit", "۱", 1},
		{"Arabic-keyboard digit", "٢", 2},
		{"with a word", "شماره 1", 1},
		{"zero keeps the messages for a new request", "0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fixture()
			c := newChat(t, f, phoneSilver, sunday10)
			c.sendAll("0", "1", "2", "سؤال اول درباره گزارش فروش")
			c.sendAll("0", "1", "2", "سؤال دوم")
			r := c.send("این هم توضیح بیشتر")
			wantKeys(t, r, "followup.which", "ticket_pick.item")
			var listed []int
			for _, l := range lines(r) {
				if l.Key == "ticket_pick.item" {
					listed = append(listed, l.Args["id"].(int))
					if _, ok := l.Args["n"]; ok {
						t.Errorf("a second numbering: %v", l.Args)
					}
				}
			}
			if !slices.Equal(listed, []int{2, 1}) {
				t.Errorf("listed %v, want tracking numbers 2, 1", listed)
			}
			r = c.send(tt.answer)
			if tt.want == 0 {
				wantKeys(t, r, "kind.title_draft")
				r = c.send("2")
				wantKeys(t, r, "ticket.opened")
				if len(f.tickets) != 3 || f.tickets[2].Description != "این هم توضیح بیشتر" {
					t.Errorf("new ticket %+v, want the waiting message as its description", f.tickets[2:])
				}
				return
			}
			wantKeys(t, r, "followup.added_due")
			last := f.messages[len(f.messages)-1]
			if last.TicketID != tt.want || last.Text != "این هم توضیح بیشتر" {
				t.Errorf("filed %+v, want on ticket %d", last, tt.want)
			}
		})
	}
	t.Run("a ticket opened with a photo only", func(t *testing.T) {
		f := fixture()
		c := newChat(t, f, phoneSilver, sunday10)
		c.sendAll("0", "1", "2")
		c.sendFile("", photo("only.png"))
		c.sendAll("0", "1", "2", "سؤال دوم")
		r := c.send("توضیح")
		wantKeys(t, r, "ticket_pick.item", "ticket_pick.item_plain")
	})
	t.Run("a number not listed", func(t *testing.T) {
		f := fixture()
		c := newChat(t, f, phoneSilver, sunday10)
		c.sendAll("0", "1", "2", "الف", "0", "1", "2", "ب", "ج")
		r := c.send("7")
		wantKeys(t, r, "ticket_pick.invalid", "ticket_pick.item")
		wantState(t, c, statePickTicket)
	})
}

func TestCourtesy(t *testing.T) {
	// Thanks is answered as thanks; agreement and other emoji get a reply
	// that fits them: «خواهش می‌کنم» to «باشه» or 😡 reads wrong.
	courteous := []struct{ text, reply string }{
		{"ممنون", "courtesy.reply"}, {"مرسی", "courtesy.reply"}, {"متشکرم", "courtesy.reply"}, {"سپاس", "courtesy.reply"},
		{"دستتون درد نکنه", "courtesy.reply"}, {"🙏", "courtesy.reply"}, {"🌹", "courtesy.reply"}, {"مرسی 🙏🌹", "courtesy.reply"},
		{"خیلی ممنون", "courtesy.reply"}, {"ممنونم از شما", "courtesy.reply"}, {"سلام، ممنون", "courtesy.reply"},
		{"thanks", "courtesy.reply"}, {"لطف کردید", "courtesy.reply"}, {"باشه ممنون", "courtesy.reply"},
		{"باشه", "courtesy.agree"}, {"اوکی", "courtesy.agree"}, {"ok", "courtesy.agree"}, {"OK!", "courtesy.agree"},
		{"👍", "courtesy.agree"}, {"چشم", "courtesy.agree"},
		{"😡", "courtesy.emoji"}, {"😢😢", "courtesy.emoji"}, {"🤔", "courtesy.emoji"},
		{"[استیکر]", "courtesy.emoji"}, {"[sticker]", "courtesy.emoji"}, // what the WhatsApp adapter makes of a sticker
	}
	for _, tt := range courteous {
		text := tt.text
		t.Run(text, func(t *testing.T) {
			f := fixture()
			c := newChat(t, f, phoneSilver, sunday10)
			c.sendAll("0", "1", "2", "پرسش درباره تنظیمات اعلان‌ها")
			f.tickets[0].FirstResponseAt, f.tickets[0].Status = c.now, store.TicketAnswered
			c.now = c.now.Add(5 * time.Minute)
			before := c.f.sessions[phoneSilver]
			r := c.send(text)
			if got := keys(r); !slices.Equal(got, []string{tt.reply}) {
				t.Errorf("reply %v, want %s", got, tt.reply)
			}
			if len(r.Events) != 0 || len(f.messages) != 1 || len(f.tickets) != 1 {
				t.Errorf("courtesy relayed or filed: events %v, messages %d, tickets %d", r.Events, len(f.messages), len(f.tickets))
			}
			if got := f.routes[c.last]; got != (routed{1, store.RouteCourtesy}) {
				t.Errorf("stored as %+v, want courtesy on the latest ticket", got)
			}
			if after := c.f.sessions[phoneSilver]; after.State != before.State || !after.UpdatedAt.Equal(before.UpdatedAt) {
				t.Errorf("state changed: %+v -> %+v", before, after)
			}
			if r := c.send(text); len(r.Replies) != 0 {
				t.Errorf("a second courtesy reply within 2 minutes: %v", keys(r))
			}
		})
	}
	// Words that go with thanks or greetings («از»، «شما»، «صبح») are no
	// thanks or greeting alone: «از صبح» is part of a description.
	for _, text := range []string{"ممنون ولی هنوز خطا میده", "سلام 🙏", "1", "مرسی، فایل را هم فرستادم؟", "از صبح", "از شما",
		"شما", "از دیروز عصر", "درد", "صبح", "شب", "خیر"} {
		if isCourtesy(text) {
			t.Errorf("isCourtesy(%q) = true", text)
		}
	}
	for _, text := range []string{"از صبح", "صبح", "روز به روز", "خیر", "شب", "وقت"} {
		if isGreeting(text) {
			t.Errorf("isGreeting(%q) = true", text)
		}
	}
	for _, text := range []string{"سلام", "صبح بخیر", "صبح به خیر", "سلام وقت بخیر", "عرض ادب", "خسته نباشید", "good morning", "Hi"} {
		if !isGreeting(text) {
			t.Errorf("isGreeting(%q) = false", text)
		}
	}
	t.Run("«از صبح» at the contract menu joins the description", func(t *testing.T) {
		c := newChat(t, fixture(), phoneSilver, sunday10)
		c.send("گزارش فروش باز نمی‌شود")
		r := c.send("از صبح")
		noKeys(t, r, "courtesy.reply", "courtesy.agree", "courtesy.emoji", "menu.title")
		if got := c.f.routes[c.last]; got.route != store.RouteWaiting {
			t.Errorf("«از صبح» stored as %+v, want waiting with the description", got)
		}
	})
	t.Run("mid-flow keeps the menu", func(t *testing.T) {
		c := newChat(t, fixture(), phoneSilver, sunday10)
		c.sendAll("0", "1")
		r := c.send("مرسی")
		wantKeys(t, r, "courtesy.reply")
		noKeys(t, r, "menu.title", "kind.title")
		wantState(t, c, statePickKind)
		wantKeys(t, c.send("2"), "describe.prompt")
	})
}

func TestReopenAfterClose(t *testing.T) {
	tests := []struct {
		name       string
		closedAgo  time.Duration
		status     store.TicketStatus
		answered   bool
		reopenDays int
		text       string
		reopened   bool
	}{
		{"next day", 24 * time.Hour, store.TicketClosed, true, 0, "نشد، هنوز همان خطا را می‌دهد", true},
		{"seventh day", 7 * 24 * time.Hour, store.TicketClosed, false, 0, "هنوز خطا میده", true},
		{"eighth day", 8 * 24 * time.Hour, store.TicketClosed, true, 0, "هنوز خطا میده", false},
		{"configured 2 days", 3 * 24 * time.Hour, store.TicketClosed, true, 2, "هنوز خطا میده", false},
		{"a photo", time.Hour, store.TicketClosed, true, 0, "", true},
		{"declined", time.Hour, store.TicketDeclined, true, 0, "چرا رد شد؟", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fixture()
			closed := sunday10.Add(-tt.closedAgo)
			f.tickets = append(f.tickets, store.Ticket{ID: 1, ContractID: "A-2", CustomerID: "P-2", Phone: phoneBronze,
				Kind: rules.RequestProblem, Severity: rules.SeverityNormal, Status: tt.status,
				OpenedAt: closed.Add(-time.Hour), FirstResponseDue: closed, ClosedAt: closed,
				CSATPending: tt.status == store.TicketClosed, CSATAskedAt: closed})
			if tt.answered {
				f.tickets[0].FirstResponseAt = closed.Add(-time.Minute)
			}
			cfg := testConfig
			cfg.ReopenDays = tt.reopenDays
			c := newChat(t, f, phoneBronze, sunday10)
			c.m = New(newPolicy(), cfg)
			var r Result
			if tt.text == "" {
				r = c.sendFile("", photo("still.png"))
			} else {
				r = c.send(tt.text)
			}
			tk := f.tickets[0]
			if !tt.reopened {
				noKeys(t, r, "followup.reopened")
				if tk.Status != tt.status {
					t.Errorf("status %s, want unchanged", tk.Status)
				}
				wantKeys(t, r, "kind.title_draft")
				return
			}
			wantKeys(t, r, "followup.reopened")
			want := store.TicketNew
			if tt.answered {
				want = store.TicketAnswered
			}
			if tk.Status != want || !tk.ClosedAt.IsZero() || len(f.tickets) != 1 {
				t.Errorf("ticket %+v, want reopened as %s and no new ticket", tk, want)
			}
			if tk.CSATPending {
				t.Errorf("the satisfaction question still waits on the reopened ticket")
			}
			if ev := eventsOf(r, FollowUp); len(ev) != 1 || !ev[0].Reopened {
				t.Errorf("staff not told of the reopening: %+v", r.Events)
			}
		})
	}
	t.Run("courtesy, greeting and a bare number do not reopen", func(t *testing.T) {
		for _, text := range []string{"مرسی", "سلام", "5"} {
			f := fixture()
			f.tickets = append(f.tickets, store.Ticket{ID: 1, ContractID: "A-2", CustomerID: "P-2", Phone: phoneBronze,
				Kind: rules.RequestQuestion, Status: store.TicketClosed, OpenedAt: sunday10.Add(-2 * time.Hour),
				FirstResponseAt: sunday10.Add(-2 * time.Hour), ClosedAt: sunday10.Add(-time.Hour)})
			c := newChat(t, f, phoneBronze, sunday10)
			r := c.send(text)
			noKeys(t, r, "followup.reopened")
			if f.tickets[0].Status != store.TicketClosed {
				t.Errorf("%q reopened the ticket", text)
			}
		}
	})
}

func TestKindMenuShowsCoveredKindsUnderStableCodes(t *testing.T) {
	tests := []struct {
		phone string
		codes []int
	}{
		{phoneBronze, []int{1, 2, 4, 10}},
		{phoneSilver, []int{1, 2, 3, 4, 10}},
		{phoneProjSilv, []int{1, 2, 3, 5, 6, 7, 8}},
	}
	for _, tt := range tests {
		c := newChat(t, fixture(), tt.phone, sunday10)
		r := c.sendAll("0", "1")
		var codes []int
		for _, l := range lines(r) {
			if l.Key == "option" {
				codes = append(codes, l.Args["n"].(int))
			}
		}
		if !slices.Equal(codes, tt.codes) {
			t.Errorf("%s: kind codes %v, want %v", tt.phone, codes, tt.codes)
		}
	}
	// The code of a kind not covered is still refused by name.
	f := fixture()
	c := newChat(t, f, phoneBronze, sunday10)
	r := c.sendAll("0", "1", "3")
	wantKeys(t, r, "denial.not_in_tier")
	if d := f.denialsOf(rules.DenyNotInTier); len(d) != 1 || d[0].Kind != rules.RequestRemote {
		t.Errorf("denials %+v", d)
	}
}

func TestSeverityNotCoveredOffersAProblemReport(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneProjSilv, sunday10)
	c.send("سرور برنامه بالا نمیاد، لطفاً یک نفر بیاد")
	r := c.sendAll("5", "مهم")
	wantKeys(t, r, "denial.severity_not_covered", "denial.try_problem")
	wantState(t, c, stateOffer)
	r = c.send("۱")
	wantKeys(t, r, "ticket.opened")
	if tk := f.tickets[0]; tk.Kind != rules.RequestProblem || tk.Severity != rules.SeverityImportant || tk.Description != "سرور برنامه بالا نمیاد، لطفاً یک نفر بیاد" {
		t.Errorf("ticket %+v, want the description as an important problem", tk)
	}
	// Anything else leaves the offer: the draft was refused.
	f = fixture()
	c = newChat(t, f, phoneProjSilv, sunday10)
	c.sendAll("0", "1", "5", "1")
	r = c.send("سلام")
	wantKeys(t, r, "menu.title")
	if len(f.tickets) != 0 {
		t.Errorf("tickets %+v", f.tickets)
	}
}

func TestRefundOnlyForProducts(t *testing.T) {
	r := newChat(t, fixture(), phoneProjSilv, sunday10).sendAll("0", "5")
	wantKeys(t, r, "sales.refund_none")
	noKeys(t, r, "sales.refund", "sales.refund_open")
	r = newChat(t, fixture(), phoneSilver, sunday10).sendAll("0", "5")
	wantKeys(t, r, "sales.refund")
	noKeys(t, r, "sales.refund_none")
}

func TestUnknownNumberDescriptionCarriedAfterLink(t *testing.T) {
	f := fixture()
	c := newChat(t, f, phoneUnknown, sunday10)
	c.send("سلام")
	c.send("از شرکت نمونه یک هستم، خروجی اکسل گزارش‌ها خالی است")
	carried := c.last
	c.send("ممنون")
	c.sendFile("", photo("excel.png"))
	// /link keeps the session (the desk calls Linked instead of resetting it).
	kept := f.sessions[phoneUnknown]
	f.link(phoneUnknown, "P-1")
	f.sessions[phoneUnknown] = kept
	r, err := c.m.Linked(context.Background(), f, phoneUnknown, c.now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	record(r)
	wantKeys(t, r, "kind.title")
	c.now = c.now.Add(2 * time.Minute)
	r = c.send("2")
	wantKeys(t, r, "ticket.opened")
	if len(f.messages) != 2 || f.messages[1].File == nil {
		t.Errorf("messages %+v, want the description and the photo sent after it", f.messages)
	}
	if len(f.tickets) != 1 || f.tickets[0].Description != "از شرکت نمونه یک هستم، خروجی اکسل گزارش‌ها خالی است" || f.tickets[0].CustomerID != "P-1" {
		t.Fatalf("tickets %+v", f.tickets)
	}
	if got := f.routes[carried]; got != (routed{1, store.RouteTicket}) {
		t.Errorf("carried message went to %+v", got)
	}
	// Without a description the number just starts afresh.
	f2 := fixture()
	c2 := newChat(t, f2, phoneUnknown, sunday10)
	c2.sendAll("سلام", "ممنون")
	f2.phones[phoneUnknown] = "P-1"
	r, err = c2.m.Linked(context.Background(), f2, phoneUnknown, c2.now.Add(time.Minute))
	if err != nil || len(r.Replies) != 0 {
		t.Fatalf("Linked = %+v, %v; want nothing to say", r, err)
	}
}

func TestReadChoice(t *testing.T) {
	tests := []struct {
		text string
		max  int
		want int
		ok   bool
	}{
		{"1", 3, 1, true}, {"۲", 3, 2, true}, {"٣", 3, 3, true}, {"گزینه ۱", 3, 1, true}, {"گزينه 2", 3, 2, true},
		{"یک", 3, 1, true}, {"يک", 3, 1, true}, {"دو", 3, 2, true}, {"سومی", 3, 3, true}, {"شماره ۳.", 3, 3, true},
		{"بحرانی", 3, 3, true}, {"مهم", 3, 2, true}, {"عادی", 3, 1, true},
		{"نه", 10, 0, false}, {"گزینه نه", 10, 9, true}, {"۴", 3, 0, false}, {"چی؟", 3, 0, false},
	}
	for _, tt := range tests {
		n, ok := readChoice(tt.text, tt.max, severityWords)
		if n != tt.want || ok != tt.ok {
			t.Errorf("readChoice(%q, %d) = %d, %v; want %d, %v", tt.text, tt.max, n, ok, tt.want, tt.ok)
		}
	}
}

// A customer who types a staff command («/close») gets told it does nothing
// here: it neither reopens a closed ticket nor reaches staff on an open one,
// and the menu on screen stays. «/start» and «/help» show the menu.
func TestStaffCommandFromACustomer(t *testing.T) {
	for _, text := range []string{"/close", "/close 1", "/tickets", "/CLOSE", "\u200f/close ۱", "/note 1 hi", "/claim@supportbot 1"} {
		t.Run(text, func(t *testing.T) {
			f := fixture()
			f.tickets = append(f.tickets, store.Ticket{ID: 1, ContractID: "A-2", CustomerID: "P-2", Phone: phoneBronze,
				Kind: rules.RequestQuestion, Status: store.TicketClosed, OpenedAt: sunday10.Add(-2 * time.Hour),
				FirstResponseAt: sunday10.Add(-2 * time.Hour), ClosedAt: sunday10.Add(-time.Hour)})
			c := newChat(t, f, phoneBronze, sunday10)
			r := c.send(text)
			wantKeys(t, r, "staff_command")
			noKeys(t, r, "followup.reopened", "kind.title_draft")
			if f.tickets[0].Status != store.TicketClosed || len(r.Events) != 0 || len(f.tickets) != 1 {
				t.Errorf("%q: ticket %s, events %+v, %d tickets", text, f.tickets[0].Status, r.Events, len(f.tickets))
			}
			f.tickets[0].Status, f.tickets[0].ClosedAt = store.TicketAnswered, time.Time{}
			c.now = c.now.Add(5 * time.Minute)
			if r := c.send(text); len(r.Events) != 0 {
				t.Errorf("%q on an open ticket reached staff: %+v", text, r.Events)
			}
		})
	}
	t.Run("a menu on screen stays", func(t *testing.T) {
		c := newChat(t, fixture(), phoneSilver, sunday10)
		c.sendAll("0", "1")
		wantKeys(t, c.send("/tickets"), "staff_command")
		wantState(t, c, statePickKind)
	})
	for _, text := range []string{"/start", "/help"} {
		c := newChat(t, fixture(), phoneSilver, sunday10)
		wantKeys(t, c.send(text), "menu.title")
	}
	for _, text := range []string{"/var/log خطا می‌دهد", "۱۴۰۵/۰۹/۱۵ خطا", "/ خطا"} {
		if _, ok := slashCommand(text); ok {
			t.Errorf("slashCommand(%q) = true", text)
		}
	}
}

// A follow-up that names one of the open tickets by its tracking number
// («درخواست ۲ چی شد؟») goes to it: asking «which request?» after the
// customer said which reads as not listening.
func TestTicketNamedInTheMessage(t *testing.T) {
	tests := []struct {
		text string
		want int64 // 0: the picker
	}{
		{"درخواست ۲ چی شد؟", 2},
		{"تیکت شماره ١ هنوز جواب نگرفته", 1},
		{"شماره پیگیری ٢", 2},
		{"پیگیری #1", 1},
		{"درخواست 1 و درخواست 2 هر دو", 0},
		{"درخواست ۷ چی شد؟", 0},
		{"هنوز جواب نگرفتم", 0},
		{"شماره تماس من ۰۹۱۲۱۱۱۰۰۰۲ است", 0},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			f := fixture()
			c := newChat(t, f, phoneSilver, sunday10)
			c.sendAll("0", "1", "2", "سؤال اول درباره گزارش فروش")
			c.sendAll("0", "1", "2", "سؤال دوم")
			r := c.send(tt.text)
			if tt.want == 0 {
				wantKeys(t, r, "followup.which")
				return
			}
			noKeys(t, r, "followup.which")
			if got := f.routes[c.last]; got != (routed{tt.want, store.RouteTicket}) {
				t.Errorf("filed as %+v, want on ticket %d", got, tt.want)
			}
			if ev := eventsOf(r, FollowUp); len(ev) != 1 || ev[0].Ticket.ID != tt.want {
				t.Errorf("staff told %+v, want a follow-up on ticket %d", r.Events, tt.want)
			}
		})
	}
}

// After a view (my requests, my contract, contact, sales) the main menu the
// customer just used stays on screen: «۳» then «۵» reads the sales view,
// as the customer meant, instead of showing the menu again.
func TestViewKeepsTheMainMenu(t *testing.T) {
	for _, first := range []string{"2", "3", "4", "5"} {
		c := newChat(t, fixture(), phoneSilver, sunday10)
		c.sendAll("سلام", first)
		r := c.send("۵")
		wantKeys(t, r, "sales.title", "hint.menu")
		noKeys(t, r, "menu.title")
		wantKeys(t, c.send("١"), "kind.title")
	}
}

// «شماره تماس شما چنده؟» gets the contact details (with the fallback number
// during a power cut), not a new request; a description that mentions a
// phone, or gives the customer's own number, is still a description.
func TestAsksForThePhoneNumber(t *testing.T) {
	for _, text := range []string{"شماره تماس شما چنده؟", "شماره تلفن پشتیبانی چیه", "تلفن شرکت؟", "شماره‌تون رو بدید",
		"What is your phone number?", "شمارتون چنده"} {
		t.Run(text, func(t *testing.T) {
			c := newChat(t, fixture(), phoneSilver, sunday10)
			r := c.send(text)
			wantKeys(t, r, "contact.title", "contact.phone")
			noKeys(t, r, "kind.title_draft", "kind.title")
			if got := c.f.routes[c.last]; got.route == store.RouteWaiting || got.route == store.RouteTicket {
				t.Errorf("stored as %+v, want a menu answer", got)
			}
		})
	}
	for _, text := range []string{"ماژول تلفن گویا خطا می‌دهد", "شماره تماس من ۰۹۱۲۱۱۱۰۰۰۱ است، تماس بگیرید", "شماره تماس من عوض شده؟",
		"تلفن شرکت ما قطع است و سیستم کار نمی‌کند"} {
		if asksForPhone(text) {
			t.Errorf("asksForPhone(%q) = true", text)
		}
	}
	t.Run("with an open ticket", func(t *testing.T) {
		f := fixture()
		c := newChat(t, f, phoneSilver, sunday10)
		c.sendAll("0", "1", "2", "پرسش درباره تنظیمات اعلان‌ها")
		c.now = c.now.Add(5 * time.Minute)
		r := c.send("شماره تماس پشتیبانی چنده؟")
		wantKeys(t, r, "contact.phone")
		if len(r.Events) != 0 {
			t.Errorf("relayed to staff: %+v", r.Events)
		}
	})
}

// A customer with no active contract, one ended and one not started yet,
// is told about both: it was told only that the new one has not started,
// though writing about the module whose support ended.
func TestNoActiveContractTellsEach(t *testing.T) {
	f := fixture()
	const phone = "+989121230011"
	ended := product("B-7", rules.TierSilver, "ماژول انبار")
	ended.PurchasedOn, ended.DeliveredOn, ended.ConfirmedOn = date(2024, 12, 1), date(2024, 12, 10), date(2024, 12, 12)
	pending := product("B-8", rules.TierSilver, "ماژول فروش حضوری")
	pending.PurchasedOn, pending.DeliveredOn, pending.ConfirmedOn = date(2026, 11, 20), rules.Date{}, rules.Date{}
	f.addCustomer(store.Customer{ID: "P-11", Name: "داروسازی", City: "تهران", Phones: []string{phone}}, ended, pending)
	c := newChat(t, f, phone, sunday10)
	r := c.send("انبار ما خطا می‌دهد")
	wantKeys(t, r, "denial.not_started", "denial.not_started.delivery", "denial.contract_ended.detail", "contact.sales")
	if got := line(t, r, "denial.contract_ended.detail").Args["subject"]; got != "ماژول انبار" {
		t.Errorf("ended contract told as %v", got)
	}
	if d := f.denialsOf(rules.DenyNotStarted); len(d) != 1 || d[0].ContractID != "B-8" {
		t.Errorf("denials %+v, want one not_started for B-8", d)
	}
}

// «ممنون، حل شد» after a close says all is well: it reopened the ticket
// and told staff «دوباره باز شد». It is kept as courtesy on the closed
// ticket; «حل نشد» still reopens, and with a ticket open the news goes to
// staff, who may close it.
func TestSolvedAfterClose(t *testing.T) {
	closed := func() *fakeStore {
		f := fixture()
		f.tickets = append(f.tickets, store.Ticket{ID: 1, ContractID: "A-2", CustomerID: "P-2", Phone: phoneBronze,
			Kind: rules.RequestProblem, Severity: rules.SeverityNormal, Status: store.TicketClosed, OpenedAt: sunday10.Add(-3 * time.Hour),
			FirstResponseDue: sunday10, FirstResponseAt: sunday10.Add(-2 * time.Hour), ClosedAt: sunday10.Add(-time.Hour)})
		return f
	}
	for _, text := range []string{"ممنون، حل شد", "مرسی مشکل برطرف شد 🙏", "درست شد", "الان کار میکنه، دستتون درد نکنه", "سلام، مشکل ما حل شد",
		"fixed, thanks"} {
		t.Run(text, func(t *testing.T) {
			f := closed()
			c := newChat(t, f, phoneBronze, sunday10)
			r := c.send(text)
			wantKeys(t, r, "courtesy.resolved")
			noKeys(t, r, "followup.reopened", "kind.title_draft")
			if f.tickets[0].Status != store.TicketClosed || len(r.Events) != 0 {
				t.Errorf("ticket %s, events %+v: want it closed and staff not told", f.tickets[0].Status, r.Events)
			}
			if got := f.routes[c.last]; got != (routed{1, store.RouteCourtesy}) {
				t.Errorf("stored as %+v, want courtesy on ticket 1", got)
			}
		})
	}
	for _, text := range []string{"حل نشد", "درست شد ولی گزارش دیگری خطا می‌دهد", "مشکل حل نشده هنوز"} {
		t.Run(text, func(t *testing.T) {
			f := closed()
			c := newChat(t, f, phoneBronze, sunday10)
			wantKeys(t, c.send(text), "followup.reopened")
		})
	}
	t.Run("with no ticket it starts nothing", func(t *testing.T) {
		c := newChat(t, fixture(), phoneBronze, sunday10)
		r := c.send("حل شد، ممنون")
		wantKeys(t, r, "courtesy.resolved")
		noKeys(t, r, "kind.title_draft")
	})
	t.Run("an open ticket hears it", func(t *testing.T) {
		f := closed()
		f.tickets[0].Status, f.tickets[0].ClosedAt = store.TicketAnswered, time.Time{}
		c := newChat(t, f, phoneBronze, sunday10)
		if ev := eventsOf(c.send("ممنون، حل شد"), FollowUp); len(ev) != 1 {
			t.Errorf("staff not told that the open ticket's problem is solved")
		}
	})
}

// «تیکتم چی شد؟» with nothing open (and nothing closed within the reopen
// window) is a question about the requests: it got «which kind of new
// request?» and would have opened one with the question as its problem.
func TestStatusQuestionWithNothingOpen(t *testing.T) {
	old := func() *fakeStore {
		f := fixture()
		closed := sunday10.Add(-20 * 24 * time.Hour)
		f.tickets = append(f.tickets, store.Ticket{ID: 1, ContractID: "A-2", CustomerID: "P-2", Phone: phoneBronze,
			Kind: rules.RequestProblem, Severity: rules.SeverityNormal, Status: store.TicketClosed, OpenedAt: closed.Add(-time.Hour),
			FirstResponseDue: closed, FirstResponseAt: closed, ClosedAt: closed})
		return f
	}
	for _, text := range []string{"تیکتم چی شد؟", "درخواست من به کجا رسید", "کی جواب میدید؟", "پیگیری درخواست", "خبری نشد؟",
		"What happened to my request?"} {
		t.Run(text, func(t *testing.T) {
			f := old()
			c := newChat(t, f, phoneBronze, sunday10)
			r := c.send(text)
			wantKeys(t, r, "tickets.title", "tickets.item")
			noKeys(t, r, "kind.title_draft")
			if len(f.tickets) != 1 || len(r.Events) != 0 {
				t.Errorf("%d tickets, events %+v", len(f.tickets), r.Events)
			}
		})
	}
	for _, text := range []string{"سیستم چی شد؟ بالا نمیاد", "گزارش فروش خالی است", "پیگیری سفارش‌ها در نرم‌افزار کار نمی‌کند"} {
		if asksStatus(text) {
			t.Errorf("asksStatus(%q) = true", text)
		}
	}
	t.Run("an open ticket still gets the question", func(t *testing.T) {
		f := old()
		f.tickets[0].Status, f.tickets[0].ClosedAt = store.TicketAnswered, time.Time{}
		c := newChat(t, f, phoneBronze, sunday10)
		if ev := eventsOf(c.send("تیکتم چی شد؟"), FollowUp); len(ev) != 1 {
			t.Errorf("the question did not reach staff on the open ticket")
		}
	})
}
