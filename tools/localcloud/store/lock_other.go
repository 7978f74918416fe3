//go:build !unix

package store

// lockDir relies on bbolt's own file lock where flock is not available.
func lockDir(string) (func(), error) { return func() {}, nil }
