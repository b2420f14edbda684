package main

import (
	"context"
	"fmt"

	"supportbot/store/sqlite"
)

// runBackup is `supportbot backup FILE`: a consistent copy of the database
// (the file and its log, copied under one read transaction) taken beside a
// running bot, never over an existing file.
func runBackup(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("backup", env)
	fs.Usage = func() {
		fmt.Fprintln(env.Stderr, "usage: supportbot backup [-config FILE] [-db FILE] BACKUP.db")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args, 1); err != nil {
		return err
	}
	s, err := c.load(fs, env)
	if err != nil {
		return err
	}
	if err := s.mustExist(); err != nil {
		return err
	}
	dest := fs.Arg(0)
	if err := sqlite.BackupFile(ctx, s.cfg.Database, dest); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backed up %s to %s\n", s.cfg.Database, dest)
	return nil
}
