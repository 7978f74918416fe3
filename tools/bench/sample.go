package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// clockTicks is Linux's USER_HZ, the unit of utime and stime in /proc/<pid>/stat; it is
// 100 on every Linux platform Go supports.
const clockTicks = 100

// Sample is one reading of localcloud and its queue.
type Sample struct {
	At time.Time
	// CPU is the process's user+system CPU time so far; RSS its resident memory in bytes.
	CPU time.Duration
	RSS int64
	// Visible and InFlight are the orders queue's ApproximateNumberOfMessages and
	// ApproximateNumberOfMessagesNotVisible.
	Visible, InFlight int
}

// QueueAttributesAPI is the part of the SQS client the sampler reads the backlog with.
type QueueAttributesAPI interface {
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
}

// Sampler reads a process's CPU and memory from /proc and a queue's backlog through SQS.
type Sampler struct {
	PID      int
	Queue    QueueAttributesAPI
	QueueURL string
	// Proc is the proc file system's root (default "/proc").
	Proc string
}

// Take reads one sample.
func (s Sampler) Take(ctx context.Context) (Sample, error) {
	proc := s.Proc
	if proc == "" {
		proc = "/proc"
	}
	smp := Sample{At: time.Now()}
	var err error
	if smp.CPU, err = ProcCPU(fmt.Sprintf("%s/%d/stat", proc, s.PID)); err != nil {
		return smp, err
	}
	if smp.RSS, err = ProcRSS(fmt.Sprintf("%s/%d/status", proc, s.PID)); err != nil {
		return smp, err
	}
	if s.Queue != nil {
		out, err := s.Queue.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(s.QueueURL),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
				sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
		if err != nil {
			return smp, fmt.Errorf("queue backlog: %w", err)
		}
		smp.Visible, _ = strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
		smp.InFlight, _ = strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	}
	return smp, nil
}

// Run samples every interval until ctx ends, and returns the samples; a failed reading
// ends the run with the samples so far and the error.
func (s Sampler) Run(ctx context.Context, every time.Duration) ([]Sample, error) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	var out []Sample
	for {
		smp, err := s.Take(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return out, nil
			}
			return out, err
		}
		out = append(out, smp)
		select {
		case <-ctx.Done():
			return out, nil
		case <-tick.C:
		}
	}
}

// ProcCPU reads user+system CPU time from a /proc/<pid>/stat file.
func ProcCPU(path string) (time.Duration, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	// The command name (field 2) is in parentheses and may hold spaces: count fields
	// after its closing parenthesis, where field 3 (state) comes first.
	end := strings.LastIndexByte(string(data), ')')
	if end < 0 {
		return 0, fmt.Errorf("%s: no command name", path)
	}
	f := strings.Fields(string(data[end+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("%s: %d fields after the command name, want ≥ 13", path, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%s: utime %q stime %q are not numbers", path, f[11], f[12])
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// ProcRSS reads VmRSS (bytes) from a /proc/<pid>/status file.
func ProcRSS(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	for line := range strings.Lines(string(data)) {
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("%s: VmRSS line %q", path, strings.TrimSpace(line))
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: VmRSS %q: %w", path, f[0], err)
		}
		return kb * 1024, nil
	}
	return 0, fmt.Errorf("%s: no VmRSS line", path)
}
