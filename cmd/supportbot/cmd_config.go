package main

import (
	"context"
	"fmt"
	"time"
)

func runCheckConfig(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("check-config", env)
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	s, err := c.load(fs, env)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: ok (time zone %s, office day %s, %d holidays, database %s)\n",
		c.configPath, s.loc, s.policy.Calendar.OfficeDayLength(), len(s.policy.Calendar.Holidays), s.cfg.Database)
	if y := missingHolidayYear(s.policy.Calendar, time.Now()); y != 0 {
		fmt.Fprintf(env.Stderr, "warning: no holidays are known for the Jalali year %d; add them under holidays.add, or deadlines will count them as office days\n", y)
	}
	return nil
}
