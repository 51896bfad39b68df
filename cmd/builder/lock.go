package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml/ast"
	"github.com/spf13/cobra"

	"github.com/maistra/builder-frontend/spec"
)

type lockOptions struct {
	*globals
	common
	check         bool
	sums          string
	parallel      int
	allowSameFile bool
	client        *http.Client
	files         []string
}

func newLockCmd(g *globals) *cobra.Command {
	o := &lockOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "lock FILE...",
		Short: "Write the sha256 of every tool artifact into the spec",
		Long: `Download the artifact of every tool for every platform and write its sha256 into the spec, in
place. Only the checksum entries change: comments, quoting, order and blank lines stay as they are.

Platforms: the spec's platforms plus any --platform; a tool's platforms: list limits it as in a build.
When the image has Go tools, the Go toolchain is locked for the build platform too (--build-platform,
default linux/amd64), since it compiles them there.

Where the sha256 goes, for the version the spec (and any --build-arg) selects:
  - sha256 keyed by version and that version present: into it;
  - sha256 keyed by platform (the version the spec names): there;
  - otherwise a new version key, e.g. after --build-arg HELM_VERSION=v3.17.0;
  - no sha256 yet: a new sha256 mapping after url:.
Missing entries are added, stale ones (the artifact's sha256 differs) replaced. Other versions' entries
are left alone.

By default every artifact is downloaded and hashed. With --sums, the sha256 is read instead from a
sums file whose URL is a template: ${url} (the artifact's URL), ${file} (its file name), ${version},
${name}, ${platform}, ${os}, ${arch} (Go's name). The file holds "SHA256  FILENAME" lines
(sha256sum's output) or a single sha256.

One file for several platforms: when the same file (one sha256) would be pinned for two or more
platforms of a tool, lock looks into it (every archive form, within the unpacker's caps) and refuses,
writing nothing, when a platform would get executables or libraries of a machine it cannot run: the
x86_64 URL of a Dockerfile, pinned for arm64 too. It prints the machine found and the platforms that
would get it. A tool with foreignBinaries: true is pinned as asked; --allow-same-file pins the others
too, with a warning. Files without machine code (scripts, jars) are pinned silently.

With --check nothing is written: the command lists what is missing or stale and exits 1 if anything
is.`,
		Example: `  builder lock builder.yaml
  builder lock --check builder.yaml                     # in CI: exit 1 when a checksum is missing or stale
  builder lock --build-arg HELM_VERSION=v3.17.0 builder.yaml   # pin another version too
  builder lock --sums '${url}.sha256' builder.yaml      # read upstream .sha256 files instead of downloading`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.files = args
			return o.run(cmd.Context())
		},
	}
	o.common.flags(cmd, "platforms to lock besides the spec's platforms:", "the image whose tools to lock (default: every image)")
	cmd.Flags().BoolVar(&o.check, "check", false, "write nothing; exit 1 if a checksum is missing or stale")
	cmd.Flags().StringVar(&o.sums, "sums", "", "URL template of upstream sums files to read instead of downloading the artifacts")
	cmd.Flags().IntVar(&o.parallel, "parallel", 4, "downloads at a time")
	cmd.Flags().BoolVar(&o.allowSameFile, "allow-same-file", false, "pin one file with executables of one machine for several platforms anyway (with a warning)")
	return cmd
}

func (o *lockOptions) run(ctx context.Context) error {
	if err := o.prepare(); err != nil {
		return err
	}
	if o.client == nil {
		o.client = o.httpClient
	}
	failed := false
	for _, f := range o.files {
		ok, err := runLock(ctx, o.globals, o, f)
		if err != nil {
			return err
		}
		failed = failed || !ok
	}
	if failed {
		return exitCode(1)
	}
	return nil
}

// artifact is one tool's download for one platform.
type artifact struct {
	*spec.Artifact
	sum string // hex, once known
}

