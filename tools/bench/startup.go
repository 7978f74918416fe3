package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// readyPrefix starts the line localcloud prints once it serves.
const readyPrefix = "localcloud ready on "

// Cloud is a localcloud (or other server) process this package started.
type Cloud struct {
	URL string
	PID int
	// Ready is the time from exec to the ready line.
	Ready time.Duration
	cmd   *exec.Cmd
	done  chan error
}

// StartProcess runs binary with args in its own process group and waits at most 30 s
// for a stdout line starting with prefix; the rest of that line is the URL. stderr goes
// to logTo (closed when the process ends).
func StartProcess(ctx context.Context, binary string, args []string, prefix string, logTo *os.File) (*Cloud, error) {
	cmd := exec.Command(binary, args...)
	cmd.Stderr = logTo
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logTo.Close()
		return nil, fmt.Errorf("%s stdout: %w", binary, err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		logTo.Close()
		return nil, fmt.Errorf("start %s: %w", binary, err)
	}
	c := &Cloud{PID: cmd.Process.Pid, cmd: cmd, done: make(chan error, 1)}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), prefix); ok {
				select {
				case ready <- strings.TrimSpace(u):
				default:
				}
			}
		}
		c.done <- cmd.Wait()
		logTo.Close()
	}()
	timer := time.NewTimer(30 * time.Second)
	defer timer.Stop()
	select {
	case u := <-ready:
		c.Ready, c.URL = time.Since(start), u
		return c, nil
	case err := <-c.done:
		c.done <- err
		return nil, fmt.Errorf("%s exited before it was ready: %w", binary, err)
	case <-timer.C:
		_ = c.Stop()
		return nil, fmt.Errorf("%s was not ready within 30s", binary)
	case <-ctx.Done():
		_ = c.Stop()
		return nil, ctx.Err()
	}
}

// StartCloud runs the localcloud binary on listen (a loopback address; port 0 picks one)
// and dataDir, with fsync on, and waits at most 30 s for its ready line. Its own log goes
// to <dataDir>/localcloud.log.
func StartCloud(ctx context.Context, binary, listen, dataDir string) (*Cloud, error) {
	if err := CheckLoopback("http://" + listen); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	logFile, err := os.OpenFile(filepath.Join(dataDir, "localcloud.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("localcloud log: %w", err)
	}
	c, err := StartProcess(ctx, binary, []string{"--listen", listen, "--data-dir", dataDir, "--fsync=true"}, readyPrefix, logFile)
	if err != nil {
		return nil, fmt.Errorf("localcloud (its log is in %s): %w", dataDir, err)
	}
	return c, nil
}

// Stop ends localcloud with SIGTERM and waits (killing it after 15 s).
func (c *Cloud) Stop() error {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		c.done <- err
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			return fmt.Errorf("localcloud: %w", err)
		}
		return nil
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		return errors.New("localcloud did not stop within 15s of SIGTERM; killed it")
	}
}

// StartToReady starts and stops localcloud runs times on dataDir (a fresh empty
// directory each time when dataDir is empty: mkdir under tmp) and returns each
// start-to-ready time.
func StartToReady(ctx context.Context, binary, listen, dataDir, tmp string, runs int) ([]time.Duration, error) {
	var out []time.Duration
	for i := range runs {
		dir := dataDir
		if dir == "" {
			dir = filepath.Join(tmp, fmt.Sprintf("empty-%d", i))
		}
		c, err := StartCloud(ctx, binary, listen, dir)
		if err != nil {
			return out, err
		}
		out = append(out, c.Ready)
		if err := c.Stop(); err != nil {
			return out, err
		}
	}
	return out, nil
}
