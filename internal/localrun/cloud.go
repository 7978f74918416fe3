package localrun

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// readyPrefix is the line localcloud prints on stdout once it serves.
const readyPrefix = "localcloud ready on "

// Options say where localcloud listens and keeps its state.
type Options struct {
	// Binary is the localcloud executable to start.
	Binary string
	// Listen is the loopback address, e.g. 127.0.0.1:4566.
	Listen string
	// DataDir keeps localcloud's state between runs.
	DataDir string
	// ReadyTimeout bounds the wait for the ready line (default 30 s).
	ReadyTimeout time.Duration
}

// Cloud is a localcloud this run started or found already serving.
type Cloud struct {
	// URL is the endpoint, e.g. http://127.0.0.1:4566.
	URL string
	// Reused is true when localcloud was already running; Stop leaves it alone.
	Reused bool
	// LogPath is where a started localcloud's own log goes.
	LogPath string

	cmd  *exec.Cmd
	done chan error
}

// Start returns a serving localcloud: the one already answering on opts.Listen, or a new
// process of opts.Binary on the data dir, once it prints its ready line.
func Start(ctx context.Context, opts Options) (*Cloud, error) {
	host, _, err := net.SplitHostPort(opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", opts.Listen, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("listen address %q is not on loopback", opts.Listen)
	}
	url := "http://" + opts.Listen
	if healthy(ctx, url) {
		return &Cloud{URL: url, Reused: true}, nil
	}
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", opts.DataDir, err)
	}
	logPath := filepath.Join(opts.DataDir, "localcloud.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", logPath, err)
	}
	// Not CommandContext: the caller decides when localcloud stops (Stop), so a
	// cancelled context turns into a graceful SIGTERM, never a SIGKILL.
	cmd := exec.Command(opts.Binary, "--listen", opts.Listen, "--data-dir", opts.DataDir)
	cmd.Stderr = logFile
	// Its own process group: a Ctrl-C in the terminal reaches mage, which then stops
	// localcloud in order, instead of both racing.
	cmd.SysProcAttr = childProcAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		logFile.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", opts.Binary, err)
	}
	c := &Cloud{LogPath: logPath, cmd: cmd, done: make(chan error, 1)}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, readyPrefix); ok {
				select {
				case ready <- strings.TrimSpace(u):
				default:
				}
			}
			fmt.Fprintln(logFile, line)
		}
		_, _ = io.Copy(logFile, stdout)
		c.done <- cmd.Wait()
		logFile.Close()
	}()
	timeout := opts.ReadyTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	select {
	case u := <-ready:
		c.URL = u
		return c, nil
	case err := <-c.done:
		c.done <- err
		return nil, fmt.Errorf("localcloud exited before it was ready (%w); see %s", err, logPath)
	case <-time.After(timeout):
		_ = c.Stop()
		return nil, fmt.Errorf("localcloud was not ready within %s; see %s", timeout, logPath)
	case <-ctx.Done():
		_ = c.Stop()
		return nil, ctx.Err()
	}
}

// Stop shuts a started localcloud down gracefully (SIGTERM) and waits for it; a reused
// one is left running.
func (c *Cloud) Stop() error {
	if c.Reused || c.cmd == nil {
		return nil
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		c.done <- err
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			return err
		}
		return nil
	case <-time.After(15 * time.Second):
		_ = c.cmd.Process.Kill()
		return errors.New("localcloud did not stop within 15s of SIGTERM; killed it")
	}
}

func healthy(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/_localcloud/health", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
