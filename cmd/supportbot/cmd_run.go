package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"

	"go.mau.fi/whatsmeow"

	"supportbot/bot"
	"supportbot/bot/metrics"
	"supportbot/bot/netproxy"
	"supportbot/bot/telegram"
	"supportbot/bot/whatsapp"
	"supportbot/jobs"
	"supportbot/locales"
	"supportbot/outbox"
	"supportbot/store"
)

// shutdownFlush bounds how long a stopping bot's scheduled jobs may run on.
const shutdownFlush = 10 * time.Second

// A stop (SIGTERM, Ctrl-C) ends run within stopBudget whatever the network
// does: the loops get stopLoops to finish what they hold, then what is due
// is delivered until the budget is spent. The service file's stop timeout
// is 15 s.
const (
	stopBudget = 12 * time.Second
	stopLoops  = 7 * time.Second
	stopFlush  = 5 * time.Second
)

// telegramStale is how long Telegram may go without answering a poll before
// /healthz turns red.
var telegramStale = 2 * time.Minute // a variable for tests

// WhatsAppDialer opens the WhatsApp link of `run` on the session file and
// returns it with the function that closes the file; whatsapp.Dial is the
// real one.
type WhatsAppDialer func(ctx context.Context, sessionDB string, log *slog.Logger) (whatsapp.Link, func() error, error)

// runPace is the dispatcher's pace and polling (zero: the defaults, which
// keep to Telegram's and WhatsApp's rates). The crash test's worker lifts
// the pace, as the fakes it talks to have no rate limits.
var runPace outbox.DispatcherConfig

func runRun(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("run", env)
	debug := fs.Bool("debug", false, "log debug detail (ids and sizes, never message text)")
	jsonLog := fs.Bool("log-json", false, "log JSON lines instead of key=value text")
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
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: redactAttr(s.cfg.Telegram.Token)}
	log := slog.New(slog.NewTextHandler(env.Stderr, opts))
	if *jsonLog {
		log = slog.New(slog.NewJSONHandler(env.Stderr, opts))
	}

	lock, err := acquireRunLock(s.cfg.Database)
	if err != nil {
		return err
	}
	defer lock.release()
	db, err := s.open(ctx)
	if err != nil {
		return openError(s.cfg.Database, err)
	}
	defer db.Close()
	if err := checkDatabase(ctx, db, s.cfg.Database); err != nil {
		return err
	}
	engine, sched, err := s.wire(db)
	if err != nil {
		return err
	}
	printer, err := locales.New(s.cfg.Language, s.loc)
	if err != nil {
		return err
	}
	met := metrics.New(db, nil)
	stopMetrics := func() {}
	if addr := s.cfg.Metrics.Listen; addr != "" {
		l, err := metrics.Listen(addr)
		if err != nil {
			return fmt.Errorf("metrics.listen %s: %w", addr, err)
		}
		mctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := met.Serve(mctx, l, log); err != nil {
				log.Error("metrics endpoint", "err", err)
			}
		}()
		stopMetrics = func() { cancel(); <-done }
	}
	defer func() { stopMetrics() }()

	tg := s.cfg.Telegram
	tgProxy, _ := netproxy.Parse(tg.Proxy) // checked by Validate
	// No getMe here: the adapter asks with backoff, so the bot starts (and
	// WhatsApp customers are answered) while Telegram cannot be reached.
	hc, err := telegramHTTPClient(tgProxy)
	if err != nil {
		return fmt.Errorf("telegram.proxy: %w", err)
	}
	api := telegram.NewAPI(tg.Token, tg.APIEndpoint, hc)
	log.Info("starting", "telegram_proxy", netproxy.Redacted(tgProxy), "staff_chat_id", tg.StaffChatID,
		"managers_chat_id", tg.ManagersChatID, "database", s.cfg.Database)

	pace := runPace
	notices := bot.NewNotices(printer, engine.Desk()) // what the transports report, worded
	pace.Log, pace.Report = log, notices.FailureReport
	disp := outbox.NewDispatcher(db, pace)
	met.Track("telegram", telegram.States, telegram.StateConnecting, telegram.Healthy)
	met.StaleAfter("telegram", telegramStale)
	adapter := telegram.New(api, db, telegram.Config{
		StaffChatID:    tg.StaffChatID,
		ManagersChatID: tg.ManagersChatID,
		Topics:         tg.Topics,
		FileDir:        filepath.Join(s.filesDir(), "telegram"),
		FileEndpoint:   telegram.FileEndpointFor(tg.APIEndpoint),
		Label:          func(b string) string { return bot.ButtonLabel(printer, b) },
		NotHandled:     printer.T("transport.not_handled", nil),
		Handled:        disp.Wake,
		StateChanged:   func(st string) { met.SetState("telegram", st) },
		Succeeded: func() {
			met.Succeeded("telegram")
			disp.Available("telegram")
		},
		Notify: notices,
		Log:    log,
	})
	disp.Register("telegram", adapter)

	var wa *whatsapp.Adapter
	if s.cfg.WhatsApp.Enabled {
		var closeSession func() error
		wa, closeSession, err = s.whatsApp(ctx, env, c, engine, db, printer, notices, disp, met, log)
		if err != nil {
			return err
		}
		defer func() {
			if err := closeSession(); err != nil {
				log.Warn("close the WhatsApp session file", "err", err)
			}
		}()
		disp.Register("whatsapp", wa)
	}

	// The loops stop together: on ctx (SIGINT, SIGTERM) or when the
	// Telegram updates loop ends on its own (Telegram refused the token).
	// Each finishes what it has in hand: the update or WhatsApp message
	// being handled, the scheduled job running.
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	var runErr error
	wg.Go(func() {
		defer stop()
		if err := adapter.Run(runCtx, engine); err != nil {
			runErr = fmt.Errorf("telegram: %s (check telegram.token or %s)", telegram.Redact(err.Error(), tg.Token), EnvTelegramToken)
		}
	})
	if wa != nil {
		wg.Go(func() { wa.Run(runCtx) })
	}
	wg.Go(func() { disp.Run(runCtx) })
	watch := s.watchDatabase(db, met, disp, api, engine.Desk().ManagerAddresses(), printer, log)
	wg.Go(func() { watch.Run(runCtx) })
	wg.Go(func() { runSchedule(runCtx, sched, s.loc, db, disp.Wake, log) })
	if y := missingHolidayYear(s.policy.Calendar, time.Now()); y != 0 {
		log.Warn("no holidays are known for a coming Jalali year; add them under holidays.add, or deadlines will count them as office days", "jalali_year", y)
	}
	log.Info("supportbot running; stop with Ctrl-C or SIGTERM", "whatsapp", s.cfg.WhatsApp.Enabled, "metrics", s.cfg.Metrics.Listen)
	<-runCtx.Done()
	stopBy := time.Now().Add(stopBudget)
	log.Info("stopping: finishing the work in hand")
	loops := make(chan struct{})
	go func() { wg.Wait(); close(loops) }()
	select {
	case <-loops:
		// Deliver what is due now, such as the answer to the last message,
		// while WhatsApp is still connected; what is left goes at the next
		// start.
		flushBy := time.Now().Add(stopFlush)
		if flushBy.After(stopBy) {
			flushBy = stopBy
		}
		flushCtx, cancel := context.WithDeadline(context.WithoutCancel(ctx), flushBy)
		defer cancel()
		if err := disp.Flush(flushCtx); err != nil {
			log.Warn("stopping with messages still to send; they go out at the next start", "err", err)
		}
	case <-time.After(stopLoops):
		// Everything stored stays stored; what was in flight is redone
		// (and deduplicated) at the next start.
		log.Warn("stopping without waiting longer for work in hand", "waited", stopLoops)
	}
	if wa != nil {
		wa.Disconnect()
	}
	log.Info("supportbot stopped")
	return runErr
}

