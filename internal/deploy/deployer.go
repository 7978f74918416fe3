package deploy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"
)

// DefaultPollInterval is how often a [Deployer] asks CloudFormation for news when its
// PollInterval is zero.
const DefaultPollInterval = 2 * time.Second

// maxTemplateBody is CloudFormation's limit for an inline TemplateBody, in bytes.
const maxTemplateBody = 51200

// ErrDeclined is returned when the operator answers anything but yes to the
// confirmation prompt; the change set is deleted before returning.
var ErrDeclined = errors.New("change set not executed: declined at the prompt")

// Deployer deploys and destroys CloudFormation stacks through change sets. Its zero
// value is not usable: CFN, Clock and Out are required, In is required unless
// AutoApprove is set, and S3 is required for [Deployer.Upload].
type Deployer struct {
	CFN   CloudFormationAPI
	S3    S3API
	Clock Clock
	// Out receives the human-readable progress: change sets, events, outputs.
	Out io.Writer
	// In is read for the confirmation answer when AutoApprove is false.
	In io.Reader
	// AutoApprove executes change sets without asking (CI, ORDERFLOW_YES=1).
	AutoApprove bool
	// PollInterval is the wait between two status polls; DefaultPollInterval if zero.
	PollInterval time.Duration
}

// Stack is what to deploy: a stack name, its template and its parameter values.
type Stack struct {
	Name       string
	Template   []byte
	Parameters map[string]string
	Tags       map[string]string
}

// Result tells how a deploy ended.
type Result struct {
	StackName string
	// NoChanges is true when the template and parameters matched the deployed stack.
	NoChanges bool
	// Status is the stack's final status, e.g. CREATE_COMPLETE.
	Status  string
	Outputs map[string]string
}

// Deploy creates or updates s through a change set and waits until the stack settles.
// It returns an error naming the failing resources when the stack ends in a failed or
// rolled-back state.
func (d *Deployer) Deploy(ctx context.Context, s Stack) (Result, error) {
	res := Result{StackName: s.Name}
	if len(s.Template) > maxTemplateBody {
		return res, fmt.Errorf("deploy %s: template is %d bytes, over CloudFormation's inline limit of %d", s.Name, len(s.Template), maxTemplateBody)
	}
	stack, csType, err := d.prepare(ctx, s.Name)
	if err != nil {
		return res, fmt.Errorf("deploy %s: %w", s.Name, err)
	}

	csName := fmt.Sprintf("orderflow-%d", d.Clock.Now().UnixNano())
	created, err := d.CFN.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName:     aws.String(s.Name),
		ChangeSetName: aws.String(csName),
		ChangeSetType: csType,
		TemplateBody:  aws.String(string(s.Template)),
		Parameters:    parameters(s.Parameters),
		Tags:          tags(s.Tags),
		Capabilities:  []types.Capability{types.CapabilityCapabilityIam},
		Description:   aws.String("orderflow deploy"),
	})
	if err != nil {
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) && isNoChanges(apiErr.ErrorMessage()) {
			// Some endpoints refuse an empty change set outright; none was created.
			return d.noChanges(res, stack), nil
		}
		return res, fmt.Errorf("deploy %s: create change set: %w", s.Name, err)
	}
	csID := aws.ToString(created.Id)
	fmt.Fprintf(d.Out, "%s: %s change set %s\n", s.Name, strings.ToLower(string(csType)), csName)

	cs, err := d.waitChangeSet(ctx, s.Name, csID)
	if err != nil {
		return res, err
	}
	if cs.Status == types.ChangeSetStatusFailed {
		reason := aws.ToString(cs.StatusReason)
		if delErr := d.deleteChangeSet(ctx, s.Name, csID); delErr != nil {
			return res, fmt.Errorf("deploy %s: %w", s.Name, delErr)
		}
		if isNoChanges(reason) {
			return d.noChanges(res, stack), nil
		}
		return res, fmt.Errorf("deploy %s: change set failed: %s", s.Name, reason)
	}
	writeChangeSet(d.Out, s.Name, cs.Changes)

	if !d.AutoApprove {
		ok, err := d.confirm(s.Name)
		if err != nil {
			return res, fmt.Errorf("deploy %s: %w", s.Name, err)
		}
		if !ok {
			if err := d.deleteChangeSet(ctx, s.Name, csID); err != nil {
				return res, fmt.Errorf("deploy %s: %w", s.Name, err)
			}
			return res, fmt.Errorf("deploy %s: %w", s.Name, ErrDeclined)
		}
	}

	return d.execute(ctx, res, stack, csID, len(cs.Changes))
}

