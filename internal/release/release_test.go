package release

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newRepo makes a git repository with one module folder "ingest" and one commit.
func newRepo(t *testing.T) Repo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("git is required: %v", err)
	}
	dir := t.TempDir()
	t.Setenv("GIT_AUTHOR_NAME", "Test")
	t.Setenv("GIT_AUTHOR_EMAIL", "test@example.com")
	t.Setenv("GIT_COMMITTER_NAME", "Test")
	t.Setenv("GIT_COMMITTER_EMAIL", "test@example.com")
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	r := Repo{Dir: dir}
	run(t, r, "init", "-q", "-b", "main")
	write(t, dir, "ingest/go.mod", "module example.com/x/ingest\n\ngo 1.26\n")
	write(t, dir, "contracts/go.mod", "module example.com/x/contracts\n\ngo 1.26\n")
	run(t, r, "add", ".")
	run(t, r, "commit", "-q", "-m", "Add modules")
	return r
}

func run(t *testing.T, r Repo, args ...string) string {
	t.Helper()
	out, err := r.git(context.Background(), args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func commit(t *testing.T, r Repo, rel, content, msg string) {
	t.Helper()
	write(t, r.Dir, rel, content)
	run(t, r, "add", rel)
	run(t, r, "commit", "-q", "-m", msg)
}

var fixedNow = func() time.Time { return time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) }

func opts() Options {
	return Options{Modules: []string{"contracts", "ingest"}, Now: fixedNow}
}

func TestPrepareFirstReleaseAndApply(t *testing.T) {
	r := newRepo(t)
	ctx := context.Background()
	p, err := Prepare(ctx, r, "ingest", "v0.1.0", opts())
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	if p.Tag != "ingest/v0.1.0" || p.Previous != "" {
		t.Fatalf("plan = %+v", p)
	}
	if !strings.Contains(p.Preview(), "ingest/v0.1.0") || !strings.Contains(p.Entry, "## v0.1.0 — 2026-11-27") {
		t.Errorf("preview lacks tag or dated entry:\n%s", p.Preview())
	}
	// Preview changes nothing.
	if tags := run(t, r, "tag", "--list"); tags != "" {
		t.Fatalf("Prepare created tags: %q", tags)
	}
	if err := p.Apply(ctx, r); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if got := strings.TrimSpace(run(t, r, "tag", "--list", "ingest/*")); got != "ingest/v0.1.0" {
		t.Errorf("tags = %q", got)
	}
	cl, err := os.ReadFile(filepath.Join(r.Dir, "ingest", "CHANGELOG.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(cl), "# Changelog: ingest\n\n## v0.1.0 — 2026-11-27\n") || !strings.Contains(string(cl), "Add modules") {
		t.Errorf("changelog:\n%s", cl)
	}
	if dirty, _ := r.dirty(ctx); len(dirty) != 0 {
		t.Errorf("Apply left the tree dirty: %v", dirty)
	}

	// The next release lists only the new commit and goes above the first entry.
	commit(t, r, "ingest/handler.go", "package ingest\n", "ingest: handle bare bodies")
	commit(t, r, "contracts/order.go", "package contracts\n", "contracts: unrelated change")
	p2, err := Prepare(ctx, r, "ingest", "v0.1.1", opts())
	if err != nil {
		t.Fatalf("Prepare v0.1.1: %v", err)
	}
	if len(p2.Changes) != 1 || p2.Changes[0].Subject != "ingest: handle bare bodies" || p2.Previous != "ingest/v0.1.0" {
		t.Fatalf("changes = %+v previous %q", p2.Changes, p2.Previous)
	}
	if err := p2.Apply(ctx, r); err != nil {
		t.Fatal(err)
	}
	cl, _ = os.ReadFile(filepath.Join(r.Dir, "ingest", "CHANGELOG.md"))
	if i, j := strings.Index(string(cl), "## v0.1.1"), strings.Index(string(cl), "## v0.1.0"); i < 0 || j < 0 || i > j {
		t.Errorf("entries out of order:\n%s", cl)
	}
}

func TestPrepareRefuses(t *testing.T) {
	ctx := context.Background()
	released := func(t *testing.T) Repo {
		r := newRepo(t)
		run(t, r, "tag", "-a", "ingest/v0.2.0", "-m", "ingest v0.2.0")
		commit(t, r, "ingest/x.go", "package ingest\n", "ingest: change")
		return r
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T) Repo
		module  string
		version string
		opts    func() Options
		want    string
	}{
		{name: "same version", setup: released, module: "ingest", version: "v0.2.0", want: "not greater than"},
		{name: "lower version", setup: released, module: "ingest", version: "v0.1.9", want: "not greater than"},
		{name: "skipped version", setup: released, module: "ingest", version: "v0.4.0", want: "skips versions"},
		{name: "not semver", setup: released, module: "ingest", version: "0.3.0", want: "vMAJOR.MINOR.PATCH"},
		{name: "short form", setup: released, module: "ingest", version: "v0.3", want: "vMAJOR.MINOR.PATCH"},
		{name: "prerelease", setup: released, module: "ingest", version: "v0.3.0-rc.1", want: "vMAJOR.MINOR.PATCH"},
		{name: "unknown module", setup: released, module: "root", version: "v0.1.0", want: "not a releasable module"},
		{name: "odd first release", setup: newRepo, module: "contracts", version: "v0.5.0", want: "first version may be"},
		{name: "major bump from v0 is allowed", setup: released, module: "ingest", version: "v1.0.0", want: ""},
		{
			name: "dirty tree",
			setup: func(t *testing.T) Repo {
				r := released(t)
				write(t, r.Dir, "ingest/x.go", "package ingest // edited\n")
				return r
			},
			module: "ingest", version: "v0.2.1", want: "dirty",
		},
		{
			name: "untracked file",
			setup: func(t *testing.T) Repo {
				r := released(t)
				write(t, r.Dir, "notes.txt", "scratch\n")
				return r
			},
			module: "ingest", version: "v0.2.1", want: "dirty",
		},
		{
			name: "no changes since last tag",
			setup: func(t *testing.T) Repo {
				r := newRepo(t)
				run(t, r, "tag", "-a", "ingest/v0.2.0", "-m", "ingest v0.2.0")
				return r
			},
			module: "ingest", version: "v0.2.1", want: "no commits since",
		},
		{
			name:   "failing tests",
			setup:  released,
			module: "ingest", version: "v0.2.1",
			opts: func() Options {
				o := opts()
				o.RunTests = func(context.Context, string) error { return errors.New("FAIL example.com/x/ingest") }
				return o
			},
			want: "tests fail",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.setup(t)
			o := opts()
			if tt.opts != nil {
				o = tt.opts()
			}
			before := run(t, r, "tag", "--list")
			_, err := Prepare(ctx, r, tt.module, tt.version, o)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Prepare: unexpected refusal: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Prepare(%s %s) error = %v, want refusal containing %q", tt.module, tt.version, err, tt.want)
			}
			if after := run(t, r, "tag", "--list"); after != before {
				t.Errorf("a refused release changed the tags: %q -> %q", before, after)
			}
		})
	}
}

func TestPrepareRefusesMajorWithoutPath(t *testing.T) {
	r := newRepo(t)
	run(t, r, "tag", "-a", "ingest/v1.4.2", "-m", "ingest v1.4.2")
	commit(t, r, "ingest/x.go", "package ingest\n", "ingest: break the API")
	_, err := Prepare(context.Background(), r, "ingest", "v2.0.0", opts())
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "/v2") {
		t.Fatalf("error = %v, want refusal naming the /v2 module path", err)
	}
	commit(t, r, "ingest/go.mod", "module example.com/x/ingest/v2\n\ngo 1.26\n", "ingest: move to /v2")
	if _, err := Prepare(context.Background(), r, "ingest", "v2.0.0", opts()); err != nil {
		t.Fatalf("v2.0.0 with /v2 path refused: %v", err)
	}
}
