package bot

import (
	"os"
	"strings"
	"testing"
	"time"

	"supportbot/outbox"
	"supportbot/rules"
	"supportbot/store"
)

// TestDigestCommandSendsTheChart: /digest (here in Persian, «/گزارش»)
// answers the manager who asked with the digest of package jobs/digest and
// its chart, and records nothing as sent, so asking again answers again.
// The digest's contents are tested in jobs/digest.
func TestDigestCommandSendsTheChart(t *testing.T) {
	f := newDeskFixture(t)
	f.desk = NewDesk(f.desk.policy, f.p, DeskConfig{Managers: []int64{managerReza}, StaffChatID: -100, FilesDir: t.TempDir()})
	f.at = f.at.AddDate(0, 0, -1) // Saturday 10:00: the day Sunday's digest counts
	f.ticket(t, "A-1", phoneSilver, rules.RequestProblem, rules.SeverityNormal)
	f.ticket(t, "G-1", phoneGold, rules.RequestQuestion, "")
	f.at = f.at.AddDate(0, 0, 1).Add(time.Hour) // Sunday 11:00
	in := f.staff("/گزارش")
	in.Chat, in.UserID = ChatPrivate, managerReza
	sent := f.handle(t, in)
	if len(sent) != 2 || sent[0].File != nil || sent[1].File == nil {
		t.Fatalf("sent %+v, want the digest and then its chart", sent)
	}
	for _, m := range sent {
		if m.To != string(outbox.TelegramUser(managerReza)) {
			t.Errorf("sent to %s, want the manager who asked", m.To)
		}
	}
	if want := f.p.T("digest.day", map[string]any{"day": f.desk.raw("digest.yesterday"), "opened": 2, "answered": 0, "on_time": 0, "breached": 0}); !strings.Contains(sent[0].Text, want) {
		t.Errorf("digest lacks Saturday's two tickets %q:\n%s", want, sent[0].Text)
	}
	if !strings.HasPrefix(sent[1].File.Name, "sla-1405-09-08-1100") || sent[1].File.Bytes == 0 || sent[1].File.Kind != store.FileImage {
		t.Errorf("chart %+v", sent[1].File)
	}
	if _, err := os.Stat(sent[1].File.Path); err != nil {
		t.Errorf("chart file: %v", err)
	}
	if again := f.handle(t, in); len(again) != 2 {
		t.Errorf("second /digest sent %d messages, want 2", len(again))
	}
}
