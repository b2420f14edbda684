package telegram_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"supportbot/bot"
	"supportbot/bot/telegram"
	"supportbot/bot/telegram/telegramtest"
	"supportbot/locales"
	"supportbot/notice"
	"supportbot/outbox"
	"supportbot/store"
)

// Strangers' chats, other bots, joins and commands for other bots are not
// handed on; an edit is, marked Edited (the desk tells the editor what it
// did not do), and so is an anonymous administrator's post, marked
// Anonymous with no user.
func TestIgnoresStrangersBotsAndJoins(t *testing.T) {
	h := newHarness(t)
	rec := &recorder{st: h.db}
	stop := h.run(h.ad, rec)
	h.srv.Push(telegramtest.Message(stranger, sara, "/tickets"))
	other := tgbotapi.User{ID: 888, IsBot: true, FirstName: "OtherBot"}
	h.srv.Push(telegramtest.Message(staff, other, "/close 1"))
	h.srv.Push(tgbotapi.Update{EditedMessage: telegramtest.Message(staff, sara, "/close 2").Message})
	join := telegramtest.Message(staff, sara, "")
	join.Message.NewChatMembers = []tgbotapi.User{ali}
	h.srv.Push(join)
	h.srv.Push(tgbotapi.Update{MyChatMember: &tgbotapi.ChatMemberUpdated{Chat: stranger, From: ali,
		NewChatMember: tgbotapi.ChatMember{User: &telegramtest.BotUser, Status: "member"}}})
	h.srv.Push(telegramtest.Message(telegramtest.Private(ali), ali, "/digest"))
	h.srv.Push(telegramtest.Message(telegramtest.Group(managersChat, "Managers"), ali, "/outage on"))
	h.srv.Push(telegramtest.Message(staff, sara, "/close@OtherBot 3"))
	h.srv.Push(telegramtest.Anonymous(staff, "/close 4"))
	last := h.srv.Push(telegramtest.Message(staff, sara, "/tickets@support_desk_bot"))
	wait(t, "the offset past the last update", func() bool { return h.offset() == strconv.Itoa(last+1) })
	stop()

	got := rec.all()
	var seen []string
	for _, g := range got {
		mark := ""
		if g.in.Edited {
			mark += " (edited)"
		}
		if g.in.Anonymous && g.in.UserID == 0 {
			mark += " (anonymous)"
		}
		seen = append(seen, g.in.Chat+" "+g.in.Text+mark)
	}
	want := []string{"staff /close 2 (edited)", "private /digest", "managers /outage on", "staff /close 4 (anonymous)", "staff /tickets@support_desk_bot"}
	if !slices.Equal(seen, want) {
		t.Errorf("handled %q, want %q", seen, want)
	}
	if n := len(h.srv.Sent()); n != 0 {
		t.Errorf("the adapter itself sent %d messages", n)
	}
}

