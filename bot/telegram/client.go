package telegram

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Deadlines of Bot API calls. A call that does not answer in time is
// abandoned: the dispatcher holds the message and the poll loop retries with
// backoff, so a peer that accepts connections and never answers cannot stall
// the bot. See docs/telegram.md.
const (
	// SendTimeout bounds one request other than a poll or a file transfer.
	SendTimeout = 30 * time.Second
	// pollMargin is added to the long-poll timeout: Telegram answers an
	// empty poll after the timeout, so a poll this much later is stalled.
	pollMargin = 10 * time.Second
	// transferRate is the slowest file transfer the deadline allows for
	// (64 KiB/s), on top of SendTimeout.
	transferRate = 64 << 10
)

// transferTimeout is the deadline of sending or fetching a file of size bytes.
func (a *Adapter) transferTimeout(size int64) time.Duration {
	return a.cfg.SendTimeout + time.Duration(size/transferRate)*time.Second
}

// NewHTTPClient is the HTTP client of the Bot API: connections time out
// (10 s to connect and for the TLS handshake); each call's own deadline is
// set per request by the adapter. proxy picks a proxy per request, nil for
// none (http.ProxyURL for a fixed one).
func NewHTTPClient(proxy func(*http.Request) (*url.URL, error)) *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:                 proxy,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
	}}
}

// NewAPI is a Bot API client that has not called getMe yet: Adapter.Run
// does, retrying while Telegram cannot be reached, so the bot starts (and
// answers WhatsApp customers) without Telegram. hc nil means
// NewHTTPClient(nil).
func NewAPI(token, endpoint string, hc tgbotapi.HTTPClient) *tgbotapi.BotAPI {
	if hc == nil {
		hc = NewHTTPClient(nil)
	}
	api := &tgbotapi.BotAPI{Token: token, Client: hc, Buffer: 100}
	api.SetAPIEndpoint(endpoint)
	return api
}

// boundClient ends each request with ctx or after timeout, whichever comes
// first, including the reading of the answer.
type boundClient struct {
	ctx     context.Context
	timeout time.Duration
	c       tgbotapi.HTTPClient
}

// Do sends r under the client's deadline.
func (b boundClient) Do(r *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	resp, err := b.c.Do(r.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = cancelBody{resp.Body, cancel}
	return resp, nil
}

// cancelBody releases the request's deadline once its answer is read.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

// Close closes the body and ends the deadline.
func (c cancelBody) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// with is the API client for calls that end with ctx or after timeout.
// The library's calls take no context, so a copy carries it.
func (a *Adapter) with(ctx context.Context, timeout time.Duration) *tgbotapi.BotAPI {
	c := *a.api
	c.Client = boundClient{ctx: ctx, timeout: timeout, c: a.api.Client}
	return &c
}

// Redact removes token from s in every form an error may quote it: as
// is, Go-quoted (url.Error quotes the URL, so "\r" shows as `\r`) and
// URL-escaped.
func Redact(s, token string) string {
	if token == "" {
		return s
	}
	forms := []string{token, strings.Trim(strconv.Quote(token), `"`), url.PathEscape(token), url.QueryEscape(token)}
	if t := strings.TrimSpace(token); t != "" {
		forms = append(forms, t)
	}
	if _, secret, ok := strings.Cut(strings.TrimSpace(token), ":"); ok && len(secret) >= 8 {
		forms = append(forms, secret) // the part that matters, however it was cut
	}
	for _, f := range forms {
		if f != "" {
			s = strings.ReplaceAll(s, f, "<token>")
		}
	}
	return s
}
