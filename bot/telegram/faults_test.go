package telegram_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"supportbot/bot/telegram"
	"supportbot/bot/telegram/telegramtest"
	"supportbot/inbound"
	"supportbot/notice"
	"supportbot/outbox"
	"supportbot/store"
)

// watch records the states an adapter reports.
type watch struct {
	mu     sync.Mutex
	states []string
	oks    int
}

func (w *watch) config(c *telegram.Config) {
	c.PollMargin = 300 * time.Millisecond
	c.SendTimeout = 300 * time.Millisecond
	c.StateChanged = func(s string) { w.mu.Lock(); w.states = append(w.states, s); w.mu.Unlock() }
	c.Succeeded = func() { w.mu.Lock(); w.oks++; w.mu.Unlock() }
}

func (w *watch) state() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.states) == 0 {
		return ""
	}
	return w.states[len(w.states)-1]
}

func TestStalledPollIsAbandonedAndRetried(t *testing.T) {
	w := &watch{}
	h := newHarness(t, w.config)
	rec := &recorder{st: h.db}
	stop := h.run(h.ad, rec)
	defer stop()
	wait(t, "running", func() bool { return w.state() == telegram.StateRunning })
	h.srv.Stall("getUpdates", true)
	wait(t, "unreachable after a stalled poll", func() bool { return w.state() == telegram.StateUnreachable })
	h.srv.Stall("getUpdates", false)
	h.srv.Push(telegramtest.Message(staff, sara, "/tickets"))
	wait(t, "the update after the stall", func() bool { return rec.count() == 1 })
	wait(t, "running again", func() bool { return w.state() == telegram.StateRunning })
}

func TestStartsWhileTelegramHangsAndStopsPromptly(t *testing.T) {
	w := &watch{}
	h := newHarness(t, w.config)
	patientCfg := h.cfg
	patientCfg.SendTimeout = 10 * stopBound
	patient := telegram.New(h.srv.API(t), h.db, patientCfg) // made while Telegram answers
	// getMe and everything else: accepted, never answered.
	h.srv.Stall("", true)
	rec := &recorder{st: h.db}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.ad.Run(ctx, rec) }()
	wait(t, "unreachable", func() bool { return w.state() == telegram.StateUnreachable })

	// A send to the hanging peer ends at its deadline and holds the
	// message without counting an attempt. The peer never answers, so a
	// send without a deadline would never end: the bound only has to be
	// far above the 300 ms deadline at any load.
	id := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), Text: "card"})
	start := time.Now()
	flushed := make(chan error, 1)
	go func() { flushed <- h.disp.Flush(context.Background()) }()
	select {
	case err := <-flushed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(stopBound):
		t.Fatalf("a send to a hanging peer did not end within %v", stopBound)
	}
	t.Logf("the send gave up after %v", time.Since(start).Round(time.Millisecond))
	if m := h.outbox(id); m.Status != store.OutboxPending || m.Attempts != 0 {
		t.Errorf("held message: %q after %d attempts, want pending and none counted", m.Status, m.Attempts)
	}

	start = time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(stopBound):
		t.Fatalf("Run did not stop within %v while Telegram hangs", stopBound)
	}
	t.Logf("stopped %v after cancel", time.Since(start).Round(time.Millisecond))

	// A stop does not wait for the call in hand: with getMe's deadline ten
	// times the bound, a stop waiting for it would fail at any speed.
	calls := len(h.srv.Calls("getMe"))
	stop := h.run(patient, rec)
	wait(t, "a hanging getMe", func() bool { return len(h.srv.Calls("getMe")) > calls })
	stop()

	// Telegram is back: the held message goes once.
	h.srv.Stall("", false)
	h.disp.Available("telegram")
	h.flush()
	if m := h.outbox(id); m.Status != store.OutboxSent || len(h.srv.SentTo(staffChat)) != 1 {
		t.Errorf("after the outage: %q, %d sent", m.Status, len(h.srv.SentTo(staffChat)))
	}
}

