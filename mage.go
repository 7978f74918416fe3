//go:build ignore

// Zero-install entry point for the project's mage targets: `go run mage.go <target>`.
// With no target it lists the targets and their one-line help.
package main

import (
	"os"

	"github.com/magefile/mage/mage"
)

func main() { os.Exit(mage.Main()) }
