package digest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"

	"supportbot/locales"
	"supportbot/rules"
)

// chartDay is one office day of the digest's chart.
type chartDay struct {
	Date                     rules.Date
	Opened, OnTime, Breached int
}

// The chart is drawn with the standard library on a small palette and
// encoded at the fastest compression, so that a replayed month of daily
// digests stays fast; a charting library spent most of its time in a PNG
// encoder it does not let us tune (figures in docs/performance.md, "Digest
// charts"). Labels are numbers only, drawn from a built-in pixel font in
// the printer's digits; the message caption says what the colours mean.
const (
	chartW, chartH = 840, 420
	chartLeft      = 56 // room for the value labels
	chartRight     = 16
	chartTop       = 20
	chartBottom    = 44 // room for the date labels
	glyphScale     = 2  // pixels per font dot
)

// Palette indexes.
const (
	cBackground = iota
	cInk
	cGrid
	cOpened
	cOnTime
	cBreached
)

var chartPalette = color.Palette{
	cBackground: color.RGBA{0xff, 0xff, 0xff, 0xff},
	cInk:        color.RGBA{0x33, 0x41, 0x55, 0xff},
	cGrid:       color.RGBA{0xe2, 0xe8, 0xf0, 0xff},
	cOpened:     color.RGBA{0x25, 0x63, 0xeb, 0xff}, // blue
	cOnTime:     color.RGBA{0x16, 0xa3, 0x4a, 0xff}, // green
	cBreached:   color.RGBA{0xdc, 0x26, 0x26, 0xff}, // red
}

// renderChart draws days as groups of three bars (opened, answered in time,
// breached) over a value grid, with each day's Jalali month/day beneath.
func renderChart(days []chartDay, p *locales.Printer) ([]byte, error) {
	img := image.NewPaletted(image.Rect(0, 0, chartW, chartH), chartPalette)
	plot := image.Rect(chartLeft, chartTop, chartW-chartRight, chartH-chartBottom)

	top := 0
	for _, d := range days {
		top = max(top, d.Opened, d.OnTime, d.Breached)
	}
	step := niceStep(top)
	ceil := max(step*((top+step-1)/step), step)
	y := func(v int) int { return plot.Max.Y - v*plot.Dy()/ceil }

	persian := p.Lang() == "fa"
	for v := 0; v <= ceil; v += step {
		fill(img, image.Rect(plot.Min.X, y(v), plot.Max.X, y(v)+1), cGrid)
		label := strconv.Itoa(v)
		drawText(img, plot.Min.X-8-textWidth(label), y(v)-glyphH*glyphScale/2, label, persian)
	}
	fill(img, image.Rect(plot.Min.X, plot.Min.Y, plot.Min.X+1, plot.Max.Y+1), cInk)
	fill(img, image.Rect(plot.Min.X, plot.Max.Y, plot.Max.X, plot.Max.Y+1), cInk)

	if len(days) > 0 {
		slot := plot.Dx() / len(days)
		bar := max(slot/5, 2)
		for i, d := range days {
			x0 := plot.Min.X + i*slot + (slot-3*bar)/2
			for j, v := range []int{d.Opened, d.OnTime, d.Breached} {
				fill(img, image.Rect(x0+j*bar, y(v), x0+(j+1)*bar-1, plot.Max.Y), uint8(cOpened+j))
			}
			_, m, day := d.Date.Jalali()
			label := fmt.Sprintf("%d/%d", m, day)
			drawText(img, plot.Min.X+i*slot+(slot-textWidth(label))/2, plot.Max.Y+10, label, persian)
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// niceStep is a grid step of 1, 2 or 5 times a power of ten that splits
// 0..top into at most five bands.
func niceStep(top int) int {
	for base := 1; ; base *= 10 {
		for _, m := range []int{1, 2, 5} {
			if top <= 5*m*base {
				return m * base
			}
		}
	}
}

func fill(img *image.Paletted, r image.Rectangle, c uint8) {
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetColorIndex(x, y, c)
		}
	}
}

// The pixel font: 5×7 dots a glyph, ASCII digits, Persian digits and "/".
const glyphW, glyphH = 5, 7

var glyphs = map[rune][glyphH]string{
	'0': {" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "},
	'1': {"  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "},
	'2': {" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"},
	'3': {"#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "},
	'4': {"   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "},
	'5': {"#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "},
	'6': {"  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "},
	'7': {"#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "},
	'8': {" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "},
	'9': {" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "},
	'۰': {"     ", "     ", "  #  ", " ### ", "  #  ", "     ", "     "},
	'۱': {" ##  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  "},
	'۲': {"#  ##", "# #  ", "##   ", "#    ", "#    ", "#    ", "#    "},
	'۳': {"# # #", "#####", "#    ", "#    ", "#    ", "#    ", "#    "},
	'۴': {"  ###", " #   ", "  ## ", " #   ", " #   ", " #   ", "  ###"},
	'۵': {"     ", "  #  ", " # # ", "#   #", "#   #", "#   #", " ### "},
	'۶': {" #   ", "# ###", "    #", "    #", "    #", "    #", "    #"},
	'۷': {"#   #", "#   #", " # # ", " # # ", " # # ", "  #  ", "  #  "},
	'۸': {"  #  ", "  #  ", " # # ", " # # ", " # # ", "#   #", "#   #"},
	'۹': {" ### ", "#   #", " ####", "    #", "    #", "    #", "    #"},
	'/': {"    #", "    #", "   # ", "  #  ", " #   ", "#    ", "#    "},
}

// textWidth is the width in pixels drawText gives s.
func textWidth(s string) int {
	n := len([]rune(s))
	return n*(glyphW+1)*glyphScale - glyphScale
}

// drawText writes s (digits and "/") with its top-left corner at x, y, in
// Persian digits when persian is set.
func drawText(img *image.Paletted, x, y int, s string, persian bool) {
	if persian {
		s = locales.Digits(s)
	}
	for _, r := range s {
		g := glyphs[r]
		for row, line := range g {
			for col, dot := range line {
				if dot == '#' {
					fill(img, image.Rect(x+col*glyphScale, y+row*glyphScale, x+(col+1)*glyphScale, y+(row+1)*glyphScale), cInk)
				}
			}
		}
		x += (glyphW + 1) * glyphScale
	}
}
