package bot

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"supportbot/locales"
	"supportbot/notice"
	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
	"supportbot/store/sqlite"
	"supportbot/store/sqlite/sqlitetest"
)

// told is one notice as the tests compare them: its address, its ticket,
// and words it must contain (a "=" first: the whole text).
type told struct {
	to     outbox.Address
	ticket int64
	words  []string
}

// The core words each event the transports report, sends it to everyone it
// concerns, and tells a situation once however often it is reported: one
// table row per situation, its events reported one after the other, each
// in a transaction of its own as the adapters do.
func TestNotices(t *testing.T) {
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC) // 12:30 in Tehran
	staff := outbox.StaffGroup
	reza, sara := outbox.TelegramUser(2001), outbox.TelegramUser(2002)
	customer := outbox.WhatsApp("+989121234567")
	pair := notice.WhatsAppNotPaired{Command: "supportbot pair -config /etc/supportbot/config.yaml"}
	ban := notice.WhatsAppBanned{Code: 101, Until: at.Add(2 * time.Hour), LengthKnown: true}
	longText := strings.Repeat("ب", 600)
	tests := []struct {
		name          string
		managersGroup bool
		quote         string // the text of outbox row 1, which undelivered events name
		events        []notice.Event
		want          []told
	}{
		{"not paired, reported at each start", false, "", []notice.Event{pair, pair, notice.WhatsAppLoggedOut{Command: "x"}},
			[]told{{staff, 0, []string{"هنوز به ربات وصل", "\u2068supportbot pair -config /etc/supportbot/config.yaml\u2069", "QR"}}, {reza, 0, []string{"هنوز به ربات وصل"}}, {sara, 0, []string{"QR"}}}},
		{"logged out", false, "", []notice.Event{notice.WhatsAppLoggedOut{Command: "supportbot pair"}, notice.WhatsAppLoggedOut{Command: "supportbot pair"}},
			[]told{{staff, 0, []string{"از حساب خارج شد", "\u2068supportbot pair\u2069"}}, {reza, 0, []string{"از حساب خارج شد"}}, {sara, 0, []string{"از حساب خارج شد"}}}},
		{"down for a while", false, "", []notice.Event{notice.WhatsAppDown{Since: at.Add(-4 * time.Minute), For: 4 * time.Minute}, notice.WhatsAppDown{Since: at.Add(-4 * time.Minute), For: 9 * time.Minute}},
			[]told{{staff, 0, []string{"قطع است", "(۴ دقیقه)", "۱۲:۲۶"}}, {reza, 0, []string{"قطع است"}}, {sara, 0, []string{"قطع است"}}}},
		{"replaced, three times", false, "", []notice.Event{notice.WhatsAppReplaced{}, notice.WhatsAppReplaced{}, notice.WhatsAppReplaced{}},
			[]told{{staff, 0, []string{"=⚠️ برنامهٔ دیگری با همین نشست واتس‌اپ وصل شد و اتصال این ربات را قطع کرد؛ احتمالاً دو نسخه از ربات هم‌زمان اجرا می‌شوند.\nتا رفع آن، پیام مشتریان ممکن است به این ربات نرسد. مدیر سرور لطفاً مطمئن شود فقط یک نسخه از ربات با این پروندهٔ نشست اجرا می‌شود. ربات هر چند دقیقه دوباره وصل می‌شود."}}, {reza, 0, []string{"دو نسخه"}}, {sara, 0, []string{"دو نسخه"}}}},
		{"outdated: staff and each manager", false, "", []notice.Event{notice.WhatsAppOutdated{Version: "v0.0.0-2026"}, notice.WhatsAppOutdated{Version: "v0.0.0-2026"}},
			[]told{{staff, 0, []string{"قدیمی", "v0.0.0-2026"}}, {reza, 0, []string{"قدیمی"}}, {sara, 0, []string{"قدیمی"}}}},
		{"banned: staff and the managers group, once per ban", true, "", []notice.Event{ban, ban, notice.WhatsAppBanned{Code: 101, Until: at.Add(5 * time.Hour), LengthKnown: true}},
			[]told{{staff, 0, []string{"مسدود", "افراد زیادی", "۱۴:۳۰"}}, {outbox.ManagersGroup, 0, []string{"مسدود", "۱۴:۳۰"}},
				{staff, 0, []string{"مسدود", "۱۷:۳۰"}}, {outbox.ManagersGroup, 0, []string{"۱۷:۳۰"}}}},
		{"banned, repeated as whatsmeow does: its end moves by the time between reports", false, "", []notice.Event{
			notice.WhatsAppBanned{Code: 101, Until: at.Add(2*time.Hour - 3*time.Millisecond), LengthKnown: true},
			notice.WhatsAppBanned{Code: 101, Until: at.Add(2*time.Hour + 5*time.Millisecond), LengthKnown: true},
			notice.WhatsAppBanned{Code: 101, Until: at.Add(2*time.Hour + 4*time.Second), LengthKnown: true}},
			[]told{{staff, 0, []string{"مسدود", "۱۴:۲۹"}}, {reza, 0, []string{"مسدود"}}, {sara, 0, []string{"مسدود"}}}},
		{"banned for an unknown reason and length", false, "", []notice.Event{notice.WhatsAppBanned{Code: 999, Until: at.Add(6 * time.Hour)}},
			[]told{{staff, 0, []string{"مدت مسدودیت اعلام نشده", "با کد ۹۹۹"}}, {reza, 0, []string{"با کد ۹۹۹"}}, {sara, 0, []string{"با کد ۹۹۹"}}}},
		{"back without a problem told: nothing", false, "", []notice.Event{notice.WhatsAppBack{}, notice.WhatsAppBack{}}, nil},
		{"a problem, back once, the problem again", false, "", []notice.Event{notice.WhatsAppReplaced{}, notice.WhatsAppBack{}, notice.WhatsAppBack{}, notice.WhatsAppReplaced{}},
			[]told{{staff, 0, []string{"دو نسخه"}}, {reza, 0, []string{"دو نسخه"}}, {sara, 0, []string{"دو نسخه"}},
				{staff, 0, []string{"=✅ اتصال واتس‌اپ دوباره برقرار شد و پاسخ‌های در صف فرستاده می‌شوند."}}, {reza, 0, []string{"دوباره برقرار شد"}}, {sara, 0, []string{"دوباره برقرار شد"}},
				{staff, 0, []string{"دو نسخه"}}, {reza, 0, []string{"دو نسخه"}}, {sara, 0, []string{"دو نسخه"}}}},
		{"phone silent: once per silence", false, "", []notice.Event{
			notice.WhatsAppPhoneSilent{Seen: at.Add(-240 * time.Hour), Days: 10}, notice.WhatsAppPhoneSilent{Seen: at.Add(-240 * time.Hour).In(time.FixedZone("IRST", 12600)), Days: 10},
			notice.WhatsAppPhoneSilent{Seen: at.Add(-24 * 15 * time.Hour), Days: 15}},
			[]told{{staff, 0, []string{"۱۰ روز", "(۴ روز دیگر)"}}, {reza, 0, []string{"۱۰ روز"}}, {sara, 0, []string{"۱۰ روز"}},
				{staff, 0, []string{"۱۵ روز", "(۰ روز دیگر)"}}, {reza, 0, []string{"۱۵ روز"}}, {sara, 0, []string{"۱۵ روز"}}}},
		{"undelivered on a ticket: refused", false, "  پاسخ دوم  ", []notice.Event{notice.WhatsAppUndelivered{OutboxID: 1, Ticket: 12, Address: "+989121234567", Refused: true}},
			[]told{{staff, 12, []string{"تیکت ۱۲", "\u2068+989121234567\u2069", "واتس‌اپ پیام را نپذیرفت.", "متن پیام:\nپاسخ دوم"}}}},
		{"undelivered, no ticket, no receipt, long", false, longText, []notice.Event{notice.WhatsAppUndelivered{OutboxID: 1, Address: "lid:111222333", Wait: 12 * time.Hour}},
			[]told{{staff, 0, []string{"پیام ربات به", "lid:111222333", "پس از ۱۲ ساعت هنوز به گوشی مشتری نرسیده است.", "\n" + strings.Repeat("ب", 499) + "…"}}}},
		{"undelivered, the row gone: no empty quote", false, "", []notice.Event{notice.WhatsAppUndelivered{OutboxID: 99, Ticket: 3, Address: "+989121234567", Refused: true}},
			[]told{{staff, 3, []string{"=⚠️ پیام تیکت ۳ به \u2068+989121234567\u2069 در واتس\u200cاپ به دست مشتری نرسید: واتس\u200cاپ پیام را نپذیرفت.\nلطفاً از راه دیگری، مثلاً تلفن، با مشتری تماس بگیرید."}}}},
		{"missed call: the customer and staff", false, "", []notice.Event{notice.WhatsAppMissedCall{Address: "+989121234567", At: at}},
			[]told{{customer, 0, []string{"=تماس واتس‌اپ پاسخ داده نمی‌شود؛ لطفاً پیام بفرستید یا با شمارهٔ تلفن شرکت تماس بگیرید."}},
				{staff, 0, []string{"تماس از دست‌رفته", "\u2068+989121234567\u2069", "۱۲:۳۰"}}}},
		{"edited, revoked, undecryptable", false, "", []notice.Event{
			notice.WhatsAppEdited{Address: "+989121234567", Text: "نسخه 12 است"}, notice.WhatsAppRevoked{Address: "+989121234567"}, notice.WhatsAppUndecryptable{Address: "+989121234567"}},
			[]told{{staff, 0, []string{"ویرایش کرد", "نسخه ۱۲ است"}}, {staff, 0, []string{"پاک کرد"}}, {staff, 0, []string{"باز نشد"}}}},
		{"queue stuck: staff and managers once per spell; moving only after", false, "", []notice.Event{
			notice.WhatsAppQueueMoving{}, notice.WhatsAppQueueStuck{Count: 3, Oldest: at.Add(-11 * time.Minute), Waited: 11 * time.Minute},
			notice.WhatsAppQueueStuck{Count: 5, Oldest: at.Add(-11 * time.Minute), Waited: 20 * time.Minute}, notice.WhatsAppQueueMoving{}, notice.WhatsAppQueueMoving{},
			notice.WhatsAppQueueStuck{Count: 1, Oldest: at.Add(-10 * time.Minute), Waited: 10 * time.Minute}},
			[]told{{staff, 0, []string{"۳ پیام واتس‌اپ در صف پردازش مانده است", "۱۱ دقیقه پیش"}}, {reza, 0, []string{"۳ پیام"}}, {sara, 0, []string{"۳ پیام"}},
				{staff, 0, []string{"=✅ صف پیام‌های واتس‌اپ دوباره روان است و پیام‌های تازهٔ مشتریان بی‌درنگ پردازش می‌شوند. اگر پیامی کنار گذاشته شده یا فایلش دریافت نشده باشد، جداگانه اعلام شده است."}},
				{reza, 0, []string{"صف پیام‌های واتس‌اپ دوباره روان است"}}, {sara, 0, []string{"دوباره روان است"}},
				{staff, 0, []string{"۱ پیام", "۱۰ دقیقه"}}, {reza, 0, []string{"۱ پیام"}}, {sara, 0, []string{"۱ پیام"}}}},
		{"queue stuck, and after a restart another message is the oldest: told once", false, "", []notice.Event{
			notice.WhatsAppQueueStuck{Count: 2, Oldest: at.Add(-12 * time.Minute), Waited: 12 * time.Minute},
			notice.WhatsAppQueueStuck{Count: 1, Oldest: at.Add(-11 * time.Minute), Waited: 11 * time.Minute}},
			[]told{{staff, 0, []string{"۲ پیام"}}, {reza, 0, []string{"۲ پیام"}}, {sara, 0, []string{"۲ پیام"}}}},
		{"queued message given up: file left out, set aside, each once", false, "", []notice.Event{
			notice.WhatsAppQueuedGivenUp{Address: "+989121234567", Chat: "989121234567@s.whatsapp.net", MessageID: "3EB0A1", At: at.Add(-40 * time.Minute),
				Attempts: 5, Text: "نسخه 12 خطا می‌دهد", Error: "engine: boom", FileLost: true,
				File: &store.File{Kind: store.FileImage, Name: "screen.png", MIME: "image/png", Bytes: 2048}},
			notice.WhatsAppQueuedGivenUp{Address: "+989121234567", Chat: "989121234567@s.whatsapp.net", MessageID: "3EB0A1", Attempts: 6, FileLost: true},
			notice.WhatsAppQueuedGivenUp{Address: "lid:111222333", Chat: "111222333@lid", MessageID: "3EB0A1", Attempts: 7, Text: longText, Error: "deadline exceeded"}},
			[]told{{staff, 0, []string{"فایل پیام واتس‌اپی که از \u2068+989121234567\u2069 رسیده بود، پس از ۵ بار تلاش دریافت نشد",
				"\nزمان دریافت: ", "۱۱:۵۰", "\nفایل: ", "screen.png", "\nمتن: نسخه 12 خطا می‌دهد", "\nخطا: engine: boom"}},
				{staff, 0, []string{"lid:111222333", "پس از ۷ بار تلاش پردازش نشد و کنار گذاشته شد", "\nمتن: " + longText, "deadline exceeded"}}}},
		{"queued file lost without a caption: no empty text line", false, "", []notice.Event{
			notice.WhatsAppQueuedGivenUp{Address: "+989121234567", Attempts: 5, FileLost: true, Error: "download: timeout"}},
			[]told{{staff, 0, []string{"=⚠️ فایل پیام واتس‌اپی که از \u2068+989121234567\u2069 رسیده بود، پس از ۵ بار تلاش دریافت نشد. پیام بدون فایل ثبت شد تا پیام‌های بعدی این گفت‌وگو معطل نمانند؛ اگر فایل لازم است، لطفاً از مشتری بخواهید آن را دوباره بفرستد.\nخطا: download: timeout"}}}},
		{"queued message unreadable: no text line, ask the customer", false, "", []notice.Event{
			notice.WhatsAppQueuedGivenUp{Address: "+989121234567", Chat: "989121234567@s.whatsapp.net", MessageID: "U9", Attempts: 1, Error: "unreadable: proto: cannot parse invalid wire-format data", Unreadable: true}},
			[]told{{staff, 0, []string{"=⚠️ پیام واتس‌اپی که از \u2068+989121234567\u2069 رسیده بود، در صف ربات آسیب دید و خوانده نمی‌شود و کنار گذاشته شد تا پیام‌های بعدی این گفت‌وگو معطل نمانند. لطفاً از مشتری بپرسید چه پیامی فرستاده بود.\nخطا: unreadable: proto: cannot parse invalid wire-format data"}}}},
		{"staff group migrated: managers privately", true, "", []notice.Event{notice.TelegramMigrated{Chat: staff, OldID: -100, NewID: -100222}},
			[]told{{reza, 0, []string{"گروه پشتیبانی", "سوپرگروه", "\u2068telegram.staff_chat_id: -100222\u2069"}}, {sara, 0, []string{"telegram.staff_chat_id: -100222"}}}},
		{"managers group migrated", true, "", []notice.Event{notice.TelegramMigrated{Chat: outbox.ManagersGroup, OldID: -200, NewID: -100333}},
			[]told{{reza, 0, []string{"گروه مدیران", "telegram.managers_chat_id: -100333"}}, {sara, 0, []string{"telegram.managers_chat_id"}}}},
		{"removed and restored: managers privately", true, "", []notice.Event{notice.TelegramRemoved{Chat: staff, ChatID: -100}, notice.TelegramRestored{Chat: staff, ChatID: -100}},
			[]told{{reza, 0, []string{"=⚠️ ربات از گروه پشتیبانی بیرون گذاشته شده یا اجازهٔ نوشتن در آن را ندارد. پیام‌های این گروه نگه داشته می‌شوند و چیزی از دست نمی‌رود؛ لطفاً ربات را دوباره با اجازهٔ نوشتن به گروه بیفزایید."}},
				{sara, 0, []string{"بیرون گذاشته"}}, {reza, 0, []string{"=✅ ربات دوباره در گروه پشتیبانی می‌نویسد و پیام‌های نگه‌داشته فرستاده می‌شوند."}}, {sara, 0, []string{"دوباره در گروه"}}}},
		{"telegram conflict: staff and managers once per spell; polling again only after", false, "", []notice.Event{
			notice.TelegramPolling{}, notice.TelegramConflict{}, notice.TelegramConflict{}, notice.TelegramPolling{}, notice.TelegramPolling{},
			notice.TelegramConflict{Webhook: true}},
			[]told{{staff, 0, []string{"دو نسخه از ربات", "دستورها"}}, {reza, 0, []string{"دو نسخه"}}, {sara, 0, []string{"دو نسخه"}},
				{staff, 0, []string{"=✅ ربات دوباره پیام‌های تلگرام را دریافت می‌کند و دستورها و پاسخ‌های کارشناسان را انجام می‌دهد."}},
				{reza, 0, []string{"دوباره پیام‌های تلگرام"}}, {sara, 0, []string{"دوباره پیام‌های تلگرام"}},
				{staff, 0, []string{"وب‌هوک", "deleteWebhook"}}, {reza, 0, []string{"وب‌هوک"}}, {sara, 0, []string{"وب‌هوک"}}}},
		{"telegram unreachable: staff and managers once per outage", false, "", []notice.Event{
			notice.TelegramWasUnreachable{Since: at.Add(-30 * time.Minute), Until: at}, notice.TelegramWasUnreachable{Since: at.Add(-30 * time.Minute), Until: at.Add(time.Minute)}},
			[]told{{staff, 0, []string{"از ۱۲:۰۰ تا ۱۲:۳۰ (۳۰ دقیقه) به تلگرام دسترسی نداشت", "پراکسی"}}, {reza, 0, []string{"۳۰ دقیقه"}}, {sara, 0, []string{"۳۰ دقیقه"}}}},
		{"staff file too big: in its chat, on its ticket", false, "", []notice.Event{notice.TelegramFileTooBig{Chat: staff, Ticket: 12, Name: "dump.zip", Bytes: 25 << 20}},
			[]told{{staff, 12, []string{"بیش از ۲۰ مگابایت"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, n := newNoticesFixture(t, tt.managersGroup)
			ctx := context.Background()
			if tt.quote != "" {
				m := store.OutboxMessage{CreatedAt: at, To: string(customer), Text: tt.quote, Status: store.OutboxSent}
				if err := db.Enqueue(ctx, &m); err != nil || m.ID != 1 {
					t.Fatalf("row %d: %v", m.ID, err)
				}
			}
			for _, ev := range tt.events {
				if err := db.InTx(ctx, func(tx store.Store) error { return n.Notify(ctx, tx, at, ev) }); err != nil {
					t.Fatalf("%s: %v", ev.Kind(), err)
				}
			}
			got := noticesSent(t, db, at)
			if len(got) != len(tt.want) {
				t.Fatalf("sent %d notices, want %d:\n%s", len(got), len(tt.want), describe(got))
			}
			for i, w := range tt.want {
				m := got[i]
				if m.To != string(w.to) || m.TicketID != w.ticket || !m.CreatedAt.Equal(at) {
					t.Errorf("notice %d to %s on ticket %d at %s, want %s on %d at %s", i, m.To, m.TicketID, m.CreatedAt, w.to, w.ticket, at)
				}
				for _, word := range w.words {
					if whole, ok := strings.CutPrefix(word, "="); ok {
						if m.Text != whole {
							t.Errorf("notice %d:\n%q\nwant\n%q", i, m.Text, whole)
						}
					} else if !strings.Contains(m.Text, word) {
						t.Errorf("notice %d %q lacks %q", i, m.Text, word)
					}
				}
				if strings.Contains(m.Text, "[") || strings.Contains(m.Text, "{") {
					t.Errorf("notice %d has a missing key or placeholder: %q", i, m.Text)
				}
				if l := bareLine(m.Text); l != "" {
					t.Errorf("notice %d has a line with nothing to say, %q: %q", i, l, m.Text)
				}
			}
		})
	}
}

// An event the core has no words for is an error, and nothing is sent.
func TestNoticesUnknownEvent(t *testing.T) {
	db, n := newNoticesFixture(t, false)
	ctx := context.Background()
	err := db.InTx(ctx, func(tx store.Store) error { return n.Notify(ctx, tx, time.Now(), strangeEvent{}) })
	if err == nil || !strings.Contains(err.Error(), "strange") {
		t.Errorf("err %v, want one naming the event", err)
	}
	if got := noticesSent(t, db, time.Now()); len(got) != 0 {
		t.Errorf("sent %+v", got)
	}
}

// A notice whose transaction rolls back is not told, and the situation is
// told when it is reported again.
func TestNoticesRollBackWithTheirChange(t *testing.T) {
	db, n := newNoticesFixture(t, false)
	ctx := context.Background()
	at := time.Now()
	boom := fmt.Errorf("the change failed")
	err := db.InTx(ctx, func(tx store.Store) error {
		if err := n.Notify(ctx, tx, at, notice.WhatsAppReplaced{}); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("err %v", err)
	}
	if got := noticesSent(t, db, at); len(got) != 0 {
		t.Fatalf("sent %+v after a rollback", got)
	}
	if err := db.InTx(ctx, func(tx store.Store) error { return n.Notify(ctx, tx, at, notice.WhatsAppReplaced{}) }); err != nil {
		t.Fatal(err)
	}
	if got := noticesSent(t, db, at); len(got) != 3 {
		t.Errorf("sent %d notices when reported again, want 3 (staff and two managers)", len(got))
	}
}

type strangeEvent struct{}

func (strangeEvent) Kind() string { return "strange" }

func newNoticesFixture(tb testing.TB, managersGroup bool) (*sqlite.DB, *Notices) {
	tb.Helper()
	db := sqlitetest.Open(tb, filepath.Join(tb.TempDir(), "notices.db"))
	p, err := locales.New("fa", nil)
	if err != nil {
		tb.Fatal(err)
	}
	d := NewDesk(&rules.Policy{}, p, DeskConfig{Managers: []int64{2001, 2002}, HasManagersGroup: managersGroup})
	return db, NewNotices(p, d)
}

// noticesSent lists the pending outbox in order (the sent row a test quotes
// is not one).
func noticesSent(tb testing.TB, db *sqlite.DB, at time.Time) []store.OutboxMessage {
	tb.Helper()
	ms, err := db.DueOutbox(context.Background(), at.Add(24*time.Hour), 0)
	if err != nil {
		tb.Fatal(err)
	}
	slices.SortFunc(ms, func(a, b store.OutboxMessage) int { return int(a.ID - b.ID) })
	return ms
}

// required is ev with the fields its reporter always sets (who, when, the
// command or version to show) and every optional one left empty.
func required(ev notice.Event, at time.Time) notice.Event {
	const who = "+989121234567"
	switch e := ev.(type) {
	case notice.WhatsAppNotPaired:
		e.Command = "supportbot pair"
		return e
	case notice.WhatsAppLoggedOut:
		e.Command = "supportbot pair"
		return e
	case notice.WhatsAppOutdated:
		e.Version = "v0.0.0"
		return e
	case notice.WhatsAppUndelivered:
		e.Address = who
		return e
	case notice.WhatsAppMissedCall:
		e.Address, e.At = who, at
		return e
	case notice.WhatsAppEdited:
		e.Address, e.Text = who, "x" // an edit without text is not reported
		return e
	case notice.WhatsAppRevoked:
		e.Address = who
		return e
	case notice.WhatsAppUndecryptable:
		e.Address = who
		return e
	case notice.WhatsAppQueuedGivenUp:
		e.Address = who
		return e
	}
	return ev
}

// bareLine is the first line of text that says nothing: a blank line, an
// empty isolate, or a label (ending in ":") with nothing after it on its
// line or the next; "" when there is none.
func bareLine(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		next := ""
		if i+1 < len(lines) {
			next = strings.TrimSpace(lines[i+1])
		}
		if l == "" || strings.Contains(l, "\u2068\u2069") || (strings.HasSuffix(l, ":") && next == "") {
			return lines[i]
		}
	}
	return ""
}

func describe(ms []store.OutboxMessage) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "  %s #%d: %q\n", m.To, m.TicketID, m.Text)
	}
	return b.String()
}

