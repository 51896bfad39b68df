package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/spf13/cobra"

	"github.com/maistra/builder-frontend/internal/drift"
	"github.com/maistra/builder-frontend/spec"
)

type driftOptions struct {
	*globals
	format       outputFormat
	istio        string
	bazelVersion string
	target       string
	all          bool
	write        bool
}

func newDriftCmd(g *globals) *cobra.Command {
	o := &driftOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "drift --istio FILE|URL [--bazelversion FILE|URL] FILE",
		Short: "Compare the spec's tool versions with Istio's build-tools Dockerfile and .bazelversion",
		Long: `Compare the version of each tool and Go tool of one image of the spec (--target, default the
first) with the version Istio's build-tools Dockerfile (istio/tools docker/build-tools/Dockerfile,
--istio) or istio/proxy's .bazelversion (--bazelversion) states for it. Each input is a file or an
https URL (plain http only for a loopback host), at most 4 MiB, fetched within a minute.

Where Istio states each tool's version is data: the spec's drift: mapping (tool name to env NAME
[in STAGE], image NAME, go PACKAGE, url URL-with-${version}, bazelversion or none), else a default
table (docs/spec.md), else, for a Go tool, its package's go install line. The Dockerfile is read
with BuildKit's parser; ENV and ARG lines are evaluated per stage for linux/amd64 and linux/arm64.
A leading v does not count (1.35.1 is v1.35.1), nor a short commit that starts the long one.

The table lists each tool with the spec's version, Istio's, the status (same, differs, spec only,
istio only, unpinned, ambiguous, skipped) and where Istio's value is. --all adds the versions Istio
states that no tool maps to (untracked). --format json prints the same as one object.

--write puts Istio's version into the spec for every tool that differs: into the default of the arg
its version names (${GCLOUD_VERSION}, v${YQ_VERSION}), or into its version: when that is literal,
keeping the spec's leading v or its absence, comments and formatting. Then builder lock writes the
checksums of the new versions. FILE is the only file written: with extends, an arg declared only in a
file it extends gets an override in FILE's args:, and a literal version written in such a file is left
alone, with a note (those files are shared with other branches).

Exit status: 0 when the spec is in line with Istio; 1 when a tool differs, is on one side only or
is ambiguous (with --write: when a difference remains that it could not write), or the spec has
errors; 2 on a usage or I/O error (an input that cannot be read).`,
		Example: `  builder drift --istio https://raw.githubusercontent.com/istio/tools/release-1.31/docker/build-tools/Dockerfile \
    --bazelversion https://raw.githubusercontent.com/istio/proxy/release-1.31/.bazelversion builder.yaml
  builder drift --istio Dockerfile --bazelversion .bazelversion --write builder.yaml && builder lock builder.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.istio, "istio", "", "Istio's build-tools Dockerfile: a file or an https URL")
	f.StringVar(&o.bazelVersion, "bazelversion", "", "istio/proxy's .bazelversion: a file or an https URL")
	f.StringVar(&o.target, "target", "", "the image whose tools to compare (default: the first)")
	f.BoolVar(&o.all, "all", false, "also list the versions Istio states that no tool of the spec maps to")
	f.BoolVar(&o.write, "write", false, "write Istio's versions into the spec's arg defaults (or literal versions)")
	o.format.flag(cmd)
	return cmd
}

// driftJSON is --format json.
type driftJSON struct {
	File         string        `json:"file"`
	Image        string        `json:"image"`
	Istio        string        `json:"istio,omitempty"`
	BazelVersion string        `json:"bazelversion,omitempty"`
	Drift        bool          `json:"drift"`
	Tools        []drift.Row   `json:"tools"`
	Written      []writtenJSON `json:"written,omitempty"`
	Unwritten    []string      `json:"unwritten,omitempty"`
}

type writtenJSON struct {
	File  string   `json:"file"`
	Line  int      `json:"line"`
	Field string   `json:"field"`
	Tools []string `json:"tools"`
	Old   string   `json:"old"`
	New   string   `json:"new"`
	// Overrides is FILE:LINE of the arg's declaration in a file the spec
	// extends, when the write added the arg to the spec's own args:.
	Overrides string `json:"overrides,omitempty"`
}

func (o *driftOptions) run(ctx context.Context, file string) error {
	if o.istio == "" && o.bazelVersion == "" {
		return errors.New("name Istio's files: --istio FILE|URL (build-tools Dockerfile) and --bazelversion FILE|URL (istio/proxy .bazelversion)")
	}
	in, err := o.inputs(ctx)
	if err != nil {
		return err
	}
	data, s, errs := loadDriftSpec(file)
	if errs != nil {
		return o.specErrors(errs)
	}
	image := o.target
	if image == "" {
		image = s.DefaultImage()
	}
	if _, ok := s.Images[image]; !ok {
		return fmt.Errorf("--target %s: the spec has no such image (images: %s)", image, strings.Join(s.ImageNames(), ", "))
	}
	rep, err := drift.Compare(s, image, in, o.all)
	if l, ok := err.(spec.ErrorList); ok {
		return o.specErrors(l)
	} else if err != nil {
		return err
	}
	out := driftJSON{File: file, Image: image, Istio: o.istio, BazelVersion: o.bazelVersion, Drift: rep.Drift(), Tools: rep.Rows}
	failed := out.Drift
	if o.write {
		changes, notes, err := writeDrift(file, data, s, image, in, rep)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		out.Written, out.Unwritten = changes, notes
		failed = len(notes) > 0
		for _, r := range rep.Rows {
			failed = failed || r.Status == drift.Ambiguous
		}
	}
	if err := o.format.write(o.stdout, out, func(w io.Writer) { printDrift(w, out, o.write) }); err != nil {
		return err
	}
	if failed {
		return exitCode(1)
	}
	return nil
}

// inputs reads the files --istio and --bazelversion name.
func (o *driftOptions) inputs(ctx context.Context) (drift.Inputs, error) {
	var in drift.Inputs
	for _, f := range []struct {
		flag, src string
		read      func(name string, data []byte) error
	}{
		{"--istio", o.istio, func(name string, data []byte) (err error) {
			in.Dockerfile, err = drift.ReadDockerfile(name, data)
			return err
		}},
		{"--bazelversion", o.bazelVersion, func(name string, data []byte) (err error) {
			in.Bazel, err = drift.ReadBazelVersion(name, data)
			return err
		}},
	} {
		if f.src == "" {
			continue
		}
		data, err := o.readInput(ctx, f.flag, f.src)
		if err == nil {
			err = f.read(drift.BaseName(f.src), data)
		}
		if err != nil {
			return in, err
		}
	}
	return in, nil
}

// loadDriftSpec reads the spec builder drift compares, as a build reads it.
func loadDriftSpec(file string) ([]byte, *spec.Spec, spec.ErrorList) {
	return load(file)
}

// readInput reads a file, or fetches an https URL (http only for a
// loopback host), at most drift.MaxInputSize bytes within o.inputTimeout.
func (o *driftOptions) readInput(ctx context.Context, flag, src string) ([]byte, error) {
	if !strings.Contains(src, "://") {
		f, err := os.Open(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flag, err)
		}
		defer f.Close()
		return readBounded(f, flag, src)
	}
	u, err := url.Parse(src)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%s %s: not a URL; name a file or an https:// URL", flag, quoteInput(src))
	}
	if !allowedURL(u) {
		return nil, fmt.Errorf("%s %s: use an https:// URL (plain http only for a loopback host)", flag, quoteInput(src))
	}
	ctx, cancel := context.WithTimeout(ctx, o.inputTimeout)
	defer cancel()
	client := *o.httpClient
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("more than 10 redirects")
		}
		if !allowedURL(req.URL) {
			return fmt.Errorf("redirected to %s, which is not https", req.URL.Redacted())
		}
		return nil
	}
	body, err := fetch(ctx, &client, src)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%s %s: no answer within %s; check the URL, or download the file and name it", flag, src, o.inputTimeout)
		}
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	defer body.Close()
	data, err := readBounded(body, flag, src)
	// A body cut off by the deadline may read as complete: the deadline
	// decides.
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s %s: not read within %s; check the URL, or download the file and name it", flag, src, o.inputTimeout)
	}
	return data, err
}

func allowedURL(u *url.URL) bool {
	return u.Scheme == "https" || u.Scheme == "http" && spec.IsLoopback(u.Hostname())
}

func readBounded(r io.Reader, flag, src string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, drift.MaxInputSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, src, err)
	}
	if len(data) > drift.MaxInputSize {
		return nil, fmt.Errorf("%s %s: larger than %d bytes; it is not Istio's file", flag, src, drift.MaxInputSize)
	}
	return data, nil
}

func quoteInput(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// printDrift prints the table, the notes and the summary.
func printDrift(w io.Writer, out driftJSON, wrote bool) {
	var inputs []string
	if out.Istio != "" {
		inputs = append(inputs, drift.BaseName(out.Istio))
	}
	if out.BazelVersion != "" {
		inputs = append(inputs, drift.BaseName(out.BazelVersion))
	}
	fmt.Fprintf(w, "%s: image %s against %s\n", out.File, out.Image, strings.Join(inputs, " and "))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  TOOL\tSPEC\tISTIO\tSTATUS\tSOURCE")
	counts := map[string]int{}
	tools := 0
	for _, r := range out.Tools {
		counts[r.Status]++
		if r.Tool != "" {
			tools++
		}
		src := r.Source
		if src == "" {
			src = "-"
		}
		if r.At != "" {
			src += " (" + r.At + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", cell(r.Tool), cell(r.Spec), cell(r.Istio), r.Status, printable(src, 120))
	}
	tw.Flush()
	for _, r := range out.Tools {
		if r.Note != "" && r.Tool != "" && (r.Counts() || r.Status == drift.Skipped) {
			fmt.Fprintf(w, "  %s: %s\n", r.Tool, printable(r.Note, 400))
		}
	}
	var parts []string
	for _, st := range []string{drift.Differs, drift.SpecOnly, drift.IstioOnly, drift.Ambiguous} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	if len(parts) == 0 {
		fmt.Fprintf(w, "%s: in line with Istio (%d tools)\n", out.File, tools)
	} else {
		fmt.Fprintf(w, "%s: drift from Istio: %s (%d tools)\n", out.File, strings.Join(parts, ", "), tools)
	}
	if !wrote {
		return
	}
	for _, c := range out.Written {
		over := ""
		if c.Overrides != "" {
			over = "; overrides " + c.Overrides
		}
		fmt.Fprintf(w, "%s:%d: %s: %s -> %s (%s%s)\n", c.File, c.Line, c.Field, c.Old, c.New, strings.Join(quoteAll(c.Tools), ", "), over)
	}
	for _, n := range out.Unwritten {
		fmt.Fprintf(w, "%s: not written: %s\n", out.File, n)
	}
	switch {
	case len(out.Written) > 0:
		fmt.Fprintf(w, "%s: wrote %d versions; builder lock %s writes their checksums\n", out.File, len(out.Written), out.File)
	default:
		fmt.Fprintf(w, "%s: nothing to write\n", out.File)
	}
}

func quoteAll(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = fmt.Sprintf("tool %q", s)
	}
	return out
}

func cell(s string) string {
	if s == "" {
		return "-"
	}
	return printable(s, 64)
}

// printable keeps untrusted text (values from Istio's files) from breaking
// the table: control characters become ?, and long text is cut.
func printable(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\t' {
			return '?'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// writeDrift puts Istio's versions into the spec's text and writes the
// file, after checking that the edited text reads back with every written
// tool in line with Istio.
//
// Only file is written. With extends, file is one branch, and the files it
// extends are shared with other branches: an arg declared only there gets
// an override in file's args:, and a literal version written there is
// left alone with a note (docs/cli.md, "drift").
func writeDrift(file string, data []byte, s *spec.Spec, image string, in drift.Inputs, rep *drift.Report) ([]writtenJSON, []string, error) {
	writes, notes := drift.Plan(s, image, rep.Rows)
	if len(writes) == 0 {
		return nil, notes, nil
	}
	d, err := parseDoc(data)
	if err != nil {
		return nil, nil, err
	}
	// placed is one write, with the path of its value in file.
	type placed struct {
		writtenJSON
		at spec.Path
	}
	var edits []edit
	var changes, overrides []placed
	for _, w := range writes {
		o := s.Origin(w.Path)
		c := placed{writtenJSON{File: file, Field: strings.Join(o.Path, "."), Tools: w.Tools, Old: w.Old, New: w.New}, o.Path}
		tools := strings.Join(quoteAll(w.Tools), ", ")
		switch r := s.Range(w.Path); {
		case o.Source == s.Source:
			e, _, err := d.scalarEdit(o.Path, w.New)
			if err != nil {
				notes = append(notes, fmt.Sprintf("%s (%s): %v", c.Field, tools, err))
				continue
			}
			edits = append(edits, e)
			changes = append(changes, c)
		case w.Arg != "":
			c.Overrides = fmt.Sprintf("%s:%d", r.File, r.Start.Line)
			overrides = append(overrides, c)
		default:
			notes = append(notes, fmt.Sprintf("%s (%s): written in %s:%d, which other specs may extend too, and --write changes %s only; "+
				"make the version an arg in %s (version: ${NAME}) that %s sets, then run builder drift --write again", c.Field, tools, r.File, r.Start.Line, file, r.File, file))
		}
	}
	if len(overrides) > 0 {
		var args []kv
		for _, c := range overrides {
			args = append(args, kv{c.at[1], c.New})
		}
		if e, err := d.addArgs(args); err != nil {
			for _, c := range overrides {
				notes = append(notes, fmt.Sprintf("%s (%s): declared in %s, so %s needs its own under args:, and %v", c.Field, strings.Join(quoteAll(c.Tools), ", "), c.Overrides, file, err))
			}
		} else {
			edits = append(edits, e)
			changes = append(changes, overrides...)
		}
	}
	if len(edits) == 0 {
		return nil, notes, nil
	}
	out := applyEdits(data, edits)
	// The lines are the edited file's: an args: block added above a
	// version moves it down.
	od, err := parseDoc(out)
	if err != nil {
		return nil, nil, fmt.Errorf("the edited spec does not read back as written (nothing was written): %w", err)
	}
	written := make([]writtenJSON, 0, len(changes))
	for _, c := range changes {
		_, c.Line, _ = od.scalarEdit(c.at, c.New)
		written = append(written, c.writtenJSON)
	}
	sort.SliceStable(written, func(i, j int) bool { return written[i].Line < written[j].Line })
	if err := verifyDrift(file, out, image, in, written); err != nil {
		return nil, nil, fmt.Errorf("the edited spec does not read back as written (nothing was written): %w", err)
	}
	st, err := os.Stat(file)
	if err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(file, out, st.Mode().Perm()); err != nil {
		return nil, nil, err
	}
	return written, notes, nil
}

// verifyDrift compares the edited text, read with the files it extends,
// with Istio again: each written tool must now be the same.
func verifyDrift(file string, data []byte, image string, in drift.Inputs, changes []writtenJSON) error {
	s, err := spec.Load(file, data, readSpec)
	if err != nil {
		return err
	}
	rep, err := drift.Compare(s, image, in, false)
	if err != nil {
		return err
	}
	status := map[string]string{}
	for _, r := range rep.Rows {
		status[r.Tool] = r.Status
	}
	for _, c := range changes {
		for _, t := range c.Tools {
			if status[t] != drift.Same {
				return fmt.Errorf("tool %q is %q after writing %s", t, status[t], c.Field)
			}
		}
	}
	return nil
}

// addArgs adds NAME: value entries at the end of the file's top-level
// args:, or in a new args: after version, extends and platforms when the
// file has none, in the quoting of the args already there (a value that
// starts with a digit is quoted: a version).
func (d *doc) addArgs(args []kv) (edit, error) {
	root, ok := d.deref(d.body).(*ast.MappingNode)
	if !ok || root.IsFlowStyle || hasMergeKey(root) {
		return edit{}, fmt.Errorf("the file is not a plain block mapping; add them by hand")
	}
	value := func(v, quote string) string {
		if quote == "" && (needsQuotes(v) || v[0] >= '0' && v[0] <= '9') {
			quote = `"`
		}
		return quote + v + quote
	}
	block := func(indent string, quote string) string {
		var b strings.Builder
		for _, a := range args {
			b.WriteString(indent + a.key + ": " + value(a.value, quote) + "\n")
		}
		return b.String()
	}
	step := strings.Repeat(" ", d.indentStep(root))
	mv := entry(root, "args")
	if mv == nil {
		after := 0
		for _, k := range []string{"version", "extends", "platforms"} {
			if e := entry(root, k); e != nil {
				after = max(after, lastLine(e))
			}
		}
		if after == 0 {
			return edit{}, fmt.Errorf("the file has no extends:; add them by hand")
		}
		text := "args:\n" + block(strings.Repeat(" ", keyCol(root)-1)+step, "")
		// A blank line after extends: (or platforms:) stays between the
		// top fields and what follows: args: gets one above it too.
		if next := string(d.data[d.lineEnd(after):d.lineEnd(after+1)]); strings.TrimSpace(next) == "" && next != "" {
			text = "\n" + text
		}
		return d.insertAfterLine(after, text), nil
	}
	switch v := mv.Value.(type) {
	case *ast.MappingNode:
		if hasMergeKey(v) {
			return edit{}, fmt.Errorf("args: uses a << merge key; add them by hand")
		}
		quote := d.quoteStyle(v)
		entries := make([]kv, len(args))
		for i, a := range args {
			entries[i] = kv{a.key, value(a.value, quote)}
		}
		return d.insertEntries(v, entries)
	case *ast.NullNode:
		// `args:` with nothing under it.
		return d.insertAfterLine(tokLine(mv.Key), block(strings.Repeat(" ", mv.Key.GetToken().Position.Column-1)+step, "")), nil
	}
	return edit{}, fmt.Errorf("args: is written with a YAML alias, anchor or tag; add them by hand")
}

