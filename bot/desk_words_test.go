package bot

import (
	"context"
	"testing"

	"supportbot/locales"
	"supportbot/rules"
	"supportbot/store"
)

// TestCommandWordsFromTheCatalogs: the Persian names of commands come from
// the catalogs (words.command.NAME): every command has some, each reaches
// its command, and no word is two commands' (one would silently win).
func TestCommandWordsFromTheCatalogs(t *testing.T) {
	owner := map[string]string{}
	for _, c := range commands {
		ws := locales.Words("words.command." + c.name)
		if len(ws) == 0 {
			t.Errorf("/%s has no Persian name in the catalogs", c.name)
		}
		for _, w := range ws {
			f := rules.Fold(w)
			if prev, ok := owner[f]; ok && prev != c.name {
				t.Errorf("%q names both /%s and /%s", w, prev, c.name)
			}
			owner[f] = c.name
			if got := commandIndex[f]; got == nil || got.name != c.name {
				t.Errorf("/%s does not reach /%s", w, c.name)
			}
		}
	}
}

// TestArgumentWordsFromTheCatalogs: the Persian words staff type as
// arguments (decline reasons, request kinds, severities, on and off, add
// and delete) come from the catalogs and act like the codes, through the
// desk's commands.
func TestArgumentWordsFromTheCatalogs(t *testing.T) {
	for _, r := range rules.AllDeclineReasons {
		ws := locales.Words("words.decline." + string(r))
		if len(ws) == 0 {
			t.Errorf("decline reason %s has no Persian name", r)
		}
		for _, w := range ws {
			if got, ok := parseDeclineReason(w); !ok || got != r {
				t.Errorf("parseDeclineReason(%q) = %q, %v; want %q", w, got, ok, r)
			}
		}
	}
	for _, k := range rules.AllRequestKinds {
		for _, w := range wordsOf(t, "words.request_kind."+string(k)) {
			if got, ok := parseRequestKind(w); !ok || got != k {
				t.Errorf("parseRequestKind(%q) = %q, %v; want %q", w, got, ok, k)
			}
		}
	}
	for _, s := range rules.AllSeverities {
		ws := locales.Words("words.severity." + string(s))
		if len(ws) == 0 {
			t.Errorf("severity %s has no Persian name", s)
		}
		for _, w := range ws {
			if got, ok := parseSeverity(w); !ok || got != s {
				t.Errorf("parseSeverity(%q) = %q, %v; want %q", w, got, ok, s)
			}
		}
	}

	ctx := context.Background()
	f := newDeskFixture(t)
	tk := f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityNormal)
	manager := f.staff("")
	manager.Chat, manager.UserID = ChatPrivate, managerReza
	outage := func() string {
		v, err := f.db.Setting(ctx, store.SettingOutage)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, w := range wordsOf(t, "words.outage.on") {
		f.handle(t, f.staff("/قطعی خاموش")) // by staff: refused, still off
		manager.Text = "/outage off"
		f.handle(t, manager)
		manager.Text = "/outage " + w
		f.handle(t, manager)
		if got := outage(); got != "on" {
			t.Errorf("/outage %s: the notice is %q, want on", w, got)
		}
	}
	for _, w := range wordsOf(t, "words.outage.off") {
		manager.Text = "/outage on"
		f.handle(t, manager)
		manager.Text = "/outage " + w
		f.handle(t, manager)
		if got := outage(); got != "off" {
			t.Errorf("/outage %s: the notice is %q, want off", w, got)
		}
	}
	for _, add := range wordsOf(t, "words.snippet.add") {
		for _, del := range wordsOf(t, "words.snippet.del") {
			f.handle(t, f.staff("/snippet "+add+" ver لطفاً نسخه را بفرستید"))
			if _, err := f.db.Snippet(ctx, "ver"); err != nil {
				t.Fatalf("/snippet %s: %v", add, err)
			}
			f.handle(t, f.staff("/snippet "+del+" ver"))
			if _, err := f.db.Snippet(ctx, "ver"); err == nil {
				t.Errorf("/snippet %s: the snippet is still there", del)
			}
		}
	}
	f.handle(t, f.staff("/رد "+itoa(tk.ID)+" "+locales.Words("words.decline.misuse")[0]))
	if got := f.getTicket(t, tk.ID); got.Status != store.TicketDeclined || got.DeclineReason != rules.DeclineMisuse {
		t.Errorf("declined with a Persian reason: %s %q, want declined misuse", got.Status, got.DeclineReason)
	}
}

// wordsOf is locales.Words, failing the test when the key has no word (a
// renamed or emptied key would leave the loop over them empty).
func wordsOf(t *testing.T, key string) []string {
	t.Helper()
	ws := locales.Words(key)
	if len(ws) == 0 {
		t.Errorf("%s has no words", key)
	}
	return ws
}