// artifacts lists what to lock, or the spec's errors. The spec resolves
// each artifact without its checksum: locking is how a spec gets them.
func (o *lockOptions) artifacts(s *spec.Spec) ([]*artifact, spec.ErrorList, error) {
	plats, err := o.platforms(s, true)
	if err != nil {
		return nil, nil, err
	}
	images, err := o.images(s)
	if err != nil {
		return nil, nil, err
	}
	var errs spec.ErrorList
	var out []*artifact
	seen := map[string]bool{}
	for _, image := range images {
		for _, p := range plats {
			arts, err := s.Artifacts(p, spec.Options{Target: image, BuildArgs: o.buildArgs, BuildPlatform: o.buildPlatform})
			if err != nil {
				if l, ok := err.(spec.ErrorList); ok {
					errs = append(errs, l...)
					continue
				}
				return nil, nil, err
			}
			for _, a := range arts {
				if k := image + "\x00" + a.Name + "\x00" + a.Platform; !seen[k] {
					seen[k] = true
					out = append(out, &artifact{Artifact: a})
				}
			}
		}
	}
	return out, errs.Sorted(), nil
}

// runLock locks one file; ok is false when --check finds something or a
// download fails.
func runLock(ctx context.Context, g *globals, o *lockOptions, file string) (bool, error) {
	_, s, errs := load(file)
	if errs != nil {
		g.printErrors(errs)
		return false, nil
	}
	arts, serrs, err := o.artifacts(s)
	if err != nil {
		return false, err
	}
	if len(serrs) > 0 {
		g.printErrors(serrs)
		fmt.Fprintf(g.stderr, "%s: not locked: fix the spec first\n", file)
		return false, nil
	}
	if err := o.fetchSums(ctx, g, arts); err != nil {
		fmt.Fprintln(g.stderr, err)
		fmt.Fprintf(g.stderr, "%s: not locked\n", file)
		return false, nil
	}
	if !o.sameFilesFit(ctx, g, arts) {
		fmt.Fprintf(g.stderr, "%s: not locked\n", file)
		return false, nil
	}
	edited, changes, err := lockFiles(s, arts)
	if err != nil {
		return false, err
	}
	for _, c := range changes {
		fmt.Fprintln(g.stdout, c)
	}
	if o.check {
		if len(changes) > 0 {
			fmt.Fprintf(g.stdout, "%s: %d checksums missing or stale; run builder lock %s\n", file, len(changes), file)
			return false, nil
		}
		fmt.Fprintf(g.stdout, "%s: %d checksums up to date\n", file, len(arts))
		return true, nil
	}
	if len(changes) == 0 {
		fmt.Fprintf(g.stdout, "%s: %d checksums up to date\n", file, len(arts))
		return true, nil
	}
	if err := verifyLocked(file, edited, arts, o); err != nil {
		return false, fmt.Errorf("%s: the edited spec does not read back as written (nothing was written): %w", file, err)
	}
	for _, src := range s.Sources() {
		out, ok := edited[src.Filename]
		if !ok {
			continue
		}
		st, err := os.Stat(src.Filename)
		if err != nil {
			return false, err
		}
		if err := os.WriteFile(src.Filename, out, st.Mode().Perm()); err != nil {
			return false, err
		}
		n := 0
		for _, c := range changes {
			if c.file == src.Filename {
				n++
			}
		}
		fmt.Fprintf(g.stdout, "%s: wrote %d checksums\n", src.Filename, n)
	}
	return true, nil
}

