package telegram_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"supportbot/bot/telegram"
	"supportbot/bot/telegram/telegramtest"
	"supportbot/inbound"
	"supportbot/outbox"
	"supportbot/store"
)

func units(s string) int { return len(utf16.Encode([]rune(s))) }

func TestSendSplitsLongTextAndEscapesHTML(t *testing.T) {
	h := newHarness(t)
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf("خط %d: <b>not bold</b> & \"quoted\" 😀 %s", i, strings.Repeat("ا", 20)))
	}
	text := strings.Join(lines, "\n")
	id := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 7, Text: text})
	h.flush()

	sent := h.srv.SentTo(staffChat)
	if len(sent) < 3 {
		t.Fatalf("sent %d messages, want the text split into at least 3", len(sent))
	}
	var parts []string
	for i, s := range sent {
		if s.ParseMode != "HTML" {
			t.Errorf("part %d: parse mode %q, want HTML", i, s.ParseMode)
		}
		if n := units(s.Text); n > telegram.MaxText {
			t.Errorf("part %d: %d UTF-16 units, over the limit", i, n)
		}
		if strings.Contains(s.HTML, "<b>not") {
			t.Errorf("part %d: the text's markup was not escaped: %.60q", i, s.HTML)
		}
		parts = append(parts, s.Text)
	}
	if got := strings.Join(parts, "\n"); got != text {
		t.Errorf("the parts do not add up to the text (got %d runes, want %d)", len([]rune(got)), len([]rune(text)))
	}
	m := h.outbox(id)
	if m.Status != store.OutboxSent || m.ExternalID != fmt.Sprintf("%d:%d", staffChat, sent[0].MessageID) {
		t.Errorf("outbox after send: status %q external id %q; want sent, %d:%d", m.Status, m.ExternalID, staffChat, sent[0].MessageID)
	}

	// A reply to any part, not only the first, reaches the message.
	rec := &recorder{st: h.db}
	stop := h.run(h.ad, rec)
	h.srv.Push(telegramtest.Reply(staff, sara, "got it", sent[1].MessageID, telegramtest.BotUser))
	wait(t, "the reply", func() bool { return rec.count() == 1 })
	stop()
	if got := rec.all()[0].in.ReplyTo; got != id {
		t.Errorf("reply to the second part: ReplyTo %d, want %d", got, id)
	}
}

func TestButtonsBecomeInlineKeyboards(t *testing.T) {
	h := newHarness(t, func(c *telegram.Config) { c.Label = func(b string) string { return "«" + b + "»" } })
	card := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 12, Text: "Ticket #12 <new>\nCustomer: A & B",
		Buttons: []string{"claim", "close", "decline", "log"}})
	var reasons []string
	for _, r := range []string{"new_customization", "misuse", "customer_infrastructure", "no_cooperation", "out_of_contract", "external_change", "disrespect"} {
		reasons = append(reasons, "decline:12:"+r)
	}
	picker := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 12, Text: "Why?", Buttons: reasons})
	h.flush()

	sent := h.srv.SentTo(staffChat)
	if len(sent) != 2 {
		t.Fatalf("sent %d messages, want 2", len(sent))
	}
	if want := "<b>Ticket #12 &lt;new&gt;</b>\nCustomer: A &amp; B"; sent[0].HTML != want {
		t.Errorf("card HTML %q, want %q", sent[0].HTML, want)
	}
	kb := sent[0].Markup
	if kb == nil || len(kb.InlineKeyboard) != 1 || len(kb.InlineKeyboard[0]) != 4 {
		t.Fatalf("card keyboard %+v, want one row of 4", kb)
	}
	for i, want := range []string{"claim:12", "close:12", "decline:12", "log:12"} {
		b := kb.InlineKeyboard[0][i]
		if b.CallbackData == nil || *b.CallbackData != want {
			t.Errorf("button %d data %v, want %q", i, b.CallbackData, want)
		}
		if label := "«" + strings.Split(want, ":")[0] + "»"; b.Text != label {
			t.Errorf("button %d label %q, want %q", i, b.Text, label)
		}
	}
	pk := sent[1].Markup
	if pk == nil || len(pk.InlineKeyboard) != 4 {
		t.Fatalf("reason picker keyboard %+v, want 4 rows of at most 2", pk)
	}
	if d := pk.InlineKeyboard[0][1].CallbackData; d == nil || *d != "decline:12:misuse" {
		t.Errorf("second reason button data %v, want decline:12:misuse", d)
	}
	_ = picker

	// Pressing a button reaches the desk as a callback and is answered;
	// a press in a chat the bot does not serve is answered and dropped.
	rec := &recorder{st: h.db}
	stop := h.run(h.ad, rec)
	up := h.srv.Push(telegramtest.Button(staff, sara, sent[0].MessageID, "claim:12"))
	h.srv.Push(telegramtest.Button(stranger, ali, 77, "close:12"))
	wait(t, "both callback queries answered", func() bool { return len(h.srv.Calls("answerCallbackQuery")) == 2 })
	stop()
	got := rec.all()
	if len(got) != 1 {
		t.Fatalf("handled %d inputs, want 1: %+v", len(got), got)
	}
	in := got[0].in
	if got[0].id != fmt.Sprintf("update:%d", up) || in.Callback != "claim:12" || in.Chat != inbound.ChatStaff || in.UserID != sara.ID || in.UserName != "Sara" {
		t.Errorf("handled %q %+v", got[0].id, in)
	}
	answered := map[string]bool{}
	for _, c := range h.srv.Calls("answerCallbackQuery") {
		answered[c.Params.Get("callback_query_id")] = true
	}
	if !answered["cb1"] || !answered["cb2"] {
		t.Errorf("answered %v, want cb1 and cb2", answered)
	}
	_ = card
}

