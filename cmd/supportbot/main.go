// Command supportbot is the support desk bot: it answers customers on
// WhatsApp, serves staff in Telegram, and imports, exports and replays for
// the administrator. Run `supportbot help` for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	_ "time/tzdata" // the office's zone must not depend on the host's zone files
)

// gcPercent is the collector's GOGC unless the environment sets one: the
// live heap is small, so the default of 100 collected several times a
// second under load, each time costing the single database writer time
// (figures in docs/performance.md).
const gcPercent = 200

func main() {
	privateUmask()
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// errUsage marks a command line that could not be understood (exit 2).
var errUsage = errors.New("usage")

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// Env is what a subcommand may touch: streams and the environment, so the
// end-to-end tests run the real commands in-process.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// WhatsApp opens the WhatsApp link for `run`; nil means the real
	// whatsmeow session in whatsapp.session_db. Tests put a fake here.
	WhatsApp WhatsAppDialer
}

func commands() []command {
	return []command{
		{"demo", "try the whole desk in a web page: the real bot, no accounts needed", runDemo},
		{"run", "run the bot for real (WhatsApp and Telegram)", runRun},
		{"pair", "pair the company's WhatsApp account", runPair},
		{"import", "import customers and contracts from a CSV file", runImport},
		{"export", "print the state as one JSON object", runExport},
		{"statement", "a customer's monthly statement: requests, deadlines, hours, what is left", runStatement},
		{"replay", "run the bot against a scripted clock and scripted chats", runReplay},
		{"check-config", "validate the configuration", runCheckConfig},
		{"bench", "measure throughput and latency under load on a temporary database", runBench},
		{"backup", "copy the live database consistently to a new file", runBackup},
		{"health", "ask a running bot's /healthz (for container healthchecks)", runHealth},
		{"version", "print the version, commit, and Go and whatsmeow versions", runVersion},
	}
}

// Main runs one subcommand and returns the process exit status: 0 done,
// 1 failed, 2 bad command line.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: getenv}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, env, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "supportbot %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "supportbot %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "supportbot: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: supportbot COMMAND [-config FILE] [-db FILE] [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run `supportbot COMMAND -h` for a command's flags.")
}