// lockFiles writes each artifact's sha256 into the text of the file that
// declares its tool: the spec's own, or one it extends. It returns the
// new text of each file it changed, and the changes in file order.
func lockFiles(s *spec.Spec, arts []*artifact) (map[string][]byte, []change, error) {
	byFile := map[string][]*artifact{}
	for _, a := range arts {
		// The artifact, addressed in the file that declares the tool.
		tool, sum := s.Origin(a.Path), s.Origin(a.SHA256At)
		index := -1
		if len(tool.Path) == 4 && tool.Path[2] == "tools" {
			index, _ = strconv.Atoi(tool.Path[3])
		}
		if index < 0 || sum.Source != tool.Source {
			return nil, nil, fmt.Errorf("tool %q: cannot find where its sha256 is written (%s)", a.Name, strings.Join(a.SHA256At, "."))
		}
		fa := *a.Artifact
		fa.Image, fa.Tool, fa.Path, fa.SHA256At = tool.Path[1], index, tool.Path, sum.Path
		name := tool.Source.Filename
		byFile[name] = append(byFile[name], &artifact{Artifact: &fa, sum: a.sum})
	}
	edited := map[string][]byte{}
	var changes []change
	for _, src := range s.Sources() {
		fileArts := byFile[src.Filename]
		if len(fileArts) == 0 {
			continue
		}
		fs, err := spec.Parse(src.Filename, src.Data)
		if err != nil {
			return nil, nil, err
		}
		out, c, err := lockText(src.Data, fs, fileArts)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", src.Filename, err)
		}
		if len(c) > 0 {
			edited[src.Filename] = out
			changes = append(changes, c...)
		}
	}
	return edited, changes, nil
}

// verifyLocked reads the spec again with the edited texts and checks that
// each artifact resolves to the sha256 just computed.
func verifyLocked(file string, edited map[string][]byte, arts []*artifact, o *lockOptions) error {
	read := func(name string) ([]byte, error) {
		if d, ok := edited[name]; ok {
			return d, nil
		}
		return readSpec(name)
	}
	data, err := read(file)
	if err != nil {
		return err
	}
	s, err := spec.Load(file, data, read)
	if err != nil {
		return err
	}
	for _, a := range arts {
		r, err := s.Resolve(a.Platform, spec.Options{Target: a.Image, BuildArgs: o.buildArgs, BuildPlatform: o.buildPlatform})
		if err != nil {
			return err
		}
		var got string
		for _, rt := range append(slices.Clone(r.Tools), r.GoToolchain) {
			if rt != nil && rt.Name == a.Name && rt.Platform == a.Platform {
				got = rt.SHA256
			}
		}
		if got != "sha256:"+a.sum {
			return fmt.Errorf("tool %q %s resolves to %q, want sha256:%s", a.Name, a.Platform, got, a.sum)
		}
	}
	return nil
}

// fetchSums fills in each artifact's sha256, downloading each URL once.
func (o *lockOptions) fetchSums(ctx context.Context, g *globals, arts []*artifact) error {
	type result struct {
		sum string
		err error
	}
	var mu sync.Mutex
	cache := map[string]*result{}
	onces := map[string]*sync.Once{}
	get := func(key string, f func() (string, error)) (string, error) {
		mu.Lock()
		once, ok := onces[key]
		if !ok {
			once = &sync.Once{}
			onces[key] = once
		}
		mu.Unlock()
		once.Do(func() {
			s, err := f()
			mu.Lock()
			cache[key] = &result{s, err}
			mu.Unlock()
		})
		mu.Lock()
		defer mu.Unlock()
		return cache[key].sum, cache[key].err
	}
	sem := make(chan struct{}, max(1, o.parallel))
	var wg sync.WaitGroup
	var errs []string
	for _, a := range arts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			var sum string
			var err error
			if o.sums == "" {
				sum, err = get(a.URL, func() (string, error) {
					fmt.Fprintf(g.stderr, "downloading %s\n", a.URL)
					return hashURL(ctx, o.client, a.URL)
				})
			} else {
				sum, err = o.sumFromFile(ctx, g, a, get)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Sprintf("tool %q (%s, %s): %v", a.Name, a.Platform, a.URL, err))
				return
			}
			a.sum = sum
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		sort.Strings(errs)
		return fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return nil
}

func fetch(ctx context.Context, c *http.Client, u string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "builder-lock")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return resp.Body, nil
}

