// Package drift compares a spec's tool versions with the versions Istio's
// build-tools Dockerfile and istio/proxy's .bazelversion state, for
// `builder drift`. It reads those files as untrusted text: bounded in size
// and in what variable expansion may produce, and never run.
package drift

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/maistra/builder-frontend/spec"
)

// MaxInputSize bounds a Dockerfile or .bazelversion read: Istio's is 43 KB.
const MaxInputSize = 4 << 20

// expandBudget bounds the bytes one variable expansion may add: a
// Dockerfile whose ENV values double each other line after line must not
// take the memory of the machine.
const expandBudget = 64 << 10

// Finding is one version-bearing thing the Dockerfile states, in one stage.
type Finding struct {
	// Kind is spec.DriftEnv (an ENV or ARG), spec.DriftImage (an image
	// reference in FROM, ENV or ARG), spec.DriftGo (a go install
	// PACKAGE@VERSION) or spec.DriftURL (a URL in RUN or ADD).
	Kind string
	// Name is the variable, the image repository, the package or the URL.
	Name string
	// Value is the variable's value, the image's tag, the version after @,
	// or the URL again; every variable the Dockerfile sets expanded.
	Value string
	// Stage is the stage the line is in ("" before the first FROM).
	Stage string
	Line  int
	// Unset is true when Value depends on a variable the Dockerfile
	// declares without a value (an ARG given at build time) or not at all.
	Unset bool
}

// Dockerfile is what a Dockerfile states about versions.
type Dockerfile struct {
	// File names the Dockerfile in findings' locations.
	File     string
	Findings []Finding
}

// targetArches are the architectures the Dockerfile is read for: stages
// chosen by ${TARGETARCH} (Istio's proxy image is bionic on amd64 and
// focal on arm64) give each their values.
var targetArches = []string{"amd64", "arm64"}

// ReadDockerfile reads a Dockerfile with BuildKit's own parser and
// evaluates its ENV, ARG and FROM lines per stage, as a build for linux/amd64
// and linux/arm64 would, without running anything. RUN lines are searched
// for go install PACKAGE@VERSION and for URLs, after the Dockerfile's own
// variables are put in.
func ReadDockerfile(file string, data []byte) (df *Dockerfile, err error) {
	// BuildKit's parser is third-party code fed untrusted input.
	defer func() {
		if r := recover(); r != nil {
			df, err = nil, fmt.Errorf("%s: the Dockerfile parser failed on this file (%v)", file, r)
		}
	}()
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("%s: %d bytes; a Dockerfile read by builder drift is at most %d", file, len(data), MaxInputSize)
	}
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: not a Dockerfile: %w", file, err)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: not a Dockerfile: %w", file, err)
	}
	df = &Dockerfile{File: file}
	seen := map[Finding]bool{}
	add := func(f Finding) {
		if !seen[f] {
			seen[f] = true
			df.Findings = append(df.Findings, f)
		}
	}
	lines := strings.Split(string(data), "\n")
	for _, arch := range targetArches {
		ev := &evaluation{lex: shell.NewLex(res.EscapeToken), add: add, lines: lines}
		ev.run(stages, metaArgs, arch)
	}
	sort.SliceStable(df.Findings, func(i, j int) bool { return df.Findings[i].Line < df.Findings[j].Line })
	return df, nil
}

// value is a variable's value, and whether it rests on one that is unset.
type value struct {
	text  string
	unset bool
}

// scope is the variables visible at a line: ENV over ARG.
type scope struct {
	env, args map[string]value
}

func (s scope) get(k string) (value, bool) {
	if v, ok := s.env[k]; ok {
		return v, true
	}
	v, ok := s.args[k]
	return v, ok
}

func (s scope) clone() scope {
	c := scope{env: map[string]value{}, args: map[string]value{}}
	for k, v := range s.env {
		c.env[k] = v
	}
	for k, v := range s.args {
		c.args[k] = v
	}
	return c
}

// getter is a shell.EnvGetter over a scope that counts what it hands out.
type getter struct {
	sc     scope
	budget int
	unset  bool
}

