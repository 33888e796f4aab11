// Command diagram writes the Graphviz DOT diagram of what a synthesized CDK app deploys in each
// account and region (see internal/diagram).
//
// Usage:
//
//	diagram [-assembly cdk.out] [-o docs/architecture.dot] [-svg docs/architecture.svg]
//
// -assembly is the cloud assembly directory `cdk synth` wrote (default cdk.out); -o is the
// DOT output file (default standard output); -svg also renders the diagram as SVG into that
// file, with Graphviz compiled to WebAssembly (nothing to install). `make diagram` does all of
// this for the default deployment.
//
// Exit status: 0 on success, 1 when the assembly cannot be read or the output written, 2 for
// bad usage.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/acme-platform/ecr-replication/internal/diagram"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command with its arguments and streams, returning the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diagram", flag.ContinueOnError)
	fs.SetOutput(stderr)
	assembly := fs.String("assembly", "cdk.out", "cloud assembly directory written by cdk synth")
	output := fs.String("o", "", "DOT output file (default standard output)")
	svgOutput := fs.String("svg", "", "also render the diagram as SVG into this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "diagram: unexpected arguments %q\n", fs.Args())
		fs.Usage()
		return 2
	}
	dot, err := diagram.FromAssembly(*assembly)
	if err != nil {
		fmt.Fprintf(stderr, "diagram: %v\n", err)
		return 1
	}
	if *svgOutput != "" {
		svg, err := diagram.SVG(dot)
		if err == nil {
			err = os.WriteFile(*svgOutput, svg, 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "diagram: %v\n", err)
			return 1
		}
	}
	if *output == "" {
		_, err = io.WriteString(stdout, dot)
	} else {
		err = os.WriteFile(*output, []byte(dot), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "diagram: %v\n", err)
		return 1
	}
	return 0
}
