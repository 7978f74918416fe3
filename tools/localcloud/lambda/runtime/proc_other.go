//go:build !linux

package runtime

// maxRSSMB is not measured outside Linux.
func maxRSSMB(int) int { return 0 }
