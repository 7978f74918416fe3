package templates_test

import (
	"os"
	"os/exec"
	"testing"
)

// TestCfnLint runs cfn-lint on every template and fails on any finding. Without
// cfn-lint the test skips, unless CI=true.
func TestCfnLint(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint is required in CI but is not on PATH")
		}
		t.Skip("cfn-lint not on PATH; pip install cfn-lint to run this test")
	}
	files := templateFiles(t)
	out, err := exec.Command(bin, files...).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("cfn-lint %v: %v\n%s", files, err, out)
	}
}