// A transport's refusal of one message reaches staff in their words in the
// outbox's report; any other error is quoted as it is.
func TestNoticesFailureReport(t *testing.T) {
	_, n := newNoticesFixture(t, false)
	m := store.OutboxMessage{ID: 41, To: "whatsapp:+989121234567", TicketID: 7, Text: "پاسخ کارشناس"}
	wrapped := func(err error) error { return outbox.Permanent(fmt.Errorf("send part 1: %w", err)) }
	tests := []struct {
		name string
		err  error
		want string // the error line of the report
	}{
		{"never wrote", wrapped(&notice.NeverWrote{Address: "+989129999999"}),
			"این مخاطب (\u2068+989129999999\u2069) تاکنون در واتس‌اپ به شرکت پیام نداده است و ربات فقط به کسانی پیام می‌دهد که خودشان اول پیام داده‌اند؛ لطفاً تلفنی تماس بگیرید."},
		{"463", wrapped(&notice.WhatsAppRefused{Code: 463, Err: errors.New("server returned error 463")}),
			"واتس‌اپ اجازهٔ فرستادن این پیام را نداد (کد ۴۶۳): حساب شرکت فعلاً نمی‌تواند در این گفت‌وگو پیام بدهد تا مشتری خودش دوباره پیام بدهد."},
		{"479", wrapped(&notice.WhatsAppRefused{Code: 479}), "واتس‌اپ این نشانی را برای پیام نپذیرفت (کد ۴۷۹)؛ احتمالاً نشانی پنهان مشتری دیگر معتبر نیست."},
		{"a code without words of its own", wrapped(&notice.WhatsAppRefused{Code: 403}), "واتس‌اپ پیام را نپذیرفت (کد ۴۰۳)."},
		{"any other error", wrapped(errors.New("file x.pdf is gone")), "send part 1: file x.pdf is gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := n.FailureReport(m, 1, tt.err)
			want := outbox.FailureReport(n.p)(m, 1, errors.New(tt.want))
			if got != want {
				t.Errorf("report\n%s\nwant\n%s", got, want)
			}
			if !strings.Contains(got, tt.want) || !strings.Contains(got, "پاسخ کارشناس") {
				t.Errorf("report %q lacks the reason or the text", got)
			}
		})
	}
}