func hashURL(ctx context.Context, c *http.Client, u string) (string, error) {
	body, err := fetch(ctx, c, u)
	if err != nil {
		return "", err
	}
	defer body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, body); err != nil {
		return "", fmt.Errorf("GET %s: %w", u, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

var (
	sumsVarRe = regexp.MustCompile(`\$\{([a-z]+)\}`)
	hex64Re   = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

// sumFromFile reads the artifact's sha256 from the sums file --sums names.
func (o *lockOptions) sumFromFile(ctx context.Context, g *globals, a *artifact, get func(string, func() (string, error)) (string, error)) (string, error) {
	file := a.URL
	if u, err := url.Parse(a.URL); err == nil {
		file = path.Base(u.Path)
	}
	goarch, _ := strings.CutPrefix(a.Platform, "linux/")
	vars := map[string]string{"url": a.URL, "file": file, "version": a.Version, "name": a.Name, "platform": a.Platform, "os": "linux", "arch": strings.ReplaceAll(goarch, "/", "")}
	var bad string
	sumsURL := sumsVarRe.ReplaceAllStringFunc(o.sums, func(m string) string {
		k := m[2 : len(m)-1]
		v, ok := vars[k]
		if !ok {
			bad = k
		}
		return v
	})
	if bad != "" {
		return "", fmt.Errorf("--sums: unknown name ${%s}; use ${url}, ${file}, ${version}, ${name}, ${platform}, ${os} or ${arch}", bad)
	}
	text, err := get("sums\x00"+sumsURL, func() (string, error) {
		fmt.Fprintf(g.stderr, "reading %s\n", sumsURL)
		body, err := fetch(ctx, o.client, sumsURL)
		if err != nil {
			return "", err
		}
		defer body.Close()
		b, err := io.ReadAll(io.LimitReader(body, 4<<20))
		return string(b), err
	})
	if err != nil {
		return "", err
	}
	var only []string
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || !hex64Re.MatchString(f[0]) {
			continue
		}
		if len(f) == 1 {
			only = append(only, f[0])
			continue
		}
		name := strings.TrimPrefix(f[len(f)-1], "*")
		if name == file || path.Base(name) == file {
			return strings.ToLower(f[0]), nil
		}
		only = append(only, "")
	}
	if len(only) == 1 && only[0] != "" {
		return strings.ToLower(only[0]), nil
	}
	return "", fmt.Errorf("%s lists no sha256 for %s", sumsURL, file)
}

// change is one checksum lock writes (or --check reports).
type change struct {
	file     string
	line     int
	tool     string
	platform string
	version  string
	old, new string
}

func (c change) String() string {
	loc := c.file
	if c.line > 0 {
		loc = fmt.Sprintf("%s:%d", c.file, c.line)
	}
	if c.old == "" {
		return fmt.Sprintf("%s: tool %q %s %s: sha256 missing; the artifact's is %s", loc, c.tool, c.version, c.platform, c.new)
	}
	return fmt.Sprintf("%s: tool %q %s %s: sha256 %s is stale; the artifact's is %s", loc, c.tool, c.version, c.platform, c.old, c.new)
}

// lockText returns data with every artifact's sha256 written in, and the
// changes made.
func lockText(data []byte, s *spec.Spec, arts []*artifact) ([]byte, []change, error) {
	d, err := parseDoc(data)
	if err != nil {
		return nil, nil, err
	}
	type group struct {
		tool    *spec.Tool
		node    *ast.MappingNode
		version string
		flat    bool
		sums    map[string]string
		order   []string
	}
	groups := map[string]*group{}
	var keys []string
	for _, a := range arts {
		n, err := d.lookup(a.Path)
		if err != nil {
			return nil, nil, err
		}
		m, ok := n.(*ast.MappingNode)
		if !ok {
			return nil, nil, fmt.Errorf("tool %q at line %d is not a mapping", a.Name, tokLine(n))
		}
		k := fmt.Sprintf("%p\x00%s", m, a.Version)
		gr := groups[k]
		if gr == nil {
			// The spec says where the digest belongs: the platform form
			// (Path, sha256, platform) or under a version key.
			flat := len(a.SHA256At) == len(a.Path)+2
			gr = &group{tool: s.Images[a.Image].Tools[a.Tool], node: m, version: a.Version, flat: flat, sums: map[string]string{}}
			groups[k] = gr
			keys = append(keys, k)
		}
		if _, dup := gr.sums[a.Platform]; !dup {
			gr.order = append(gr.order, a.Platform)
		}
		gr.sums[a.Platform] = a.sum
	}
	var edits []edit
	var changes []change
	for _, k := range keys {
		gr := groups[k]
		sort.Strings(gr.order)
		e, c, err := lockTool(d, s.Source.Filename, gr.tool, gr.node, gr.version, gr.flat, gr.sums, gr.order)
		if err != nil {
			return nil, nil, err
		}
		edits = append(edits, e...)
		changes = append(changes, c...)
	}
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].line < changes[j].line })
	return applyEdits(data, edits), changes, nil
}

