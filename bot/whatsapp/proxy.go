package whatsapp

import (
	"net/http"
	"net/url"

	"go.mau.fi/whatsmeow"

	"supportbot/bot/netproxy"
)

// UseProxy makes cli reach WhatsApp (websocket and media) through u
// (whatsapp.proxy), or directly when u is nil: never through the
// environment's HTTPS_PROXY, which whatsmeow reads by default. Call it
// before Connect.
func UseProxy(cli *whatsmeow.Client, u *url.URL) error {
	switch {
	case u == nil:
		cli.SetProxy(nil)
	case u.Scheme == "http" || u.Scheme == "https":
		cli.SetProxy(http.ProxyURL(u))
	default:
		d, err := netproxy.SOCKSDialer(u)
		if err != nil {
			return err
		}
		cli.SetSOCKSProxy(d)
	}
	return nil
}