// prepare finds the stack and the change set type it needs: CREATE when it does not
// exist or is REVIEW_IN_PROGRESS (a CREATE change set never executed), else UPDATE. A
// stack whose creation rolled back can only be deleted, so it is deleted first; a stack
// in the middle of an operation is refused.
func (d *Deployer) prepare(ctx context.Context, name string) (*types.Stack, types.ChangeSetType, error) {
	stack, err := d.describeStack(ctx, name)
	if err != nil {
		return nil, "", err
	}
	if stack != nil && stack.StackStatus == types.StackStatusRollbackComplete {
		fmt.Fprintf(d.Out, "%s is %s after a failed create; deleting it before creating it again\n", name, stack.StackStatus)
		if err := d.Destroy(ctx, name); err != nil {
			return nil, "", err
		}
		stack = nil
	}
	switch {
	case stack == nil || stack.StackStatus == types.StackStatusReviewInProgress:
		return stack, types.ChangeSetTypeCreate, nil
	case busy(stack.StackStatus):
		return nil, "", fmt.Errorf("stack is busy (%s); try again when it settles", stack.StackStatus)
	}
	return stack, types.ChangeSetTypeUpdate, nil
}

// execute runs the change set csID of size changes, follows the stack until it
// settles, and prints the outputs or explains the failure.
func (d *Deployer) execute(ctx context.Context, res Result, stack *types.Stack, csID string, changes int) (Result, error) {
	w := &watcher{d: d, stack: res.StackName, total: changes}
	if stack != nil {
		w.before = stack.StackStatus
	}
	if err := w.start(ctx); err != nil {
		return res, fmt.Errorf("deploy %s: %w", res.StackName, err)
	}
	if _, err := d.CFN.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{
		StackName:     aws.String(res.StackName),
		ChangeSetName: aws.String(csID),
	}); err != nil {
		return res, fmt.Errorf("deploy %s: execute change set: %w", res.StackName, err)
	}
	final, err := w.wait(ctx)
	if err != nil {
		return res, fmt.Errorf("deploy %s: %w", res.StackName, err)
	}
	res.Status = string(final.StackStatus)
	if !succeeded(final.StackStatus) {
		return res, w.failure(final)
	}
	res.Outputs = outputs(final)
	writeOutputs(d.Out, res.StackName, res.Status, res.Outputs)
	return res, nil
}

// noChanges reports an up-to-date stack.
func (d *Deployer) noChanges(res Result, stack *types.Stack) Result {
	fmt.Fprintf(d.Out, "%s: no changes\n", res.StackName)
	res.NoChanges = true
	if stack != nil {
		res.Status = string(stack.StackStatus)
	}
	res.Outputs = outputs(stack)
	return res
}

// Outputs returns the outputs of the named stack, or an error if it does not exist.
func (d *Deployer) Outputs(ctx context.Context, name string) (map[string]string, error) {
	stack, err := d.describeStack(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("outputs of %s: %w", name, err)
	}
	if stack == nil {
		return nil, fmt.Errorf("outputs of %s: stack does not exist", name)
	}
	return outputs(stack), nil
}

// Destroy deletes the named stack and waits until it is gone. A stack that does not
// exist is not an error.
func (d *Deployer) Destroy(ctx context.Context, name string) error {
	stack, err := d.describeStack(ctx, name)
	if err != nil {
		return fmt.Errorf("destroy %s: %w", name, err)
	}
	if stack == nil {
		fmt.Fprintf(d.Out, "%s: does not exist; nothing to delete\n", name)
		return nil
	}
	if busy(stack.StackStatus) {
		return fmt.Errorf("destroy %s: stack is busy (%s); try again when it settles", name, stack.StackStatus)
	}
	w := &watcher{d: d, stack: name, stackID: aws.ToString(stack.StackId), before: stack.StackStatus}
	if err := w.start(ctx); err != nil {
		return fmt.Errorf("destroy %s: %w", name, err)
	}
	if _, err := d.CFN.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(name)}); err != nil {
		return fmt.Errorf("destroy %s: delete stack: %w", name, err)
	}
	final, err := w.wait(ctx)
	if err != nil {
		return fmt.Errorf("destroy %s: %w", name, err)
	}
	if final.StackStatus != types.StackStatusDeleteComplete {
		return w.failure(final)
	}
	fmt.Fprintf(d.Out, "%s: deleted\n", name)
	return nil
}

