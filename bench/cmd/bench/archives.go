package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/maistra/builder-frontend/internal/fixture"
)

// llvmArchive makes clang+llvm-<version>-<llvm>.tar.xz, shaped like the upstream release (a top directory named like
// the archive with bin/, lib/, include/ ...), from Debian's clang/llvm 14 packages for goarch.
func llvmArchive(ctx context.Context, rel, benchCache, goarch, llvmArch, triplet string, logf func(string, ...any)) error {
	top := fmt.Sprintf("clang+llvm-%s-%s", llvmVersion, llvmArch)
	out := filepath.Join(rel, top+".tar.xz")
	if _, err := os.Stat(out); err == nil {
		return nil
	}
	logf("making %s from Debian's clang-14/llvm-14 packages (once)", filepath.Base(out))
	var pkgs []string
	for _, p := range []string{"clang-14", "libclang-cpp14", "libllvm14", "llvm-14", "lld-14", "liblld-14", "libclang1-14"} {
		pkgs = append(pkgs, p+":"+goarch)
	}
	work, err := unpackDebs(ctx, benchCache, pkgs...)
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	x := filepath.Join(work, "x")
	tree := filepath.Join(work, top)
	if err := run(ctx, "", "cp", "-a", filepath.Join(x, "usr/lib/llvm-14")+"/.", tree+"/"); err != nil {
		return err
	}
	// The shared libraries Debian keeps in /usr/lib/<triplet> go next to the others, as upstream ships them.
	libs, _ := filepath.Glob(filepath.Join(x, "usr/lib", triplet, "*.so*"))
	for _, l := range libs {
		dst := filepath.Join(tree, "lib", filepath.Base(l))
		if _, err := os.Lstat(dst); err == nil {
			continue
		}
		if err := run(ctx, "", "cp", "-a", l, dst); err != nil {
			return err
		}
	}
	if err := fixLinks(tree, x, "/usr/lib/llvm-14"); err != nil {
		return err
	}
	tmp := out + ".tmp"
	script := `set -euo pipefail; tar --sort=name --mtime=2024-01-01 --owner=0 --group=0 --numeric-owner -C "$1" -cf - "$2" | xz -T2 -6 > "$3"`
	if err := run(ctx, "", "bash", "-c", script, "bash", work, top, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, out)
}

// fixLinks repairs the symbolic links of tree (a copy of xroot+prefix) that point outside it: a link whose target's
// file name is in the link's directory points there; another one is replaced by the file it resolves to inside
// xroot; one that resolves to nothing is removed.
func fixLinks(tree, xroot, prefix string) error {
	return filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink == 0 {
			return err
		}
		if _, err := os.Stat(p); err == nil {
			return nil // resolves inside the tree
		}
		target, err := os.Readlink(p)
		if err != nil {
			return err
		}
		if fi, err := os.Stat(filepath.Join(filepath.Dir(p), filepath.Base(target))); err == nil && fi.Mode().IsRegular() {
			os.Remove(p)
			return os.Symlink(filepath.Base(target), p)
		}
		rel, _ := filepath.Rel(tree, p)
		real, ok := resolveIn(xroot, path.Join(prefix, filepath.ToSlash(rel)))
		os.Remove(p)
		if !ok {
			return nil
		}
		return copyFile(filepath.Join(xroot, real), p)
	})
}

// resolveIn resolves the absolute path p inside root (absolute link targets are taken relative to root); it
// reports whether p resolves to a regular file.
func resolveIn(root, p string) (string, bool) {
	for range 40 {
		parts := strings.Split(strings.TrimPrefix(path.Clean(p), "/"), "/")
		cur := "/"
		changed := false
		for i, c := range parts {
			next := path.Join(cur, c)
			fi, err := os.Lstat(filepath.Join(root, next))
			if err != nil {
				return "", false
			}
			if fi.Mode()&fs.ModeSymlink != 0 {
				t, err := os.Readlink(filepath.Join(root, next))
				if err != nil {
					return "", false
				}
				if !path.IsAbs(t) {
					t = path.Join(cur, t)
				}
				p = path.Join(append([]string{t}, parts[i+1:]...)...)
				changed = true
				break
			}
			cur = next
		}
		if !changed {
			fi, err := os.Stat(filepath.Join(root, cur))
			return cur, err == nil && fi.Mode().IsRegular()
		}
	}
	return "", false
}

// bufArchive builds buf from the Go module proxy for goarch and packs buf-Linux-<uname>.tar.gz like the upstream
// release: buf/bin/buf, buf/LICENSE, buf/README.md.
func bufArchive(ctx context.Context, rel, benchCache, goarch, uname string, logf func(string, ...any)) error {
	out := filepath.Join(rel, "buf-Linux-"+uname+".tar.gz")
	if _, err := os.Stat(out); err == nil {
		return nil
	}
	logf("building buf v%s for %s from the Go module proxy (once)", bufVersion, goarch)
	bin, err := goBinary(ctx, benchCache, "github.com/bufbuild/buf/cmd/buf@v"+bufVersion, goarch)
	if err != nil {
		return err
	}
	data := fixture.TarGz([]fixture.File{
		{Path: "buf/bin/buf", Mode: 0o755, Data: bin},
		{Path: "buf/LICENSE", Mode: 0o644, Data: []byte("Apache License, Version 2.0\n")},
		{Path: "buf/README.md", Mode: 0o644, Data: []byte("# buf " + bufVersion + "\n")},
	})
	return writeAtomic(out, data)
}