func TestReplyRouting(t *testing.T) {
	h := newHarness(t)
	card := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 12, Text: "card 12", Buttons: []string{"claim"}})
	h.flush()
	cardMsg := h.srv.SentTo(staffChat)[0].MessageID

	// Outbound: a follow-up threads under the card in the same chat only.
	h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 12, Text: "customer wrote more", ReplyTo: card})
	dm := h.enqueue(store.OutboxMessage{To: string(outbox.TelegramUser(sara.ID)), Text: "private note", ReplyTo: card})
	h.flush()
	if s := h.srv.SentTo(staffChat); len(s) != 2 || s[1].ReplyTo != cardMsg {
		t.Errorf("follow-up in the staff group: %+v, want a reply to message %d", s, cardMsg)
	}
	priv := h.srv.SentTo(sara.ID)
	if len(priv) != 1 || priv[0].ReplyTo != 0 {
		t.Fatalf("private message: %+v, want one, not a reply", priv)
	}

	// Inbound: replies to the bot's messages carry the outbox id.
	rec := &recorder{st: h.db}
	stop := h.run(h.ad, rec)
	h.srv.Push(telegramtest.Reply(staff, sara, "لطفا نسخه را بفرستید", cardMsg, telegramtest.BotUser))
	h.srv.Push(telegramtest.Reply(staff, sara, "agreed", 4242, ali))
	h.srv.Push(telegramtest.Message(staff, ali, "just chatting"))
	h.srv.Push(telegramtest.Reply(telegramtest.Private(sara), sara, "thanks", priv[0].MessageID, telegramtest.BotUser))
	wait(t, "4 inputs", func() bool { return rec.count() == 4 })
	stop()
	got := rec.all()
	want := []struct {
		chat    string
		replyTo int64
		text    string
	}{
		{inbound.ChatStaff, card, "لطفا نسخه را بفرستید"},
		{inbound.ChatStaff, 0, "agreed"},
		{inbound.ChatStaff, 0, "just chatting"},
		{inbound.ChatPrivate, dm, "thanks"},
	}
	for i, w := range want {
		if in := got[i].in; in.Chat != w.chat || in.ReplyTo != w.replyTo || in.Text != w.text {
			t.Errorf("input %d: chat %q reply to %d text %q; want %q %d %q", i, in.Chat, in.ReplyTo, in.Text, w.chat, w.replyTo, w.text)
		}
	}
}

func TestRateLimitRetriesTheSameMessage(t *testing.T) {
	h := newHarness(t)
	h.srv.Fail("sendMessage", telegramtest.TooManyRequests(3))
	id := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), Text: "hello"})
	start := h.clock.Now()
	h.flush()
	m := h.outbox(id)
	// A 429 is Telegram's pace, not a failure: no attempt is counted.
	if m.Status != store.OutboxPending || m.Attempts != 0 || !m.NextAttempt.Equal(start.Add(3e9)) {
		t.Fatalf("after 429: status %q attempts %d next %v; want pending, 0, %v", m.Status, m.Attempts, m.NextAttempt, start.Add(3e9))
	}
	h.flush()
	if n := len(h.srv.Sent()); n != 0 {
		t.Fatalf("sent %d before retry_after passed", n)
	}
	h.clock.Advance(3e9)
	h.flush()
	if s := h.srv.SentTo(staffChat); len(s) != 1 || s[0].Text != "hello" {
		t.Fatalf("after the wait: %+v, want hello once", s)
	}
	if n := len(h.srv.Calls("sendMessage")); n != 2 {
		t.Errorf("%d sendMessage calls, want 2", n)
	}

	// A 429 in the middle of a long message: the retry sends only the rest.
	h.srv.Fail("sendMessage", telegramtest.Failure{Skip: 1, Code: 429, Description: "Too Many Requests: retry after 1", RetryAfter: 1})
	long := strings.Repeat("a line of text\n", 400)
	id = h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), Text: long})
	h.clock.Advance(10e9)
	h.flush()
	h.clock.Advance(2e9)
	h.flush()
	sent := h.srv.SentTo(staffChat)[1:]
	want := telegram.Split(long, telegram.MaxText)
	if len(sent) != len(want) {
		t.Fatalf("long message went as %d messages, want %d (no part twice)", len(sent), len(want))
	}
	for i := range want {
		if sent[i].Text != want[i] {
			t.Errorf("part %d differs", i)
		}
	}
	if m := h.outbox(id); m.Status != store.OutboxSent || m.ExternalID != fmt.Sprintf("%d:%d", staffChat, sent[0].MessageID) {
		t.Errorf("long message: status %q external id %q", m.Status, m.ExternalID)
	}
}

