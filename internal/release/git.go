package release

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// Repo is a git work tree, driven through the git command so the result is exactly what
// a developer would get by hand.
type Repo struct {
	Dir string
}

func (r Repo) git(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = r.Dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// dirty lists uncommitted changes, untracked files included, in porcelain form.
func (r Repo) dirty(ctx context.Context) ([]string, error) {
	out, err := r.git(ctx, "status", "--porcelain", "--untracked-files=normal")
	if err != nil {
		return nil, err
	}
	return nonEmptyLines(out), nil
}

func (r Repo) tags(ctx context.Context, pattern string) ([]string, error) {
	out, err := r.git(ctx, "tag", "--list", pattern)
	if err != nil {
		return nil, err
	}
	return nonEmptyLines(out), nil
}

// commitsTouching lists "shortHash<TAB>subject" for commits in rev range that change dir.
// An empty since means the whole history.
func (r Repo) commitsTouching(ctx context.Context, since, dir string) ([]string, error) {
	rng := "HEAD"
	if since != "" {
		rng = since + "..HEAD"
	}
	out, err := r.git(ctx, "log", "--no-merges", "--format=%h%x09%s", rng, "--", dir)
	if err != nil {
		return nil, err
	}
	return nonEmptyLines(out), nil
}

func nonEmptyLines(s string) []string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines
}
