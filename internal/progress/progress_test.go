package progress

import (
	"bytes"
	"testing"
)

func TestPlainOutputPrintsEachChangeOnce(t *testing.T) {
	var b bytes.Buffer
	d := New(&b, false)
	d.Lines("a 0/2", "b 0/1")
	d.Lines("a 0/2", "b 0/1") // nothing changed
	d.Log("started c")
	d.Lines("a 1/2", "b 0/1", "c 0/4")
	d.Update("waiting")
	d.Done()
	want := "a 0/2\nb 0/1\nstarted c\na 1/2\nc 0/4\nwaiting\n"
	if b.String() != want {
		t.Errorf("got %q\nwant %q", b.String(), want)
	}
}

func TestTerminalRedrawsTheBlockInPlace(t *testing.T) {
	var b bytes.Buffer
	d := New(&b, true)
	d.Lines("a 0/2", "b 0/1")
	d.Lines("a 1/2", "b 1/1")
	d.Log("done b")
	d.Update("one")
	d.Done()
	want := "a 0/2\nb 0/1" +
		"\r\033[1A\033[J" + "a 1/2\nb 1/1" + // up one line to the block's start, clear, redraw
		"\r\033[1A\033[J" + "done b\n" + "a 1/2\nb 1/1" + // the log line above the block
		"\r\033[1A\033[J" + "one" + // a one-line block
		"\n" // Done ends the line
	if b.String() != want {
		t.Errorf("got %q\nwant %q", b.String(), want)
	}
}

func TestSingleLineRedrawNeedsNoCursorUp(t *testing.T) {
	var b bytes.Buffer
	d := New(&b, true)
	d.Update("1")
	d.Update("2")
	d.Done()
	d.Done() // a second Done writes nothing
	if want := "1\r\033[J2\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestNilAndZeroDisplaysWriteNothing(t *testing.T) {
	var d *Display
	d.Lines("x")
	d.Log("x")
	d.Done()
	var z Display
	z.Update("x")
	z.Done()
}
