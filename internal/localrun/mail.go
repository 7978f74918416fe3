package localrun

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// confirmLink matches the subscription-confirmation link SNS puts in its e-mail.
var confirmLink = regexp.MustCompile(`https?://[^\s"'<>]+[?&]Action=ConfirmSubscription[^\s"'<>]*`)

// ConfirmSubscriptions fetches every subscription-confirmation link found in the
// mailbox under mailDir, as the recipient would by clicking it, and returns how many it
// confirmed. Only links to base (localcloud's own URL) are fetched. Confirming twice is
// harmless: SNS answers an already confirmed subscription with its ARN.
func ConfirmSubscriptions(ctx context.Context, client *http.Client, mailDir, base string) (int, error) {
	entries, err := os.ReadDir(mailDir)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read mailbox: %w", err)
	}
	baseURL, err := url.Parse(base)
	if err != nil {
		return 0, fmt.Errorf("localcloud URL %q: %w", base, err)
	}
	confirmed := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".eml") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(mailDir, e.Name()))
		if err != nil {
			return confirmed, fmt.Errorf("read %s: %w", e.Name(), err)
		}
		for _, link := range confirmLink.FindAllString(string(data), -1) {
			u, err := url.Parse(link)
			if err != nil || u.Host != baseURL.Host {
				continue // never fetch anything but localcloud itself
			}
			if err := fetch(ctx, client, link); err != nil {
				return confirmed, fmt.Errorf("confirm subscription from %s: %w", e.Name(), err)
			}
			confirmed++
		}
	}
	return confirmed, nil
}

func fetch(ctx context.Context, client *http.Client, link string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
