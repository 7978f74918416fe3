package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// watcher follows one stack operation through its events: it remembers the events that
// existed before the operation, prints each new one with a progress count, and keeps
// them to explain a failure.
type watcher struct {
	d     *Deployer
	stack string
	// stackID, when known, addresses the stack even after it is deleted.
	stackID string
	// total is the number of resources the operation touches (0 if unknown).
	total int
	// before is the stack's status before the operation ("" if it did not exist). A
	// settled status equal to it may be the old one, read before CloudFormation started:
	// then only the stack's own final event proves the operation is over.
	before   types.StackStatus
	sawFinal bool
	seen     map[string]bool
	done     map[string]bool
	events   []types.StackEvent
}

func (w *watcher) ref() string {
	if w.stackID != "" {
		return w.stackID
	}
	return w.stack
}

// start records the stack's existing events so that only new ones are shown.
func (w *watcher) start(ctx context.Context) error {
	w.seen = map[string]bool{}
	w.done = map[string]bool{}
	out, err := w.d.CFN.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(w.ref())})
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		return fmt.Errorf("describe stack events: %w", err)
	}
	for _, e := range out.StackEvents {
		w.seen[aws.ToString(e.EventId)] = true
	}
	return nil
}

// wait polls until the stack settles, printing new events, and returns the settled stack.
func (w *watcher) wait(ctx context.Context) (*types.Stack, error) {
	for {
		if err := w.d.Clock.Sleep(ctx, w.d.poll()); err != nil {
			return nil, fmt.Errorf("waiting for %s: %w", w.stack, err)
		}
		stack, err := w.describe(ctx)
		if err != nil {
			return nil, err
		}
		if err := w.poll(ctx); err != nil {
			return nil, err
		}
		if settled(stack.StackStatus) && (stack.StackStatus != w.before || w.sawFinal) {
			return stack, nil
		}
	}
}

func (w *watcher) describe(ctx context.Context) (*types.Stack, error) {
	out, err := w.d.CFN.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(w.ref())})
	if err != nil {
		if isNotFound(err) {
			return &types.Stack{StackName: aws.String(w.stack), StackStatus: types.StackStatusDeleteComplete}, nil
		}
		return nil, fmt.Errorf("describe stack: %w", err)
	}
	if len(out.Stacks) == 0 {
		return &types.Stack{StackName: aws.String(w.stack), StackStatus: types.StackStatusDeleteComplete}, nil
	}
	return &out.Stacks[0], nil
}

// poll prints the events that appeared since the last poll, oldest first.
func (w *watcher) poll(ctx context.Context) error {
	var fresh []types.StackEvent
	var token *string
pages:
	for {
		out, err := w.d.CFN.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{
			StackName: aws.String(w.ref()),
			NextToken: token,
		})
		if err != nil {
			if isNotFound(err) {
				break
			}
			return fmt.Errorf("describe stack events: %w", err)
		}
		// Newest first: stop at the first event already seen.
		for _, e := range out.StackEvents {
			if w.seen[aws.ToString(e.EventId)] {
				break pages
			}
			fresh = append(fresh, e)
		}
		token = out.NextToken
		if token == nil || *token == "" {
			break
		}
	}
	for i := len(fresh) - 1; i >= 0; i-- {
		e := fresh[i]
		w.seen[aws.ToString(e.EventId)] = true
		w.events = append(w.events, e)
		w.print(e)
	}
	return nil
}

func (w *watcher) print(e types.StackEvent) {
	id := aws.ToString(e.LogicalResourceId)
	status := string(e.ResourceStatus)
	if id == w.stack && settled(types.StackStatus(status)) {
		w.sawFinal = true
	}
	if id != w.stack && strings.HasSuffix(status, "_COMPLETE") {
		w.done[id] = true
	}
	progress := ""
	if w.total > 0 {
		progress = fmt.Sprintf("[%d/%d] ", min(len(w.done), w.total), w.total)
	}
	ts := ""
	if e.Timestamp != nil {
		ts = e.Timestamp.UTC().Format("15:04:05") + " "
	}
	line := fmt.Sprintf("  %s%s%-28s %-36s %s", ts, progress, status, aws.ToString(e.ResourceType), id)
	if r := aws.ToString(e.ResourceStatusReason); r != "" {
		line += "  " + r
	}
	fmt.Fprintln(w.d.Out, line)
}

// failure explains a stack that did not reach the wanted status: the resources whose
// operations failed first (not the ones merely cancelled because of them) and why.
func (w *watcher) failure(final *types.Stack) error {
	var causes []string
	for _, e := range w.events {
		if !strings.HasSuffix(string(e.ResourceStatus), "_FAILED") {
			continue
		}
		reason := aws.ToString(e.ResourceStatusReason)
		if strings.Contains(reason, "cancelled") && len(causes) > 0 {
			continue
		}
		id := aws.ToString(e.LogicalResourceId)
		if id == w.stack && len(causes) > 0 {
			continue
		}
		causes = append(causes, fmt.Sprintf("%s (%s) %s: %s", id, aws.ToString(e.ResourceType), e.ResourceStatus, reason))
	}
	if len(causes) == 0 && aws.ToString(final.StackStatusReason) != "" {
		causes = append(causes, aws.ToString(final.StackStatusReason))
	}
	fmt.Fprintf(w.d.Out, "%s ended in %s\n", w.stack, final.StackStatus)
	for _, c := range causes {
		fmt.Fprintf(w.d.Out, "  failed: %s\n", c)
	}
	if len(causes) == 0 {
		return fmt.Errorf("%s ended in %s", w.stack, final.StackStatus)
	}
	return fmt.Errorf("%s ended in %s: %s", w.stack, final.StackStatus, strings.Join(causes, "; "))
}
