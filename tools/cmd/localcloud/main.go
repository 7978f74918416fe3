// Command localcloud serves orderflow's AWS services on one loopback port.
//
//	localcloud [--listen 127.0.0.1:4566] [--data-dir .localcloud] [--region us-east-1] [--account 000000000000] [--fsync=true]
//	localcloud mail list|show ID [--data-dir .localcloud]
//
// Every flag has a LOCALCLOUD_* environment equivalent (LOCALCLOUD_LISTEN,
// LOCALCLOUD_DATA_DIR, ...); flags win.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"

	"github.com/orderflow/orderflow/tools/localcloud"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "localcloud:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v, ok := os.LookupEnv("LOCALCLOUD_" + name); ok {
		return v
	}
	return def
}

func run(args []string, stdout, stderr io.Writer) error {
	mode := "serve"
	if len(args) > 0 && args[0] == "mail" {
		mode, args = "mail", args[1:]
	}
	fs := flag.NewFlagSet("localcloud", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", env("LISTEN", "127.0.0.1:4566"), "address to serve on (env LOCALCLOUD_LISTEN)")
	dataDir := fs.String("data-dir", env("DATA_DIR", ".localcloud"), "state directory (env LOCALCLOUD_DATA_DIR)")
	region := fs.String("region", env("REGION", "us-east-1"), "region served (env LOCALCLOUD_REGION)")
	account := fs.String("account", env("ACCOUNT", "000000000000"), "account ID (env LOCALCLOUD_ACCOUNT)")
	accessKey := fs.String("access-key-id", env("ACCESS_KEY_ID", "test"), "root access key ID (env LOCALCLOUD_ACCESS_KEY_ID)")
	secret := fs.String("secret-access-key", env("SECRET_ACCESS_KEY", "test"), "root secret access key (env LOCALCLOUD_SECRET_ACCESS_KEY)")
	fsync := fs.Bool("fsync", env("FSYNC", "true") != "false", "fsync every commit; false survives kill -9 but not power loss (env LOCALCLOUD_FSYNC)")
	logLevel := fs.String("log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (env LOCALCLOUD_LOG_LEVEL)")
	cpuProfile := fs.String("cpu-profile", env("CPU_PROFILE", ""), "write a CPU profile (go tool pprof) to this file until shutdown; {pid} in it becomes the process ID (env LOCALCLOUD_CPU_PROFILE)")
	if mode == "mail" {
		// mail takes its subcommand first, flags after.
		sub := args
		for len(sub) > 0 && !strings.HasPrefix(sub[0], "-") {
			sub = sub[1:]
		}
		pos := args[:len(args)-len(sub)]
		if err := fs.Parse(sub); err != nil {
			return err
		}
		return localcloud.MailCommand(*dataDir, append(pos, fs.Args()...), stdout)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if *cpuProfile != "" {
		f, err := os.Create(strings.ReplaceAll(*cpuProfile, "{pid}", strconv.Itoa(os.Getpid())))
		if err != nil {
			return fmt.Errorf("--cpu-profile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("--cpu-profile: %w", err)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	url := "http://" + ln.Addr().String()
	inst, err := localcloud.Open(localcloud.Config{
		DataDir: *dataDir, Region: *region, Account: *account,
		AccessKeyID: *accessKey, SecretAccessKey: *secret, Logger: logger, PublicURL: url, NoFsync: !*fsync,
	})
	if err != nil {
		_ = ln.Close()
		return err
	}
	fmt.Fprintf(stdout, "localcloud ready on %s\n", url)
	serveErr := inst.Serve(ctx, ln)
	closeErr := inst.Close()
	if serveErr != nil && !errors.Is(serveErr, context.Canceled) {
		return serveErr
	}
	if closeErr != nil {
		return closeErr
	}
	logger.Info("localcloud stopped")
	return nil
}
