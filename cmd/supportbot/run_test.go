package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"supportbot/bot/telegram/telegramtest"
)

// syncBuffer is a bytes.Buffer that a running Main and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const (
	e2eToken     = "424242:e2e-secret-token"
	e2eStaffChat = int64(-100777)
)

// runBot starts `supportbot run` in-process; stop cancels its context (as
// SIGTERM does) and returns the exit status.
func runBot(t *testing.T, cfg, db string, stderr *syncBuffer) (stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	getenv := func(k string) string {
		if k == EnvTelegramToken {
			return e2eToken
		}
		return ""
	}
	go func() {
		code <- Main(ctx, []string{"run", "-config", cfg, "-db", db}, strings.NewReader(""), &syncBuffer{}, stderr, getenv)
	}()
	return func() int {
		t.Helper()
		cancel()
		select {
		case c := <-code:
			return c
		case <-time.After(time.Minute):
			t.Fatal("supportbot run did not stop within a minute of SIGTERM")
			return -1
		}
	}
}

// handledUpTo waits until the bot has asked Telegram for updates after id,
// which it does only once id is handled and its offset stored.
func handledUpTo(t *testing.T, srv *telegramtest.Server, id int) {
	t.Helper()
	telegramtest.WaitFor(t, time.Minute, fmt.Sprintf("update %d handled", id), func() bool {
		for _, c := range srv.Calls("getUpdates") {
			if n, _ := strconv.Atoi(c.Params.Get("offset")); n > id {
				return true
			}
		}
		return false
	})
}

func TestRunServesTheStaffGroupOverTelegram(t *testing.T) {
	srv := telegramtest.NewServer(t, e2eToken)
	cfg := writeFile(t, "config.yaml", fmt.Sprintf(`telegram:
  api_endpoint: %q
  staff_chat_id: %d
  managers: [2001]
whatsapp:
  enabled: false
metrics:
  listen: ""
`, srv.Endpoint(), e2eStaffChat))
	db := filepath.Join(t.TempDir(), "bot.db")
	staff := telegramtest.Group(e2eStaffChat, "Support")
	stranger := telegramtest.Group(-100888, "Not ours")
	sara := telegramtest.Person(1001, "Sara")

	// The first answer meets a 429 and goes out once after the wait.
	srv.Fail("sendMessage", telegramtest.TooManyRequests(1))
	srv.Push(telegramtest.Message(staff, sara, "/tickets"))
	last := srv.Push(telegramtest.Message(stranger, sara, "/tickets"))

	var stderr syncBuffer
	stop := runBot(t, cfg, db, &stderr)
	telegramtest.WaitFor(t, time.Minute, "the answer in the staff group", func() bool { return len(srv.SentTo(e2eStaffChat)) > 0 })
	handledUpTo(t, srv, last)
	if code := stop(); code != 0 {
		t.Fatalf("run exited %d\n%s", code, stderr.String())
	}
	answers := srv.SentTo(e2eStaffChat)
	if len(answers) != 1 || strings.TrimSpace(answers[0].Text) == "" {
		t.Fatalf("staff group got %+v, want one answer to /tickets", answers)
	}
	if n := len(srv.Calls("sendMessage")); n != 2 {
		t.Errorf("%d sendMessage calls, want 2 (a 429, then the answer)", n)
	}
	if s := srv.SentTo(stranger.ID); len(s) != 0 {
		t.Errorf("the stranger's chat got %+v", s)
	}
	logs := stderr.String()
	if strings.Contains(logs, e2eToken) || strings.Contains(logs, "e2e-secret") {
		t.Errorf("the log shows the token:\n%s", logs)
	}
	if !strings.Contains(logs, "chat_id=-100888") {
		t.Errorf("the log does not name the ignored chat:\n%s", logs)
	}

	// Restarted, the bot handles only what is new.
	next := srv.Push(telegramtest.Message(staff, sara, "/tickets"))
	stderr2 := syncBuffer{}
	stop = runBot(t, cfg, db, &stderr2)
	handledUpTo(t, srv, next)
	telegramtest.WaitFor(t, time.Minute, "the second answer", func() bool { return len(srv.SentTo(e2eStaffChat)) >= 2 })
	if code := stop(); code != 0 {
		t.Fatalf("second run exited %d\n%s", code, stderr2.String())
	}
	if n := len(srv.SentTo(e2eStaffChat)); n != 2 {
		t.Errorf("after the restart the staff group has %d answers, want 2 (nothing handled twice): %+v\n%s", n, srv.SentTo(e2eStaffChat), stderr2.String())
	}
}

