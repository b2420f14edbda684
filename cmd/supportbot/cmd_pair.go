package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"supportbot/bot/netproxy"
	"supportbot/bot/whatsapp"
	"supportbot/rules"
)

// runPair links the company's WhatsApp account to whatsapp.session_db: a
// QR code in the terminal, or with -phone a pairing code to type on the
// phone. The session file is separate from the support database.
func runPair(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("pair", env)
	phone := fs.String("phone", "", "the company's WhatsApp `NUMBER` (0912…, +98912…, 98912…): print a pairing code to type on the phone instead of showing a QR code")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	s, err := c.load(fs, env)
	if err != nil {
		return err
	}
	digits, err := pairPhone(*phone)
	if err != nil {
		return fmt.Errorf("%w: -phone: %v", errUsage, err)
	}
	if err := privateFile(s.cfg.WhatsApp.SessionDB); err != nil {
		return fmt.Errorf("whatsapp.session_db %s: %w", s.cfg.WhatsApp.SessionDB, err)
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	waProxy, _ := netproxy.Parse(s.cfg.WhatsApp.Proxy) // checked by Validate
	if s.cfg.WhatsApp.Debug {
		log = whatsapp.DebugLog(log)
	}
	return whatsapp.Pair(ctx, whatsapp.PairOptions{SessionDB: s.cfg.WhatsApp.SessionDB, Phone: digits, Out: env.Stdout, Log: log, Proxy: waProxy})
}

// pairPhone is the number WhatsApp's pairing code wants: international
// digits without "+". Iranian numbers may be written any usual way; a
// foreign one needs its "+" and country code.
func pairPhone(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	p, err := rules.ParsePhone(s)
	if err == nil {
		return strings.TrimPrefix(p, "+"), nil
	}
	f := strings.TrimSpace(rules.NormalizeDigits(s))
	if rest, ok := strings.CutPrefix(f, "+"); ok {
		rest = strings.NewReplacer(" ", "", "-", "").Replace(rest)
		if len(rest) >= 8 && len(rest) <= 15 && strings.Trim(rest, "0123456789") == "" && rest[0] != '0' {
			return rest, nil
		}
	}
	return "", err
}
