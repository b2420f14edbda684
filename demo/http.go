package demo

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"

	"supportbot/locales"
)

//go:embed web
var webFS embed.FS

// uiKeys are the catalog keys of the page's own text (locales/*/demo.json).
var uiKeys = []string{
	"demo.title", "demo.note", "demo.pane.customer", "demo.pane.staff", "demo.pane.manager",
	"demo.customer.pick", "demo.customer.unknown", "demo.send", "demo.placeholder.customer",
	"demo.placeholder.staff", "demo.sample.photo", "demo.sample.voice", "demo.staff.as",
	"demo.reply", "demo.replying", "demo.cancel", "demo.clock", "demo.clock.hour",
	"demo.clock.opening", "demo.clock.day", "demo.clock.month_end", "demo.clock.open",
	"demo.clock.closed", "demo.manager.digest", "demo.manager.usage", "demo.manager.outage_on",
	"demo.manager.outage_off", "demo.edited", "demo.topic", "demo.ticket", "demo.private",
	"demo.bot", "demo.empty", "demo.error", "demo.offline",
}

// State is what the page loads first; the panes then follow /api/events.
type State struct {
	Lang      string            `json:"lang"`
	UI        map[string]string `json:"ui"`
	Customers []CustomerView    `json:"customers"`
	Staff     []Person          `json:"staff"`
	Managers  []Person          `json:"managers"`
	Clock     *Clock            `json:"clock"`
}

// CustomerView is a demo customer the customer pane can write as.
type CustomerView struct {
	Name  string `json:"name"`
	Phone string `json:"phone"` // E.164
	Label string `json:"label"` // the phone as the page shows it
}

// State returns the page's text, the people it can act as and the clock.
func (d *Demo) State(ctx context.Context) (State, error) {
	p := d.cfg.Printer
	st := State{Lang: p.Lang(), UI: map[string]string{}, Staff: d.cfg.Staff, Managers: d.cfg.Managers}
	for _, k := range uiKeys {
		st.UI[k] = p.T(k, nil)
	}
	all, err := d.cfg.Engine.Store().ListCustomers(ctx)
	if err != nil {
		return st, fmt.Errorf("demo: customers: %w", err)
	}
	for _, c := range all {
		for _, ph := range c.Phones {
			st.Customers = append(st.Customers, CustomerView{Name: c.Name, Phone: ph, Label: phoneLabel(p, ph)})
		}
	}
	sort.SliceStable(st.Customers, func(i, j int) bool { return st.Customers[i].Phone < st.Customers[j].Phone })
	st.Customers = append(st.Customers, CustomerView{Name: p.T("demo.customer.unknown", nil), Phone: UnknownPhone, Label: phoneLabel(p, UnknownPhone)})
	d.mu.Lock()
	st.Clock = d.clockView()
	d.mu.Unlock()
	return st, nil
}

// phoneLabel writes an E.164 number the way it reads on a phone in Iran
// (0912…), in the page's digits, isolated left to right.
func phoneLabel(p *locales.Printer, e164 string) string {
	local := e164
	if rest, ok := strings.CutPrefix(e164, "+98"); ok {
		local = "0" + rest
	}
	if p.Lang() == "fa" {
		local = locales.Digits(local)
	}
	return "\u2068" + local + "\u2069"
}

// Handler serves the page, its assets and its API:
//
//	GET  /                 the page
//	GET  /static/…         its script, style, font and sample files
//	GET  /api/state        State
//	GET  /api/events       every Event, then new ones, as server-sent events
//	POST /api/customer     CustomerInput
//	POST /api/staff        StaffInput
//	POST /api/clock        {"move": "hour" | "opening" | "day" | "month_end"}
//	GET  /api/file/KEY     a file a message carries
//
// Bad input is answered 400 with {"error": "field: reason"} and changes
// nothing.
func (d *Demo) Handler() http.Handler {
	static, err := fs.Sub(webFS, "web")
	if err != nil {
		panic(err) // the embedded folder is part of the build
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		http.ServeFileFS(w, r, static, "index.html")
	})
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /api/state", func(w http.ResponseWriter, r *http.Request) {
		st, err := d.State(r.Context())
		d.reply(w, st, err)
	})
	mux.HandleFunc("GET /api/events", d.serveEvents)
	mux.HandleFunc("POST /api/customer", func(w http.ResponseWriter, r *http.Request) {
		var in CustomerInput
		if !d.decode(w, r, &in) {
			return
		}
		d.reply(w, ok{true}, d.Customer(r.Context(), in))
	})
	mux.HandleFunc("POST /api/staff", func(w http.ResponseWriter, r *http.Request) {
		var in StaffInput
		if !d.decode(w, r, &in) {
			return
		}
		d.reply(w, ok{true}, d.Staff(r.Context(), in))
	})
	mux.HandleFunc("POST /api/clock", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Move Move `json:"move"`
		}
		if !d.decode(w, r, &in) {
			return
		}
		err := d.MoveClock(r.Context(), in.Move)
		d.mu.Lock()
		c := d.clockView()
		d.mu.Unlock()
		d.reply(w, c, err)
	})
	mux.HandleFunc("GET /api/file/{dir}/{id}", func(w http.ResponseWriter, r *http.Request) {
		path, found := d.filePath(r.PathValue("dir") + "/" + r.PathValue("id"))
		if !found {
			http.NotFound(w, r)
			return
		}
		f, err := os.Open(path)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, fi.Name(), fi.ModTime(), f)
	})
	return mux
}

type ok struct {
	OK bool `json:"ok"`
}

// maxBody bounds a request from the page.
const maxBody = 64 << 10

func (d *Demo) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body: " + err.Error()})
		return false
	}
	return true
}

func (d *Demo) reply(w http.ResponseWriter, v any, err error) {
	var ie *InputError
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, v)
	case errors.As(err, &ie):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": ie.Error()})
	default:
		d.cfg.Log.Error("demo step", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// serveEvents streams every event after Last-Event-ID (or ?since=), then
// each new one, until the page goes away.
func (d *Demo) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, canFlush := w.(http.Flusher)
	if !canFlush {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = r.URL.Query().Get("since")
	}
	seq, _ := strconv.ParseInt(last, 10, 64)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	for {
		evs := d.Wait(r.Context(), seq)
		if evs == nil {
			return
		}
		for _, ev := range evs {
			data, err := json.Marshal(ev)
			if err != nil {
				d.cfg.Log.Error("demo event", "err", err)
				continue
			}
			if _, err := fmt.Fprintf(w, "id: %d\ndata: %s\n\n", ev.Seq, data); err != nil {
				return
			}
			seq = ev.Seq
		}
		flusher.Flush()
	}
}