// lockTool edits one tool's sha256 for one version: in the platform form
// when flat, else under the version's key.
func lockTool(d *doc, file string, t *spec.Tool, tool *ast.MappingNode, version string, flat bool, sums map[string]string, order []string) ([]edit, []change, error) {
	var edits []edit
	var changes []change
	mv := entry(tool, "sha256")
	if mv == nil {
		if hasMergeKey(tool) {
			return nil, nil, fmt.Errorf("tool %q (line %d) takes fields from a << merge key; write its sha256 by hand", t.Name, tokLine(tool))
		}
		if tool.IsFlowStyle {
			return nil, nil, fmt.Errorf("tool %q (line %d) is a flow mapping; add sha256: by hand", t.Name, tokLine(tool))
		}
		// A new sha256 mapping after url: (or at the end of the tool).
		after := lastLine(tool)
		if u := entry(tool, "url"); u != nil {
			after = lastLine(u)
		}
		indent := strings.Repeat(" ", keyCol(tool)-1)
		var b strings.Builder
		b.WriteString(indent + "sha256:\n")
		inner := indent + "  "
		if !flat {
			b.WriteString(inner + fmt.Sprintf("%q", version) + ":\n")
			inner += "  "
		}
		for _, p := range order {
			b.WriteString(inner + p + ": " + sumText(sums[p], "") + "\n")
			changes = append(changes, change{file: file, line: tokLine(tool), tool: t.Name, platform: p, version: version, new: sums[p]})
		}
		return []edit{d.insertAfterLine(after, b.String())}, changes, nil
	}
	line := tokLine(mv.Key)
	if _, alias := mv.Value.(*ast.AliasNode); alias {
		return nil, nil, fmt.Errorf("tool %q: sha256 at line %d is a YAML alias, and writing its anchor would change every use; edit it by hand", t.Name, line)
	}
	val := d.deref(mv.Value)
	var m *ast.MappingNode
	switch v := val.(type) {
	case *ast.MappingNode:
		m = v
	case *ast.NullNode, nil:
		// `sha256:` with nothing: entries go on the lines below, indented.
		indent := strings.Repeat(" ", mv.Key.GetToken().Position.Column+1)
		var b strings.Builder
		inner := indent
		if !flat {
			b.WriteString(indent + fmt.Sprintf("%q", version) + ":\n")
			inner += "  "
		}
		for _, p := range order {
			b.WriteString(inner + p + ": " + sumText(sums[p], "") + "\n")
			changes = append(changes, change{file: file, line: line, tool: t.Name, platform: p, version: version, new: sums[p]})
		}
		return []edit{d.insertAfterLine(line, b.String())}, changes, nil
	default:
		return nil, nil, fmt.Errorf("tool %q: sha256 at line %d is not a mapping", t.Name, line)
	}
	if hasMergeKey(m) {
		return nil, nil, fmt.Errorf("tool %q: sha256 at line %d uses a << merge key; edit it by hand", t.Name, line)
	}

	// Where this version's digests live.
	target := m
	_, versioned := t.SHA256.ByVersion[version]
	switch {
	case versioned:
		inner := entry(m, version)
		if inner == nil {
			return nil, nil, fmt.Errorf("tool %q: cannot find sha256.%s in the text", t.Name, version)
		}
		im, ok := d.deref(inner.Value).(*ast.MappingNode)
		if !ok {
			return nil, nil, fmt.Errorf("tool %q: sha256.%s is not a mapping", t.Name, version)
		}
		target = im
	case flat:
		// the flat platform form
	default:
		// A new version key holding this version's digests.
		var inner []kv
		for _, p := range order {
			inner = append(inner, kv{p, sumText(sums[p], d.quoteStyleDeep(m))})
			changes = append(changes, change{file: file, line: line, tool: t.Name, platform: p, version: version, new: sums[p]})
		}
		key := versionKey(version, d.keysPlain(m))
		if m.IsFlowStyle {
			var parts []string
			for _, e := range inner {
				parts = append(parts, e.key+": "+e.value)
			}
			e, err := d.insertEntries(m, []kv{{key, "{" + strings.Join(parts, ", ") + "}"}})
			if err != nil {
				return nil, nil, err
			}
			return []edit{e}, changes, nil
		}
		indent := strings.Repeat(" ", keyCol(m)-1)
		step := strings.Repeat(" ", d.indentStep(m))
		var b strings.Builder
		b.WriteString(indent + key + ":\n")
		for _, e := range inner {
			b.WriteString(indent + step + e.key + ": " + e.value + "\n")
		}
		return []edit{d.insertAfterLine(lastLine(m), b.String())}, changes, nil
	}

	quote := d.quoteStyle(target)
	var missing []kv
	for _, p := range order {
		want := sums[p]
		var found *ast.MappingValueNode
		for _, e := range target.Values {
			k := keyOf(e)
			if np, err := spec.NormalizePlatform(k); err == nil && np == p {
				found = e
			}
		}
		if found == nil {
			missing = append(missing, kv{p, sumText(want, quote)})
			changes = append(changes, change{file: file, line: line, tool: t.Name, platform: p, version: version, new: want})
			continue
		}
		if _, alias := found.Value.(*ast.AliasNode); alias {
			if v, ok := d.deref(found.Value).(*ast.StringNode); ok && strings.TrimPrefix(strings.TrimSpace(v.Value), "sha256:") == want {
				continue
			}
			return nil, nil, fmt.Errorf("tool %q: the sha256 for %s at line %d is a YAML alias, and writing its anchor would change every use; replace it by hand", t.Name, p, tokLine(found.Key))
		}
		v, ok := d.deref(found.Value).(*ast.StringNode)
		if !ok {
			return nil, nil, fmt.Errorf("tool %q: sha256 for %s at line %d is not a string", t.Name, p, tokLine(found.Key))
		}
		old := strings.TrimPrefix(strings.TrimSpace(v.Value), "sha256:")
		if old == want {
			continue
		}
		orig, start, end, q := d.scalarAt(v, target.IsFlowStyle)
		prefix := ""
		if strings.HasPrefix(strings.Trim(orig, `"'`), "sha256:") {
			prefix = "sha256:"
		}
		edits = append(edits, edit{off: start, n: end - start, text: sumText(prefix+want, q)})
		changes = append(changes, change{file: file, line: tokLine(found.Key), tool: t.Name, platform: p, version: version, old: v.Value, new: want})
	}
	if len(missing) > 0 {
		e, err := d.insertEntries(target, missing)
		if err != nil {
			return nil, nil, err
		}
		edits = append(edits, e)
	}
	return edits, changes, nil
}

// quoteStyleDeep is the quoting of the digests inside a version-keyed
// mapping (or of its own values).
func (d *doc) quoteStyleDeep(m *ast.MappingNode) string {
	for _, mv := range m.Values {
		if inner, ok := d.deref(mv.Value).(*ast.MappingNode); ok {
			return d.quoteStyle(inner)
		}
	}
	return d.quoteStyle(m)
}