func TestDroppedAndSlowConnectionsLoseNothing(t *testing.T) {
	w := &watch{}
	h := newHarness(t, w.config)
	h.srv.Drop("getUpdates", 2)
	h.srv.Delay("getUpdates", 100*time.Millisecond) // slow, within the deadline
	rec := &recorder{st: h.db}
	stop := h.run(h.ad, rec)
	defer stop()
	h.srv.Push(telegramtest.Message(staff, sara, "one"))
	h.srv.Push(telegramtest.Message(staff, sara, "two"))
	wait(t, "both updates", func() bool { return rec.count() == 2 })
	if got := rec.all(); got[0].in.Text != "one" || got[1].in.Text != "two" {
		t.Errorf("handled %+v", got)
	}

	h.srv.Drop("sendMessage", 1)
	id := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), Text: "card"})
	h.flush()
	if m := h.outbox(id); m.Status != store.OutboxPending || m.Attempts != 0 {
		t.Errorf("after a dropped send: %q, %d attempts", m.Status, m.Attempts)
	}
	h.disp.Available("telegram")
	h.flush()
	if m := h.outbox(id); m.Status != store.OutboxSent {
		t.Errorf("after the retry: %q", m.Status)
	}
}

func TestPoisonUpdateIsSkippedAndTheBatchGoesOn(t *testing.T) {
	h := newHarness(t)
	before := h.srv.Push(telegramtest.Message(staff, sara, "before"))
	poison := h.srv.PushRaw(`"message":{"message_id":"not a number","chat":{"id":"x"}}`)
	after := h.srv.Push(telegramtest.Message(staff, sara, "after"))
	rec := &recorder{st: h.db}
	stop := h.run(h.ad, rec)
	wait(t, "the updates around the poison one", func() bool { return rec.count() == 2 })
	wait(t, "the offset past them", func() bool { return h.offset() == itoa(after+1) })
	stop()
	if got := rec.all(); got[0].in.Text != "before" || got[1].in.Text != "after" {
		t.Errorf("handled %+v", got)
	}
	if before >= poison || poison >= after {
		t.Fatalf("ids %d %d %d", before, poison, after)
	}
}

func TestOffsetResetIsFollowed(t *testing.T) {
	h := newHarness(t)
	first := h.srv.Push(telegramtest.Message(staff, sara, "before the quiet week"))
	rec := &recorder{st: h.db}
	stop := h.run(h.ad, rec)
	wait(t, "the first update", func() bool { return rec.count() == 1 && h.offset() == itoa(first+1) })
	stop()

	// Telegram restarts its ids far below the stored offset.
	h.srv.RestartIDs(1)
	h.srv.Push(telegramtest.Message(staff, sara, "after the quiet week"))
	h.srv.Push(telegramtest.Message(staff, sara, "and again"))
	stop = h.run(h.adapter(h.db), rec)
	wait(t, "the updates after the reset", func() bool { return rec.count() == 3 })
	stop()
	got := rec.all()
	if got[1].in.Text != "after the quiet week" || got[2].in.Text != "and again" {
		t.Errorf("handled %+v", got)
	}
	// Ids of the new era are keyed apart from the old one's, so an id
	// seen before the reset is not taken for a repeat after it.
	if !strings.HasPrefix(got[1].id, "update:e1:") || got[1].id == got[0].id {
		t.Errorf("keys %q then %q", got[0].id, got[1].id)
	}

	// A restart of the bot neither repeats nor loses anything.
	stop = h.run(h.adapter(h.db), rec)
	h.srv.Push(telegramtest.Message(staff, sara, "later"))
	wait(t, "a later update", func() bool { return rec.count() == 4 })
	stop()
}

