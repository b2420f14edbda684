package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDemoCommand starts `supportbot demo` in-process, as a newcomer does,
// talks to the page's API, and stops it as Ctrl-C does.
func TestDemoCommand(t *testing.T) {
	tests := []struct {
		addr string
		warn bool
	}{
		{"127.0.0.1:0", false},
		{"0.0.0.0:0", true}, // every interface: the page has no login
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var stdout, stderr syncBuffer
			code := make(chan int, 1)
			go func() {
				code <- Main(ctx, []string{"demo", "-addr", tt.addr}, strings.NewReader(""), &stdout, &stderr, noEnv)
			}()
			url := waitForURL(t, &stdout, &stderr, code)
			url = strings.Replace(url, "0.0.0.0", "127.0.0.1", 1)

			resp, err := http.Get(url + "api/state")
			if err != nil {
				t.Fatal(err)
			}
			var st struct {
				Customers []struct{ Name, Phone string }
				Clock     struct{ Open bool }
			}
			err = json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if err != nil || len(st.Customers) < 2 || st.Customers[0].Name != "شرکت آریا پخش" || !st.Clock.Open {
				t.Errorf("state %+v (%v): want the example customers, the clock at an office opening", st, err)
			}
			resp, err = http.Post(url+"api/customer", "application/json", strings.NewReader(`{"phone":"09121110001","text":"سلام"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("a customer message: %d", resp.StatusCode)
			}
			if got := strings.Contains(stderr.String(), "WARNING"); got != tt.warn {
				t.Errorf("warning printed %v, want %v: %q", got, tt.warn, stderr.String())
			}

			cancel()
			select {
			case c := <-code:
				if c != 0 {
					t.Errorf("exit %d after Ctrl-C: %s", c, stderr.String())
				}
			case <-time.After(time.Minute):
				t.Fatal("the demo did not stop within a minute of Ctrl-C")
			}
		})
	}
}

var demoURL = regexp.MustCompile(`open (http://\S+/)`)

func waitForURL(t *testing.T, stdout, stderr *syncBuffer, code chan int) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if m := demoURL.FindStringSubmatch(stdout.String()); m != nil {
			return m[1]
		}
		select {
		case c := <-code:
			t.Fatalf("the demo exited %d: %s", c, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("the demo printed no address: %q %q", stdout.String(), stderr.String())
	return ""
}

func TestDemoCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	csv := "customer_id,customer_name,city,phones,contract_id,kind,tier,subject,purchased_on,delivered_on,confirmed_on,project_id,dedicated_staff\n" +
		"C-1,نمونه,تهران,09120000000,K-1,product,platinum,ماژول,1405/01/01,,,,\n"
	if err := os.WriteFile(bad, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"demo", "-db", "x.db"}, 2, "temporary database"},
		{[]string{"demo", "extra"}, 2, "unexpected argument"},
		{[]string{"demo", "-contracts", filepath.Join(dir, "none.csv")}, 1, "none.csv"},
		{[]string{"demo", "-contracts", bad, "-addr", "127.0.0.1:0"}, 1, bad + ":2"},
		{[]string{"demo", "-addr", "127.0.0.1:notaport"}, 1, "listen"},
	}
	for _, tt := range tests {
		r := runMain(t, tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) || strings.Contains(r.stdout, "open http") {
			t.Errorf("%v: exit %d stdout %q stderr %q; want %d and %q, nothing served", tt.args, r.code, r.stdout, r.stderr, tt.code, tt.want)
		}
	}
}
