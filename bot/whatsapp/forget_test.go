package whatsapp

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"supportbot/bot/whatsapp/whatsapptest"
)

// failDeletes makes the queue's deletes fail as a failing disk does, the
// first budget of them that run on their own (a delete inside a
// transaction fails while the budget lasts, and its rollback keeps the
// budget); heal ends it.
func (hs *harness) failDeletes(budget int) (heal func()) {
	hs.t.Helper()
	raw, err := sql.Open("sqlite", hs.dbPath)
	if err != nil {
		hs.t.Fatal(err)
	}
	hs.t.Cleanup(func() { raw.Close() })
	for _, q := range []string{
		`CREATE TABLE test_delete_budget (n INTEGER NOT NULL)`,
		`INSERT INTO test_delete_budget (n) VALUES (?)`,
		`CREATE TRIGGER test_delete_fails BEFORE DELETE ON whatsapp_pending WHEN (SELECT n FROM test_delete_budget) > 0
		BEGIN UPDATE test_delete_budget SET n = n - 1; SELECT RAISE(FAIL, 'disk I/O error'); END`,
	} {
		var args []any
		if strings.Contains(q, "?") {
			args = append(args, budget)
		}
		if _, err := raw.Exec(q, args...); err != nil {
			hs.t.Fatal(err)
		}
	}
	return func() {
		hs.t.Helper()
		if _, err := raw.Exec(`UPDATE test_delete_budget SET n = 0`); err != nil {
			hs.t.Fatal(err)
		}
	}
}

// A queued message the engine handled but the queue could not forget (the
// delete failed) is dealt with: no round counts as failed, it is never
// given up (staff are not told that a file they have was lost), never
// handed to the engine or downloaded again, and it is forgotten once the
// delete works, by a later round or after a restart.
func TestHandledQueuedMessageNeverGivenUp(t *testing.T) {
	for _, tc := range []struct {
		name    string
		budget  int // deletes that fail on their own
		restart bool
	}{
		{"the delete fails five times, then works", 5, false},
		{"the disk fails for a while, then heals", 1000, false},
		{"the disk fails, the bot restarts", 1000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hs := newHarness(t)
			png := []byte("\x89PNG the customer's screenshot")
			hs.cli.AddMedia("/f1", png)
			heal := hs.failDeletes(tc.budget)
			if !hs.a.HandleEvent(dm("F1", pnJID, whatsapptest.Image("این خطا را می‌دهد", "image/png", "/f1", len(png)))) {
				t.Fatal("not acknowledged")
			}
			hs.settle()
			for range DefaultQueueAttempts + 1 {
				hs.round()
			}
			if told := hs.givenUp(); len(told) != 0 {
				t.Fatalf("staff told %+v about a message the engine has with its file", told)
			}
			if got := hs.h.messages(); len(got) != 1 || got[0].File == nil || got[0].File.Path == "" {
				t.Fatalf("the engine got %+v, want F1 once, with its file", got)
			}
			if n := hs.cli.Downloads(); n != 1 {
				t.Errorf("the file was downloaded %d times, want once", n)
			}
			if ps, err := hs.db.WhatsAppPendingList(context.Background()); err != nil {
				t.Fatal(err)
			} else if len(ps) == 1 && (ps[0].Attempts != 0 || !ps[0].FailedAt.IsZero()) {
				t.Errorf("failed rounds counted for a handled message: %+v", ps[0])
			}
			heal()
			engine, cli := hs.h, hs.cli
			if tc.restart {
				hs.a.Close()
				engine = &fakeHandler{st: hs.db}
				cli = whatsapptest.NewClient()
				cli.AddMedia("/f1", png)
				cfg := hs.a.cfg
				cfg.MediaDir = filepath.Join(t.TempDir(), "media")
				hs.a = New(Link{Client: cli, Paired: true}, hs.db, engine, cfg)
				t.Cleanup(hs.a.Close)
				hs.a.resume(context.Background())
				hs.settle()
			} else {
				hs.round()
			}
			if n := hs.pendingRows(); n != 0 {
				t.Errorf("%d messages still queued after the delete works again", n)
			}
			if told := hs.givenUp(); len(told) != 0 {
				t.Errorf("staff told %+v", told)
			}
			want := 1
			if tc.restart {
				want = 0 // the new process's engine gets nothing: the old one had it
			}
			if got := engine.messages(); len(got) != want {
				t.Errorf("the engine got %d more messages after the delete worked, want %d", len(got), want)
			}
			if tc.restart && cli.Downloads() != 0 {
				t.Errorf("downloaded again after the restart")
			}
		})
	}
}
