package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"testing"

	"supportbot/bot/netproxy/netproxytest"
	"supportbot/bot/telegram/telegramtest"
)

// telegram.proxy carries the Bot API calls and nothing else goes through
// it; whatsapp.proxy is not used for Telegram.
func TestEachProxyCarriesOnlyItsOwnTransport(t *testing.T) {
	srv := telegramtest.NewServer(t, e2eToken)
	apiHost := func() string { u, _ := url.Parse(srv.URL); return u.Host }()
	tgProxy, waProxy := netproxytest.NewSOCKS(t), netproxytest.NewHTTP(t)
	tests := []struct {
		name, tg, wa string
		tgSees       bool
	}{
		{"telegram through socks5h, whatsapp through another", tgProxy.URL("socks5h"), waProxy.URL("http"), true},
		{"telegram direct, whatsapp through a proxy", "", tgProxy.URL("socks5h"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tgBefore, waBefore := len(tgProxy.Targets()), len(waProxy.Targets())
			cfg := writeFile(t, "config.yaml", fmt.Sprintf(`telegram:
  api_endpoint: %q
  staff_chat_id: %d
  proxy: %q
whatsapp:
  enabled: false
  proxy: %q
metrics:
  listen: ""
`, srv.Endpoint(), e2eStaffChat, tt.tg, tt.wa))
			last := srv.Push(telegramtest.Message(telegramtest.Group(e2eStaffChat, "Support"), telegramtest.Person(1001, "Sara"), "/tickets"))
			var stderr syncBuffer
			stop := runBot(t, cfg, filepath.Join(t.TempDir(), "bot.db"), &stderr)
			handledUpTo(t, srv, last)
			if code := stop(); code != 0 {
				t.Fatalf("run exited %d\n%s", code, stderr.String())
			}
			tgSaw := tgProxy.Targets()[tgBefore:]
			if tt.tgSees && (len(tgSaw) == 0 || tgSaw[0] != apiHost) {
				t.Errorf("telegram.proxy saw %v, want the Bot API at %s", tgSaw, apiHost)
			}
			if !tt.tgSees && len(tgSaw) != 0 {
				t.Errorf("whatsapp.proxy carried Telegram: %v", tgSaw)
			}
			if waSaw := waProxy.Targets()[waBefore:]; len(waSaw) != 0 {
				t.Errorf("the other proxy carried Telegram: %v", waSaw)
			}
		})
	}
}
