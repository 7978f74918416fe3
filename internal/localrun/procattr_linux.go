package localrun

import "syscall"

// childProcAttr puts localcloud in its own process group and, on Linux, has the kernel
// send it SIGTERM if mage itself dies, so it shuts down cleanly instead of lingering on
// the port.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
