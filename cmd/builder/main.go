// Command builder checks, plans, locks and inspects builder specs without
// building them: the spec's errors with file:line:col, the lint rules, the
// resolved download of every tool per platform, the sha256 values written
// into the spec, the LLB a build would solve, the tool manifests an image
// would hold (or a pushed image holds), and the spec's JSON Schema.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/maistra/builder-frontend/spec"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// globals are what every command writes to and fetches with; tests swap them.
type globals struct {
	stdout, stderr io.Writer
	httpClient     *http.Client
}

// exitCode is an error that only sets the exit status: the command has
// already said what is wrong.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	g := &globals{stdout: stdout, stderr: stderr, httpClient: &http.Client{Timeout: 30 * time.Minute}}
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
(lock), prints the LLB a build would solve (llb), prints the tool manifests an image would hold or a
pushed image holds (manifest), and prints the spec's JSON Schema (schema).

Exit status: 0 on success, 1 when a spec has errors (or, with validate --strict, lint findings;
with lock --check, missing or stale checksums; with manifest --image, no tool manifest in the image),
2 on a usage or I/O error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newValidateCmd(g), newPlanCmd(g), newLockCmd(g), newLLBCmd(g), newManifestCmd(g), newSchemaCmd(g))
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
	f.StringVar(&c.buildPlatform, "build-platform", "linux/amd64", "the daemon's platform, where Go tools compile")
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

// platforms are the platforms to look at: --platform, else the spec's, else
// the build platform. With union, the spec's platforms and --platform both.
func (c *common) platforms(s *spec.Spec, union bool) ([]string, error) {
	out := slices.Clone(c.platformList)
	if union || len(out) == 0 {
		for _, p := range s.DefaultPlatforms() {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	if len(out) == 0 {
		out = []string{c.buildPlatform}
	}
	return out, nil
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

// load reads and parses a spec; errors come back as a list to print.
func load(file string) ([]byte, *spec.Spec, spec.ErrorList) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, spec.ErrorList{{File: file, Msg: err.Error()}}
	}
	s, err := spec.Parse(file, data)
	if err != nil {
		if l, ok := err.(spec.ErrorList); ok {
			return data, nil, l
		}
		return data, nil, spec.ErrorList{{File: file, Msg: err.Error()}}
	}
	return data, s, nil
}

// validate checks every image for every platform.
func (c *common) validate(s *spec.Spec, plats, images []string) spec.ErrorList {
	var all spec.ErrorList
	for _, img := range images {
		err := s.Validate(plats, spec.Options{Target: img, BuildArgs: c.buildArgs, BuildPlatform: c.buildPlatform})
		if l, ok := err.(spec.ErrorList); ok {
			all = append(all, l...)
		} else if err != nil {
			all = append(all, &spec.Error{File: s.Source.Filename, Msg: err.Error()})
		}
	}
	return dedupe(all)
}

func dedupe(l spec.ErrorList) spec.ErrorList {
	var out spec.ErrorList
	seen := map[string]bool{}
	for _, e := range l {
		if k := e.Error(); !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Pos.Line != out[j].Pos.Line {
			return out[i].Pos.Line < out[j].Pos.Line
		}
		return out[i].Pos.Col < out[j].Pos.Col
	})
	return out
}

func printErrors(w io.Writer, l spec.ErrorList) {
	for _, e := range l {
		fmt.Fprintln(w, e.Error())
	}
}