// scalarEdit replaces the scalar at p (for an arg, its default) with
// value, in the quoting the file uses there. An alias or a << merge is
// left alone: writing its anchor would change every use.
func (d *doc) scalarEdit(p spec.Path, value string) (edit, int, error) {
	if len(p) < 2 {
		return edit{}, 0, fmt.Errorf("no such field")
	}
	parent, err := d.lookup(p[:len(p)-1])
	if err != nil {
		return edit{}, 0, err
	}
	m, ok := parent.(*ast.MappingNode)
	if !ok {
		return edit{}, 0, fmt.Errorf("%s is not a mapping", strings.Join(p[:len(p)-1], "."))
	}
	mv := entry(m, p[len(p)-1])
	if mv == nil {
		return edit{}, 0, fmt.Errorf("not found in the file (it may come from a << merge key); edit it by hand")
	}
	n := mv.Value
	if p[0] == "args" && len(p) == 2 {
		if am, ok := n.(*ast.MappingNode); ok {
			m = am
			if mv = entry(am, "default"); mv == nil {
				return edit{}, 0, fmt.Errorf("the arg has no default: to write; add one")
			}
			n = mv.Value
		}
	}
	switch n.(type) {
	case *ast.AliasNode, *ast.AnchorNode, *ast.TagNode:
		return edit{}, 0, fmt.Errorf("is written with a YAML alias, anchor or tag; edit it by hand")
	case *ast.StringNode, *ast.IntegerNode, *ast.FloatNode:
	default:
		return edit{}, 0, fmt.Errorf("is not a plain value in the file; edit it by hand")
	}
	_, start, end, q := d.scalarAt(n, m.IsFlowStyle)
	if q == "" && needsQuotes(value) {
		q = `"`
	}
	return edit{off: start, n: end - start, text: q + value + q}, tokLine(n), nil
}

// needsQuotes reports whether YAML would read value, written plain, as
// anything but that text: the YAML parser is asked.
func needsQuotes(value string) bool {
	f, err := parser.ParseBytes([]byte("k: "+value+"\n"), 0)
	if err != nil || len(f.Docs) != 1 {
		return true
	}
	var mv *ast.MappingValueNode
	switch b := f.Docs[0].Body.(type) {
	case *ast.MappingValueNode:
		mv = b
	case *ast.MappingNode:
		if len(b.Values) == 1 {
			mv = b.Values[0]
		}
	}
	if mv == nil {
		return true
	}
	sn, ok := mv.Value.(*ast.StringNode)
	return !ok || sn.Value != value
}
