package release

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// ErrRefused marks every reason a release is refused, so callers can tell a refusal from a
// failure to run git.
var ErrRefused = errors.New("release refused")

// Options configure Prepare.
type Options struct {
	// Modules are the module folders that may be released.
	Modules []string
	// RunTests runs the module's tests in its folder; a release with failing tests is
	// refused. Nil skips the tests (only sensible in tests of this package).
	RunTests func(ctx context.Context, moduleDir string) error
	// Now dates the changelog entry.
	Now func() time.Time
}

// Change is one commit that touched the module since its previous release.
type Change struct {
	Hash    string
	Subject string
}

// Plan is a checked, not yet applied, release.
type Plan struct {
	Module        string
	Version       string
	Tag           string // e.g. "ingest/v0.2.0"
	Previous      string // previous tag of this module, "" for a first release
	Changes       []Change
	ChangelogPath string // relative to the repository root
	Entry         string // the Markdown entry Apply adds to the changelog
}

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrRefused, fmt.Sprintf(format, args...))
}

// Prepare checks that module may be released as version from repo's current HEAD and
// returns what Apply would do. It refuses a dirty tree, an unknown module, a version that
// is not the next patch, minor or major version of the module's latest tag (or v0.0.1,
// v0.1.0 or v1.0.0 for a first release), a major version ≥ 2 without the matching /vN
// module path, a module with no changes since its latest tag, and failing tests.
func Prepare(ctx context.Context, repo Repo, module, version string, opts Options) (*Plan, error) {
	if !slices.Contains(opts.Modules, module) {
		return nil, refuse("%q is not a releasable module (have %s)", module, strings.Join(opts.Modules, ", "))
	}
	if err := checkVersionSyntax(version); err != nil {
		return nil, err
	}
	if err := checkModulePath(filepath.Join(repo.Dir, module, "go.mod"), version); err != nil {
		return nil, err
	}
	dirty, err := repo.dirty(ctx)
	if err != nil {
		return nil, err
	}
	if len(dirty) > 0 {
		shown := dirty
		if len(shown) > 5 {
			shown = append(shown[:5:5], fmt.Sprintf("... and %d more", len(dirty)-5))
		}
		return nil, refuse("the work tree is dirty; commit or stash first:\n  %s", strings.Join(shown, "\n  "))
	}

	tags, err := repo.tags(ctx, module+"/v*")
	if err != nil {
		return nil, err
	}
	previous := latest(module, tags)
	if err := checkNext(module, previous, version); err != nil {
		return nil, err
	}

	var prevTag string
	if previous != "" {
		prevTag = module + "/" + previous
	}
	lines, err := repo.commitsTouching(ctx, prevTag, module)
	if err != nil {
		return nil, err
	}
	if prevTag != "" && len(lines) == 0 {
		return nil, refuse("%s has no commits since %s: nothing to release", module, prevTag)
	}
	changes := make([]Change, 0, len(lines))
	for _, l := range lines {
		hash, subject, _ := strings.Cut(l, "\t")
		changes = append(changes, Change{Hash: hash, Subject: subject})
	}

	if opts.RunTests != nil {
		if err := opts.RunTests(ctx, filepath.Join(repo.Dir, module)); err != nil {
			return nil, refuse("%s tests fail: %v", module, err)
		}
	}

	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	p := &Plan{
		Module:        module,
		Version:       version,
		Tag:           module + "/" + version,
		Previous:      prevTag,
		Changes:       changes,
		ChangelogPath: filepath.ToSlash(filepath.Join(module, "CHANGELOG.md")),
	}
	p.Entry = entry(p, now().UTC())
	return p, nil
}

func checkVersionSyntax(v string) error {
	if !semver.IsValid(v) || semver.Canonical(v) != v || semver.Prerelease(v) != "" {
		return refuse("version %q is not of the form vMAJOR.MINOR.PATCH (e.g. v1.2.3)", v)
	}
	return nil
}

// checkModulePath enforces Go's import compatibility rule: v2 and later live at a module
// path ending in /vN, or the toolchain will not resolve the tag.
func checkModulePath(goMod, version string) error {
	data, err := os.ReadFile(goMod)
	if err != nil {
		return refuse("cannot read %s: %v", goMod, err)
	}
	path := modfile.ModulePath(data)
	major, _ := strconv.Atoi(strings.TrimPrefix(semver.Major(version), "v"))
	if major >= 2 && !strings.HasSuffix(path, "/v"+strconv.Itoa(major)) {
		return refuse("%s needs module path %s/v%d in go.mod before it can be released", version, path, major)
	}
	return nil
}