// bazelBinaries writes bazel-<version>-linux-<arch> for the two versions: bazelisk (a real Go program, built from
// the module proxy) with a line naming the version appended, so the two versions differ in content.
func bazelBinaries(ctx context.Context, rel, benchCache, goarch, arch string, logf func(string, ...any)) error {
	var bin []byte
	for _, v := range []string{bazelCold, bazelBump} {
		out := filepath.Join(rel, fmt.Sprintf("bazel-%s-linux-%s", v, arch))
		if _, err := os.Stat(out); err == nil {
			continue
		}
		if bin == nil {
			logf("building bazelisk %s for %s from the Go module proxy (once)", bazeliskVersion, goarch)
			var err error
			if bin, err = goBinary(ctx, benchCache, "github.com/bazelbuild/bazelisk@"+bazeliskVersion, goarch); err != nil {
				return err
			}
		}
		data := append(append([]byte{}, bin...), fmt.Sprintf("\nfixture bazel %s\n", v)...)
		if err := writeAtomic(out, data); err != nil {
			return err
		}
	}
	return nil
}

// protocZip makes protoc-<version>-linux-<arch>.zip like the upstream release (bin/protoc, include/google/protobuf/
// *.proto, readme.txt) from Debian's protobuf-compiler (the protoc executable for goarch) and libprotobuf-dev (the
// well-known .proto files).
func protocZip(ctx context.Context, rel, benchCache, goarch, arch string, logf func(string, ...any)) error {
	out := filepath.Join(rel, fmt.Sprintf("protoc-%s-linux-%s.zip", protocVersion, arch))
	if _, err := os.Stat(out); err == nil {
		return nil
	}
	logf("making %s from Debian's protobuf packages (once)", filepath.Base(out))
	work, err := unpackDebs(ctx, benchCache, "protobuf-compiler:"+goarch, "libprotobuf-dev:"+goarch)
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	x := filepath.Join(work, "x")
	protoc, err := os.ReadFile(filepath.Join(x, "usr/bin/protoc"))
	if err != nil {
		return err
	}
	files := []fixture.File{{Path: "bin/", Mode: 0o755}, {Path: "bin/protoc", Mode: 0o755, Data: protoc}, {Path: "include/", Mode: 0o755}, {Path: "include/google/", Mode: 0o755}, {Path: "include/google/protobuf/", Mode: 0o755}}
	protos, _ := filepath.Glob(filepath.Join(x, "usr/include/google/protobuf/*.proto"))
	sort.Strings(protos)
	for _, p := range protos {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, fixture.File{Path: "include/google/protobuf/" + filepath.Base(p), Mode: 0o644, Data: data})
	}
	files = append(files, fixture.File{Path: "readme.txt", Mode: 0o644, Data: []byte("Protocol Buffers - Google's data interchange format\n")})
	return writeAtomic(out, fixture.Zip(files))
}

// goBinary builds pkg@version for linux/goarch with the host Go (CGO_ENABLED=0, -trimpath, -s -w) and returns it.
func goBinary(ctx context.Context, benchCache, pkgAtVersion, goarch string) ([]byte, error) {
	gopath, err := os.MkdirTemp(benchCache, ".gopath-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(gopath)
	gomodcache, err := exec.CommandContext(ctx, "go", "env", "GOMODCACHE").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOMODCACHE: %v", err)
	}
	cmd := exec.CommandContext(ctx, "go", "install", "-trimpath", "-ldflags=-s -w", pkgAtVersion)
	cmd.Dir = gopath
	cmd.Env = append(os.Environ(), "GOPATH="+gopath, "GOMODCACHE="+strings.TrimSpace(string(gomodcache)),
		"GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0", "GOFLAGS=-mod=mod -modcacherw", "GOTOOLCHAIN=local")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go install %s (GOARCH=%s): %v\n%s", pkgAtVersion, goarch, err, out)
	}
	var found []byte
	err = filepath.WalkDir(filepath.Join(gopath, "bin"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && found == nil {
			found, err = os.ReadFile(p)
		}
		return err
	})
	if err == nil && found == nil {
		err = fmt.Errorf("go install %s left no binary", pkgAtVersion)
	}
	return found, err
}

// unpackDebs downloads the Debian packages pkgs ("name:arch") with apt into a new directory under benchCache and
// extracts them into its x/ subdirectory; the caller removes the directory it returns. (arm64 must be a dpkg
// foreign architecture with fresh package lists: make deps.)
func unpackDebs(ctx context.Context, benchCache string, pkgs ...string) (_ string, err error) {
	work, err := os.MkdirTemp(benchCache, ".debs-")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(work)
		}
	}()
	debs, x := filepath.Join(work, "deb"), filepath.Join(work, "x")
	for _, d := range []string{debs, x} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", err
		}
	}
	if err := run(ctx, debs, "apt-get", append([]string{"download", "-q"}, pkgs...)...); err != nil {
		return "", fmt.Errorf("%v (arm64 must be a dpkg foreign architecture with fresh package lists: make deps)", err)
	}
	m, _ := filepath.Glob(filepath.Join(debs, "*.deb"))
	if len(m) == 0 {
		return "", fmt.Errorf("no .deb in %s", debs)
	}
	for _, d := range m {
		if err := run(ctx, "", "dpkg-deb", "-x", d, x); err != nil {
			return "", err
		}
	}
	return work, nil
}