// whatsApp opens the WhatsApp link and builds its adapter.
func (s *setup) whatsApp(ctx context.Context, env *Env, c *common, engine *bot.Engine, db store.Store, printer *locales.Printer, notices *bot.Notices,
	disp *outbox.Dispatcher, met *metrics.Metrics, log *slog.Logger) (*whatsapp.Adapter, func() error, error) {
	dial := env.WhatsApp
	if dial == nil {
		dial = whatsapp.Dial
	}
	wcfg := s.cfg.WhatsApp
	if wcfg.Debug {
		log = whatsapp.DebugLog(log)
	}
	link, closeSession, err := dial(ctx, wcfg.SessionDB, log)
	if err != nil {
		return nil, nil, fmt.Errorf("whatsapp.session_db: %w", err)
	}
	waProxy, _ := netproxy.Parse(wcfg.Proxy) // checked by Validate
	if cli, ok := link.Client.(*whatsmeow.Client); ok {
		if err := whatsapp.UseProxy(cli, waProxy); err != nil {
			closeSession()
			return nil, nil, fmt.Errorf("whatsapp.proxy: %w", err)
		}
	}
	maxBytes := int64(wcfg.MaxFileMB) << 20
	if l := engine.Limits().MaxFileBytes; l > 0 {
		maxBytes = min(maxBytes, l) // no use downloading what the engine refuses
	}
	states := make([]string, len(whatsapp.States))
	for i, st := range whatsapp.States {
		states[i] = string(st)
	}
	pair := "supportbot pair"
	if c.configPath != "config.yaml" {
		pair += " -config " + c.configPath
	}
	media := wcfg.MediaDir
	if err := privateFile(wcfg.SessionDB); err != nil {
		return nil, nil, fmt.Errorf("whatsapp.session_db %s: %w", wcfg.SessionDB, err)
	}
	wa := whatsapp.New(link, db, engine, whatsapp.Config{
		MediaDir:         media,
		MaxFileBytes:     maxBytes,
		MarkRead:         wcfg.MarkRead,
		QueueAttempts:    wcfg.QueueAttempts,
		QueueGiveUpAfter: time.Duration(wcfg.QueueGiveUpAfter),
		QueueStuckAfter:  time.Duration(wcfg.QueueStuckAfter),
		MinGap:           time.Duration(wcfg.MinSendGap),
		MaxGap:           time.Duration(wcfg.MaxSendGap),
		PairCommand:      pair,
		MaxAge:           time.Duration(s.cfg.Retention.InboundIDDays) * 24 * time.Hour,
		Say:              printer.T,
		Notify:           notices,
		Handled:          disp.Wake,
		StateChanged:     func(st whatsapp.State) { met.SetState("whatsapp", string(st)) },
		Available:        func() { disp.Available("whatsapp") },
		Worked:           func() { met.Succeeded("whatsapp") },
		Log:              log,
	})
	met.Track("whatsapp", states, string(wa.State()), func(st string) bool {
		return whatsapp.State(st).Hearing() // a reconnection longer than a few minutes is not
	})
	met.TrackQueue("whatsapp", time.Duration(wcfg.QueueStuckAfter), wa.QueueStats)
	log.Info("WhatsApp session", "proxy", netproxy.Redacted(waProxy), "session_db", wcfg.SessionDB, "paired", link.Paired, "media_dir", media)
	return wa, closeSession, nil
}