// Every event the transports can report has words in both languages: none
// is refused, none renders a missing key or placeholder.
func TestNoticesWordEveryEvent(t *testing.T) {
	for _, lang := range locales.Languages {
		db, _ := newNoticesFixture(t, false)
		p, err := locales.New(lang, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := NewNotices(p, NewDesk(&rules.Policy{}, p, DeskConfig{Managers: []int64{2001}}))
		ctx := context.Background()
		at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
		tell := func(ev notice.Event) {
			if err := db.InTx(ctx, func(tx store.Store) error { return n.Notify(ctx, tx, at, ev) }); err != nil {
				t.Fatal(err)
			}
		}
		for _, ev := range notice.All() {
			// Each connection problem is told once until the connection
			// is back, and the all-clears only after a problem.
			tell(notice.WhatsAppBack{})
			switch ev.(type) {
			case notice.WhatsAppBack:
				tell(notice.WhatsAppReplaced{})
			case notice.WhatsAppQueueMoving:
				tell(notice.WhatsAppQueueStuck{})
			}
			ev = required(ev, at)
			before := len(noticesSent(t, db, at))
			if err := db.InTx(ctx, func(tx store.Store) error { return n.Notify(ctx, tx, at, ev) }); err != nil {
				t.Errorf("%s %s: %v", lang, ev.Kind(), err)
				continue
			}
			sent := noticesSent(t, db, at)
			if len(sent) == before {
				t.Errorf("%s %s: nothing sent", lang, ev.Kind())
			}
			for _, m := range sent[before:] {
				if strings.Contains(m.Text, "[") || strings.Contains(m.Text, "{") || strings.TrimSpace(m.Text) == "" {
					t.Errorf("%s %s: %q", lang, ev.Kind(), m.Text)
				}
				// The events are empty: every optional line must be left out.
				if l := bareLine(m.Text); l != "" {
					t.Errorf("%s %s: a line with nothing to say, %q, in %q", lang, ev.Kind(), l, m.Text)
				}
			}
		}
	}
}
