package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"supportbot/bot"
	"supportbot/store"
	"supportbot/store/sqlite"
)

// TestHistoryTenYears measures the bot on ten years of a busy desk:
// 2,000 customers, 500,000 tickets, 5,000,000 messages (docs/performance.md,
// "Years of data"). It takes minutes and gigabytes, so it runs only when
// asked: SUPPORTBOT_HISTORY=1 go test -run TestHistoryTenYears -v -timeout 60m ./cmd/supportbot
// (SUPPORTBOT_HISTORY_TICKETS scales it). SUPPORTBOT_HISTORY_DIR keeps the
// built database there: a later run finds it and skips the build. Each run
// measures a copy of it, so every run starts from the same state, and the
// kept file stays at the schema it was built with (the copy's first open
// runs the migrations since, as an upgrade would).
func TestHistoryTenYears(t *testing.T) {
	if os.Getenv("SUPPORTBOT_HISTORY") == "" {
		t.Skip("set SUPPORTBOT_HISTORY=1 to build and measure ten years of data")
	}
	tickets := 500_000
	if v := os.Getenv("SUPPORTBOT_HISTORY_TICKETS"); v != "" {
		tickets, _ = strconv.Atoi(v)
	}
	const customers, msgsPerTicket = 2000, 10
	dir := t.TempDir()
	keep := os.Getenv("SUPPORTBOT_HISTORY_DIR")
	if keep == "" {
		keep = dir
	}
	kept, db := filepath.Join(keep, "history.db"), filepath.Join(dir, "history.db")
	cfg := filepath.Join(dir, "config.yaml")
	for _, d := range []string{keep, dir} {
		if err := os.WriteFile(filepath.Join(d, "config.yaml"), []byte("database: history.db\ntelegram:\n  staff_chat_id: -100\n  managers: [2001]\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	t.Logf("load average at the start: %s", loadAverage())
	if _, err := os.Stat(kept); err != nil {
		buildHistory(t, filepath.Join(keep, "config.yaml"), kept, customers, tickets, msgsPerTicket)
	}
	if kept != db {
		copyFile(t, kept, db)
	}
	fi, _ := os.Stat(db)
	t.Logf("database %.0f MB", float64(fi.Size())/1e6)

	// The first open runs the migrations the kept file predates.
	start := time.Now()
	upgraded, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	upgraded.Close()
	t.Logf("first open (migrations since the build): %v", time.Since(start).Round(time.Millisecond))

	// Start-up: open (migrations checked) and wire, as run does.
	start = time.Now()
	s, err := (&common{configPath: cfg}).loadFrom(cfg, true, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	engine, _, err := s.wire(st)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("start-up (open, migrations checked, wire): %v", time.Since(start).Round(time.Millisecond))

	now := time.Date(2026, 11, 29, 10, 0, 0, 0, s.loc) // a Sunday, office hours
	n := 0
	run := time.Now().UnixNano() // ids unique to this run: a kept database has seen the last run's
	staff := func(chat string, user int64, text string) time.Duration {
		n++
		t0 := time.Now()
		if err := engine.HandleStaff(ctx, fmt.Sprintf("h-%d-%d", run, n), bot.StaffInput{At: now.Add(time.Duration(n) * time.Second), Chat: chat, UserID: user, UserName: "Sara", Text: text}); err != nil {
			t.Fatal(err)
		}
		return time.Since(t0)
	}
	measure := func(name string, runs int, f func(i int) time.Duration) {
		var ds []time.Duration
		for i := range runs {
			ds = append(ds, f(i))
		}
		slices.Sort(ds)
		p := func(q float64) time.Duration {
			return ds[min(len(ds)-1, int(q*float64(len(ds))))].Round(10 * time.Microsecond)
		}
		t.Logf("%-28s runs %3d  p50 %8v  p99 %8v  max %8v", name, runs, p(0.5), p(0.99), ds[len(ds)-1].Round(10*time.Microsecond))
	}
	last := int64(tickets)
	measure("/tickets", 50, func(int) time.Duration { return staff("staff", 1001, "/tickets") })
	measure("/ticket N (recent)", 100, func(i int) time.Duration { return staff("staff", 1001, fmt.Sprintf("/ticket %d", last-int64(i))) })
	measure("/ticket N (ten years old)", 100, func(i int) time.Duration { return staff("staff", 1001, fmt.Sprintf("/ticket %d", 1+i*97)) })
	measure("/usage CUSTOMER", 100, func(i int) time.Duration { return staff("staff", 1001, fmt.Sprintf("/usage C-%04d", i+1)) })
	measure("/note N TEXT", 100, func(i int) time.Duration {
		return staff("staff", 1001, fmt.Sprintf("/note %d checked the logs", last-int64(i)))
	})
	measure("/log N 30m", 100, func(i int) time.Duration { return staff("staff", 1001, fmt.Sprintf("/log %d 30m", last-int64(i))) })
	measure("customer message", 300, func(i int) time.Duration {
		n++
		t0 := time.Now()
		phone := fmt.Sprintf("+98912%07d", 1+i%customers)
		if err := engine.HandleCustomer(ctx, bot.CustomerMessage{ID: fmt.Sprintf("c-%d-%d", run, n), Phone: phone, At: now.Add(time.Duration(n) * time.Second), Text: "سلام، گزارش ماهانه باز نمی‌شود"}); err != nil {
			t.Fatal(err)
		}
		return time.Since(t0)
	})
	// The other staff commands, on the open tickets of the history's last
	// days (ids last-199 to last) and old closed ones.
	measure("/claim N", 100, func(i int) time.Duration { return staff("staff", 1001, fmt.Sprintf("/claim %d", last-int64(i))) })
	measure("/assign N USER name", 100, func(i int) time.Duration {
		return staff("staff", 1001, fmt.Sprintf("/assign %d 1002 Reza", last-int64(i)))
	})
	measure("/close N", 50, func(i int) time.Duration { return staff("staff", 1001, fmt.Sprintf("/close %d", last-100-int64(i))) })
	measure("/reopen N", 50, func(i int) time.Duration { return staff("staff", 1001, fmt.Sprintf("/reopen %d", last-100-int64(i))) })
	measure("/wait N", 50, func(i int) time.Duration { return staff("staff", 1001, fmt.Sprintf("/wait %d", last-150-int64(i))) })
	measure("/decline N misuse", 20, func(i int) time.Duration {
		return staff("staff", 1001, fmt.Sprintf("/decline %d misuse", last-199+int64(i)))
	})
	// Two requests of one customer to merge: the history's open tickets
	// are each a different customer's.
	var pairs [][2]int64
	for i := range 10 {
		c := fmt.Sprintf("C-%04d", 1001+i)
		staff("staff", 1001, "/open "+c+" question normal گزارش ماهانه باز نمی‌شود")
		staff("staff", 1001, "/open "+c+" question normal خروجی اکسل خالی است")
		ts, err := st.ListTickets(ctx, store.TicketFilter{CustomerID: c, OpenOnly: true})
		if err != nil || len(ts) < 2 {
			t.Fatalf("open tickets of %s: %d (%v), want two", c, len(ts), err)
		}
		pairs = append(pairs, [2]int64{ts[len(ts)-2].ID, ts[len(ts)-1].ID})
	}
	measure("/merge N M", 10, func(i int) time.Duration {
		return staff("staff", 1001, fmt.Sprintf("/merge %d %d", pairs[i][0], pairs[i][1]))
	})
	staff("staff", 1001, "/snippet add ver لطفاً نسخه {customer} را برای تیکت {ticket} بفرستید")
	measure("/r N KEY", 100, func(i int) time.Duration { return staff("staff", 1001, fmt.Sprintf("/r %d ver", last-int64(i))) })
	measure("/snippets", 50, func(int) time.Duration { return staff("staff", 1001, "/snippets") })
	measure("/held PHONE", 50, func(i int) time.Duration {
		return staff("staff", 1001, fmt.Sprintf("/held +98912%07d", 1+i))
	})
	measure("/open CUSTOMER KIND TEXT", 100, func(i int) time.Duration {
		return staff("staff", 1001, fmt.Sprintf("/open C-%04d question normal گزارش ماهانه باز نمی‌شود", 1+(i*7)%customers))
	})
	measure("/ticket N (ten years old)", 20, func(i int) time.Duration { return staff("staff", 1001, fmt.Sprintf("/ticket %d", 5+i*1013)) })
	measure("/statement CUSTOMER (xlsx)", 20, func(i int) time.Duration {
		return staff("staff", 1001, fmt.Sprintf("/statement C-%04d", 1+i))
	})
	measure("/outage on|off (manager)", 20, func(i int) time.Duration {
		return staff("private", 2001, []string{"/outage on", "/outage off"}[i%2])
	})
	measure("/help", 50, func(int) time.Duration { return staff("staff", 1001, "/help") })
	measure("/tickets (again, after all that)", 50, func(int) time.Duration { return staff("staff", 1001, "/tickets") })
	measure("/digest (manager)", 5, func(int) time.Duration { return staff("private", 2001, "/digest") })
	// The commands did their work, not a refusal each.
	for id, want := range map[int64]store.TicketStatus{
		last: store.TicketAnswered, last - 150: store.TicketWaiting, last - 199: store.TicketDeclined, pairs[0][1]: store.TicketMerged,
	} {
		tk, err := st.Ticket(ctx, id)
		if err != nil || tk.Status != want {
			t.Errorf("ticket %d: %s (%v), want %s", id, tk.Status, err, want)
		}
	}
	if tk, err := st.Ticket(ctx, last-100); err != nil || !tk.Status.Open() {
		t.Errorf("ticket %d closed and reopened: %s (%v), want open", last-100, tk.Status, err)
	}
	st.Close()

	// export and backup as the administrator runs them: a separate process,
	// its peak memory from the kernel.
	bin := filepath.Join(t.TempDir(), "supportbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	runBin := func(args ...string) (time.Duration, int64) {
		cmd := exec.Command(bin, args...)
		cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return time.Since(t0), cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss / 1024
	}
	d, rss := runBin("export", "-config", cfg, "-o", filepath.Join(dir, "export.json"))
	t.Logf("export (JSON) %v, peak RSS %d MB", d.Round(time.Millisecond), rss)
	os.Remove(filepath.Join(dir, "export.json"))
	if os.Getenv("SUPPORTBOT_HISTORY_MESSAGES") != "" { // minutes: 2,500,000 staff messages in time order
		d, rss = runBin("export", "-config", cfg, "-audit", "-messages", "-o", filepath.Join(dir, "export.json"))
		t.Logf("export -audit -messages (JSON) %v, peak RSS %d MB", d.Round(time.Millisecond), rss)
		os.Remove(filepath.Join(dir, "export.json"))
	}
	if os.Getenv("SUPPORTBOT_HISTORY_XLSX") != "" { // slow: minutes on this history
		d, rss = runBin("export", "-config", cfg, "-format", "xlsx", "-o", filepath.Join(dir, "export.xlsx"))
		t.Logf("export (xlsx) %v, peak RSS %d MB", d.Round(time.Millisecond), rss)
	}
	backup := filepath.Join(dir, "backup.db")
	os.Remove(backup)
	d, rss = runBin("backup", "-config", cfg, backup)
	bi, _ := os.Stat(backup)
	t.Logf("backup %v (%.0f MB/s of %.0f MB written), peak RSS %d MB", d.Round(time.Millisecond), float64(bi.Size())/1e6/d.Seconds(), float64(bi.Size())/1e6, rss)
	// The backup is synced to disk before it returns; so is this copy.
	ci, _ := os.Stat(db)
	t0 := time.Now()
	if out, err := exec.Command("sh", "-c", `cp "$1" "$2" && sync "$2"`, "cp", db, filepath.Join(dir, "copy.db")).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	t.Logf("plain copy of the database file, synced (disk speed): %v (%.0f MB/s)", time.Since(t0).Round(time.Millisecond), float64(ci.Size())/1e6/time.Since(t0).Seconds())
	os.Remove(filepath.Join(dir, "copy.db"))
	os.Remove(backup)
	t.Logf("load average at the end: %s", loadAverage())
}

// buildHistory imports the customers, then writes the tickets and
// messages directly, in a few large transactions, with times spread over
// the ten years before 2026-11-29.
func buildHistory(t *testing.T, cfg, db string, customers, tickets, perTicket int) {
	t0 := time.Now()
	var csv strings.Builder
	csv.WriteString("customer_id,customer_name,city,phones,contract_id,kind,tier,subject,purchased_on,delivered_on,confirmed_on,project_id,dedicated_staff\n")
	for i := 1; i <= customers; i++ {
		fmt.Fprintf(&csv, "C-%04d,شرکت %d,تهران,0912%07d,K-%04d,product,gold,ماژول,1405/01/10,1405/01/20,1405/01/25,,\n", i, i, i, i)
	}
	csvPath := filepath.Join(filepath.Dir(db), "customers.csv")
	if err := os.WriteFile(csvPath, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "import", "-config", cfg, csvPath)

	conn, err := sql.Open("sqlite", db+"?_pragma=busy_timeout(10000)&_pragma=synchronous(off)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	end := time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC)
	span := 10 * 365 * 24 * time.Hour
	const batch = 50_000
	for from := 1; from <= tickets; from += batch {
		tx, err := conn.Begin()
		if err != nil {
			t.Fatal(err)
		}
		insT, err := tx.Prepare(`INSERT INTO tickets (id, contract_id, customer_id, phone, kind, severity, status, description, opened_at, first_response_due, first_response_at, closed_at, assignee, assignee_name, logged_min)
			VALUES (?, ?, ?, ?, 'problem', 'normal', ?, ?, ?, ?, ?, ?, 1001, 'Sara', 30)`)
		if err != nil {
			t.Fatal(err)
		}
		insM, err := tx.Prepare(`INSERT INTO ticket_messages (ticket_id, at, direction, author, text) VALUES (?, ?, ?, ?, ?)`)
		if err != nil {
			t.Fatal(err)
		}
		for id := from; id < from+batch && id <= tickets; id++ {
			c := 1 + id%customers
			opened := end.Add(-span + time.Duration(float64(span)*float64(id)/float64(tickets+1)))
			status, closed, answered := "closed", sqlTime(opened.Add(26*time.Hour)), sqlTime(opened.Add(2*time.Hour))
			if id > tickets-200 {
				status, closed, answered = "new", nil, nil
			}
			_, err := insT.Exec(id, fmt.Sprintf("K-%04d", c), fmt.Sprintf("C-%04d", c), fmt.Sprintf("+98912%07d", c), status,
				"گزارش فروش ماهانه خطا می‌دهد و خروجی اکسل خالی است", sqlTime(opened), sqlTime(opened.Add(9*time.Hour)), answered, closed)
			if err != nil {
				t.Fatal(err)
			}
			for m := range perTicket {
				dir, author := "customer", fmt.Sprintf("+98912%07d", c)
				if m%2 == 1 {
					dir, author = "staff", "1001"
				}
				if _, err := insM.Exec(id, sqlTime(opened.Add(time.Duration(m)*time.Hour)), dir, author, "لطفاً نسخه نرم‌افزار و تصویر خطا را بفرستید تا بررسی کنیم"); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Exec("UPDATE sqlite_sequence SET seq = ? WHERE name = 'tickets'", tickets); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	t.Logf("built %d customers, %d tickets, %d messages in %v", customers, tickets, tickets*perTicket, time.Since(t0).Round(time.Second))
}

func sqlTime(t time.Time) any { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

// copyFile copies the file at src to dest.
func copyFile(t *testing.T, src, dest string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// loadAverage is the machine's load over 1, 5 and 15 minutes: the figures
// mean little without it on a shared machine.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