// describeStack returns the stack, or nil when it does not exist.
func (d *Deployer) describeStack(ctx context.Context, name string) (*types.Stack, error) {
	out, err := d.CFN.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("describe stack: %w", err)
	}
	if len(out.Stacks) == 0 {
		return nil, nil
	}
	s := out.Stacks[0]
	if s.StackStatus == types.StackStatusDeleteComplete {
		return nil, nil
	}
	return &s, nil
}

// waitChangeSet polls until the change set is ready or failed and returns it with all
// its changes.
func (d *Deployer) waitChangeSet(ctx context.Context, stack, id string) (*cloudformation.DescribeChangeSetOutput, error) {
	for {
		cs, err := d.describeChangeSet(ctx, stack, id)
		if err != nil {
			return nil, fmt.Errorf("deploy %s: %w", stack, err)
		}
		switch cs.Status {
		case types.ChangeSetStatusCreateComplete, types.ChangeSetStatusFailed:
			return cs, nil
		}
		if err := d.Clock.Sleep(ctx, d.poll()); err != nil {
			return nil, fmt.Errorf("deploy %s: waiting for change set: %w", stack, err)
		}
	}
}

// describeChangeSet reads every page of the change set's changes.
func (d *Deployer) describeChangeSet(ctx context.Context, stack, id string) (*cloudformation.DescribeChangeSetOutput, error) {
	var all *cloudformation.DescribeChangeSetOutput
	var token *string
	for {
		out, err := d.CFN.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{
			StackName:     aws.String(stack),
			ChangeSetName: aws.String(id),
			NextToken:     token,
		})
		if err != nil {
			return nil, fmt.Errorf("describe change set: %w", err)
		}
		if all == nil {
			all = out
		} else {
			all.Changes = append(all.Changes, out.Changes...)
		}
		token = out.NextToken
		if token == nil || *token == "" {
			all.NextToken = nil
			return all, nil
		}
	}
}

func (d *Deployer) deleteChangeSet(ctx context.Context, stack, id string) error {
	_, err := d.CFN.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{
		StackName:     aws.String(stack),
		ChangeSetName: aws.String(id),
	})
	if err != nil {
		return fmt.Errorf("delete change set: %w", err)
	}
	return nil
}

func (d *Deployer) confirm(stack string) (bool, error) {
	if d.In == nil {
		return false, errors.New("no input to confirm on; set ORDERFLOW_YES=1 to deploy without asking")
	}
	fmt.Fprintf(d.Out, "Execute this change set on %s? [y/N] ", stack)
	line, err := bufio.NewReader(d.In).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read confirmation: %w", err)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

func (d *Deployer) poll() time.Duration {
	if d.PollInterval > 0 {
		return d.PollInterval
	}
	return DefaultPollInterval
}

// isNotFound reports CloudFormation's answer for a stack that does not exist.
func isNotFound(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "ValidationError" &&
		strings.Contains(apiErr.ErrorMessage(), "does not exist")
}

// isNoChanges reports the status reasons CloudFormation gives an empty change set.
func isNoChanges(reason string) bool {
	return strings.Contains(reason, "didn't contain changes") ||
		strings.Contains(reason, "No updates are to be performed")
}

// busy reports a status in which CloudFormation accepts no new operation.
func busy(s types.StackStatus) bool {
	return strings.HasSuffix(string(s), "_IN_PROGRESS") && s != types.StackStatusReviewInProgress
}

// settled reports a status in which the stack operation has ended.
func settled(s types.StackStatus) bool {
	return !strings.HasSuffix(string(s), "_IN_PROGRESS")
}

// succeeded reports a final status of a successful create, update or import.
func succeeded(s types.StackStatus) bool {
	switch s {
	case types.StackStatusCreateComplete, types.StackStatusUpdateComplete, types.StackStatusImportComplete:
		return true
	}
	return false
}

func parameters(m map[string]string) []types.Parameter {
	return sortedPairs(m, func(k, v string) types.Parameter {
		return types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)}
	})
}

func tags(m map[string]string) []types.Tag {
	return sortedPairs(m, func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} })
}

// sortedPairs turns m into a slice ordered by key, so requests are deterministic.
func sortedPairs[T any](m map[string]string, pair func(k, v string) T) []T {
	out := make([]T, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, pair(k, m[k]))
	}
	return out
}

func outputs(s *types.Stack) map[string]string {
	if s == nil {
		return nil
	}
	m := make(map[string]string, len(s.Outputs))
	for _, o := range s.Outputs {
		m[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return m
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