func TestRestartInTheMiddleOfABatch(t *testing.T) {
	h := newHarness(t)
	var ids []int
	for i := range 6 {
		ids = append(ids, h.srv.Push(telegramtest.Message(staff, sara, "/ticket "+strconv.Itoa(i+1))))
	}
	key := func(i int) string { return "update:" + strconv.Itoa(ids[i]) }

	// First process: stopped right after the third update.
	ctx1, cancel1 := context.WithCancel(context.Background())
	rec1 := &recorder{st: h.db, after: func(n int, _ string) {
		if n == 3 {
			cancel1()
		}
	}}
	if err := h.ad.Run(ctx1, rec1); err != nil {
		t.Fatal(err)
	}
	if h.offset() != strconv.Itoa(ids[3]) {
		t.Fatalf("offset %q after 3 updates, want %d", h.offset(), ids[3])
	}
	h.db.Close()

	// Second process on the same database: killed after handling the fifth
	// update but before storing its offset.
	db2 := h.open()
	flaky := &flakyStore{Store: db2}
	ctx2, cancel2 := context.WithCancel(context.Background())
	rec2 := &recorder{st: db2, after: func(_ int, id string) {
		if id == key(4) {
			flaky.dropOffsets.Store(true)
			cancel2()
		}
	}}
	if err := h.adapter(flaky).Run(ctx2, rec2); err != nil {
		t.Fatal(err)
	}

	// Third process: Telegram sends the fifth again; it is not handled twice.
	calls := len(h.srv.Calls("getUpdates"))
	rec3 := &recorder{st: db2}
	ad3 := h.adapter(db2)
	stop := h.run(ad3, rec3)
	wait(t, "the last update", func() bool {
		v, _ := db2.Setting(context.Background(), telegram.SettingOffset)
		return v == strconv.Itoa(ids[5]+1)
	})
	stop()
	if first := h.srv.Calls("getUpdates")[calls]; first.Params.Get("offset") != strconv.Itoa(ids[4]) {
		t.Errorf("third process asked from offset %s, want %d (the unconfirmed update)", first.Params.Get("offset"), ids[4])
	}

	count := map[string]int{}
	for _, r := range [][]handled{rec1.all(), rec2.all(), rec3.all()} {
		for _, g := range r {
			count[g.id]++
		}
	}
	for i := range ids {
		if count[key(i)] != 1 {
			t.Errorf("update %d handled %d times, want exactly once", i+1, count[key(i)])
		}
	}
	if len(rec1.all()) != 3 || len(rec2.all()) != 2 || len(rec3.all()) != 1 {
		t.Errorf("handled %d, %d, %d per process; want 3, 2, 1", len(rec1.all()), len(rec2.all()), len(rec3.all()))
	}
}

func TestStopDoesNotWaitForTheLongPoll(t *testing.T) {
	// A poll ten times longer than the stop may take: a stop that waited
	// for it fails at any machine speed, one that does not passes at any.
	h := newHarness(t, func(c *telegram.Config) { c.PollTimeout = 10 * stopBound })
	rec := &recorder{st: h.db}
	stop := h.run(h.ad, rec)
	wait(t, "a long poll", func() bool { return len(h.srv.Calls("getUpdates")) > 0 })
	start := time.Now()
	stop()
	t.Logf("stopped %v after cancel", time.Since(start).Round(time.Millisecond))
}

func TestRefusedTokenStopsRun(t *testing.T) {
	h := newHarness(t)
	h.srv.SetToken("revoked")
	err := h.ad.Run(context.Background(), &recorder{st: h.db})
	if !errors.Is(err, telegram.ErrUnauthorized) {
		t.Fatalf("Run: %v, want ErrUnauthorized", err)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("the error shows the token: %v", err)
	}
}