func TestForbiddenGroupHoldsItsMessagesAndTellsManagers(t *testing.T) {
	w := &watch{}
	h := newHarness(t, w.config)
	h.srv.Fail("sendMessage", telegramtest.Failure{Code: 403, Description: "Forbidden: bot was kicked from the supergroup chat"})
	card := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 1, Text: "card"})
	h.flush()
	private := h.enqueue(store.OutboxMessage{To: string(outbox.TelegramUser(2001)), Text: "to a manager"})
	h.flush()
	if m := h.outbox(card); m.Status != store.OutboxPending || m.Attempts != 0 {
		t.Errorf("card: %q after %d attempts, want held", m.Status, m.Attempts)
	}
	if m := h.outbox(private); m.Status != store.OutboxSent {
		t.Errorf("private message: %q, want sent while the group refuses", m.Status)
	}
	removed := notice.TelegramRemoved{Chat: outbox.StaffGroup, ChatID: staffChat}
	if w.state() != telegram.StateRemoved || !slices.Equal(h.notes.events(), []notice.Event{removed}) {
		t.Errorf("state %q events %+v, want %+v", w.state(), h.notes.events(), removed)
	}
	h.srv.Fail("sendMessage", telegramtest.Failure{Code: 403, Description: "Forbidden: bot was kicked from the supergroup chat"})
	for range 2 { // one more 403, then the group takes it
		h.clock.Advance(10 * time.Minute)
		h.flush()
	}
	if m := h.outbox(card); m.Status != store.OutboxSent || len(h.srv.SentTo(staffChat)) != 1 {
		t.Errorf("card after the bot is back: %q, %d in the group", m.Status, len(h.srv.SentTo(staffChat)))
	}
	restored := notice.TelegramRestored{Chat: outbox.StaffGroup, ChatID: staffChat}
	if !slices.Equal(h.notes.events(), []notice.Event{removed, restored}) || w.state() == telegram.StateRemoved {
		t.Errorf("state %q events %+v, want removed then restored", w.state(), h.notes.events())
	}
}

// A 400 that refuses every message to the group (it is gone or unknown to
// the bot, or the bot may not write text there) holds the group's messages
// and tells managers, as a 403 does, instead of giving each message up
// (its report to the same group would be lost too); a group that only
// forbids files gives up that one message and goes on.
func TestGroupRefusingTextHoldsItsMessages(t *testing.T) {
	tests := []struct {
		description string
		held        bool
	}{
		{"Bad Request: chat not found", true},
		{"Bad Request: not enough rights to send text messages to the chat", true},
		{"Bad Request: have no rights to send a message", true},
		{"Bad Request: CHAT_WRITE_FORBIDDEN", true},
		{"Bad Request: message text is empty", false},
	}
	for _, tt := range tests {
		t.Run(tt.description, func(t *testing.T) {
			w := &watch{}
			h := newHarness(t, w.config)
			h.srv.Fail("sendMessage", telegramtest.Failure{Code: 400, Description: tt.description})
			card := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 1, Text: "card"})
			h.flush()
			m := h.outbox(card)
			removed := []notice.Event{notice.TelegramRemoved{Chat: outbox.StaffGroup, ChatID: staffChat}}
			if !tt.held {
				if m.Status != store.OutboxFailed || len(h.notes.events()) != 0 || w.state() == telegram.StateRemoved {
					t.Errorf("card %q, events %+v, state %q; want given up alone", m.Status, h.notes.events(), w.state())
				}
				return
			}
			if m.Status != store.OutboxPending || m.Attempts != 0 || w.state() != telegram.StateRemoved || !slices.Equal(h.notes.events(), removed) {
				t.Fatalf("card %q after %d attempts, state %q, events %+v; want held, removed, told", m.Status, m.Attempts, w.state(), h.notes.events())
			}
			h.clock.Advance(10 * time.Minute)
			h.flush()
			if m := h.outbox(card); m.Status != store.OutboxSent {
				t.Errorf("card %q once the group takes it, want sent", m.Status)
			}
		})
	}
}

