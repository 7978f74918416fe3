package cfn_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/orderflow/orderflow/tools/localcloud/localcloudtest"
)

// newCLI runs "aws cloudformation ..." against the test endpoint with an empty
// configuration.
func newCLI(t *testing.T, url string) *localcloudtest.CLI {
	return localcloudtest.NewCLI(t, url, "test", "test", "cloudformation")
}

func TestAWSCLI(t *testing.T) {
	e := start(t, envOptions{})
	c := newCLI(t, e.url)
	file := filepath.Join(t.TempDir(), "app.yaml")
	if err := os.WriteFile(file, []byte(appTemplate), 0o600); err != nil {
		t.Fatal(err)
	}

	var validated struct {
		Description string
		Parameters  []struct{ ParameterKey, DefaultValue string }
	}
	c.OK(&validated, "validate-template", "--template-body", "file://"+file)
	if validated.Description != "cfn conformance app" || len(validated.Parameters) != 3 {
		t.Fatalf("validate-template = %+v", validated)
	}

	// create-change-set, its waiter, execute-change-set; the stack is
	// followed through the SDK (the CLI's stack waiters poll every 30 s).
	var created struct{ Id, StackId string }
	c.OK(&created, "create-change-set", "--stack-name", "cli", "--change-set-name", "first", "--change-set-type", "CREATE",
		"--template-body", "file://"+file, "--parameters", "ParameterKey=Visibility,ParameterValue=40")
	c.OK(nil, "wait", "change-set-create-complete", "--change-set-name", created.Id)
	var described struct {
		Status  string
		Changes []struct {
			ResourceChange struct{ Action, LogicalResourceId string }
		}
	}
	c.OK(&described, "describe-change-set", "--change-set-name", "first", "--stack-name", "cli")
	if described.Status != "CREATE_COMPLETE" || len(described.Changes) != 6 || described.Changes[0].ResourceChange.Action != "Add" {
		t.Fatalf("describe-change-set = %+v", described)
	}
	c.OK(nil, "execute-change-set", "--change-set-name", created.Id)
	if s := e.waitStack(t, "cli"); string(s.StackStatus) != "CREATE_COMPLETE" {
		t.Fatalf("after execute-change-set: %s", s.StackStatus)
	}

	// The CLI's deploy command finds nothing to change (GetTemplateSummary,
	// CreateChangeSet, the change set waiter, the empty reason). It names
	// change sets by the second and leaves the empty one behind, as AWS
	// keeps it: delete it so the next deploy may reuse the name.
	dropEmpty := func() {
		t.Helper()
		var sets struct {
			Summaries []struct{ ChangeSetId, Status, StatusReason string }
		}
		c.OK(&sets, "list-change-sets", "--stack-name", "cli")
		n := 0
		for _, cs := range sets.Summaries {
			if cs.Status == "FAILED" && strings.Contains(cs.StatusReason, "didn't contain changes") {
				c.OK(nil, "delete-change-set", "--change-set-name", cs.ChangeSetId)
				n++
			}
		}
		if n != 1 {
			t.Fatalf("list-change-sets = %+v", sets)
		}
	}
	out := c.OK(nil, "deploy", "--template-file", file, "--stack-name", "cli", "--parameter-overrides", "Visibility=40", "--no-fail-on-empty-changeset")
	if !strings.Contains(out, "No changes to deploy") {
		t.Fatalf("deploy output: %s", out)
	}
	dropEmpty()
	stdout, errOut, code := c.Run("deploy", "--template-file", file, "--stack-name", "cli", "--parameter-overrides", "Visibility=40")
	if code == 0 || !strings.Contains(stdout+errOut, "No changes to deploy") {
		t.Fatalf("deploy without --no-fail-on-empty-changeset: exit %d %s %s", code, stdout, errOut)
	}
	dropEmpty()

	var stacks struct {
		Stacks []struct {
			StackID     string `json:"StackId"`
			StackStatus string
			Outputs     []struct{ OutputKey, OutputValue, ExportName string }
			Parameters  []struct{ ParameterKey, ParameterValue string }
		}
	}
	c.OK(&stacks, "describe-stacks", "--stack-name", "cli")
	if len(stacks.Stacks) != 1 || stacks.Stacks[0].StackStatus != "CREATE_COMPLETE" || len(stacks.Stacks[0].Outputs) != 3 {
		t.Fatalf("describe-stacks = %+v", stacks)
	}
	var events struct {
		StackEvents []struct{ LogicalResourceId, ResourceStatus string }
	}
	c.OK(&events, "describe-stack-events", "--stack-name", "cli")
	if len(events.StackEvents) < 10 || events.StackEvents[0].ResourceStatus != "CREATE_COMPLETE" {
		t.Fatalf("describe-stack-events = %+v", events.StackEvents[:min(3, len(events.StackEvents))])
	}
	var resources struct {
		StackResourceSummaries []struct{ LogicalResourceId, ResourceStatus string }
	}
	c.OK(&resources, "list-stack-resources", "--stack-name", "cli")
	if len(resources.StackResourceSummaries) != 6 {
		t.Fatalf("list-stack-resources = %+v", resources)
	}
	var tpl struct{ TemplateBody string }
	c.OK(&tpl, "get-template", "--stack-name", "cli")
	if tpl.TemplateBody != appTemplate {
		t.Fatalf("get-template returned %q", tpl.TemplateBody)
	}
	var exports struct {
		Exports []struct{ Name, Value string }
	}
	c.OK(&exports, "list-exports")
	if len(exports.Exports) != 1 || exports.Exports[0].Name != "app-dev-queue-arn" {
		t.Fatalf("list-exports = %+v", exports)
	}

	c.OK(nil, "delete-stack", "--stack-name", "cli")
	if s := e.waitStack(t, stacks.Stacks[0].StackID); string(s.StackStatus) != "DELETE_COMPLETE" {
		t.Fatalf("after delete-stack: %s", s.StackStatus)
	}
	_, errOut, code = c.Run("describe-stacks", "--stack-name", "cli")
	if code == 0 || !strings.Contains(errOut, "(ValidationError)") || !strings.Contains(errOut, "Stack with id cli does not exist") {
		t.Fatalf("describe-stacks after delete: exit %d %s", code, errOut)
	}
}
