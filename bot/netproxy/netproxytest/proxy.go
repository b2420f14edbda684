// Package netproxytest runs small local proxies for tests: an HTTP proxy
// (CONNECT and plain requests), the same reached over TLS, and a SOCKS5
// proxy. Each records the targets it was asked for and forwards only to loopback addresses, so a
// test can see which transport used which proxy without reaching out.
package netproxytest

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// Proxy is one running test proxy.
type Proxy struct {
	Addr    string         // host:port it listens on
	Roots   *x509.CertPool // what a client trusts to reach an https:// proxy; nil for the others
	tls     bool
	mu      sync.Mutex
	targets []string
	hellos  int
}

// Hellos counts the TLS handshakes clients began with an https:// proxy,
// trusted or not.
func (p *Proxy) Hellos() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hellos
}

// Targets are the host:port targets asked for, in order; a SOCKS target
// given as a name keeps the name (socks5h), one given as an address the
// address (socks5).
func (p *Proxy) Targets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.targets...)
}

func (p *Proxy) record(target string) {
	p.mu.Lock()
	p.targets = append(p.targets, target)
	p.mu.Unlock()
}

// URL is the proxy's URL with the given scheme.
func (p *Proxy) URL(scheme string) string { return scheme + "://" + p.Addr }

func listen(tb testing.TB) net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// loopbackDial dials target only when it is a loopback address or
// localhost; anything else is refused.
func loopbackDial(target string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("test proxy: %s is not local; refused", target)
	}
	return net.Dial("tcp", target)
}

func pipe(a, b net.Conn) {
	done := make(chan struct{}, 2)
	go func() { io.Copy(a, b); done <- struct{}{} }()
	go func() { io.Copy(b, a); done <- struct{}{} }()
	<-done
	a.Close()
	b.Close()
	<-done
}

// NewHTTP starts an HTTP proxy.
func NewHTTP(tb testing.TB) *Proxy {
	p, srv := newHTTP(false)
	l := listen(tb)
	p.Addr = l.Addr().String()
	go srv.Serve(l)
	tb.Cleanup(func() { srv.Close() })
	return p
}

// NewHTTPS starts an HTTP proxy that clients reach over TLS (an https://
// proxy URL), with a certificate for 127.0.0.1 signed by p.Roots; Targets
// holds only what came over TLS.
func NewHTTPS(tb testing.TB) *Proxy {
	p, srv := newHTTP(true)
	ts := httptest.NewUnstartedServer(srv.Handler)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // clients that do not trust it are expected
	ts.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		p.mu.Lock()
		p.hellos++
		p.mu.Unlock()
		return nil, nil
	}}
	ts.StartTLS()
	tb.Cleanup(ts.Close)
	p.Addr = ts.Listener.Addr().String()
	p.Roots = x509.NewCertPool()
	p.Roots.AddCert(ts.Certificate())
	return p
}

func newHTTP(overTLS bool) (*Proxy, *http.Server) {
	p := &Proxy{tls: overTLS}
	return p, &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.tls && r.TLS == nil {
			http.Error(w, "TLS only", http.StatusBadRequest)
			return
		}
		if r.Method == http.MethodConnect {
			p.record(r.Host)
			up, err := loopbackDial(r.Host)
			if err != nil {
				http.Error(w, err.Error(), http.StatusForbidden)
				return
			}
			conn, rw, err := http.NewResponseController(w).Hijack()
			if err != nil {
				up.Close()
				return
			}
			rw.WriteString("HTTP/1.1 200 Connection established\r\n\r\n")
			rw.Flush()
			pipe(conn, up)
			return
		}
		host := r.URL.Host
		if r.URL.Port() == "" {
			host = net.JoinHostPort(r.URL.Hostname(), "80")
		}
		p.record(host)
		if _, err := loopbackDial(host); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		out := r.Clone(r.Context())
		out.RequestURI = ""
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, vs := range resp.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})}
}

// NewSOCKS starts a SOCKS5 proxy (no authentication, CONNECT only).
func NewSOCKS(tb testing.TB) *Proxy {
	l := listen(tb)
	p := &Proxy{Addr: l.Addr().String()}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go p.serveSOCKS(c)
		}
	}()
	return p
}

func (p *Proxy) serveSOCKS(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	hdr := make([]byte, 2)
	if _, err := io.ReadFull(r, hdr); err != nil || hdr[0] != 5 {
		return
	}
	if _, err := io.ReadFull(r, make([]byte, hdr[1])); err != nil {
		return
	}
	c.Write([]byte{5, 0}) // no authentication
	req := make([]byte, 4)
	if _, err := io.ReadFull(r, req); err != nil || req[1] != 1 {
		return
	}
	var host string
	switch req[3] {
	case 1, 4:
		ip := make([]byte, map[byte]int{1: 4, 4: 16}[req[3]])
		if _, err := io.ReadFull(r, ip); err != nil {
			return
		}
		host = net.IP(ip).String()
	case 3:
		n, err := r.ReadByte()
		if err != nil {
			return
		}
		name := make([]byte, n)
		if _, err := io.ReadFull(r, name); err != nil {
			return
		}
		host = string(name)
	default:
		return
	}
	port := make([]byte, 2)
	if _, err := io.ReadFull(r, port); err != nil {
		return
	}
	target := net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(port))))
	p.record(target)
	up, err := loopbackDial(target)
	if err != nil {
		c.Write([]byte{5, 2, 0, 1, 0, 0, 0, 0, 0, 0}) // not allowed by ruleset
		return
	}
	c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
	if r.Buffered() > 0 {
		buf, _ := r.Peek(r.Buffered())
		up.Write(buf)
	}
	pipe(c, up)
}
