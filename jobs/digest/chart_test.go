package digest

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"testing"

	"supportbot/locales"
	"supportbot/rules"
)

func TestRenderChart(t *testing.T) {
	days := make([]chartDay, chartLen)
	for i := range days {
		days[i] = chartDay{Date: rules.Date{Year: 2026, Month: 11, Day: 10 + i}, Opened: 3 + i%5, OnTime: 2 + i%3, Breached: i % 2}
	}
	days[3].Opened = 17
	for _, lang := range locales.Languages {
		p, err := locales.New(lang, nil)
		if err != nil {
			t.Fatal(err)
		}
		data, err := renderChart(days, p)
		if err != nil {
			t.Fatal(err)
		}
		if out := os.Getenv("SUPPORTBOT_CHART_OUT"); out != "" {
			os.WriteFile(out+"."+lang+".png", data, 0o644)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: not a PNG: %v", lang, err)
		}
		if b := img.Bounds(); b.Dx() != chartW || b.Dy() != chartH {
			t.Errorf("%s: size %v", lang, b)
		}
		seen := map[uint8]bool{}
		pal := img.(*image.Paletted)
		for _, c := range pal.Pix {
			seen[c] = true
		}
		for _, c := range []uint8{cInk, cGrid, cOpened, cOnTime, cBreached} {
			if !seen[c] {
				t.Errorf("%s: colour %d not drawn", lang, c)
			}
		}
	}
}

func TestRenderChartWithoutData(t *testing.T) {
	p, err := locales.New("fa", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, days := range [][]chartDay{nil, {{Date: rules.Date{Year: 2026, Month: 11, Day: 28}}}} {
		if _, err := renderChart(days, p); err != nil {
			t.Errorf("renderChart(%v): %v", days, err)
		}
	}
}

func TestNiceStep(t *testing.T) {
	for _, tt := range []struct{ top, want int }{{0, 1}, {5, 1}, {6, 2}, {10, 2}, {11, 5}, {25, 5}, {26, 10}, {120, 50}} {
		if got := niceStep(tt.top); got != tt.want {
			t.Errorf("niceStep(%d) = %d, want %d", tt.top, got, tt.want)
		}
	}
}

func BenchmarkRenderChart(b *testing.B) {
	p, err := locales.New("fa", nil)
	if err != nil {
		b.Fatal(err)
	}
	days := make([]chartDay, chartLen)
	for i := range days {
		days[i] = chartDay{Date: rules.Date{Year: 2026, Month: 11, Day: 10 + i}, Opened: 3 + i%5, OnTime: 2 + i%3, Breached: i % 2}
	}
	for b.Loop() {
		if _, err := renderChart(days, p); err != nil {
			b.Fatal(err)
		}
	}
}