// checkRun says what is missing or wrong before run touches the network;
// check-config says the same. The token is never quoted.
func (s *setup) checkRun() error {
	tg := s.cfg.Telegram
	switch {
	case tg.Token == "":
		return fmt.Errorf("telegram.token is empty: put the token BotFather gave you in the config file, or in the environment variable %s", EnvTelegramToken)
	case strings.ContainsFunc(tg.Token, unicode.IsSpace) || strings.ContainsFunc(tg.Token, unicode.IsControl):
		return fmt.Errorf("telegram.token contains a space, tab, line break or control character inside it: copy the token again from BotFather (set in the config file or %s)", EnvTelegramToken)
	case !strings.Contains(tg.Token, ":"):
		return fmt.Errorf("telegram.token is not a bot token (BotFather's tokens look like 123456789:AA…): check the config file or %s", EnvTelegramToken)
	case tg.StaffChatID == 0:
		return errors.New("telegram.staff_chat_id is 0: add the bot to the staff group and set the group's chat id (a negative number such as -1001234567890)")
	}
	return nil
}

// telegramHTTPClient is the HTTP client of every Bot API call, through
// telegram.proxy when one is set (nil: direct). Each call's deadline is set
// per request by the adapter (docs/telegram.md).
func telegramHTTPClient(proxy *url.URL) (*http.Client, error) {
	t, err := netproxy.Transport(proxy)
	if err != nil {
		return nil, err
	}
	if t.TLSHandshakeTimeout == 0 {
		t.TLSHandshakeTimeout = 10 * time.Second
	}
	return &http.Client{Transport: t}, nil
}

// redactAttr keeps the bot token out of every log line, whatever an error
// quotes (request URLs carry the token).
func redactAttr(token string) func(groups []string, a slog.Attr) slog.Attr {
	return func(_ []string, a slog.Attr) slog.Attr {
		if token == "" {
			return a
		}
		switch v := a.Value.Resolve(); v.Kind() {
		case slog.KindString:
			if r := telegram.Redact(v.String(), token); r != v.String() {
				return slog.String(a.Key, r)
			}
		case slog.KindAny:
			if err, ok := v.Any().(error); ok {
				return slog.String(a.Key, telegram.Redact(err.Error(), token))
			}
			if st, ok := v.Any().(fmt.Stringer); ok {
				return slog.String(a.Key, telegram.Redact(st.String(), token))
			}
		}
		return a
	}
}

// settingRunClock is where the scheduler was last known to have run, so a
// restart fires the jobs that fell due while the bot was down.
const settingRunClock = "run_clock"

// maxCatchUp bounds the catch-up after downtime; older work is left alone.
const maxCatchUp = 24 * time.Hour

// runSchedule catches up on the jobs that fell due while the bot was down
// (at most a day; jobs are idempotent, so an instant fired twice does no
// harm), then fires them on the wall clock through cron until ctx ends, and
// waits for the running ones before it returns.
func runSchedule(ctx context.Context, sched *jobs.Scheduler, loc *time.Location, st store.Settings, wake func(), log *slog.Logger) {
	work := context.WithoutCancel(ctx)
	now := time.Now()
	if v, err := st.Setting(ctx, settingRunClock); err == nil {
		if from, err := time.Parse(time.RFC3339Nano, v); err == nil && from.Before(now) && now.Sub(from) < maxCatchUp {
			if err := sched.RunDue(work, from, now); err != nil {
				log.Error("scheduled job while catching up", "err", err)
			}
			wake()
		}
	}
	c, err := jobs.NewCron(sched, loc, log)
	if err != nil {
		log.Error("scheduler", "err", err)
		return
	}
	c.Start()
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		if err := st.SetSetting(work, settingRunClock, time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
			log.Error("store the scheduler clock", "err", err)
		}
		select {
		case <-ctx.Done():
			stopCtx, cancel := context.WithTimeout(work, shutdownFlush)
			defer cancel()
			if err := c.Stop(stopCtx); err != nil {
				log.Warn("scheduled jobs still running at shutdown were cancelled", "err", err)
			}
			return
		case <-tick.C:
			wake()
		}
	}
}