// TestRemovalToldOnceAcrossRestarts: managers hear once that the staff
// group refuses the bot and once that it is back, however many processes
// see the removal: a restart in the middle of one neither tells them again
// nor forgets to tell them it ended.
func TestRemovalToldOnceAcrossRestarts(t *testing.T) {
	w := &watch{}
	h := newHarness(t, w.config)
	kicked := telegramtest.Failure{Code: 403, Description: "Forbidden: bot was kicked from the supergroup chat"}
	removed := notice.TelegramRemoved{Chat: outbox.StaffGroup, ChatID: staffChat}
	restored := notice.TelegramRestored{Chat: outbox.StaffGroup, ChatID: staffChat}
	card := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 1, Text: "card"})
	// restart is a new process on the same database: a fresh adapter and
	// dispatcher, and a clock past any hold.
	restart := func() {
		h.clock.Advance(10 * time.Minute)
		ad := h.adapter(h.db)
		d := outbox.NewDispatcher(h.db, outbox.DispatcherConfig{Now: h.clock.Now, Sleep: h.clock.Sleep, Log: h.log})
		d.Register("telegram", ad)
		if err := d.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name   string
		refuse bool
		want   []notice.Event
	}{
		{"first refusal", true, []notice.Event{removed}},
		{"refused again after a restart", true, []notice.Event{removed}},
		{"taken after a restart", false, []notice.Event{removed, restored}},
		{"taken again after a restart", false, []notice.Event{removed, restored}},
	}
	for _, step := range steps {
		if step.refuse {
			h.srv.Fail("sendMessage", kicked)
		}
		restart()
		if got := h.notes.events(); !slices.Equal(got, step.want) {
			t.Fatalf("%s: events %+v, want %+v", step.name, got, step.want)
		}
		if step.refuse && w.state() != telegram.StateRemoved {
			t.Errorf("%s: state %q, want %q", step.name, w.state(), telegram.StateRemoved)
		}
	}
	if m := h.outbox(card); m.Status != store.OutboxSent || len(h.srv.SentTo(staffChat)) != 1 {
		t.Errorf("card: %q, %d in the group; want sent once when the group took it", m.Status, len(h.srv.SentTo(staffChat)))
	}
	// A later removal is a new one: told again.
	h.srv.Fail("sendMessage", kicked)
	h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 2, Text: "card 2"})
	restart()
	if got := h.notes.events(); !slices.Equal(got, []notice.Event{removed, restored, removed}) {
		t.Errorf("a second removal: events %+v, want it told", got)
	}
}

func TestMigratedGroupIsFollowed(t *testing.T) {
	w := &watch{}
	h := newHarness(t, w.config)
	const super = int64(-1002222333)
	h.srv.Fail("sendMessage", telegramtest.Failure{Code: 400, Description: "Bad Request: group chat was upgraded to a supergroup chat", MigrateTo: super})
	id := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), Text: "card"})
	h.flush()
	if m := h.outbox(id); m.Status != store.OutboxSent || len(h.srv.SentTo(super)) != 1 {
		t.Fatalf("after the migration: %q, %d in the supergroup", m.Status, len(h.srv.SentTo(super)))
	}
	migrated := notice.TelegramMigrated{Chat: outbox.StaffGroup, OldID: staffChat, NewID: super}
	if k := h.notes.events(); !slices.Equal(k, []notice.Event{migrated}) {
		t.Errorf("events %+v, want %+v", k, migrated)
	}
	// A new process follows it too, and hears the supergroup as the staff group.
	ad := h.adapter(h.db)
	d := outbox.NewDispatcher(h.db, outbox.DispatcherConfig{Now: h.clock.Now, Sleep: h.clock.Sleep, Log: h.log})
	d.Register("telegram", ad)
	h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), Text: "next"})
	if err := d.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(h.srv.SentTo(super)); n != 2 {
		t.Errorf("%d in the supergroup, want 2", n)
	}
	rec := &recorder{st: h.db}
	stop := h.run(ad, rec)
	h.srv.Push(telegramtest.Message(telegramtest.Group(super, "Support"), sara, "/tickets"))
	wait(t, "a message in the supergroup", func() bool { return rec.count() == 1 })
	stop()
	if c := rec.all()[0].in.Chat; c != inbound.ChatStaff {
		t.Errorf("chat %q, want the staff group", c)
	}
}