func TestStaffFilesAreDownloadedForCustomers(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, func(c *telegram.Config) { c.FileDir = dir })
	h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 12, Text: "card 12"})
	h.flush()
	cardMsg := h.srv.SentTo(staffChat)[0].MessageID

	data := []byte("%PDF-1.4 the fix")
	h.srv.AddFile("DOC1", data)
	withDoc := telegramtest.Reply(staff, sara, "", cardMsg, telegramtest.BotUser)
	withDoc.Message.Caption = "the fixed file"
	withDoc.Message.Document = &tgbotapi.Document{FileID: "DOC1", FileName: "../fix.pdf", MimeType: "application/pdf", FileSize: len(data)}
	big := telegramtest.Reply(staff, sara, "", cardMsg, telegramtest.BotUser)
	big.Message.Document = &tgbotapi.Document{FileID: "BIG", FileName: "dump.zip", FileSize: 25 << 20}
	chatPhoto := telegramtest.Message(staff, ali, "")
	chatPhoto.Message.Caption = "lunch"
	chatPhoto.Message.Photo = []tgbotapi.PhotoSize{{FileID: "P1", FileSize: 10}, {FileID: "P2", FileSize: 100}}

	rec := &recorder{st: h.db}
	stop := h.run(h.ad, rec)
	h.srv.Push(withDoc)
	bigID := h.srv.Push(big)
	last := h.srv.Push(chatPhoto)
	wait(t, "all three updates", func() bool { return h.offset() == strconv.Itoa(last+1) })
	stop()
	_ = bigID

	got := rec.all()
	if len(got) != 2 {
		t.Fatalf("handled %d inputs, want 2 (the 25 MB file without text is not)", len(got))
	}
	f := got[0].in.File
	if f == nil || f.Kind != "document" || f.Name != "../fix.pdf" || f.Bytes != int64(len(data)) || got[0].in.Text != "the fixed file" {
		t.Fatalf("document reply: %+v text %q", f, got[0].in.Text)
	}
	if !strings.HasPrefix(f.Path, dir) {
		t.Errorf("file kept at %q, outside %q", f.Path, dir)
	}
	if b, err := os.ReadFile(f.Path); err != nil || string(b) != string(data) {
		t.Errorf("downloaded %q, %v", b, err)
	}
	if p := got[1].in.File; p == nil || p.Kind != "image" || p.Path != "" || p.Bytes != 100 {
		t.Errorf("chat photo: %+v, want described (largest size) and not downloaded", p)
	}
	due, err := h.db.DueOutbox(context.Background(), h.clock.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 0 {
		t.Errorf("pending after the 25 MB file: %+v, want nothing worded by the adapter", due)
	}
	tooBig := notice.TelegramFileTooBig{Chat: outbox.StaffGroup, Ticket: 12, Name: "dump.zip", Bytes: 25 << 20}
	if got := h.notes.events(); !slices.Equal(got, []notice.Event{tooBig}) {
		t.Errorf("events %+v, want %+v once", got, tooBig)
	}
	if v, err := h.db.Setting(context.Background(), "test_notice:1"); err != nil || v != tooBig.Kind() {
		t.Errorf("the event was not committed with the update: %q, %v", v, err)
	}
}

// failing is a Handler whose every call fails, as when the database is
// unwritable.
type failing struct{ calls atomic.Int32 }

func (f *failing) HandleStaff(context.Context, string, bot.StaffInput) error {
	f.calls.Add(1)
	return errors.New("disk I/O error")
}

// TestSkippedUpdateIsTold: an update that fails HandleAttempts times is
// skipped, and its sender told so: a message gets an answer in its chat,
// replying to it, through the outbox (recorded, paced, retried) when the
// store takes it, else straight through the API when the store refuses it,
// never both; a button press an alert. Later updates still get through.
func TestSkippedUpdateIsTold(t *testing.T) {
	for _, storeFails := range []bool{false, true} {
		t.Run(map[bool]string{false: "through the outbox", true: "straight when the store refuses"}[storeFails], func(t *testing.T) {
			h := newHarness(t, func(c *telegram.Config) { c.HandleAttempts = 2 })
			msg := telegramtest.Message(staff, sara, "/close 12")
			h.srv.Push(msg)
			h.srv.Push(telegramtest.Button(staff, ali, 300, "claim:12"))
			last := h.srv.Push(telegramtest.Message(stranger, sara, "/close 13")) // not served: ignored, no error
			f := &failing{}
			st := &refusingStore{Store: h.db}
			st.refuse.Store(storeFails)
			stop := h.run(h.adapter(st), f)
			wait(t, "the offset past the last update", func() bool { return h.offset() == strconv.Itoa(last+1) })
			stop()
			if !storeFails && len(h.srv.Sent()) != 0 {
				t.Errorf("sent %+v before the dispatcher ran: straight past the outbox", h.srv.Sent())
			}
			h.flush()

			if n := f.calls.Load(); n != 4 {
				t.Errorf("handler called %d times, want 2 tries for each of 2 updates", n)
			}
			want := telegram.DefaultNotHandled()
			sent := h.srv.Sent()
			if len(sent) != 1 || sent[0].ChatID != staffChat || sent[0].ReplyTo != msg.Message.MessageID || sent[0].Text != want {
				t.Errorf("sent %+v, want one answer to message %d in the staff group saying %q", sent, msg.Message.MessageID, want)
			}
			row, err := h.db.OutboxMessage(context.Background(), 1)
			switch {
			case storeFails && !errors.Is(err, store.ErrNotFound):
				t.Errorf("outbox row %+v, %v; want none: the store refused", row, err)
			case !storeFails && (err != nil || row.Status != store.OutboxSent || row.Text != want ||
				row.ReplyToMessage != int64(msg.Message.MessageID) || row.To != string(outbox.StaffGroup)):
				t.Errorf("outbox row %+v, %v; want the answer recorded as sent", row, err)
			}
			answers := h.srv.Calls("answerCallbackQuery")
			if len(answers) != 1 || answers[0].Params.Get("show_alert") != "true" || answers[0].Params.Get("text") != want {
				t.Errorf("callback answers %+v, want one alert saying %q", answers, want)
			}
		})
	}
}

