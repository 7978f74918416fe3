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
	own, _, _, err := procStat(path)
	return own, err
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

// TreeCPU is the CPU time of a process and of its descendants, live or reaped.
type TreeCPU struct {
	Own, Descendants time.Duration
}

// ReadTreeCPU reads root's own user+system time and that of every live descendant plus
// the reaped children's (cutime+cstime of root) from the proc file system.
func ReadTreeCPU(proc string, root int) (TreeCPU, error) {
	if proc == "" {
		proc = "/proc"
	}
	var t TreeCPU
	own, reaped, _, err := procStat(fmt.Sprintf("%s/%d/stat", proc, root))
	if err != nil {
		return t, err
	}
	t.Own, t.Descendants = own, reaped
	entries, err := os.ReadDir(proc)
	if err != nil {
		return t, fmt.Errorf("read %s: %w", proc, err)
	}
	parent := map[int]int{}
	cpu := map[int]time.Duration{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == root {
			continue
		}
		c, _, ppid, err := procStat(fmt.Sprintf("%s/%d/stat", proc, pid))
		if err != nil {
			continue // gone meanwhile
		}
		parent[pid], cpu[pid] = ppid, c
	}
	for pid, c := range cpu {
		for p, hops := parent[pid], 0; p != 0 && hops < 64; p, hops = parent[p], hops+1 {
			if p == root {
				t.Descendants += c
				break
			}
		}
	}
	return t, nil
}

// procStat reads utime+stime, cutime+cstime and the parent's PID from a stat file.
func procStat(path string) (own, reaped time.Duration, ppid int, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("read %s: %w", path, err)
	}
	// The command name (field 2) is in parentheses and may hold spaces: count fields
	// after its closing parenthesis, where field 3 (state) comes first.
	end := strings.LastIndexByte(string(data), ')')
	if end < 0 {
		return 0, 0, 0, fmt.Errorf("%s: no command name", path)
	}
	f := strings.Fields(string(data[end+1:]))
	if len(f) < 15 {
		return 0, 0, 0, fmt.Errorf("%s: %d fields after the command name, want ≥ 15", path, len(f))
	}
	var n [5]int64
	for i, idx := range []int{1, 11, 12, 13, 14} { // ppid, utime, stime, cutime, cstime
		if n[i], err = strconv.ParseInt(f[idx], 10, 64); err != nil {
			return 0, 0, 0, fmt.Errorf("%s: field %d %q is not a number", path, idx+3, f[idx])
		}
	}
	return time.Duration(n[1]+n[2]) * time.Second / clockTicks, time.Duration(n[3]+n[4]) * time.Second / clockTicks, int(n[0]), nil
}
