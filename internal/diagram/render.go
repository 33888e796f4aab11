package diagram

import (
	"bytes"
	"context"
	"fmt"
	stdhtml "html"
	"regexp"
	"strings"

	"github.com/goccy/go-graphviz"
)

// SVG renders a DOT diagram as SVG with Graphviz compiled to WebAssembly (goccy/go-graphviz,
// run by wazero, no cgo): no Graphviz installation is needed, so `make diagram` and the tests
// work on a bare machine. A DOT syntax error is an error. Graphviz does not report a malformed
// HTML-like label as an error (it drops the label's text): [LabelTexts] lists the texts a
// caller can look for in the SVG.
func SVG(dot string) ([]byte, error) {
	ctx := context.Background()
	graph, err := graphviz.ParseBytes([]byte(dot))
	if err != nil {
		return nil, fmt.Errorf("DOT does not parse: %w", err)
	}
	defer graph.Close()
	g, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("graphviz: %w", err)
	}
	defer g.Close()
	var svg bytes.Buffer
	if err := g.Render(ctx, graph, graphviz.SVG, &svg); err != nil {
		return nil, fmt.Errorf("graphviz: %w", err)
	}
	return svg.Bytes(), nil
}

var htmlTag = regexp.MustCompile(`<[^>]*>`)

// LabelTexts returns the text of every HTML-like label (label=<...>) in dot, one entry per run
// of text between tags, unescaped: each of them is a <text> element of a correct rendering.
func LabelTexts(dot string) []string {
	var out []string
	for rest := dot; ; {
		start := strings.Index(rest, "label=<")
		if start < 0 {
			return out
		}
		rest = rest[start+len("label=<"):]
		// The label runs to the '>' that balances its '<': literal angle brackets in the text
		// are escaped (&lt;), so every other '<' opens a tag.
		depth, end := 1, -1
		for i := 0; i < len(rest) && end < 0; i++ {
			switch rest[i] {
			case '<':
				depth++
			case '>':
				if depth--; depth == 0 {
					end = i
				}
			}
		}
		if end < 0 {
			return out
		}
		for _, part := range htmlTag.Split(rest[:end], -1) {
			if t := strings.TrimSpace(stdhtml.UnescapeString(part)); t != "" {
				out = append(out, t)
			}
		}
		rest = rest[end:]
	}
}
