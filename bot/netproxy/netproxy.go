// Package netproxy builds the network paths of one transport from its own
// proxy setting (telegram.proxy, whatsapp.proxy): an http, https, socks5 or
// socks5h URL, or none. The environment's HTTPS_PROXY and ALL_PROXY are
// never consulted, so that one side's proxy cannot carry the other's
// traffic (docs/operations.md, "Running in Iran").
package netproxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/proxy"
)

// Schemes a proxy URL may have.
const schemes = "http, https, socks5 or socks5h"

// Parse checks a proxy setting; "" means direct and gives nil.
func Parse(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not a proxy URL such as socks5h://127.0.0.1:1080", raw)
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, fmt.Errorf("%q: the scheme must be %s", raw, schemes)
	}
	if u.Port() == "" {
		return nil, fmt.Errorf("%q: give the proxy's port, e.g. %s://%s:1080", raw, u.Scheme, u.Hostname())
	}
	return u, nil
}

// dialer is how connections are made without a proxy; the same bounds as
// Go's default transport.
var dialer = &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}

// Transport is an HTTP transport that goes through u, or directly when u is
// nil. Its other settings are those of Go's default transport.
func Transport(u *url.URL) (*http.Transport, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil // never from the environment
	t.DialContext = dialer.DialContext
	if u == nil {
		return t, nil
	}
	switch u.Scheme {
	case "http", "https":
		t.Proxy = http.ProxyURL(u)
	default:
		d, err := SOCKSDialer(u)
		if err != nil {
			return nil, err
		}
		t.DialContext = d.DialContext
	}
	return t, nil
}

// ContextDialer is a proxy.Dialer that also dials with a context.
type ContextDialer interface {
	proxy.Dialer
	proxy.ContextDialer
}

// SOCKSDialer dials through the SOCKS5 proxy u. With socks5h the proxy
// resolves names (what defeats poisoned DNS); with socks5 this machine
// resolves them and hands the proxy an address.
func SOCKSDialer(u *url.URL) (ContextDialer, error) {
	if u == nil || (u.Scheme != "socks5" && u.Scheme != "socks5h") {
		return nil, errors.New("netproxy: not a socks5 or socks5h URL")
	}
	remote := *u
	remote.Scheme = "socks5h"
	d, err := proxy.FromURL(&remote, dialer)
	if err != nil {
		return nil, fmt.Errorf("netproxy: %w", err)
	}
	cd, ok := d.(ContextDialer)
	if !ok {
		return nil, errors.New("netproxy: the SOCKS dialer cannot take a context")
	}
	if u.Scheme == "socks5" {
		return localNames{cd}, nil
	}
	return cd, nil
}

// localNames resolves a host name here before the SOCKS proxy sees it.
type localNames struct{ d ContextDialer }

func (l localNames) Dial(network, addr string) (net.Conn, error) {
	return l.DialContext(context.Background(), network, addr)
}

func (l localNames) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if net.ParseIP(host) == nil {
		ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, err
		}
		if len(ips) == 0 {
			return nil, fmt.Errorf("netproxy: no address for %s", host)
		}
		addr = net.JoinHostPort(ips[0].IP.String(), port)
	}
	return l.d.DialContext(ctx, network, addr)
}

// Redacted is u for logs: without a password.
func Redacted(u *url.URL) string {
	if u == nil {
		return "direct"
	}
	return u.Redacted()
}
