// Package jsiitest is what every test package that starts jsii (the CDK's Node.js process)
// shares: the TestMain that runs the tests, then stops the process before the test binary
// exits, and Messages, which reads cdk-nag's findings (or any annotation) from a stack's one
// synthesis.
package jsiitest

import (
	"os"
	"testing"

	"github.com/aws/jsii-runtime-go"
)

// Main runs m's tests, closes jsii and exits with the tests' status. Use it as
//
//	func TestMain(m *testing.M) { jsiitest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}
