package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"supportbot/rules"
)

func runCheckConfig(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("check-config", env)
	verbose := fs.Bool("v", false, "print the effective week and tiers, after the file is merged over the shipped values")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	s, err := c.load(fs, env)
	if err != nil {
		return err
	}
	// Everything run would refuse before touching the network.
	if err := s.checkRun(); err != nil {
		return fmt.Errorf("%s: %w", c.configPath, err)
	}
	fmt.Fprintf(env.Stdout, "%s: ok (time zone %s, office day %s, %d holidays, database %s)\n",
		c.configPath, s.loc, s.policy.Calendar.OfficeDayLength(), len(s.policy.Calendar.Holidays), s.cfg.Database)
	if *verbose {
		printEffective(env.Stdout, s)
	}
	if y := missingHolidayYear(s.policy.Calendar, time.Now()); y != 0 {
		fmt.Fprintf(env.Stderr, "warning: no holidays are known for the Jalali year %d; add them under holidays.add, or deadlines will count them as office days\n", y)
	}
	return nil
}

// weekOrder is the office week, Saturday first.
var weekOrder = []time.Weekday{time.Saturday, time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

// printEffective prints the week and tiers the bot will enforce, so that an
// administrator sees what a partial file changed and what it kept.
func printEffective(w io.Writer, s *setup) {
	cal := s.policy.Calendar
	fmt.Fprintln(w, "\nweek              office hours          contact hours")
	for _, day := range weekOrder {
		fmt.Fprintf(w, "  %-15s %-21s %s\n", strings.ToLower(day.String()), spans(cal.Office[day]), spans(cal.Contact[day]))
	}
	fmt.Fprintln(w, "\ntiers")
	kinds := make([]string, 0, len(s.policy.Tiers))
	for k := range s.policy.Tiers {
		kinds = append(kinds, string(k))
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		tiers := s.policy.Tiers[rules.Kind(k)]
		names := make([]string, 0, len(tiers))
		for t := range tiers {
			names = append(names, string(t))
		}
		sort.Strings(names)
		for _, t := range names {
			r := tiers[rules.Tier(t)]
			monthly := fmt.Sprint(r.MonthlyRequests)
			if r.MonthlyRequests < 0 {
				monthly = "unlimited"
			}
			response := fmt.Sprintf("%d days", r.ResponseDays)
			if r.ResponseDays == 0 {
				response = "hourly.response_days"
			}
			fmt.Fprintf(w, "  %s.%s: response %s, %s requests a month, phone %t, remote %t, on-site %d %v, reinstalls %d, reviews %d, customization %dh, training %dh, dedicated %t",
				k, t, response, monthly, r.Phone, r.Remote, r.Onsite, r.OnsiteSeverity, r.Reinstalls, r.Reviews, r.Customization, r.Training, r.Dedicated)
			if r.Hours > 0 {
				fmt.Fprintf(w, ", %d hours", r.Hours)
			}
			fmt.Fprintf(w, "\n    kinds %v\n", r.Kinds)
		}
	}
	h := s.policy.Hourly
	fmt.Fprintf(w, "  hourly: response %d days, ticket minimum %dm, month minimum %dm, month cap %d%%, carry-over from month %d\n",
		h.ResponseDays, h.TicketMinimumMin, h.MonthMinimumMin, h.MonthCapPercent, h.CarryFromMonth)
}

// spans writes a day's intervals as 08:30-17:30, or "closed".
func spans(ivs []rules.Interval) string {
	if len(ivs) == 0 {
		return "closed"
	}
	parts := make([]string, len(ivs))
	for i, iv := range ivs {
		parts[i] = fmt.Sprintf("%02d:%02d-%02d:%02d", iv.Start/60, iv.Start%60, iv.End/60, iv.End%60)
	}
	return strings.Join(parts, ", ")
}
