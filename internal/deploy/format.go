package deploy

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// writeChangeSet prints the change set as a table: action, logical ID, type, replacement.
func writeChangeSet(out io.Writer, stack string, changes []types.Change) {
	fmt.Fprintf(out, "Changes to %s (%d):\n", stack, len(changes))
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ACTION\tLOGICAL ID\tTYPE\tREPLACEMENT")
	for _, c := range changes {
		rc := c.ResourceChange
		if rc == nil {
			continue
		}
		replacement := "-"
		if rc.Action == types.ChangeActionModify && rc.Replacement != "" {
			replacement = string(rc.Replacement)
		}
		fmt.Fprintf(tw, "  %s %s\t%s\t%s\t%s\n", actionMark(rc.Action), rc.Action,
			aws.ToString(rc.LogicalResourceId), aws.ToString(rc.ResourceType), replacement)
	}
	_ = tw.Flush()
}

func actionMark(a types.ChangeAction) string {
	switch a {
	case types.ChangeActionAdd:
		return "+"
	case types.ChangeActionRemove:
		return "-"
	case types.ChangeActionModify:
		return "~"
	}
	return " "
}

// writeOutputs prints the stack's outputs sorted by key.
func writeOutputs(out io.Writer, stack, status string, outputs map[string]string) {
	fmt.Fprintf(out, "%s: %s\n", stack, status)
	if len(outputs) == 0 {
		return
	}
	fmt.Fprintln(out, "Outputs:")
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, k := range sortedKeys(outputs) {
		fmt.Fprintf(tw, "  %s\t%s\n", k, outputs[k])
	}
	_ = tw.Flush()
}
