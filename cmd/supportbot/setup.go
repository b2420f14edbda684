package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"supportbot/bot"
	"supportbot/conversation"
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
	cfg    Config
	loc    *time.Location
	policy *rules.Policy
}

func (c *common) load(fs *flag.FlagSet, env *Env) (*setup, error) {
	explicit := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "config" {
			explicit = true
		}
	})
	cfg, err := LoadConfig(c.configPath, explicit, env.Getenv)
	if err != nil {
		return nil, err
	}
	if c.dbPath != "" {
		cfg.Database = c.dbPath
	}
	loc, err := cfg.Location()
	if err != nil {
		return nil, fmt.Errorf("timezone: %w", err)
	}
	policy, err := cfg.Policy(loc)
	if err != nil {
		return nil, err
	}
	return &setup{cfg: cfg, loc: loc, policy: policy}, nil
}

func (s *setup) open(ctx context.Context) (*sqlite.DB, error) {
	db, err := sqlite.OpenWith(ctx, s.cfg.Database, sqlite.Options{Sync: sqlite.Sync(s.cfg.Storage.Sync)})
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", s.cfg.Database, err)
	}
	return db, nil
}

// wire builds the engine and the scheduled jobs on a store.
func (s *setup) wire(db *sqlite.DB) (*bot.Engine, *bot.Scheduler, error) {
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
	})
	desk := bot.NewDesk(s.policy, printer, bot.DeskConfig{
		Managers:         s.cfg.Telegram.Managers,
		StaffChatID:      s.cfg.Telegram.StaffChatID,
		HasManagersGroup: s.cfg.Telegram.ManagersChatID != 0,
		FilesDir:         s.filesDir(),
	})
	engine := bot.NewEngine(db, conv, desk, printer)
	engine.SetLimits(s.cfg.EngineLimits())
	sched := &bot.Scheduler{}
	reminders := make([]time.Duration, 0, len(s.cfg.Schedule.Reminders))
	for _, d := range s.cfg.Schedule.Reminders {
		reminders = append(reminders, time.Duration(d))
	}
	jobs := bot.NewJobs(db, desk, bot.JobsConfig{
		Reminders:       reminders,
		Digest:          s.cfg.Schedule.Digest,
		ContractEndDays: s.cfg.Schedule.ContractEndReminders,
		InboundIDDays:   s.cfg.Retention.InboundIDDays,
	})
	if err := jobs.Register(sched); err != nil {
		return nil, nil, fmt.Errorf("schedule: %w", err)
	}
	return engine, sched, nil
}

// filesDir is where the bot keeps the files it makes (digest charts): the
// configured files_dir, relative to the database's folder unless absolute,
// so a replay on a temporary database leaves nothing behind.
func (s *setup) filesDir() string {
	if filepath.IsAbs(s.cfg.FilesDir) {
		return s.cfg.FilesDir
	}
	return filepath.Join(filepath.Dir(s.cfg.Database), s.cfg.FilesDir)
}
