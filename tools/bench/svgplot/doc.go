// Package svgplot draws small line charts as standalone SVG files: axes with tick labels,
// one coloured polyline per series and a legend. It is all the bench report needs, with
// no dependency beyond the standard library.
package svgplot
