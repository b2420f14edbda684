package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthTimeout bounds the whole probe: a container healthcheck must not
// hang on a stuck bot.
const healthTimeout = 5 * time.Second

// runHealth is `supportbot health`: asks a running bot's /healthz (on
// metrics.listen) and exits 0 only on 200. For container healthchecks, in
// images with no curl.
func runHealth(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("health", env)
	target := fs.String("url", "", "the `URL` to probe (default http://METRICS_LISTEN/healthz from the config)")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	u := *target
	if u == "" {
		s, err := c.load(fs, env)
		if err != nil {
			return err
		}
		addr := s.cfg.Metrics.Listen
		if addr == "" {
			return fmt.Errorf("metrics.listen is empty: the bot serves no /healthz")
		}
		host, port, _ := net.SplitHostPort(addr)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		u = "http://" + net.JoinHostPort(host, port) + "/healthz"
	}
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%w: -url %q: %v", errUsage, u, err)
	}
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: nil}}).Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s %s", u, resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprintf(env.Stdout, "%s: ok\n", u)
	return nil
}
