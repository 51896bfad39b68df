// Command builder checks, plans, locks and inspects builder specs without
// building them: the spec's errors with file:line:col, the lint rules, the
// resolved download of every tool per platform, the sha256 values written
// into the spec, the LLB a build would solve, the tool manifests an image
// would hold (or a pushed image holds), and the spec's JSON Schema.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/containerd/platforms"
	"github.com/spf13/cobra"

	"github.com/maistra/builder-frontend/llb"
	"github.com/maistra/builder-frontend/spec"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// globals are what every command writes to and fetches with; tests swap them.
type globals struct {
	stdout, stderr io.Writer
	httpClient     *http.Client
	// inputTimeout bounds the fetch of one input file named by URL
	// (builder drift --istio): it is small, so a stalled server is an error.
	inputTimeout time.Duration
}

// exitCode is an error that only sets the exit status: the command has
// already said what is wrong.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return (&globals{stdout: stdout, stderr: stderr, httpClient: &http.Client{Timeout: 30 * time.Minute}, inputTimeout: time.Minute}).run(ctx, args)
}

func (g *globals) run(ctx context.Context, args []string) int {
	stdout, stderr := g.stdout, g.stderr
	root := newRoot(g)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	var ec exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ec):
		return int(ec)
	default:
		fmt.Fprintln(stderr, "builder:", err)
		return 2
	}
}

