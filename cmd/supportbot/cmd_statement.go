package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"supportbot/bot/statement"
	"supportbot/locales"
	"supportbot/rules"
	"supportbot/store"
)

// runStatement prints a customer's monthly statement (docs/lifecycle.md).
// It only reads, so it refuses a database that does not exist.
func runStatement(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("statement", env)
	customer := fs.String("customer", "", "the customer's `ID`, e.g. C-104 (required)")
	month := fs.String("month", "", "the Jalali `MONTH`, e.g. 1405-09 (default: the month of -at)")
	format := fs.String("format", statement.FormatText, "`FORMAT` of the statement: text, csv or xlsx")
	out := fs.String("o", "", "write to `FILE` instead of standard output (needed for xlsx on a terminal)")
	at := fs.String("at", "", "count what is left as of `TIME` (RFC 3339; default now)")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if *customer == "" {
		return fmt.Errorf("%w: -customer is required", errUsage)
	}
	switch *format {
	case statement.FormatText, statement.FormatCSV, statement.FormatXLSX:
	default:
		return fmt.Errorf("%w: -format %q: want text, csv or xlsx", errUsage, *format)
	}
	s, err := c.load(fs, env)
	if err != nil {
		return err
	}
	now := time.Now()
	if *at != "" {
		if now, err = time.Parse(time.RFC3339, *at); err != nil {
			return fmt.Errorf("%w: -at %q is not an RFC 3339 time like 2026-11-28T09:00:00+03:30", errUsage, *at)
		}
	}
	year, mon, _ := rules.JalaliOf(now.In(s.loc))
	if *month != "" {
		if year, mon, err = statement.ParseMonth(*month); err != nil {
			return fmt.Errorf("%w: -month: %w", errUsage, err)
		}
	}
	db, err := s.openExisting(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := statement.Build(ctx, db, s.policy, *customer, year, mon, now)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("-customer %s: no such customer", *customer)
	}
	if err != nil {
		return err
	}
	p, err := locales.New(s.cfg.Language, s.loc)
	if err != nil {
		return err
	}
	var w io.Writer = env.Stdout
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("-o: %w", err)
		}
		defer f.Close()
		w = f
		if err := statement.Write(w, st, p, *format); err != nil {
			return err
		}
		return f.Close()
	}
	return statement.Write(w, st, p, *format)
}
