package netproxy_test

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"supportbot/bot/netproxy"
	"supportbot/bot/netproxy/netproxytest"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, err string
	}{
		{"", ""},
		{"http://127.0.0.1:8080", ""},
		{"https://user:pw@proxy.example:443", ""},
		{"socks5://127.0.0.1:1080", ""},
		{"socks5h://127.0.0.1:1080", ""},
		{"ftp://127.0.0.1:21", "scheme must be"},
		{"127.0.0.1:1080", "not a proxy URL"},
		{"socks5h://127.0.0.1", "port"},
	}
	for _, tt := range tests {
		u, err := netproxy.Parse(tt.in)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%q: %v", tt.in, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%q: error %v, want %q", tt.in, err, tt.err)
		case tt.in == "" && u != nil:
			t.Errorf("empty setting gave %v", u)
		}
	}
}

// Each scheme carries the request through its proxy; socks5h hands the
// proxy the name, socks5 an address resolved here; no proxy goes direct
// and ignores the environment.
func TestTransportGoesThroughItsProxy(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer target.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(target.URL, "http://"))
	byName := "http://localhost:" + port + "/"

	httpProxy, socksProxy := netproxytest.NewHTTP(t), netproxytest.NewSOCKS(t)
	tests := []struct {
		proxy      *netproxytest.Proxy
		scheme     string
		wantTarget string
	}{
		{httpProxy, "http", "localhost:" + port},
		{socksProxy, "socks5h", "localhost:" + port},
		{socksProxy, "socks5", "127.0.0.1:" + port},
	}
	for _, tt := range tests {
		before := len(tt.proxy.Targets())
		u, err := netproxy.Parse(tt.proxy.URL(tt.scheme))
		if err != nil {
			t.Fatal(err)
		}
		get(t, u, byName)
		got := tt.proxy.Targets()[before:]
		if len(got) != 1 || got[0] != tt.wantTarget {
			t.Errorf("%s: proxy saw %v, want [%s]", tt.scheme, got, tt.wantTarget)
		}
	}

	// Direct: neither proxy sees anything, even with the environment
	// naming one.
	t.Setenv("HTTP_PROXY", httpProxy.URL("http"))
	t.Setenv("ALL_PROXY", socksProxy.URL("socks5h"))
	nh, ns := len(httpProxy.Targets()), len(socksProxy.Targets())
	tr, err := netproxy.Transport(nil)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Proxy != nil {
		t.Error("a direct transport consults a proxy function")
	}
	get(t, nil, byName)
	if len(httpProxy.Targets()) != nh || len(socksProxy.Targets()) != ns {
		t.Error("a direct transport went through a proxy")
	}
}

func get(t *testing.T, u *url.URL, target string) {
	t.Helper()
	tr, err := netproxy.Transport(u)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(target)
	if err != nil {
		t.Fatalf("through %v: %v", u, err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "ok" {
		t.Fatalf("through %v: %q", u, b)
	}
}

// An https:// proxy is reached over TLS (its certificate checked like any
// server's), and carries both a plain request and a CONNECT tunnel to a
// TLS server, as the Bot API's are.
func TestTransportThroughHTTPSProxy(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer plain.Close()
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer secure.Close()
	p := netproxytest.NewHTTPS(t)
	u, err := netproxy.Parse(p.URL("https"))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := netproxy.Transport(u)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.CloseIdleConnections()

	// Not trusting the proxy's certificate, nothing goes through.
	if resp, err := (&http.Client{Transport: tr}).Get(plain.URL); err == nil {
		resp.Body.Close()
		t.Fatal("went through a proxy whose certificate is not trusted")
	}
	if got := p.Targets(); len(got) != 0 {
		t.Fatalf("proxy saw %v before the TLS handshake could succeed", got)
	}

	roots := p.Roots.Clone()
	roots.AddCert(secure.Certificate())
	tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	for _, target := range []string{plain.URL, secure.URL} {
		resp, err := (&http.Client{Transport: tr}).Get(target)
		if err != nil {
			t.Fatalf("%s through %s: %v", target, u, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "ok" {
			t.Fatalf("%s through %s: %q", target, u, b)
		}
	}
	want := []string{strings.TrimPrefix(plain.URL, "http://"), strings.TrimPrefix(secure.URL, "https://")}
	if got := p.Targets(); !slices.Equal(got, want) {
		t.Errorf("proxy saw %v, want %v", got, want)
	}
}