func newRoot(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "builder",
		Short: "Check, plan, lock and inspect builder specs without building them",
		Long: `builder works on the YAML specs of the builder-frontend BuildKit frontend (docs/spec.md) without a
daemon: it reports every spec error with file:line:col and the lint findings (validate), shows what a
build would download for each platform (plan), writes the sha256 of every artifact into the spec
(lock), prints a spec with extends as one file (flatten), prints the LLB a build would solve (llb),
prints the tool manifests an image would hold or a pushed image holds (manifest), compares the spec's
tool versions with Istio's build-tools (drift), and prints the spec's JSON Schema (schema).

Output: what the command was asked for goes to stdout; spec errors, failures and progress go to
stderr.

Exit status: 0 on success, 1 when a spec has errors (or, with validate --strict, lint findings;
with lock --check, missing or stale checksums; with manifest --image, no tool manifest in the image;
with drift, versions that differ from Istio's), 2 on a usage or I/O error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newValidateCmd(g), newPlanCmd(g), newLockCmd(g), newFlattenCmd(g), newLLBCmd(g), newManifestCmd(g), newDriftCmd(g), newSchemaCmd(g))
	return root
}

// common are the flags that describe a build, as buildx takes them.
type common struct {
	platformList  []string
	buildArgList  []string
	target        string
	buildPlatform string

	buildArgs map[string]string
}

func (c *common) flags(cmd *cobra.Command, platformHelp, targetHelp string) {
	f := cmd.Flags()
	f.StringSliceVar(&c.platformList, "platform", nil, platformHelp)
	f.StringArrayVar(&c.buildArgList, "build-arg", nil, "NAME=value, as buildx --build-arg")
	f.StringVar(&c.target, "target", "", targetHelp)
	f.StringVar(&c.buildPlatform, "build-platform", spec.DefaultBuildPlatform, "the daemon's platform, where Go tools compile")
}

// prepare checks and normalizes the flags.
func (c *common) prepare() error {
	c.buildArgs = map[string]string{}
	for _, a := range c.buildArgList {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			// buildx takes the value from the environment.
			v, ok = os.LookupEnv(k)
			if !ok {
				continue
			}
		}
		c.buildArgs[k] = v
	}
	bp, err := spec.NormalizePlatform(c.buildPlatform)
	if err != nil {
		return fmt.Errorf("--build-platform: %w", err)
	}
	c.buildPlatform = bp
	var plats []string
	for _, p := range c.platformList {
		np, err := spec.NormalizePlatform(strings.TrimSpace(p))
		if err != nil {
			return fmt.Errorf("--platform: %w", err)
		}
		if !slices.Contains(plats, np) {
			plats = append(plats, np)
		}
	}
	c.platformList = plats
	return nil
}

// platforms are the platforms a build with these flags makes
// (spec.TargetPlatforms). With union, the spec's platforms: count as
// requested beside --platform, for lock, which pins both.
func (c *common) platforms(s *spec.Spec, union bool) ([]string, error) {
	requested := c.platformList
	if union {
		requested = append(slices.Clone(requested), s.Platforms...)
	}
	return s.TargetPlatforms(requested, c.buildPlatform), nil
}

// images are --target, or every image of the spec.
func (c *common) images(s *spec.Spec) ([]string, error) {
	if c.target == "" {
		return s.ImageNames(), nil
	}
	if _, ok := s.Images[c.target]; !ok {
		return nil, fmt.Errorf("--target %s: the spec has no such image (images: %s)", c.target, strings.Join(s.ImageNames(), ", "))
	}
	return []string{c.target}, nil
}

// emulatedPackages says whether --build-arg BUILDER_PACKAGES=emulated
// takes the emulated package route whatever packages.mode says.
func (c *common) emulatedPackages() bool {
	return c.buildArgs[spec.ArgPackages] == spec.ModeEmulated
}

// nativePackages says whether r's package step for platform takes the
// native route, as a build would when the base has a variant for the
// build platform.
func (c *common) nativePackages(r *spec.Resolved, platform string) bool {
	return llb.NativePackages(r, platforms.Normalize(platforms.MustParse(c.buildPlatform)), platforms.Normalize(platforms.MustParse(platform)), c.emulatedPackages())
}

// options are the spec.Options of a build of image with these flags.
func (c *common) options(image string) spec.Options {
	return spec.Options{Target: image, BuildArgs: c.buildArgs, BuildPlatform: c.buildPlatform}
}

// resolve resolves image for platform as a build would; spec errors come
// back as a list to print, anything else as err.
func (c *common) resolve(s *spec.Spec, image, platform string) (*spec.Resolved, spec.ErrorList, error) {
	r, err := s.Resolve(platform, c.options(image))
	if l, ok := err.(spec.ErrorList); ok {
		return nil, l, nil
	}
	return r, nil, err
}

// load reads and parses a spec and the specs it extends; errors come back
// as a list to print. data is the text of file itself.
func load(file string) ([]byte, *spec.Spec, spec.ErrorList) {
	data, err := readSpec(file)
	if err != nil {
		return nil, nil, spec.ErrorList{{File: file, Msg: err.Error()}}
	}
	s, err := spec.Load(file, data, readSpec)
	if err != nil {
		if l, ok := err.(spec.ErrorList); ok {
			return data, nil, l
		}
		return data, nil, spec.ErrorList{{File: file, Msg: err.Error()}}
	}
	return data, s, nil
}

// readSpec reads at most one byte more than a spec may hold, so that a
// device or a huge file named by mistake is refused by Parse, not read
// into memory whole.
func readSpec(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, spec.MaxSize+1))
}

// validate checks every image for every platform.
func (c *common) validate(s *spec.Spec, plats, images []string) spec.ErrorList {
	var all spec.ErrorList
	for _, img := range images {
		err := s.Validate(plats, c.options(img))
		if l, ok := err.(spec.ErrorList); ok {
			all = append(all, l...)
		} else if err != nil {
			all = append(all, &spec.Error{File: s.Source.Filename, Msg: err.Error()})
		}
	}
	return all.Sorted()
}

// The output rule of every command: what the command was asked for (a
// plan, a manifest, the LLB, lint findings, checksum changes, a per-file
// summary) goes to stdout; spec errors, failures and progress go to
// stderr. A script can redirect the result without catching an error in
// it, and 2>/dev/null leaves the result alone.

// printErrors writes spec errors to stderr, one per line.
func (g *globals) printErrors(l spec.ErrorList) {
	for _, e := range l {
		fmt.Fprintln(g.stderr, e.Error())
	}
}

// specErrors prints l and ends the command with exit status 1.
func (g *globals) specErrors(l spec.ErrorList) error {
	g.printErrors(l)
	return exitCode(1)
}

// outputFormat is --format: a table for people, or JSON for programs.
// The flag refuses any other value when it is parsed.
type outputFormat string

func (f *outputFormat) flag(cmd *cobra.Command) {
	*f = "table"
	cmd.Flags().Var(f, "format", "table or json")
}

func (f *outputFormat) Set(v string) error {
	if v != "table" && v != "json" {
		return fmt.Errorf("use table or json")
	}
	*f = outputFormat(v)
	return nil
}

func (f *outputFormat) String() string { return string(*f) }

func (f *outputFormat) Type() string { return "format" }

// write prints v as indented JSON, or hands w to table.
func (f *outputFormat) write(w io.Writer, v any, table func(io.Writer)) error {
	if *f != "json" {
		table(w)
		return nil
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}