// Get looks k up. A variable the Dockerfile never declares expands to
// nothing in a build too (no --build-arg reaches it); one declared without
// a value is what the build passes in, so the value resting on it is unset.
func (g *getter) Get(k string) (string, bool) {
	v, ok := g.sc.get(k)
	if !ok {
		return "", false
	}
	if v.unset {
		g.unset = true
		return "", false
	}
	if len(v.text) > g.budget {
		g.unset = true
		return "", true
	}
	g.budget -= len(v.text)
	return v.text, true
}

func (g *getter) Keys() []string {
	keys := make([]string, 0, len(g.sc.env)+len(g.sc.args))
	for k := range g.sc.args {
		keys = append(keys, k)
	}
	for k := range g.sc.env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// evaluation walks the stages for one target architecture.
type evaluation struct {
	lex   *shell.Lex
	add   func(Finding)
	lines []string
}

// lineOf is the line of an instruction spanning loc that holds needle
// (the line of a go install argument within a RUN), else its first line.
func (ev *evaluation) lineOf(loc []parser.Range, needle string) int {
	if len(loc) == 0 {
		return 0
	}
	for l := loc[0].Start.Line; l <= loc[len(loc)-1].End.Line && l <= len(ev.lines); l++ {
		if l >= 1 && strings.Contains(ev.lines[l-1], needle) {
			return l
		}
	}
	return loc[0].Start.Line
}

// word expands a Dockerfile word (an ENV or ARG value, a FROM name) as
// BuildKit does: quotes removed, ${VAR} and its forms put in.
func (ev *evaluation) word(w string, sc scope) value {
	g := &getter{sc: sc, budget: expandBudget}
	res, err := ev.lex.ProcessWordWithMatches(w, g)
	if err != nil {
		return value{text: w, unset: true}
	}
	return value{text: res.Result, unset: g.unset}
}

func (ev *evaluation) run(stages []instructions.Stage, metaArgs []instructions.ArgCommand, arch string) {
	auto := map[string]value{
		"TARGETARCH": {text: arch}, "TARGETOS": {text: "linux"}, "TARGETPLATFORM": {text: "linux/" + arch}, "TARGETVARIANT": {},
		"BUILDARCH": {text: "amd64"}, "BUILDOS": {text: "linux"}, "BUILDPLATFORM": {text: "linux/amd64"}, "BUILDVARIANT": {},
	}
	meta := scope{env: map[string]value{}, args: map[string]value{}}
	for k, v := range auto {
		meta.args[k] = v
	}
	for _, a := range metaArgs {
		ev.arg(&a, "", meta, meta)
	}
	// byName holds each stage's variables at its end, for the stages
	// that start FROM it.
	byName := map[string]scope{}
	for i, st := range stages {
		base := ev.word(st.BaseName, meta)
		sc, isStage := byName[strings.ToLower(base.text)]
		if isStage {
			sc = sc.clone()
		} else {
			sc = scope{env: map[string]value{}, args: map[string]value{}}
			ev.image(base, st.Name, line(st.Location))
		}
		for _, c := range st.Commands {
			switch c := c.(type) {
			case *instructions.ArgCommand:
				ev.arg(c, st.Name, sc, meta)
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					v := ev.word(kv.Value, sc)
					sc.env[kv.Key] = v
					ev.variable(kv.Key, v, st.Name, line(c.Location()))
				}
			case *instructions.RunCommand:
				text := strings.Join(c.CmdLine, " ")
				for _, f := range c.Files {
					text += "\n" + f.Data
				}
				ev.shellText(text, sc, st.Name, c.Location())
			case *instructions.AddCommand:
				for _, src := range c.SourcePaths {
					v := ev.word(src, sc)
					ev.urls(v.text, st.Name, c.Location())
				}
			}
		}
		byName[strings.ToLower(st.Name)] = sc
		byName[fmt.Sprint(i)] = sc
	}
}

// arg declares the ARG c's variables in sc; one without a value takes the
// build's (from defaults: the ARGs before the first FROM and the automatic
// platform ARGs), or is unset.
func (ev *evaluation) arg(c *instructions.ArgCommand, stage string, sc, defaults scope) {
	for _, kv := range c.Args {
		var v value
		switch d, ok := defaults.get(kv.Key); {
		case kv.Value != nil:
			v = ev.word(*kv.Value, sc)
		case ok:
			v = d
		default:
			v = value{unset: true}
		}
		sc.args[kv.Key] = v
		// An ARG without a value repeats one recorded where it was set.
		if kv.Value != nil {
			ev.variable(kv.Key, v, stage, line(c.Location()))
		}
	}
}

