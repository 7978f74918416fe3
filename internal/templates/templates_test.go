package templates_test

import (
	"path/filepath"
	"testing"

	"github.com/orderflow/orderflow/internal/templates"
)

// templateDir is infra-cfn, seen from this package.
var templateDir = filepath.Join("..", "..", "infra-cfn")

// templateFiles lists every template in infra-cfn; the test fails if there are none.
func templateFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(templateDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found %d templates in %s, want bootstrap, ingest and notifier", len(files), templateDir)
	}
	return files
}

func parse(t *testing.T, path string) *templates.Template {
	t.Helper()
	tpl, err := templates.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}
