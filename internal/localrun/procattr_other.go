//go:build unix && !linux

package localrun

import "syscall"

// childProcAttr puts localcloud in its own process group; other Unix systems have no
// parent-death signal, so a killed mage leaves localcloud for the next run to reuse.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