// variable records an ENV or ARG value, and the image its value names.
func (ev *evaluation) variable(name string, v value, stage string, ln int) {
	ev.add(Finding{Kind: spec.DriftEnv, Name: name, Value: v.text, Stage: stage, Line: ln, Unset: v.unset})
	if strings.Contains(v.text, ":") {
		ev.image(v, stage, ln)
	}
}

// image records a tagged image reference: its repository, by the name
// Docker shows (golang, quay.io/x/y), and its tag.
func (ev *evaluation) image(v value, stage string, ln int) {
	if len(v.text) > 512 {
		return
	}
	ref, err := reference.ParseNormalizedNamed(v.text)
	if err != nil {
		return
	}
	tagged, ok := ref.(reference.Tagged)
	if !ok {
		return
	}
	ev.add(Finding{Kind: spec.DriftImage, Name: reference.FamiliarName(ref), Value: tagged.Tag(), Stage: stage, Line: ln, Unset: v.unset})
}

var (
	shellVarRe = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)
	// separators end a shell command: go install's arguments stop there.
	separatorRe = regexp.MustCompile(`&&|\|\||[;|\n]`)
	goArgRe     = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._~+-]*(?:/[A-Za-z0-9._~+-]+)+)@(\S+)$`)
	urlRe       = regexp.MustCompile(`https?://[^\s"'<>\\]+`)
	cmdSubstRe  = regexp.MustCompile(`\$\([^()]{0,200}\)`)
)

// shellText searches a RUN command for go install lines and URLs. The
// shell would expand the Dockerfile's variables: they are put in here;
// anything else ($(uname -m), a shell variable) stays as written.
func (ev *evaluation) shellText(text string, sc scope, stage string, loc []parser.Range) {
	budget := expandBudget
	text = shellVarRe.ReplaceAllStringFunc(text, func(m string) string {
		sub := shellVarRe.FindStringSubmatch(m)
		v, ok := sc.get(sub[1] + sub[2])
		if !ok || v.unset || len(v.text) > budget {
			return m
		}
		budget -= len(v.text)
		return v.text
	})
	for _, seg := range separatorRe.Split(text, -1) {
		words := strings.Fields(seg)
		for i := 0; i+1 < len(words); i++ {
			if words[i] != "go" || words[i+1] != "install" {
				continue
			}
			for _, w := range words[i+2:] {
				m := goArgRe.FindStringSubmatch(strings.Trim(w, `"'`))
				if m == nil {
					continue
				}
				ev.add(Finding{Kind: spec.DriftGo, Name: m[1], Value: m[2], Stage: stage, Line: ev.lineOf(loc, m[1]+"@"), Unset: strings.Contains(m[2], "$")})
			}
			break
		}
	}
	// A command substitution in a URL ($(uname -m)) holds blanks: without
	// them the URL stays one word.
	text = cmdSubstRe.ReplaceAllStringFunc(text, func(m string) string { return strings.Join(strings.Fields(m), "") })
	ev.urls(text, stage, loc)
}

// urls records the URLs in text. A URL may still hold a $ (a variable the
// Dockerfile does not set, or a shell's): the url source's pattern decides
// whether its version part is one.
func (ev *evaluation) urls(text string, stage string, loc []parser.Range) {
	for _, u := range urlRe.FindAllString(text, -1) {
		u = strings.TrimRight(u, ".,)")
		// The line holds the URL as written: its text up to the first
		// variable the Dockerfile put in.
		head := u[:min(len(u), 24)]
		ev.add(Finding{Kind: spec.DriftURL, Name: u, Value: u, Stage: stage, Line: ev.lineOf(loc, head)})
	}
}

func line(loc []parser.Range) int {
	if len(loc) == 0 {
		return 0
	}
	return loc[0].Start.Line
}

// BaseName names an input in locations: a file's base name, or a URL's
// last path element.
func BaseName(input string) string {
	if i := strings.Index(input, "://"); i >= 0 {
		rest := input[i+3:]
		if q := strings.IndexAny(rest, "?#"); q >= 0 {
			rest = rest[:q]
		}
		if b := path.Base(rest); b != "." && b != "/" {
			return b
		}
		return input
	}
	return path.Base(strings.ReplaceAll(input, "\\", "/"))
}
