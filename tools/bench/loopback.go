package bench

import (
	"fmt"
	"net"
	"net/url"
)

// CheckLoopback refuses any URL whose host is not a loopback address or "localhost":
// load never leaves this machine.
func CheckLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("URL %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("URL %q: scheme must be http or https", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("URL %q: host %q is not loopback; load is only ever sent to this machine", raw, host)
}
