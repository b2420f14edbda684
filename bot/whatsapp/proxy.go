package whatsapp

import (
	"net/http"
	"net/url"
	"time"

	"go.mau.fi/whatsmeow"

	"supportbot/bot/netproxy"
)

// connectTimeout bounds opening the websocket: the TCP connection, the
// proxy, TLS and the HTTP upgrade. whatsmeow's dial has no deadline of its
// own (Connect's context lives as long as the connection), so a proxy or a
// filter that takes the connection and never answers held Connect for
// ever, and with it Run's watch and, through whatsmeow's socket lock,
// Disconnect at a stop. The noise handshake after it has whatsmeow's own
// 20 s. A variable for tests.
var connectTimeout = 30 * time.Second

// UseProxy makes cli reach WhatsApp (websocket and media) through u
// (whatsapp.proxy), or directly when u is nil: never through the
// environment's HTTPS_PROXY, which whatsmeow reads by default. Opening the
// websocket is bounded by connectTimeout either way. Call it before
// Connect.
func UseProxy(cli *whatsmeow.Client, u *url.URL) error {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	switch {
	case u == nil:
		transport.Proxy = nil
	case u.Scheme == "http" || u.Scheme == "https":
		transport.Proxy = http.ProxyURL(u)
	default:
		d, err := netproxy.SOCKSDialer(u)
		if err != nil {
			return err
		}
		transport.Proxy = nil
		transport.DialContext = d.DialContext
	}
	// coder/websocket turns a client's Timeout into a deadline on the
	// handshake alone, not on the connection it opens.
	cli.SetWebsocketHTTPClient(&http.Client{Transport: transport, Timeout: connectTimeout})
	cli.SetPreLoginHTTPClient(&http.Client{Transport: transport, Timeout: connectTimeout})
	cli.SetMediaHTTPClient(&http.Client{Transport: transport}) // each transfer has its own deadline (send.go, inbound.go)
	return nil
}
