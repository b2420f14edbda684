package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"supportbot/bot/sheet"
	snapshot "supportbot/export"
	"supportbot/locales"
)

func runExport(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("export", env)
	at := fs.String("at", "", "report contract status and usage as of `TIME` (RFC 3339; default now)")
	audit := fs.Bool("audit", false, "add the audit trail of staff and manager actions")
	messages := fs.Bool("messages", false, "add every customer message received (with where it went) and every staff message on a ticket")
	format := fs.String("format", "json", "json, or xlsx (a spreadsheet: customers, contracts with usage, tickets; needs -o)")
	outPath := fs.String("o", "", "write to `FILE` (mode 0600) instead of standard output")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	switch {
	case *format != "json" && *format != "xlsx":
		return fmt.Errorf("%w: -format %q is not json or xlsx", errUsage, *format)
	case *format == "xlsx" && *outPath == "":
		return fmt.Errorf("%w: -format xlsx needs -o FILE.xlsx", errUsage)
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
	out := env.Stdout
	var file *os.File
	if *outPath != "" {
		if file, err = os.OpenFile(*outPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, privateFileMode); err != nil {
			return err
		}
		defer file.Close()
		out = file
	}
	opts := snapshot.Options{Audit: *audit, Messages: *messages}
	if *format == "xlsx" {
		// The spreadsheet library holds the workbook in memory anyway.
		snap, err := snapshot.TakeWith(ctx, db, s.policy, when, opts)
		if err != nil {
			return err
		}
		printer, err := locales.New(s.cfg.Language, s.loc)
		if err != nil {
			return err
		}
		err = sheet.Write(out, snap, s.loc, func(key string) string { return printer.T(key, nil) })
		if err != nil {
			return err
		}
	} else if err := snapshot.WriteJSON(ctx, out, db, s.policy, when, opts); err != nil {
		// Streamed: a file cut short is removed; on standard output the
		// exit status says so.
		if file != nil {
			file.Close()
			os.Remove(*outPath)
		}
		return err
	}
	if file != nil {
		return file.Close()
	}
	return nil
}
