package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"

	"supportbot/bot"
	"supportbot/bot/bench"
	"supportbot/store/sqlite"
)

// runBench is `supportbot bench`: the load run of bot/bench on a fresh
// temporary database beside the configured one (so it measures the disk
// the bot really uses), removed afterwards.
func runBench(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("bench", env)
	customers := fs.Int("customers", 1000, "customers writing at once")
	messages := fs.Int("messages", 0, "customer messages in each timed run (default 20 per customer)")
	rate := fs.Int("rate", 5000, "offered load of the paced run, in customer messages a second")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	syncSetting := fs.String("sync", "", "database durability: full or normal (default: the config's storage.sync)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	switch {
	case *customers < 1 || *customers > 1_000_000:
		return fmt.Errorf("%w: -customers %d is not between 1 and 1000000", errUsage, *customers)
	case *messages < 0 || *messages > 100_000_000:
		return fmt.Errorf("%w: -messages %d is not between 1 and 100000000", errUsage, *messages)
	case *rate < 1:
		return fmt.Errorf("%w: -rate %d must be positive", errUsage, *rate)
	}
	s, err := c.load(fs, env)
	if err != nil {
		return err
	}
	sync := sqlite.Sync(s.cfg.Storage.Sync)
	if *syncSetting != "" {
		if sync = sqlite.Sync(*syncSetting); !sync.Valid() {
			return fmt.Errorf("%w: -sync %q is not full or normal", errUsage, *syncSetting)
		}
	}
	dir := filepath.Dir(s.cfg.Database)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		dir = os.TempDir()
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	limits := s.cfg.EngineLimits()
	r, err := bench.Run(ctx, bench.Options{
		Customers: *customers,
		Messages:  *messages,
		Rate:      *rate,
		Dir:       dir,
		Sync:      sync,
		Wire: func(db *sqlite.DB) (*bot.Engine, error) {
			engine, _, err := s.wire(db)
			if err != nil {
				return nil, err
			}
			engine.SetLimits(limits)
			return engine, nil
		},
		Progress: func(format string, args ...any) {
			fmt.Fprintf(env.Stderr, "bench: "+format+"\n", args...)
		},
	})
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	}
	_, err = fmt.Fprint(env.Stdout, r.String())
	return err
}
