package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"supportbot/bot/replay"
	"supportbot/store/importcsv"
)

func runReplay(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("replay", env)
	contracts := fs.String("contracts", "", "import customers and contracts from `FILE.csv` first")
	script := fs.String("script", "", "the script, JSON Lines (`FILE.jsonl`)")
	format := fs.String("format", "json", "output: json (one line per message, docs/interface.md) or text (a readable transcript)")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if *script == "" {
		return fmt.Errorf("%w: -script FILE.jsonl is required", errUsage)
	}
	out := replay.JSON
	switch *format {
	case "json":
	case "text":
		out = replay.Text
	default:
		return fmt.Errorf("%w: -format %q is not json or text", errUsage, *format)
	}
	s, err := c.load(fs, env)
	if err != nil {
		return err
	}
	// The script is read and checked whole before the database is touched.
	f, err := os.Open(*script)
	if err != nil {
		return err
	}
	events, err := replay.Parse(*script, f)
	f.Close()
	if err != nil {
		return err
	}
	var batch *importcsv.Batch
	if *contracts != "" {
		b, err := parseImport(*contracts)
		if err != nil {
			return err
		}
		batch = &b
	}
	if c.dbPath == "" {
		// A fresh database unless -db names one.
		dir, err := os.MkdirTemp("", "supportbot-replay-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		s.cfg.Database = filepath.Join(dir, "replay.db")
		s.cfg.FilesDir = filepath.Join(dir, "files")
		s.cfg.WhatsApp.MediaDir = filepath.Join(dir, "media")
	}
	db, err := s.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if batch != nil {
		if _, err := importcsv.Apply(ctx, db, *batch); err != nil {
			return err
		}
	}
	engine, sched, err := s.wire(db)
	if err != nil {
		return err
	}
	r := &replay.Player{Engine: engine, Scheduler: sched, Out: env.Stdout, Format: out, Loc: s.loc}
	return r.Run(ctx, events)
}
