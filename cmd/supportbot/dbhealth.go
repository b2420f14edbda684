package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"supportbot/bot/dbwatch"
	"supportbot/bot/metrics"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/store"
	"supportbot/store/sqlite"
)

// Database health for `run` (docs/durability.md): a quick check before
// anything is handled, then the probe and the free-space watch.

// checkDatabase refuses a damaged database, saying how to get back to a
// good one.
func checkDatabase(ctx context.Context, db *sqlite.DB, path string) error {
	err := db.QuickCheck(ctx)
	if err == nil || !errors.Is(err, sqlite.ErrCorrupt) {
		return err
	}
	return damagedError(path, err)
}

// damagedError is the message of a refusal to run on a damaged database.
func damagedError(path string, err error) error {
	return fmt.Errorf("database %s: %w\nsupportbot will not run on it, so as not to make it worse. Stop here and:\n"+
		"  1. keep the damaged file for later: cp %s %s.damaged (and its -wal file, if there is one);\n"+
		"  2. restore the last good backup (made with `supportbot backup FILE`): copy it over %s, delete %s-wal and %s-shm, and start again;\n"+
		"  3. messages received since that backup are in the damaged copy: `sqlite3 %s.damaged .recover` may get them back.\n"+
		"See docs/operations.md, \"Backup and restore\"", path, err, path, path, path, path, path, path)
}

// openError explains an open that failed on a damaged file.
func openError(path string, err error) error {
	if errors.Is(err, sqlite.ErrCorrupt) || sqlite.IsCorrupt(err) {
		return damagedError(path, err)
	}
	return err
}

// probeTimeout is how long a probe may wait for the writer before the
// database counts as locked: past the driver's 5 s busy timeout, well
// within the minute /healthz must see a held lock in.
const probeTimeout = 20 * time.Second

// noticeTimeout bounds one attempt to tell managers.
const noticeTimeout = 15 * time.Second

// watchDatabase builds the database's watch and plugs it into the
// metrics: a "database" component beside the transports, the free space
// and the sends whose outcome is unknown.
func (s *setup) watchDatabase(db *sqlite.DB, met *metrics.Metrics, disp *outbox.Dispatcher, api *tgbotapi.BotAPI,
	managers []outbox.Address, printer *locales.Printer, log *slog.Logger) *dbwatch.Watch {
	met.Track("database", dbwatch.States, store.DBOK, func(st string) bool { return st == store.DBOK })
	n := notifier{st: db, api: api, managers: managers, tg: s.cfg.Telegram, printer: printer, log: log}
	w := dbwatch.New(db, dbwatch.Config{
		Dir:     filepath.Dir(s.cfg.Database),
		Every:   time.Duration(s.cfg.Storage.ProbeEvery),
		Timeout: probeTimeout,
		MinFree: uint64(s.cfg.Storage.MinFreeMB) << 20,
		Changed: func(st string) { met.SetState("database", st) },
		Healthy: func() { met.Succeeded("database") },
		Notify:  n.notify,
		Log:     log,
	})
	met.GaugeFunc("supportbot_database_free_bytes", "Free space on the database's disk at the last probe.",
		func() float64 { return float64(w.FreeBytes()) })
	met.CountersFunc("supportbot_outbox_unknown_outcomes_total",
		"Sends since the start whose outcome is unknown, so a duplicate is possible (timeouts, records given up at shutdown).",
		"transport", disp.UnknownOutcomes)
	return w
}

// notifier tells managers about the database, through the outbox when the
// database takes the message, else straight through the Bot API (the
// outbox is what cannot be written).
type notifier struct {
	st       store.Store
	api      *tgbotapi.BotAPI
	managers []outbox.Address
	tg       TelegramConfig
	printer  *locales.Printer
	log      *slog.Logger
}

func (n notifier) notify(ctx context.Context, state string, free uint64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), noticeTimeout)
	defer cancel()
	text := n.printer.T("storage.notice."+state, map[string]any{"free_mb": int64(free >> 20)})
	now := time.Now()
	err := n.st.InTx(ctx, func(tx store.Store) error {
		for _, to := range n.managers {
			if _, err := outbox.Enqueue(ctx, tx, now, outbox.Post{To: to, Text: text}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		return
	}
	n.log.Warn("database notice not queued; sending it straight to Telegram", "state", state, "err", err)
	chats := []int64{n.tg.ManagersChatID}
	if n.tg.ManagersChatID == 0 {
		chats = n.tg.Managers
	}
	if len(chats) == 0 {
		chats = []int64{n.tg.StaffChatID}
	}
	if n.api == nil {
		return
	}
	api := *n.api // the same bot, with a deadline on each request
	api.Client = &http.Client{Timeout: noticeTimeout}
	for _, id := range chats {
		if _, err := api.Send(tgbotapi.NewMessage(id, text)); err != nil {
			n.log.Error("database notice not sent", "state", state, "chat_id", id, "err", err)
		}
	}
}
