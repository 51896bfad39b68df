package llb

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	bk "github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/internal/unpack/cmdline"
	"github.com/maistra/builder-frontend/spec"
)

const (
	// Where a compile keeps its state: GOPATH is the output mount, the
	// module and build caches are cache mounts shared by every tool and
	// platform (the build cache keys on GOOS/GOARCH itself).
	goPath       = "/gopath"
	goModCache   = "/root/go/pkg/mod"
	goBuildCache = "/root/.cache/go-build"
	// NetrcSecret is the BuildKit secret id mounted as ~/.netrc into Go
	// compiles (and nowhere else), for private modules.
	NetrcSecret = "netrc"
	// goAfter and goDone order the compiles of one platform (see
	// goInstall): goDone is an empty directory each compile leaves, goAfter
	// the previous compile's, mounted read-only.
	goAfter = "/.builder-frontend/go-after"
	goDone  = "/.builder-frontend/go-done"
)

// caBundles are the CA files Go's crypto/x509 looks for on Linux; the
// compile copies whichever of them the base image has, so an https GOPROXY
// works in a root file system that is only the Go toolchain.
var caBundles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
}

// goCompileRoot is the build platform's Go toolchain plus the base image's
// CA bundle: everything `go install` needs, nothing it does not.
func (p *planner) goCompileRoot(toolchain bk.State) bk.State {
	if p.opt.BaseImage == nil {
		return toolchain
	}
	// Include patterns prune /etc down to the bundles the base has; a
	// missing one is simply not copied.
	include := make([]string, len(caBundles))
	for i, f := range caBundles {
		include[i] = strings.TrimPrefix(f, "/etc/")
	}
	fa := bk.Copy(p.opt.Base, "/etc", "/etc", &bk.CopyInfo{CopyDirContentsOnly: true, IncludePatterns: include, CreateDestPath: true})
	certs := bk.Scratch().File(fa, bk.WithCustomName("CA certificates for Go module downloads"))
	return p.join(toolchain, []bk.State{certs})
}

func goEnv(p ocispecs.Platform) (goos, goarch, goarm string) {
	goarm = ""
	if p.Architecture == "arm" {
		goarm = strings.TrimPrefix(p.Variant, "v")
	}
	return p.OS, p.Architecture, goarm
}

// goToolLayer is one Go tool, compiled for the target platform, in a layer
// of its own.
func (p *planner) goToolLayer(gt *spec.ResolvedGoTool, compileRoot, image bk.State) (bk.State, error) {
	gopath, binary := p.goInstall(gt, compileRoot, image)
	pid := platformID(p.opt.TargetPlatform)
	a := p.actions()
	a.mkdirParents(gt.Dest)
	a.copy(gopath, binary, gt.Dest, &bk.CopyInfo{})
	a.manifest(goToolManifest(p.r, gt))
	gate, err := p.checkMachines(Step{Name: gt.Name, Platform: pid, Detail: "Go tool"}, p.opt.TargetPlatform, gopath,
		[]cmdline.Tree{{Src: path.Join(checkMount, binary), ImagePath: gt.Dest}}, p.location(gt.Range))
	if err != nil {
		return bk.State{}, err
	}
	a.wait(gate)
	return bk.Scratch().File(a.fa, bk.WithCustomNamef("[%s %s] install %s", gt.Name, pid, gt.Dest), p.location(gt.Range)), nil
}

