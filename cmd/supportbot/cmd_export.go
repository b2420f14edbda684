package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"supportbot/bot"
)

func runExport(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("export", env)
	at := fs.String("at", "", "report contract status and usage as of `TIME` (RFC 3339; default now)")
	audit := fs.Bool("audit", false, "add the audit trail of staff and manager actions")
	messages := fs.Bool("messages", false, "add every customer message received (with where it went) and every staff message on a ticket")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	s, err := c.load(fs, env)
	if err != nil {
		return err
	}
	when := time.Now()
	if *at != "" {
		if when, err = time.Parse(time.RFC3339, *at); err != nil {
			return fmt.Errorf("%w: -at %q is not an RFC 3339 time like 2026-11-28T09:00:00+03:30", errUsage, *at)
		}
	}
	db, err := s.openExisting(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	snap, err := bot.Export(ctx, db, s.policy, when)
	if err != nil {
		return err
	}
	if *audit {
		trail, err := bot.ExportAuditTrail(ctx, db, s.policy)
		if err != nil {
			return err
		}
		snap.Audit = &trail
	}
	if *messages {
		ms, err := bot.ExportMessages(ctx, db, s.loc)
		if err != nil {
			return err
		}
		snap.Messages = &ms
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(snap)
}
