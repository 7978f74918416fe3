//go:build !linux

package runtime

import "syscall"

func setParentDeathSignal(*syscall.SysProcAttr) {}

// maxRSSMB is not measured outside Linux.
func maxRSSMB(int) int { return 0 }