func TestRefusedMessageIsReportedToStaff(t *testing.T) {
	h := newHarness(t)
	h.srv.Fail("sendMessage", telegramtest.Failure{Code: 403, Description: "Forbidden: bot was blocked by the user"})
	id := h.enqueue(store.OutboxMessage{To: string(outbox.TelegramUser(555)), TicketID: 9, Text: "digest"})
	h.flush()
	if m := h.outbox(id); m.Status != store.OutboxFailed {
		t.Fatalf("status %q after 403, want failed at once", m.Status)
	}
	s := h.srv.SentTo(staffChat)
	if len(s) != 1 || !strings.Contains(s[0].Text, "telegram:user:555") || !strings.Contains(s[0].Text, "blocked") {
		t.Fatalf("staff report %+v, want one naming the recipient and the error", s)
	}
}

func TestFilesGoAsPhotoOrDocument(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	png := filepath.Join(dir, "stored-1.png")
	pdf := filepath.Join(dir, "stored-2.bin")
	os.WriteFile(png, []byte("\x89PNG fake"), 0o600)
	os.WriteFile(pdf, []byte("%PDF fake"), 0o600)
	photo := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 3, Text: "screenshot <from> customer",
		File: &store.File{Kind: "image", Name: "error.png", MIME: "image/png", Path: png, Bytes: 9}})
	long := strings.Repeat("شرح طولانی ", 150) // over a caption
	doc := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 3, Text: long,
		File: &store.File{Kind: "document", Name: "report.pdf", MIME: "application/pdf", Path: pdf, Bytes: 9}})
	gone := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 3, Text: "lost",
		File: &store.File{Kind: "document", Name: "gone.txt", Path: filepath.Join(dir, "missing")}})
	h.flush()

	sent := h.srv.SentTo(staffChat)
	if len(sent) < 4 {
		t.Fatalf("sent %d messages: %+v", len(sent), sent)
	}
	if s := sent[0]; s.Method != "sendPhoto" || s.FileName != "error.png" || string(s.FileData) != "\x89PNG fake" || s.Text != "screenshot <from> customer" {
		t.Errorf("photo: %s %q %q caption %q", s.Method, s.FileName, s.FileData, s.Text)
	}
	if s := sent[1]; s.Method != "sendMessage" || s.Text != strings.TrimSpace(long) {
		t.Errorf("long caption: %s %q, want the text as a message first", s.Method, s.Text)
	}
	if s := sent[2]; s.Method != "sendDocument" || s.FileName != "report.pdf" || string(s.FileData) != "%PDF fake" || s.Text != "" {
		t.Errorf("document: %s %q %q caption %q", s.Method, s.FileName, s.FileData, s.Text)
	}
	if m := h.outbox(doc); m.ExternalID != fmt.Sprintf("%d:%d", staffChat, sent[1].MessageID) {
		t.Errorf("document message external id %q, want its first part", m.ExternalID)
	}
	if m := h.outbox(gone); m.Status != store.OutboxFailed {
		t.Errorf("missing file: status %q, want failed", m.Status)
	}
	if s := sent[3]; !strings.Contains(s.Text, "gone.txt") {
		t.Errorf("no report of the missing file: %q", s.Text)
	}
	_ = photo
}

func TestFileEndpointFor(t *testing.T) {
	for api, want := range map[string]string{
		"https://api.telegram.org/bot%s/%s": "https://api.telegram.org/file/bot%s/%s",
		"http://127.0.0.1:8081/bot%s/%s":    "http://127.0.0.1:8081/file/bot%s/%s",
		"https://proxy.example/tg/%s/%s":    "https://api.telegram.org/file/bot%s/%s",
	} {
		if got := telegram.FileEndpointFor(api); got != want {
			t.Errorf("FileEndpointFor(%q) = %q, want %q", api, got, want)
		}
	}
}