// goInstall runs go install for one Go tool. Without cgo it cross-compiles
// on the build platform from compileRoot; with cgo it compiles in image,
// the image as it stands with its tools, on the target platform (under
// emulation for a foreign one). It returns GOPATH after the install and the
// binary's path in it.
func (p *planner) goInstall(gt *spec.ResolvedGoTool, compileRoot, image bk.State) (gopath bk.State, binary string) {
	pid := platformID(p.opt.TargetPlatform)
	goroot := p.r.GoToolchain.Dest
	args := []string{path.Join(goroot, "bin/go"), "install", "-trimpath", "-ldflags=" + gt.Ldflags}
	if len(gt.Tags) > 0 {
		args = append(args, "-tags="+strings.Join(gt.Tags, ","))
	}
	args = append(args, gt.Package+"@"+gt.Version)

	env := p.goInstallEnv(gt)
	root, platform, where := compileRoot, p.opt.BuildPlatform, "natively on "+platformID(p.opt.BuildPlatform)
	if gt.Cgo {
		root, platform, where = image, p.opt.TargetPlatform, "with cgo on "+pid
	}
	ro := []bk.RunOption{
		bk.Args(args),
		bk.Dir("/"),
		bk.User("0:0"),
		bk.WithCustomNamef("[%s %s] go install %s@%s (%s)", gt.Name, pid, gt.Package, gt.Version, where),
		bk.AddMount(goModCache, bk.Scratch(), bk.AsPersistentCacheDir(p.cacheID("go-mod"), bk.CacheMountShared)),
		bk.AddMount(goBuildCache, bk.Scratch(), bk.AsPersistentCacheDir(p.cacheID("go-build"), bk.CacheMountShared)),
		bk.AddMount("/tmp", bk.Scratch(), bk.Tmpfs()),
		bk.AddSecret("/root/.netrc", bk.SecretID(NetrcSecret), bk.SecretOptional),
		p.location(gt.Range),
	}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		ro = append(ro, bk.AddEnv(k, env[k]))
	}
	// The native compiles of a platform run one after the other: compiles
	// running at once would each build the standard library and the
	// dependencies they share (the build cache only has what a finished
	// compile put there). Each waits for the previous one through its empty
	// goDone directory, mounted read-only: BuildKit keys a read-only mount
	// by its content, so a bump of the previous tool does not rerun this
	// one; it only waits.
	if !gt.Cgo && p.lastCompile != nil {
		ro = append(ro, bk.AddMount(goAfter, *p.lastCompile, bk.Readonly))
	}
	exec := root.Platform(platform).Run(ro...)
	gopath = exec.AddMount(goPath, bk.Scratch())
	if !gt.Cgo {
		done := exec.AddMount(goDone, bk.Scratch())
		p.lastCompile = &done
	}
	p.record(Step{Kind: StepCompile, Name: gt.Name, Platform: pid, Detail: gt.Package + "@" + gt.Version + " (" + where + ")", State: gopath})

	// go install puts a cross-compiled command under bin/GOOS_GOARCH/:
	// when GOOS or GOARCH differs from the toolchain's own (GOARM does not
	// count, cmd/go/internal/load).
	binary = path.Join("/bin", gt.Binary)
	if goos, goarch, _ := goEnv(p.opt.TargetPlatform); !gt.Cgo && (p.opt.BuildPlatform.OS != goos || p.opt.BuildPlatform.Architecture != goarch) {
		binary = path.Join("/bin", goos+"_"+goarch, gt.Binary)
	}
	return gopath, binary
}

// goInstallEnv is go install's environment for the target platform: the
// tool's env over ours, its GOFLAGS after ours, and cgo's PATH the image's.
func (p *planner) goInstallEnv(gt *spec.ResolvedGoTool) map[string]string {
	goroot := p.r.GoToolchain.Dest
	goos, goarch, goarm := goEnv(p.opt.TargetPlatform)
	goflags := "-buildvcs=false"
	if v := gt.Env["GOFLAGS"]; v != "" {
		goflags += " " + v
	}
	env := map[string]string{
		"PATH":        path.Join(goroot, "bin") + ":" + defaultPath,
		"HOME":        "/root",
		"GOPATH":      goPath,
		"GOMODCACHE":  goModCache,
		"GOCACHE":     goBuildCache,
		"GOTOOLCHAIN": "local",
		"GOOS":        goos,
		"GOARCH":      goarch,
		"CGO_ENABLED": "0",
		"TMPDIR":      "/tmp",
	}
	if goarm != "" {
		env["GOARM"] = goarm
	}
	for k, v := range gt.Env {
		env[k] = v
	}
	env["GOFLAGS"] = goflags
	if gt.Cgo {
		env["CGO_ENABLED"] = "1"
		if pathVal, ok := lookupEnv(p.image.Config.Env, "PATH"); ok {
			env["PATH"] = path.Join(goroot, "bin") + ":" + pathVal
		}
	}
	return env
}

// goToolchainLayer is the Go toolchain unpacked for the build platform.
// tools are the image's tool layers: when the image is for the build
// platform, its toolchain is one of them, and that layer serves (its steps
// are recorded once).
func (p *planner) goToolchainLayer(tools []ToolLayer) (bk.State, error) {
	tc := p.r.GoToolchain
	if tc == nil {
		return bk.State{}, fmt.Errorf("image %q has Go tools but no Go toolchain was resolved", p.r.Image)
	}
	if i := slices.Index(p.r.Tools, tc); i >= 0 && platformID(p.opt.BuildPlatform) == platformID(p.opt.TargetPlatform) {
		return tools[i].State, nil
	}
	// Otherwise it is the same layer the image of the build platform
	// installs: one download and unpack serves both.
	return p.toolLayer(tc, p.opt.BuildPlatform)
}
