//go:build !linux

package mail

// syncFilesystem is not available here; files are synced one by one.
func syncFilesystem(string) (bool, error) { return false, nil }