func TestRunRefusesWhatItCannotDo(t *testing.T) {
	tests := []struct {
		name   string
		config string
		env    string
		want   []string
	}{
		{"no token", "telegram:\n  staff_chat_id: -1\n", "", []string{"telegram.token", EnvTelegramToken}},
		{"no staff group", "whatsapp:\n  enabled: false\n", "x:y", []string{"telegram.staff_chat_id"}},
		{"token with a space inside", "telegram:\n  staff_chat_id: -1\n", "123456:AAsecret token", []string{"telegram.token", "inside"}},
		{"token with a line break inside", "telegram:\n  staff_chat_id: -1\n", "123456:AAsecret\r\ntoken", []string{"telegram.token", "inside"}},
		{"busy metrics address", "telegram:\n  staff_chat_id: -1\nwhatsapp:\n  enabled: false\nmetrics:\n  listen: \"" + busyAddr(t) + "\"\n", "x:y", []string{"metrics.listen"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeFile(t, "config.yaml", tt.config)
			var out, errb bytes.Buffer
			getenv := func(k string) string {
				if k == EnvTelegramToken {
					return tt.env
				}
				return ""
			}
			code := Main(context.Background(), []string{"run", "-config", cfg, "-db", filepath.Join(t.TempDir(), "t.db")}, strings.NewReader(""), &out, &errb, getenv)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, w := range tt.want {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr %q does not mention %q", errb.String(), w)
				}
			}
			if strings.Contains(errb.String(), "AAsecret") {
				t.Errorf("stderr shows the token: %q", errb.String())
			}
			if strings.Contains(tt.name, "metrics") {
				return // check-config does not open ports
			}
			// check-config refuses the same, with the same field named.
			errb.Reset()
			code = Main(context.Background(), []string{"check-config", "-config", cfg}, strings.NewReader(""), &out, &errb, getenv)
			if code != 1 || !strings.Contains(errb.String(), tt.want[0]) || strings.Contains(errb.String(), "AAsecret") {
				t.Errorf("check-config: exit %d stderr %q, want 1 naming %s", code, errb.String(), tt.want[0])
			}
		})
	}
}

// busyAddr is a local address something already listens on.
func busyAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}

func TestRunReportsARefusedToken(t *testing.T) {
	srv := telegramtest.NewServer(t, "another:token")
	cfg := writeFile(t, "config.yaml", fmt.Sprintf("telegram:\n  api_endpoint: %q\n  staff_chat_id: -1\nwhatsapp:\n  enabled: false\nmetrics:\n  listen: \"\"\n", srv.Endpoint()))
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == EnvTelegramToken {
			return e2eToken
		}
		return ""
	}
	code := Main(context.Background(), []string{"run", "-config", cfg, "-db", filepath.Join(t.TempDir(), "t.db")}, strings.NewReader(""), &out, &errb, getenv)
	if code != 1 || !strings.Contains(errb.String(), "refused the bot token") || strings.Contains(errb.String(), e2eToken) {
		t.Errorf("exit %d stderr %q; want 1, a refused token, and no token shown", code, errb.String())
	}
}

func TestCheckConfigTrimsTheToken(t *testing.T) {
	cfg := writeFile(t, "config.yaml", "telegram:\n  staff_chat_id: -1\n")
	for _, tok := range []string{"123456:AAsecret\r", " 123456:AAsecret\n", "\t123456:AAsecret \r\n"} {
		var out, errb bytes.Buffer
		getenv := func(k string) string {
			if k == EnvTelegramToken {
				return tok
			}
			return ""
		}
		if code := Main(context.Background(), []string{"check-config", "-config", cfg}, strings.NewReader(""), &out, &errb, getenv); code != 0 {
			t.Errorf("token %q: exit %d %s", tok, code, errb.String())
		}
	}
}
