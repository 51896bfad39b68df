package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/maistra/builder-frontend/internal/fixture"
	"github.com/maistra/builder-frontend/internal/lab"
)

// Versions of the workload (bench/workload/*.tmpl spell the same ones).
const (
	goVersion       = "1.26.8"
	llvmVersion     = "14.0.6"
	bufVersion      = "1.75.0"
	protocVersion   = "25.1"
	bazeliskVersion = "v1.28.0" // the program behind the bazel fixtures
	bazelCold       = "7.4.1"   // BAZEL_VERSION of the cold build
	bazelBump       = "7.5.0"   // BAZEL_VERSION of the bump build
)

// goToolModules are the Go tools of the workload, served by the GOPROXY fixture.
var goToolModules = []string{
	"github.com/jstemmer/go-junit-report/v2@v2.1.0",
	"google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.6",
}

// aptPackages are installed by all three builds (bench/workload/*.tmpl list them too).
var aptPackages = []string{"ca-certificates", "curl", "git", "make", "unzip", "xz-utils"}

// arches are the two platforms with the names upstream release files use for them.
var arches = []struct{ goarch, uname, bazel, protoc, llvm, triplet string }{
	{"amd64", "x86_64", "x86_64", "x86_64", "x86_64-linux-gnu-rhel-8.4", "x86_64-linux-gnu"},
	{"arm64", "aarch64", "arm64", "aarch_64", "aarch64-linux-gnu", "aarch64-linux-gnu"},
}

// fixtures are the real release artifacts the workload downloads (file name -> path on disk, sha256), the
// GOPROXY directory of the Go tools and the Debian root file systems of the base image.
type fixtures struct {
	files    map[string]string // artifact name -> path
	sums     map[string]string // artifact name -> sha256 hex
	sizes    map[string]int64
	proxyDir string
	rootfs   string // holds rootfs-amd64/ and rootfs-arm64/
}

// prepareFixtures makes (or finds in the cache) everything the builds download. Everything is cached under
// cacheDir (build/cache): the first run takes several minutes (debootstrap of two Debian root file systems, the
// clang+llvm archives from Debian's packages, buf and bazelisk compiled from the Go module proxy), later runs
// only hash the files.
func prepareFixtures(ctx context.Context, cacheDir string, logf func(string, ...any)) (*fixtures, error) {
	cacheDir, err := filepath.Abs(cacheDir)
	if err != nil {
		return nil, err
	}
	benchCache := filepath.Join(cacheDir, "bench")
	rel := filepath.Join(benchCache, "releases")
	if err := os.MkdirAll(rel, 0o755); err != nil {
		return nil, err
	}
	fx := &fixtures{files: map[string]string{}, sums: map[string]string{}, sizes: map[string]int64{}}

	// The slow ones run in parallel: debootstrap is mostly network and emulation, llvm is xz, buf is go build.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Shared with the e2e tests' Debian images.
		dir := filepath.Join(cacheDir, "debian", "rootfs")
		if err := lab.DebianRootfs(ctx, dir, logf); err != nil {
			fail(err)
			return
		}
		fx.rootfs = dir
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, a := range arches {
			if err := llvmArchive(ctx, rel, benchCache, a.goarch, a.llvm, a.triplet, logf); err != nil {
				fail(err)
				return
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, a := range arches {
			if err := bufArchive(ctx, rel, benchCache, a.goarch, a.uname, logf); err != nil {
				fail(err)
				return
			}
			if err := bazelBinaries(ctx, rel, benchCache, a.goarch, a.bazel, logf); err != nil {
				fail(err)
				return
			}
			if err := protocZip(ctx, rel, benchCache, a.goarch, a.protoc, logf); err != nil {
				fail(err)
				return
			}
		}
	}()
	wg.Wait()
	if len(errs) > 0 {
		return nil, errs[0]
	}

	// Go toolchains, repacked from the module proxy as go.dev ships them (shared with the e2e tests).
	for _, a := range arches {
		p, err := fixture.GoToolchain(filepath.Join(cacheDir, "releases"), goVersion, a.goarch)
		if err != nil {
			return nil, err
		}
		fx.files[filepath.Base(p)] = p
	}
	ents, err := os.ReadDir(rel)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") && !strings.HasSuffix(e.Name(), ".tmp") {
			fx.files[e.Name()] = filepath.Join(rel, e.Name())
		}
	}
	for name, p := range fx.files {
		sum, size, err := fileSHA256(p)
		if err != nil {
			return nil, err
		}
		fx.sums[name], fx.sizes[name] = sum, size
	}
	for _, want := range artifactNames() {
		if _, ok := fx.files[want]; !ok {
			return nil, fmt.Errorf("fixture %s was not made", want)
		}
	}
	// A GOPROXY of the Go tools' modules (shared with the e2e tests).
	if fx.proxyDir, err = fixture.GoProxy(filepath.Join(cacheDir, "gomod"), goToolModules...); err != nil {
		return nil, err
	}
	return fx, nil
}

// artifactNames are the release files the workload downloads, as upstream names them.
func artifactNames() []string {
	var out []string
	for _, a := range arches {
		out = append(out,
			fmt.Sprintf("go%s.linux-%s.tar.gz", goVersion, a.goarch),
			fmt.Sprintf("clang+llvm-%s-%s.tar.xz", llvmVersion, a.llvm),
			fmt.Sprintf("bazel-%s-linux-%s", bazelCold, a.bazel),
			fmt.Sprintf("bazel-%s-linux-%s", bazelBump, a.bazel),
			fmt.Sprintf("buf-Linux-%s.tar.gz", a.uname),
			fmt.Sprintf("protoc-%s-linux-%s.zip", protocVersion, a.protoc),
		)
	}
	sort.Strings(out)
	return out
}

func run(ctx context.Context, dir, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, tailLines(string(out), 20))
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func writeAtomic(p string, data []byte) error {
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

func fileSHA256(p string) (string, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
