package whatsapp

import (
	"context"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"

	"supportbot/bot/netproxy/netproxytest"
)

// whatsapp.proxy carries the real whatsmeow client's websocket: the test
// proxy is asked for WhatsApp's host (and refuses it, so nothing leaves the
// machine).
func TestWhatsAppConnectsThroughItsProxy(t *testing.T) {
	for _, tt := range []struct {
		scheme string
		proxy  *netproxytest.Proxy
	}{
		{"socks5h", netproxytest.NewSOCKS(t)},
		{"http", netproxytest.NewHTTP(t)},
		{"https", netproxytest.NewHTTPS(t)},
	} {
		t.Run(tt.scheme, func(t *testing.T) {
			link, closeFile, err := Dial(context.Background(), filepath.Join(t.TempDir(), "session.db"), slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer closeFile()
			cli := link.Client.(*whatsmeow.Client)
			cli.EnableAutoReconnect = false
			cli.InitialAutoReconnect = false
			u, _ := url.Parse(tt.proxy.URL(tt.scheme))
			if err := UseProxy(cli, u); err != nil {
				t.Fatal(err)
			}
			if err := link.Connect(); err == nil {
				t.Error("connected although the proxy refuses")
			}
			link.Disconnect()
			deadline := time.Now().Add(time.Minute)
			if tt.scheme == "https" {
				// The client does not trust the test proxy's certificate,
				// so the tunnel stops at the handshake: that it began one
				// with the proxy is what shows the https:// scheme is kept.
				for tt.proxy.Hellos() == 0 && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
				if tt.proxy.Hellos() == 0 {
					t.Error("no TLS handshake with the https:// proxy")
				}
				return
			}
			for len(tt.proxy.Targets()) == 0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if got := tt.proxy.Targets(); !slices.Contains(got, "web.whatsapp.com:443") {
				t.Errorf("proxy saw %v, want web.whatsapp.com:443", got)
			}
		})
	}
}

// A proxy (or a filter on the way) that takes the connection and never
// answers does not hold Connect for ever: opening the websocket has a
// deadline, so Run's watch goes on and a stop can disconnect.
func TestConnectThroughASilentProxyEnds(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c) // read nothing, answer nothing
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	defer func(d time.Duration) { connectTimeout = d }(connectTimeout)
	connectTimeout = 200 * time.Millisecond
	link, closeFile, err := Dial(context.Background(), filepath.Join(t.TempDir(), "session.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer closeFile()
	cli := link.Client.(*whatsmeow.Client)
	cli.EnableAutoReconnect = false
	cli.InitialAutoReconnect = false
	u, _ := url.Parse("http://" + ln.Addr().String())
	if err := UseProxy(cli, u); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- link.Connect() }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("connected through a proxy that never answers")
		}
	case <-time.After(time.Minute):
		t.Fatal("Connect still waiting on a silent proxy after a minute")
	}
	stopped := make(chan struct{})
	go func() { link.Disconnect(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(time.Minute):
		t.Fatal("Disconnect held")
	}
}
