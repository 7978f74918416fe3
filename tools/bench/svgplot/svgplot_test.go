package svgplot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestWriteSVGIsWellFormedAndHoldsEverySeries(t *testing.T) {
	c := Chart{Title: "Backlog <orders> & more", XLabel: "s", YLabel: "messages", Step: true, Series: []Series{
		{Name: "visible", Points: []Point{{0, 0}, {1, 120}, {2, 30}}},
		{Name: "in flight", Points: []Point{{0, 5}, {1, 10}, {2, 0}}},
	}}
	var buf bytes.Buffer
	if err := c.WriteSVG(&buf); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	var names []string
	var root string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, buf.String())
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root == "" {
			root = se.Name.Local
		}
		if se.Name.Local != "polyline" {
			continue
		}
		for _, a := range se.Attr {
			if a.Name.Local == "data-name" {
				names = append(names, a.Value)
			}
			if a.Name.Local == "points" && len(strings.Fields(a.Value)) != 5 {
				t.Errorf("step polyline has %d points, want 5 (3 values, 2 steps)", len(strings.Fields(a.Value)))
			}
		}
	}
	if root != "svg" {
		t.Errorf("root element %q, want svg", root)
	}
	if strings.Join(names, ",") != "visible,in flight" {
		t.Errorf("series drawn: %v", names)
	}
	if !strings.Contains(buf.String(), "Backlog &lt;orders&gt; &amp; more") {
		t.Error("title not escaped")
	}
}

func TestEmptyChartStillRenders(t *testing.T) {
	var buf bytes.Buffer
	if err := (Chart{Title: "nothing"}).WriteSVG(&buf); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(buf.Bytes(), new(struct{})); err != nil {
		t.Errorf("empty chart is not XML: %v", err)
	}
	if strings.Contains(buf.String(), "NaN") || strings.Contains(buf.String(), "Inf") {
		t.Errorf("empty chart has NaN or Inf coordinates:\n%s", buf.String())
	}
}

func TestTicksAreRound(t *testing.T) {
	got := ticks(0, 47)
	if len(got) < 3 || len(got) > 7 || got[0] != 0 || got[1] != 10 {
		t.Errorf("ticks(0, 47) = %v", got)
	}
}
