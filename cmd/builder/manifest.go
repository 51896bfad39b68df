package main

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/spf13/cobra"

	"github.com/maistra/builder-frontend/internal/imagewalk"
	"github.com/maistra/builder-frontend/llb"
	"github.com/maistra/builder-frontend/spec"
)

type manifestOptions struct {
	*globals
	common
	format   outputFormat
	image    string
	insecure bool
	file     string
}

// manifests are the tool manifests of each platform.
type manifests map[string][]llb.ManifestEntry

func newManifestCmd(g *globals) *cobra.Command {
	o := &manifestOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "manifest {FILE | --image REF}",
		Short: "Print the tool manifests an image holds, from its spec or from the pushed image",
		Long: `Every tool's layer in a built image holds ` + llb.ManifestDir + `/<name>.json: the tool's
name, version and platform, and the URL and sha256 it was downloaded from (or, for a Go tool, the package
and version go install compiled, with the Go toolchain's version).

builder manifest FILE resolves the spec as a build with the same --platform (default the spec's platforms:),
--target (default the first image) and --build-arg values would, and prints those files as the image
would hold them. Spec errors are printed to stderr instead (exit status 1).

builder manifest --image REF reads them from a pushed image: every platform of its index (attestation
manifests are left out), or the --platform ones. Only the manifest files are kept from the layers, which
are streamed and applied in order, whiteouts included. Credentials come from the Docker config
(docker login); --insecure allows a plain-HTTP registry such as 127.0.0.1:5000. The exit status is 1
when the image holds no manifest file: it was not built by builder-frontend.

--format table (the default) prints PLATFORM TOOL VERSION SOURCE SHA256 DEST, SOURCE being the URL or
package@version and SHA256 its first 12 hex digits; --format json prints {"PLATFORM": [entries...]}, the
entries in layer order (tools, then Go tools, in spec order).`,
		Example: `  builder manifest builder.yaml
  builder manifest --build-arg HELM_VERSION=v3.17.0 --format json builder.yaml
  builder manifest --image quay.io/me/builder:3.5
  builder manifest --image 127.0.0.1:5000/builder:dev --insecure --platform linux/arm64 --format json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.image == "" {
				if len(args) != 1 {
					return fmt.Errorf("give a spec FILE, or --image REF")
				}
				if cmd.Flags().Changed("insecure") {
					return fmt.Errorf("--insecure: only with --image")
				}
				return nil
			}
			if len(args) > 0 {
				return fmt.Errorf("give a spec FILE or --image REF, not both")
			}
			for _, f := range []string{"build-arg", "target", "build-platform"} {
				if cmd.Flags().Changed(f) {
					return fmt.Errorf("--%s: only for a spec FILE, not with --image", f)
				}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				o.file = args[0]
			}
			return o.run(cmd.Context())
		},
	}
	o.common.flags(cmd, "platforms, as buildx --platform (default: the spec's platforms:, or every platform of the image)", "the image (default: the spec's first image)")
	o.format.flag(cmd)
	cmd.Flags().StringVar(&o.image, "image", "", "read the manifests from this pushed image instead of a spec")
	cmd.Flags().BoolVar(&o.insecure, "insecure", false, "with --image: allow a plain-HTTP registry")
	return cmd
}

func (o *manifestOptions) run(ctx context.Context) error {
	if err := o.prepare(); err != nil {
		return err
	}
	var m manifests
	if o.image != "" {
		var err error
		m, err = o.fromImage(ctx)
		var nf notFound
		if errors.As(err, &nf) {
			fmt.Fprintln(o.stderr, "builder:", err)
			return exitCode(1)
		}
		if err != nil {
			return err
		}
	} else {
		var errs spec.ErrorList
		var err error
		m, errs, err = o.fromSpec()
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			return o.specErrors(errs)
		}
	}
	return o.format.write(o.stdout, m, func(w io.Writer) { printManifests(w, m) })
}

// fromSpec resolves the spec for each platform: what the image would hold.
func (o *manifestOptions) fromSpec() (manifests, spec.ErrorList, error) {
	_, s, errs := load(o.file)
	if errs != nil {
		return nil, errs, nil
	}
	plats, _ := o.platforms(s, false)
	out := manifests{}
	for _, p := range plats {
		r, l, err := o.resolve(s, o.target, p)
		if err != nil {
			return nil, nil, err
		}
		if l != nil {
			errs = append(errs, l...)
			continue
		}
		out[p] = llb.Manifest(r)
	}
	return out, errs.Sorted(), nil
}

// notFound is an image that lacks what was asked for: exit status 1.
type notFound struct{ msg string }

func (e notFound) Error() string { return e.msg }

// fromImage reads the manifests of each platform of a pushed image.
func (o *manifestOptions) fromImage(ctx context.Context) (manifests, error) {
	var nopts []name.Option
	if o.insecure {
		nopts = append(nopts, name.Insecure)
	}
	ref, err := name.ParseReference(o.image, nopts...)
	if err != nil {
		return nil, fmt.Errorf("--image: %w", err)
	}
	ropts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}
	desc, err := remote.Get(ref, ropts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.image, err)
	}

	if !desc.MediaType.IsIndex() && !desc.MediaType.IsImage() {
		return nil, notFound{fmt.Sprintf("%s is a %s, not an image", o.image, desc.MediaType)}
	}
	listed, err := imagewalk.PlatformImages(desc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.image, err)
	}
	type platformImage struct {
		platform string
		img      imagewalk.Image
	}
	var images []platformImage
	var have []string
	for _, i := range listed {
		images = append(images, platformImage{platformName(i.Platform), i})
		have = append(have, platformName(i.Platform))
	}
	if len(o.platformList) > 0 {
		var keep []platformImage
		for _, p := range o.platformList {
			i := slices.IndexFunc(images, func(pi platformImage) bool { return pi.platform == p })
			if i < 0 {
				return nil, notFound{fmt.Sprintf("%s has no image for %s (it has %s)", o.image, p, strings.Join(have, ", "))}
			}
			keep = append(keep, images[i])
		}
		images = keep
	}
	if len(images) == 0 {
		return nil, notFound{fmt.Sprintf("%s holds no platform image", o.image)}
	}

	out := manifests{}
	seen := map[v1.Hash]*layerFiles{} // a layer shared by platforms is read once
	total := 0
	for _, pi := range images {
		img, err := pi.img.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", o.image, pi.img.Digest, err)
		}
		entries, err := imageManifest(img, seen)
		if err != nil {
			return nil, fmt.Errorf("%s (%s): %w", o.image, pi.platform, err)
		}
		out[pi.platform] = entries
		total += len(entries)
	}
	if total == 0 {
		return nil, notFound{fmt.Sprintf("%s holds no %s/*.json in any of its images (%s): it was not built by builder-frontend",
			o.image, llb.ManifestDir, strings.Join(have, ", "))}
	}
	return out, nil
}

// platformName is the platform as the spec writes it (linux/arm64, not
// linux/arm64/v8), or as the registry gives it when it is no builder platform.
func platformName(p *v1.Platform) string {
	if p == nil {
		return "unknown"
	}
	if n, err := spec.NormalizePlatform(p.String()); err == nil {
		return n
	}
	return p.String()
}

// toolsDir is llb.ManifestDir as a layer tar names it.
var toolsDir = strings.TrimPrefix(llb.ManifestDir, "/") + "/"

// maxManifestFile bounds what is kept of one manifest file.
const maxManifestFile = 1 << 20

// layerFiles is what one layer does to the manifest files: the files it
// writes, and what it hides of the layers below.
type layerFiles struct {
	files   map[string][]byte // file name under toolsDir → content
	removed []string          // paths removed or replaced, with everything under them
	opaque  []string          // directories ("" is the root) whose lower content is hidden
}

// imageManifest applies the image's layers in order, keeping only the
// manifest files, and returns their entries in the order of the layers that
// wrote them.
func imageManifest(img v1.Image, seen map[v1.Hash]*layerFiles) ([]llb.ManifestEntry, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	type kept struct {
		layer int
		data  []byte
	}
	state := map[string]kept{}
	for i, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		lf := seen[d]
		if lf == nil {
			if lf, err = scanLayer(l); err != nil {
				return nil, fmt.Errorf("layer %s: %w", d, err)
			}
			seen[d] = lf
		}
		for k := range state {
			if lf.hides(toolsDir + k) {
				delete(state, k)
			}
		}
		for k, data := range lf.files {
			state[k] = kept{i, data}
		}
	}
	names := make([]string, 0, len(state))
	for k := range state {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := state[names[i]], state[names[j]]
		if a.layer != b.layer {
			return a.layer < b.layer
		}
		return names[i] < names[j]
	})
	out := make([]llb.ManifestEntry, 0, len(names))
	for _, n := range names {
		var e llb.ManifestEntry
		if err := json.Unmarshal(state[n].data, &e); err != nil {
			return nil, fmt.Errorf("%s: not a tool manifest: %w", path.Join(llb.ManifestDir, n), err)
		}
		out = append(out, e)
	}
	return out, nil
}

// hides reports whether the layer hides the lower layers' file p.
func (lf *layerFiles) hides(p string) bool {
	for _, r := range lf.removed {
		if p == r || strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	for _, d := range lf.opaque {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// scanLayer streams a layer and keeps what concerns the manifest files.
func scanLayer(l v1.Layer) (*layerFiles, error) {
	lf := &layerFiles{files: map[string][]byte{}}
	// relevant: p is toolsDir, above it or under it.
	relevant := func(p string) bool {
		return strings.HasPrefix(toolsDir, p+"/") || strings.HasPrefix(p+"/", toolsDir)
	}
	err := imagewalk.Layer(l, func(abs string, hdr *tar.Header, content io.Reader) error {
		p := strings.TrimPrefix(abs, "/")
		if p == "" {
			return nil
		}
		dir, base := path.Split(p)
		switch {
		case base == ".wh..wh..opq":
			if relevant(strings.TrimSuffix(dir, "/")) || dir == "" {
				lf.opaque = append(lf.opaque, dir)
			}
			return nil
		case strings.HasPrefix(base, ".wh."):
			if target := dir + strings.TrimPrefix(base, ".wh."); relevant(target) {
				lf.removed = append(lf.removed, target)
			}
			return nil
		}
		if dir == toolsDir && strings.HasSuffix(base, ".json") {
			switch hdr.Typeflag {
			case tar.TypeReg, tar.TypeRegA:
				if hdr.Size > maxManifestFile {
					return fmt.Errorf("%s: %d bytes, too large for a tool manifest", abs, hdr.Size)
				}
				data, err := io.ReadAll(io.LimitReader(content, maxManifestFile))
				if err != nil {
					return err
				}
				lf.files[base] = data
				return nil
			case tar.TypeLink:
				// A hard link names a file earlier in the same layer.
				t := strings.TrimPrefix(path.Clean("/"+hdr.Linkname), "/")
				if tdir, tbase := path.Split(t); tdir == toolsDir {
					if data, ok := lf.files[tbase]; ok {
						lf.files[base] = data
						return nil
					}
				}
			}
		}
		// Anything else but a directory replaces what the lower layers have
		// at p: a manifest file, or the directories that hold them.
		if hdr.Typeflag != tar.TypeDir && relevant(p) {
			lf.removed = append(lf.removed, p)
			for k := range lf.files {
				if toolsDir+k == p || strings.HasPrefix(toolsDir+k, p+"/") {
					delete(lf.files, k)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return lf, nil
}

func printManifests(w io.Writer, m manifests) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PLATFORM\tTOOL\tVERSION\tSOURCE\tSHA256\tDEST")
	for _, p := range slices.Sorted(maps.Keys(m)) {
		if len(m[p]) == 0 {
			fmt.Fprintf(tw, "%s\t(none)\t-\t-\t-\t-\n", p)
		}
		for _, e := range m[p] {
			source := e.URL
			if e.Package != "" {
				source = e.Package + "@" + e.Version
			}
			sum := strings.TrimPrefix(e.SHA256, "sha256:")
			if len(sum) > 12 {
				sum = sum[:12]
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p, e.Name, e.Version, dash(source), dash(sum), dash(e.Dest))
		}
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
