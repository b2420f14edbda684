package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"supportbot/bot"
	"supportbot/conversation"
	"supportbot/jobs"
	"supportbot/locales"
	"supportbot/rules"
	"supportbot/store/sqlite"
)

// common holds the flags every subcommand takes.
type common struct {
	configPath string
	dbPath     string
}

func newFlags(name string, env *Env) (*flag.FlagSet, *common) {
	fs := flag.NewFlagSet("supportbot "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	c := &common{}
	fs.StringVar(&c.configPath, "config", "config.yaml", "configuration `FILE` (shipped defaults when config.yaml is absent)")
	fs.StringVar(&c.dbPath, "db", "", "database `FILE` (overrides the config's database)")
	return fs, c
}

// parseArgs parses args, wants exactly n positional arguments, and turns
// flag errors into usage errors.
func parseArgs(fs *flag.FlagSet, args []string, n int) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	switch {
	case fs.NArg() > n:
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(n))
	case fs.NArg() < n:
		return fmt.Errorf("%w: missing argument", errUsage)
	}
	return nil
}

// setup is what most subcommands need: the validated config, its zone and
// the rules it configures.
type setup struct {
	configPath string
	cfg        Config
	loc        *time.Location
	policy     *rules.Policy
}

func (c *common) load(fs *flag.FlagSet, env *Env) (*setup, error) {
	explicit := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "config" {
			explicit = true
		}
	})
	return c.loadFrom(c.configPath, explicit, env.Getenv)
}

// loadFrom reads the config at path (explicit: named with -config) and
// applies -db.
func (c *common) loadFrom(path string, explicit bool, getenv func(string) string) (*setup, error) {
	cfg, err := LoadConfig(path, explicit, getenv)
	if err != nil {
		return nil, err
	}
	if c.dbPath != "" {
		cfg.Database = c.dbPath
	}
	// -db and the environment's database are relative to the current
	// folder; without a config file the other paths sit beside the
	// database, so a replay or a test on a temporary one leaves nothing
	// elsewhere.
	if cfg.Database, err = filepath.Abs(cfg.Database); err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if cfg.dir == "" {
		cfg.Resolve(filepath.Dir(cfg.Database))
	}
	loc, err := cfg.Location()
	if err != nil {
		return nil, fmt.Errorf("timezone: %w", err)
	}
	policy, err := cfg.Policy(loc)
	if err != nil {
		return nil, err
	}
	return &setup{configPath: c.configPath, cfg: cfg, loc: loc, policy: policy}, nil
}

// open opens the database, creating it (0600, in a 0700 folder) when it
// is missing: for the commands that write.
func (s *setup) open(ctx context.Context) (*sqlite.DB, error) {
	if err := privateFile(s.cfg.Database); err != nil {
		return nil, fmt.Errorf("database %s: %w", s.cfg.Database, err)
	}
	db, err := sqlite.OpenWith(ctx, s.cfg.Database, sqlite.Options{Sync: sqlite.Sync(s.cfg.Storage.Sync)})
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", s.cfg.Database, err)
	}
	return db, nil
}

// openExisting opens a database that must already exist: for the commands
// that only read (export, backup, statement), which must not leave an empty
// database behind a mistyped path.
func (s *setup) openExisting(ctx context.Context) (*sqlite.DB, error) {
	if err := s.mustExist(); err != nil {
		return nil, err
	}
	return s.open(ctx)
}

// mustExist refuses a database that does not exist.
func (s *setup) mustExist() error {
	return mustExist(s.cfg.Database, s.configPath, s.cfg.dir != "")
}

// wire builds the engine and the scheduled jobs on a store.
func (s *setup) wire(db *sqlite.DB) (*bot.Engine, *jobs.Scheduler, error) {
	printer, err := locales.New(s.cfg.Language, s.loc)
	if err != nil {
		return nil, nil, err
	}
	conv := conversation.New(s.policy, conversation.Config{
		IdleTimeout:   time.Duration(s.cfg.Conversation.IdleTimeout),
		SupportPhone:  s.cfg.SupportPhone,
		SalesPhone:    s.cfg.SalesPhone,
		FallbackPhone: s.cfg.FallbackPhone,
		CompanyName:   s.cfg.CompanyName,
		ReopenDays:    reopenDays(s.cfg.Conversation.ReopenDays),
	})
	desk := bot.NewDesk(s.policy, printer, bot.DeskConfig{
		Managers:         s.cfg.Telegram.Managers,
		StaffChatID:      s.cfg.Telegram.StaffChatID,
		HasManagersGroup: s.cfg.Telegram.ManagersChatID != 0,
		FilesDir:         s.filesDir(),
		SupportPhone:     s.cfg.SupportPhone,
		Lifecycle: bot.LifecycleConfig{
			NudgeDays: s.cfg.Lifecycle.NudgeDays, AutoCloseDays: s.cfg.Lifecycle.AutoCloseDays, CSATDays: s.cfg.Lifecycle.CSATDays,
		},
		StaffNames: s.cfg.Desk.StaffNames,
		Topics:     s.cfg.Telegram.Topics,
	})
	engine := bot.NewEngine(db, conv, desk, printer)
	engine.SetLimits(s.cfg.EngineLimits())
	sched := &jobs.Scheduler{}
	reminders := make([]time.Duration, 0, len(s.cfg.Schedule.Reminders))
	for _, d := range s.cfg.Schedule.Reminders {
		reminders = append(reminders, time.Duration(d))
	}
	work := jobs.New(desk.JobsEnv(db), jobs.Config{
		Reminders:          reminders,
		Digest:             s.cfg.Schedule.Digest,
		ContractEndDays:    s.cfg.Schedule.ContractEndReminders,
		ContractEndPerHour: s.cfg.Schedule.ContractEndPerHour,
		InboundIDDays:      s.cfg.Retention.InboundIDDays,
	})
	if err := work.Register(sched); err != nil {
		return nil, nil, fmt.Errorf("schedule: %w", err)
	}
	return engine, sched, nil
}

// filesDir is where the bot keeps the files it makes and staff send
// (digest charts, Telegram downloads): files_dir, already absolute.
func (s *setup) filesDir() string { return s.cfg.FilesDir }

// reopenDays is the configured reopen window as the conversation takes it:
// 0 in the file turns reopening off.
func reopenDays(d int) int {
	if d == 0 {
		return -1
	}
	return d
}
