package svgplot

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
)

// Point is one (x, y) value.
type Point struct{ X, Y float64 }

// Series is one named line.
type Series struct {
	Name   string
	Points []Point
}

// Chart is a line chart.
type Chart struct {
	Title, XLabel, YLabel string
	Series                []Series
	// Width and Height are in pixels (default 720 × 360).
	Width, Height int
	// Step draws each series as a staircase (counts over time), not straight segments.
	Step bool
}

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"}

const (
	marginLeft, marginRight, marginTop, marginBottom = 70.0, 20.0, 40.0, 50.0
)

// WriteSVG renders c as a complete SVG document.
func (c Chart) WriteSVG(w io.Writer) error {
	width, height := float64(c.Width), float64(c.Height)
	if width <= 0 {
		width = 720
	}
	if height <= 0 {
		height = 360
	}
	x0, x1, y0, y1 := c.bounds()
	plotW, plotH := width-marginLeft-marginRight, height-marginTop-marginBottom
	px := func(x float64) float64 { return marginLeft + (x-x0)/(x1-x0)*plotW }
	py := func(y float64) float64 { return marginTop + plotH - (y-y0)/(y1-y0)*plotH }

	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(b, `<text x="%g" y="22" text-anchor="middle" font-size="15">%s</text>`+"\n", width/2, esc(c.Title))
	// Grid and tick labels.
	for _, t := range ticks(x0, x1) {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", px(t), marginTop, px(t), marginTop+plotH)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", px(t), marginTop+plotH+16, label(t))
	}
	for _, t := range ticks(y0, y1) {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", marginLeft, py(t), marginLeft+plotW, py(t))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", marginLeft-6, py(t)+4, label(t))
	}
	fmt.Fprintf(b, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="#333"/>`+"\n", marginLeft, marginTop, plotW, plotH)
	fmt.Fprintf(b, `<text x="%g" y="%g" text-anchor="middle">%s</text>`+"\n", marginLeft+plotW/2, height-10, esc(c.XLabel))
	fmt.Fprintf(b, `<text x="16" y="%g" text-anchor="middle" transform="rotate(-90 16 %g)">%s</text>`+"\n", marginTop+plotH/2, marginTop+plotH/2, esc(c.YLabel))
	for i, s := range c.Series {
		colour := palette[i%len(palette)]
		fmt.Fprintf(b, `<polyline class="series" data-name="%s" fill="none" stroke="%s" stroke-width="1.5" points="`, esc(s.Name), colour)
		for j, p := range s.Points {
			if c.Step && j > 0 {
				fmt.Fprintf(b, "%.1f,%.1f ", px(p.X), py(s.Points[j-1].Y))
			}
			fmt.Fprintf(b, "%.1f,%.1f ", px(p.X), py(p.Y))
		}
		fmt.Fprintf(b, `"/>`+"\n")
		ly := marginTop + 14 + float64(i)*16
		fmt.Fprintf(b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="%s" stroke-width="3"/>`+"\n", marginLeft+10, ly-4, marginLeft+30, ly-4, colour)
		fmt.Fprintf(b, `<text x="%g" y="%g">%s</text>`+"\n", marginLeft+36, ly, esc(s.Name))
	}
	fmt.Fprintf(b, "</svg>\n")
	return b.Flush()
}

// bounds spans every point, from zero on both axes, never empty.
func (c Chart) bounds() (x0, x1, y0, y1 float64) {
	for _, s := range c.Series {
		for _, p := range s.Points {
			if !math.IsNaN(p.X) && !math.IsInf(p.X, 0) {
				x1 = max(x1, p.X)
				x0 = min(x0, p.X)
			}
			if !math.IsNaN(p.Y) && !math.IsInf(p.Y, 0) {
				y1 = max(y1, p.Y)
				y0 = min(y0, p.Y)
			}
		}
	}
	if x1 <= x0 {
		x1 = x0 + 1
	}
	if y1 <= y0 {
		y1 = y0 + 1
	}
	return x0, x1, y0, y1 * 1.05
}

// ticks are about five round values between lo and hi.
func ticks(lo, hi float64) []float64 {
	step := math.Pow(10, math.Floor(math.Log10((hi-lo)/5)))
	for _, m := range []float64{1, 2, 5, 10} {
		if (hi-lo)/(step*m) <= 6 {
			step *= m
			break
		}
	}
	var out []float64
	for t := math.Ceil(lo/step) * step; t <= hi+step*1e-9; t += step {
		out = append(out, t)
	}
	return out
}

func label(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

func esc(s string) string { return html.EscapeString(s) }
