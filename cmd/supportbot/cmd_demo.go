package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"supportbot/demo"
	"supportbot/examples"
	"supportbot/locales"
	"supportbot/store/importcsv"
	"supportbot/store/sqlite"
)

// The demo's Telegram side: made-up chats and people, the staff of the
// example day (1001 is the dedicated person of the example gold contract).
var (
	demoStaff    = []demo.Person{{ID: 1001, Name: "Sara"}, {ID: 1002, Name: "Reza"}, {ID: 1003, Name: "Neda"}}
	demoManagers = []demo.Person{{ID: 9001, Name: "Mina"}}
)

const (
	demoStaffChat    = -1001
	demoManagersChat = -1002
)

func runDemo(ctx context.Context, env *Env, args []string) error {
	fs, c := newFlags("demo", env)
	addr := fs.String("addr", "127.0.0.1:8080", "listen on `HOST:PORT` (the page has no login: keep it on localhost)")
	contracts := fs.String("contracts", "", "customers and contracts `FILE.csv` (default: the shipped examples/contracts.csv)")
	if err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	if c.dbPath != "" {
		return fmt.Errorf("%w: the demo always runs on a temporary database; -db is not for demo", errUsage)
	}
	s, err := c.load(fs, env)
	if err != nil {
		return err
	}
	// Contracts are read and checked before anything is made.
	batch, err := demoContracts(*contracts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	defer ln.Close()
	if !loopback(ln.Addr()) {
		fmt.Fprintf(env.Stderr, "WARNING: the demo listens on %s, beyond this machine, and has no login: anyone who reaches it can act as customers, staff and managers.\n", ln.Addr())
	}
	dir, err := os.MkdirTemp("", "supportbot-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	s.cfg.Database = filepath.Join(dir, "demo.db")
	s.cfg.Telegram.StaffChatID = demoStaffChat
	s.cfg.Telegram.ManagersChatID = demoManagersChat
	s.cfg.Telegram.Managers = nil
	for _, m := range demoManagers {
		s.cfg.Telegram.Managers = append(s.cfg.Telegram.Managers, m.ID)
	}
	db, err := s.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := s.startDemo(ctx, db, batch, dir, slog.New(slog.NewTextHandler(env.Stderr, nil)))
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "supportbot demo: open http://%s/ (Ctrl-C stops it; the temporary database goes with it)\n", ln.Addr())
	return serveDemo(ctx, ln, d.Handler())
}

// startDemo loads the contracts and starts the demo on db.
func (s *setup) startDemo(ctx context.Context, db *sqlite.DB, batch importcsv.Batch, dir string, log *slog.Logger) (*demo.Demo, error) {
	if _, err := importcsv.Apply(ctx, db, batch); err != nil {
		return nil, err
	}
	engine, sched, err := s.wire(db)
	if err != nil {
		return nil, err
	}
	printer, err := locales.New(s.cfg.Language, s.loc)
	if err != nil {
		return nil, err
	}
	return demo.New(ctx, demo.Config{
		Engine: engine, Scheduler: sched, Printer: printer, Calendar: s.policy.Calendar,
		Staff: demoStaff, Managers: demoManagers, MediaDir: filepath.Join(dir, "media"), Log: log,
	})
}

// demoContracts parses the -contracts file, or the shipped examples.
func demoContracts(path string) (importcsv.Batch, error) {
	if path == "" {
		return importcsv.Parse(examples.ContractsName, bytes.NewReader(examples.Contracts))
	}
	f, err := os.Open(path)
	if err != nil {
		return importcsv.Batch{}, err
	}
	defer f.Close()
	return importcsv.Parse(path, f)
}

func loopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// serveDemo serves h on ln until ctx ends, then stops within a few
// seconds (the page's event streams end with ctx).
func serveDemo(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(stop); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