func TestRefusedMarkupIsSentAsPlainText(t *testing.T) {
	h := newHarness(t)
	h.srv.Fail("sendMessage", telegramtest.Failure{Code: 400, Description: "Bad Request: can't parse entities: unsupported start tag"})
	id := h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), TicketID: 3, Text: "a <b> card tg://user?id=1001", Buttons: []string{"claim"}})
	h.flush()
	s := h.srv.SentTo(staffChat)
	if m := h.outbox(id); m.Status != store.OutboxSent || len(s) != 1 {
		t.Fatalf("%q, sent %+v", m.Status, s)
	}
	if s[0].ParseMode != "" || !strings.Contains(s[0].Text, "a <b> card") || s[0].Markup == nil {
		t.Errorf("plain resend %+v, want the text as is with its buttons", s[0])
	}
}

func TestMentionsOnlyForKnownStaff(t *testing.T) {
	h := newHarness(t)
	rec := &recorder{st: h.db}
	stop := h.run(h.ad, rec)
	h.srv.Push(telegramtest.Message(staff, sara, "hello")) // Sara becomes known staff
	wait(t, "Sara's message", func() bool { return rec.count() == 1 })
	stop()
	// The desk's token for Sara and for someone never seen; and what a
	// customer wrote: links to known staff and to strangers.
	text := "assignee " + outbox.MentionToken(1001, "Sara") + ", dedicated " + outbox.MentionToken(4242, "Reza") +
		", customer wrote tg://user?id=1001 and tg://user?id=4242"
	h.enqueue(store.OutboxMessage{To: string(outbox.StaffGroup), Text: text})
	h.flush()
	s := h.srv.SentTo(staffChat)
	if len(s) != 1 {
		t.Fatalf("sent %+v", s)
	}
	if got := strings.Count(s[0].HTML, "<a "); got != 1 || !strings.Contains(s[0].HTML, `<a href="tg://user?id=1001">Sara</a>`) {
		t.Errorf("HTML %q: want only the desk's mention of Sara as a link (%d links)", s[0].HTML, got)
	}
	if !strings.Contains(s[0].Text, "dedicated Reza,") || strings.ContainsAny(s[0].Text, "\x1e\x1f") {
		t.Errorf("text %q: want Reza by name, no link, no marks", s[0].Text)
	}
}

func itoa(n int) string { return fmtInt(n) }

func fmtInt(n int) string { return strconv.Itoa(n) }

// TestConflictIsShownAndTold: getUpdates refused with 409 because another
// process polls with the same token turns the state "conflict" (unhealthy)
// and tells staff and managers once, also across a restart in the middle
// of it; the first answered poll after it says it is over, once. Updates
// then get through.
func TestConflictIsShownAndTold(t *testing.T) {
	w := &watch{}
	h := newHarness(t, w.config)
	rec := &recorder{st: h.db}
	for range 2 {
		h.srv.Fail("getUpdates", telegramtest.Conflict())
	}
	stop := h.run(h.ad, rec)
	wait(t, "the conflict shown", func() bool { return w.state() == telegram.StateConflict })
	wait(t, "the conflict told", func() bool { return len(h.notes.events()) == 1 })
	if telegram.Healthy(telegram.StateConflict) {
		t.Error("a conflict counts as healthy")
	}
	stop()
	// A new process: whether or not it still meets the conflict, staff
	// are not told again, and hear once that it is over.
	stop = h.run(h.adapter(h.db), rec)
	h.srv.Push(telegramtest.Message(staff, sara, "/tickets"))
	wait(t, "the update after the conflict", func() bool { return rec.count() == 1 })
	wait(t, "running", func() bool { return w.state() == telegram.StateRunning })
	stop()
	stop = h.run(h.adapter(h.db), rec)
	h.srv.Push(telegramtest.Message(staff, sara, "/tickets 2"))
	wait(t, "a later update", func() bool { return rec.count() == 2 })
	stop()
	want := []notice.Event{notice.TelegramConflict{}, notice.TelegramPolling{}}
	if got := h.notes.events(); !slices.Equal(got, want) {
		t.Errorf("events %+v, want %+v", got, want)
	}
}

