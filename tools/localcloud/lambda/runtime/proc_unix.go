//go:build unix

package runtime

import (
	"os/exec"
	"syscall"
)

// setProcessGroup starts the process in its own group so that a kill
// reaches everything it spawned. (No parent-death signal: Linux sends it
// when the forking thread exits, not the process, which could kill a
// healthy function; a runtime whose localcloud died loses its Runtime API
// connection and exits by itself, as aws-lambda-go does.)
func setProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}

// killProcessGroup sends SIGKILL to the process's group.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
