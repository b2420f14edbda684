package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestHealthProbe(t *testing.T) {
	var healthy atomic.Bool
	healthy.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		if !healthy.Load() {
			http.Error(w, `{"telegram":"stopped"}`, http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	listen := strings.TrimPrefix(srv.URL, "http://")
	cfg := writeFile(t, "c.yaml", "metrics:\n  listen: \""+listen+"\"\n")
	if out := mustRun(t, "health", "-config", cfg); !strings.Contains(out, "ok") {
		t.Errorf("health: %q", out)
	}
	healthy.Store(false)
	if r := runMain(t, "health", "-config", cfg); r.code != 1 || !strings.Contains(r.stderr, "503") {
		t.Errorf("unhealthy: exit %d, %q", r.code, r.stderr)
	}
	srv.Close()
	if r := runMain(t, "health", "-url", srv.URL+"/healthz"); r.code != 1 {
		t.Errorf("nothing listening: exit %d", r.code)
	}
}
