// Package progress shows how far a long-running command has come, on its standard error: on a
// terminal a block of lines redrawn in place, otherwise a plain line whenever one changes, so
// that a log or a CI job gets each change once and no control characters.
//
// It is shared by the commands that wait on AWS (cmd/backfill; cmd/verify has the one-line
// original in internal/verify). Lines should be shorter than the terminal is wide: a wrapped
// line throws the redraw off by one row.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// Display is a block of progress lines. The zero value and a nil *Display write nothing; use
// [New].
type Display struct {
	w        io.Writer
	terminal bool

	mu sync.Mutex
	// shown are the lines last shown: on a terminal the redrawn block, otherwise the last
	// line printed at each position.
	shown []string
	// drawn is how many lines of the block are on the terminal now (0: none).
	drawn int
}

// New returns a Display writing to w (normally stderr); terminal says whether w is a terminal,
// where the block is redrawn in place.
func New(w io.Writer, terminal bool) *Display { return &Display{w: w, terminal: terminal} }

// Update shows one line: the block is that line alone.
func (d *Display) Update(line string) { d.Lines(line) }

// Lines shows the block. On a terminal it replaces the block drawn before; otherwise each line
// that differs from the one shown last at its position is printed.
func (d *Display) Lines(lines ...string) {
	if d == nil || d.w == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.terminal {
		d.erase()
		d.draw(lines)
		return
	}
	for i, line := range lines {
		if i >= len(d.shown) || d.shown[i] != line {
			fmt.Fprintln(d.w, line)
		}
	}
	d.shown = append(d.shown[:0], lines...)
}

// Log prints a line that stays (such as "started …"): above the block on a terminal, which is
// redrawn under it.
func (d *Display) Log(line string) {
	if d == nil || d.w == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.terminal {
		fmt.Fprintln(d.w, line)
		return
	}
	block := d.shown
	d.erase()
	fmt.Fprintln(d.w, line)
	d.draw(block)
}

// Done leaves the block as it is and ends its last line, so that what follows starts on a
// line of its own.
func (d *Display) Done() {
	if d == nil || d.w == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.terminal && d.drawn > 0 {
		fmt.Fprintln(d.w)
	}
	d.drawn, d.shown = 0, nil
}

// erase moves the cursor to the start of the drawn block and clears to the end of the screen.
func (d *Display) erase() {
	if d.drawn == 0 {
		return
	}
	fmt.Fprint(d.w, "\r")
	if d.drawn > 1 {
		fmt.Fprintf(d.w, "\033[%dA", d.drawn-1)
	}
	fmt.Fprint(d.w, "\033[J")
	d.drawn = 0
}

// draw writes the block, leaving the cursor at the end of its last line.
func (d *Display) draw(lines []string) {
	d.shown = append([]string(nil), lines...)
	if len(lines) == 0 {
		return
	}
	fmt.Fprint(d.w, strings.Join(lines, "\n"))
	d.drawn = len(lines)
}
