package main

import "fmt"

// VersionCmd prints the version string set at build time ("dev" by default).
type VersionCmd struct{}

// Run prints the version on stdout.
func (VersionCmd) Run(rt runtime) error {
	_, err := fmt.Fprintln(rt.stdout, version)
	return err
}