// latest returns the highest release version among module's tags ("" if none).
func latest(module string, tags []string) string {
	best := ""
	for _, t := range tags {
		v := strings.TrimPrefix(t, module+"/")
		if !semver.IsValid(v) || semver.Prerelease(v) != "" {
			continue
		}
		if best == "" || semver.Compare(v, best) > 0 {
			best = v
		}
	}
	return best
}

// checkNext accepts exactly the versions a release can follow previous with.
func checkNext(module, previous, version string) error {
	var allowed []string
	if previous == "" {
		allowed = []string{"v0.0.1", "v0.1.0", "v1.0.0"}
	} else {
		ma, mi, pa := parts(previous)
		allowed = []string{
			fmt.Sprintf("v%d.%d.%d", ma, mi, pa+1),
			fmt.Sprintf("v%d.%d.0", ma, mi+1),
			fmt.Sprintf("v%d.0.0", ma+1),
		}
	}
	if slices.Contains(allowed, version) {
		return nil
	}
	if previous != "" && semver.Compare(version, previous) <= 0 {
		return refuse("%s is not greater than %s's latest release %s; next may be %s", version, module, previous, strings.Join(allowed, ", "))
	}
	if previous == "" {
		return refuse("%s has no release yet; its first version may be %s", module, strings.Join(allowed, ", "))
	}
	return refuse("%s skips versions after %s; next may be %s", version, previous, strings.Join(allowed, ", "))
}

func parts(v string) (major, minor, patch int) {
	fields := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	major, _ = strconv.Atoi(fields[0])
	minor, _ = strconv.Atoi(fields[1])
	patch, _ = strconv.Atoi(fields[2])
	return major, minor, patch
}

func entry(p *Plan, date time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s — %s\n\n", p.Version, date.Format("2006-01-02"))
	if p.Previous != "" {
		fmt.Fprintf(&b, "Changes since %s:\n\n", p.Previous)
	}
	if len(p.Changes) == 0 {
		b.WriteString("- First release.\n")
	}
	for _, c := range p.Changes {
		fmt.Fprintf(&b, "- %s (%s)\n", c.Subject, c.Hash)
	}
	return b.String()
}

// Preview describes the plan for a person deciding whether to apply it.
func (p *Plan) Preview() string {
	var b strings.Builder
	from := p.Previous
	if from == "" {
		from = "(first release)"
	}
	fmt.Fprintf(&b, "release %s %s  (previous: %s)\n", p.Module, p.Version, from)
	fmt.Fprintf(&b, "would add to %s:\n\n%s\n", p.ChangelogPath, indent(p.Entry))
	fmt.Fprintf(&b, "would commit %q and create annotated tag %s\n", p.commitMessage(), p.Tag)
	return b.String()
}

func (p *Plan) commitMessage() string {
	return fmt.Sprintf("%s: release %s", p.Module, p.Version)
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// Apply writes the changelog entry, commits it and creates the annotated tag. It does not
// push: publishing is the team's deliberate act (`git push origin <tag>`).
func (p *Plan) Apply(ctx context.Context, repo Repo) error {
	path := filepath.Join(repo.Dir, filepath.FromSlash(p.ChangelogPath))
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read %s: %w", p.ChangelogPath, err)
	}
	if err := os.WriteFile(path, []byte(withEntry(p.Module, string(old), p.Entry)), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", p.ChangelogPath, err)
	}
	if _, err := repo.git(ctx, "add", "--", p.ChangelogPath); err != nil {
		return err
	}
	if _, err := repo.git(ctx, "commit", "-m", p.commitMessage(), "--", p.ChangelogPath); err != nil {
		return err
	}
	if _, err := repo.git(ctx, "tag", "-a", p.Tag, "-m", p.commitMessage()); err != nil {
		return err
	}
	return nil
}

// withEntry puts the new entry above the previous ones, below the title.
func withEntry(module, changelog, entry string) string {
	title := "# Changelog: " + module + "\n\n"
	rest := changelog
	if strings.HasPrefix(rest, "# ") {
		if i := strings.Index(rest, "\n"); i >= 0 {
			title = rest[:i+1] + "\n"
			rest = strings.TrimLeft(rest[i+1:], "\n")
		}
	}
	if rest == "" {
		return title + entry
	}
	return title + entry + "\n" + rest
}
