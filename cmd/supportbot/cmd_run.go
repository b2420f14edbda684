package main

import (
	"context"
	"errors"
)

// errNoTransports is returned until the WhatsApp and Telegram adapters exist.
var errNoTransports = errors.New("the WhatsApp and Telegram transports are not built yet; use `supportbot replay` to run the bot on a script")

func runRun(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("run", env)
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if _, err := c.load(fs, env); err != nil {
		return err
	}
	return errNoTransports
}

func runPair(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("pair", env)
	fs.String("phone", "", "pair with a pairing code for this phone number instead of a QR code")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if _, err := c.load(fs, env); err != nil {
		return err
	}
	return errNoTransports
}
