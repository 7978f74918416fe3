package localrun

import (
	"fmt"
	"net/url"
	"strings"
)

// TutorialBody is the order the AWS tutorial the system grew from sends.
const TutorialBody = `{"item": "latex gloves","customerID":"12345"}`

// LocalAPIURL turns the API URL a deployed ingest stack reports
// (https://{apiId}.execute-api.{region}.amazonaws.com/{stage}/orders) into the URL
// localcloud serves the same stage at.
func LocalAPIURL(endpoint, apiURL string) (string, error) {
	u, err := url.Parse(apiURL)
	if err != nil {
		return "", fmt.Errorf("API URL %q: %w", apiURL, err)
	}
	apiID, _, ok := strings.Cut(u.Host, ".")
	if !ok || apiID == "" {
		return "", fmt.Errorf("API URL %q has no API ID in its host", apiURL)
	}
	stage, path, ok := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	if !ok || stage == "" {
		return "", fmt.Errorf("API URL %q has no stage in its path", apiURL)
	}
	return strings.TrimSuffix(endpoint, "/") + "/restapis/" + apiID + "/" + stage + "/_user_request_/" + path, nil
}

// Curl is a ready-to-paste command that posts the tutorial's order.
func Curl(apiURL, apiKey string) string {
	return fmt.Sprintf("curl -sS -X POST '%s' \\\n  -H 'Content-Type: application/json' -H 'x-api-key: %s' \\\n  -d '%s'",
		apiURL, apiKey, TutorialBody)
}