// refusingStore refuses every transaction while refuse is set, as a full
// or locked database does; reads and single writes (the offset) go on.
type refusingStore struct {
	store.Store
	refuse atomic.Bool
}

func (r *refusingStore) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	if r.refuse.Load() {
		return errors.New("database or disk is full")
	}
	return r.Store.InTx(ctx, fn)
}

// TestNotHandledFitsAnAlert: the catalogs' text for a skipped update fits
// a callback alert whole, in every language.
func TestNotHandledFitsAnAlert(t *testing.T) {
	for _, lang := range []string{"fa", "en"} {
		p, err := locales.New(lang, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s := p.T("transport.not_handled", nil); len(utf16.Encode([]rune(s))) > 200 || strings.TrimSpace(s) == "" {
			t.Errorf("%s: %d UTF-16 units, want 1-200: %q", lang, len(utf16.Encode([]rune(s))), s)
		}
	}
}

// A reply to one of the bot's own messages that the store has no record of
// (a copy sent around a crash, whose id the bot never learnt) is marked so
// the desk can say so; a reply to a known one carries its outbox id, and a
// reply to a person's message is marked as such (staff talk).
func TestReplyToAnUnrecordedBotMessage(t *testing.T) {
	h := newHarness(t)
	rec := &recorder{st: h.db}
	known := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), Text: "کارت"})
	h.flush()
	card := h.outbox(known)
	_, after, _ := strings.Cut(card.ExternalID, ":") // chat:message
	cardMsg, _ := strconv.Atoi(after)
	stop := h.run(h.ad, rec)
	h.srv.Push(telegramtest.Reply(staff, sara, "پاسخ به کارت", cardMsg, telegramtest.BotUser))
	h.srv.Push(telegramtest.Reply(staff, sara, "پاسخ به نسخه ثبت‌نشده", 99999, telegramtest.BotUser))
	last := h.srv.Push(telegramtest.Reply(staff, sara, "پاسخ به همکار", 99998, ali))
	wait(t, "the offset past the last update", func() bool { return h.offset() == strconv.Itoa(last+1) })
	stop()
	got := rec.all()
	if len(got) != 3 {
		t.Fatalf("handled %d updates, want 3", len(got))
	}
	for i, want := range []struct {
		replyTo        int64
		unknown, other bool
	}{{known, false, false}, {0, true, false}, {0, false, true}} {
		if in := got[i].in; in.ReplyTo != want.replyTo || in.ReplyToUnknown != want.unknown || in.ReplyToOther != want.other {
			t.Errorf("update %d: ReplyTo %d ReplyToUnknown %v ReplyToOther %v, want %d %v %v", i+1, in.ReplyTo, in.ReplyToUnknown, in.ReplyToOther, want.replyTo, want.unknown, want.other)
		}
	}
}
