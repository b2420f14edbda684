package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"supportbot/bot"
	"supportbot/bot/telegram"
	"supportbot/locales"
	"supportbot/store"
)

// errNoWhatsApp is returned until the WhatsApp adapter exists.
var errNoWhatsApp = errors.New("the WhatsApp transport is not built yet")

// shutdownFlush bounds how long a stopping bot keeps delivering what is due.
const shutdownFlush = 10 * time.Second

func runRun(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("run", env)
	debug := fs.Bool("debug", false, "log debug detail (ids and sizes, never message text)")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	s, err := c.load(fs, env)
	if err != nil {
		return err
	}
	if err := s.checkRun(); err != nil {
		return err
	}
	level := slog.LevelInfo
	if *debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))

	db, err := s.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	engine, sched, err := s.wire(db)
	if err != nil {
		return err
	}
	printer, err := locales.New(s.cfg.Language, s.loc)
	if err != nil {
		return err
	}
	tg := s.cfg.Telegram
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint(tg.Token, tg.APIEndpoint)
	if err != nil {
		return telegramConnectError(err, tg.Token)
	}
	log.Info("connected to Telegram", "bot", api.Self.UserName, "bot_id", api.Self.ID,
		"staff_chat_id", tg.StaffChatID, "managers_chat_id", tg.ManagersChatID, "database", s.cfg.Database)

	disp := bot.NewDispatcher(db, bot.DispatcherConfig{Log: log})
	adapter := telegram.New(api, db, telegram.Config{
		StaffChatID:    tg.StaffChatID,
		ManagersChatID: tg.ManagersChatID,
		FileDir:        filepath.Join(filepath.Dir(s.cfg.Database), "files", "telegram"),
		FileEndpoint:   telegram.FileEndpointFor(tg.APIEndpoint),
		Label:          func(b string) string { return bot.ButtonLabel(printer, b) },
		Handled:        disp.Wake,
		Log:            log,
	})
	disp.Register("telegram", adapter)

	// The three loops stop together: on ctx (SIGINT, SIGTERM) or when the
	// updates loop ends on its own (Telegram refused the token).
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	var runErr error
	wg.Go(func() {
		defer stop()
		if err := adapter.Run(runCtx, engine); err != nil {
			runErr = fmt.Errorf("telegram: %w (check telegram.token or %s)", err, EnvTelegramToken)
		}
	})
	wg.Go(func() { disp.Run(runCtx) })
	wg.Go(func() { runSchedule(runCtx, sched, db, disp.Wake, log) })
	log.Info("supportbot running; stop with Ctrl-C or SIGTERM")
	<-runCtx.Done()
	wg.Wait()

	// Deliver what is due now, such as the answer to the last update.
	flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownFlush)
	defer cancel()
	if err := disp.Flush(flushCtx); err != nil {
		log.Warn("stopping with messages still to send; they go out at the next start", "err", err)
	}
	log.Info("supportbot stopped")
	return runErr
}

// checkRun says what is missing before run touches the network.
func (s *setup) checkRun() error {
	tg := s.cfg.Telegram
	switch {
	case s.cfg.WhatsApp.Enabled:
		return fmt.Errorf("whatsapp.enabled is true, but %w: set whatsapp.enabled: false in the config to run the Telegram staff side alone", errNoWhatsApp)
	case strings.TrimSpace(tg.Token) == "":
		return fmt.Errorf("telegram.token is empty: put the token BotFather gave you in the config file, or in the environment variable %s", EnvTelegramToken)
	case tg.StaffChatID == 0:
		return errors.New("telegram.staff_chat_id is 0: add the bot to the staff group and set the group's chat id (a negative number such as -1001234567890)")
	}
	return nil
}

// telegramConnectError explains a failed getMe without showing the token,
// which the library's request URLs carry.
func telegramConnectError(err error, token string) error {
	var te *tgbotapi.Error
	if errors.As(err, &te) && (te.Code == 401 || te.Code == 404) {
		return fmt.Errorf("telegram refused the bot token (%s): check telegram.token or %s", te.Message, EnvTelegramToken)
	}
	msg := err.Error()
	if token != "" {
		msg = strings.ReplaceAll(msg, token, "<token>")
	}
	return fmt.Errorf("telegram: cannot reach the Bot API (telegram.api_endpoint): %s", msg)
}

// settingRunClock is where the scheduler stopped, so a restart fires the
// jobs that fell due while the bot was down.
const settingRunClock = "run_clock"

// scheduleTick is how often the daemon looks for due jobs.
const scheduleTick = 30 * time.Second

// runSchedule fires the scheduled jobs as real time passes, catching up on
// at most a day missed while the bot was down. Jobs are idempotent, so a
// restart that fires an instant twice does no harm.
func runSchedule(ctx context.Context, sched *bot.Scheduler, st store.Settings, wake func(), log *slog.Logger) {
	from := time.Now()
	if v, err := st.Setting(ctx, settingRunClock); err == nil {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil && t.Before(from) && from.Sub(t) < 24*time.Hour {
			from = t
		}
	}
	tick := time.NewTicker(scheduleTick)
	defer tick.Stop()
	for {
		now := time.Now()
		if err := sched.RunDue(ctx, from, now); err != nil {
			if ctx.Err() != nil {
				return
			}
			log.Error("scheduled job", "err", err)
		}
		from = now
		if err := st.SetSetting(ctx, settingRunClock, now.UTC().Format(time.RFC3339Nano)); err != nil && ctx.Err() == nil {
			log.Error("store the scheduler clock", "err", err)
		}
		wake()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func runPair(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("pair", env)
	fs.String("phone", "", "pair with a pairing code for this phone number instead of a QR code")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if _, err := c.load(fs, env); err != nil {
		return err
	}
	return fmt.Errorf("%w; `supportbot run` with whatsapp.enabled: false serves the Telegram staff side alone", errNoWhatsApp)
}