// TestWebhookIsRemoved: a webhook left set for the bot (getUpdates then
// answers 409) is removed with deleteWebhook, keeping its pending updates,
// and polling goes on without a word to staff; one that cannot be removed
// is a conflict, told.
func TestWebhookIsRemoved(t *testing.T) {
	for _, removable := range []bool{true, false} {
		t.Run(map[bool]string{true: "removed", false: "refused"}[removable], func(t *testing.T) {
			w := &watch{}
			h := newHarness(t, w.config)
			rec := &recorder{st: h.db}
			h.srv.SetWebhook("https://old.example/hook")
			if !removable {
				h.srv.Fail("deleteWebhook", telegramtest.Failure{Code: 400, Description: "Bad Request: the webhook is managed elsewhere"})
			}
			h.srv.Push(telegramtest.Message(staff, sara, "/tickets"))
			stop := h.run(h.ad, rec)
			defer stop()
			if !removable {
				wait(t, "the conflict shown", func() bool { return w.state() == telegram.StateConflict })
				wait(t, "the conflict told", func() bool { return len(h.notes.events()) == 1 })
				if got := h.notes.events(); got[0] != (notice.TelegramConflict{Webhook: true}) {
					t.Errorf("events %+v, want a webhook conflict", got)
				}
				return
			}
			wait(t, "the update", func() bool { return rec.count() == 1 })
			calls := h.srv.Calls("deleteWebhook")
			if h.srv.Webhook() != "" || len(calls) != 1 || calls[0].Params.Get("drop_pending_updates") != "false" {
				t.Errorf("webhook %q after deleteWebhook calls %+v, want removed once keeping its updates", h.srv.Webhook(), calls)
			}
			if got := h.notes.events(); len(got) != 0 {
				t.Errorf("events %+v, want none", got)
			}
		})
	}
}

// TestOutageIsToldWhenTelegramAnswers: Telegram not answering (a stalled
// poll: a proxy or network that hangs) for longer than /healthz allows is
// told to staff and managers once, when it answers again, with when it
// began, also when the bot restarted in the middle of it; a blip is not.
func TestOutageIsToldWhenTelegramAnswers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		lasts   time.Duration
		restart bool
	}{{"a blip", 0, false}, {"three minutes", 3 * time.Minute, false}, {"three minutes across a restart", 3 * time.Minute, true}} {
		t.Run(tc.name, func(t *testing.T) {
			w := &watch{}
			h := newHarness(t, w.config)
			rec := &recorder{st: h.db}
			stop := h.run(h.ad, rec)
			wait(t, "running", func() bool { return w.state() == telegram.StateRunning })
			h.srv.Stall("getUpdates", true)
			wait(t, "unreachable", func() bool { return w.state() == telegram.StateUnreachable })
			since := h.clock.Now()
			h.clock.Advance(tc.lasts)
			if tc.lasts > 0 {
				// The outage is kept once it is long enough to tell.
				wait(t, "the outage kept", func() bool {
					v, err := h.db.Setting(context.Background(), "telegram_unreachable_since")
					return err == nil && v != ""
				})
			}
			if tc.restart {
				stop()
				stop = h.run(h.adapter(h.db), rec)
			}
			h.srv.Stall("getUpdates", false)
			h.srv.Push(telegramtest.Message(staff, sara, "/tickets"))
			wait(t, "the update after the outage", func() bool { return rec.count() == 1 })
			stop()
			got := h.notes.events()
			if tc.lasts == 0 {
				if len(got) != 0 {
					t.Errorf("events %+v after a blip, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("events %+v, want the outage told once", got)
			}
			ev, ok := got[0].(notice.TelegramWasUnreachable)
			if !ok || ev.Since.Sub(since).Abs() > time.Second || ev.Until.Sub(ev.Since) < tc.lasts {
				t.Errorf("event %+v, want an outage from %v lasting %v", got[0], since, tc.lasts)
			}
		})
	}
}
