package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/maistra/builder-frontend/internal/elfmachine"
	"github.com/maistra/builder-frontend/internal/english"
	"github.com/maistra/builder-frontend/internal/unpack"
	"github.com/maistra/builder-frontend/spec"
)

// sameFilesFit looks into each file that would be pinned for several
// platforms of one tool, and reports whether lock may go on: no platform
// gets executables of a machine it cannot run, or the tool or
// --allow-same-file says to pin it anyway. It prints what it found.
func (o *lockOptions) sameFilesFit(ctx context.Context, g *globals, arts []*artifact) bool {
	groups := map[string][]*artifact{}
	var keys []string
	for _, a := range arts {
		k := a.Image + "\x00" + a.Name + "\x00" + a.sum
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], a)
	}
	ok := true
	for _, k := range keys {
		group := groups[k]
		if len(group) < 2 || group[0].ForeignBinaries {
			continue
		}
		fmt.Fprintf(g.stderr, "looking into %s, one file for %s\n", group[0].URL, platformsOf(group))
		msg, err := o.foreignIn(ctx, group)
		switch {
		case err != nil:
			fmt.Fprintf(g.stderr, "tool %q: cannot look into %s, which would be pinned for %s: %v\n", group[0].Name, group[0].URL, platformsOf(group), err)
		case msg == "":
		case o.allowSameFile:
			fmt.Fprintf(g.stderr, "WARNING: tool %q: %s; pinned anyway (--allow-same-file): builds for those platforms fail at the ELF check unless the tool sets foreignBinaries: true\n", group[0].Name, msg)
		default:
			ok = false
			fmt.Fprintf(g.stderr, "tool %q: %s; put ${arch} or an arch scheme in the URL so that each platform gets its own file, set foreignBinaries: true on the tool if it ships them on purpose, or pass --allow-same-file to pin it anyway\n", group[0].Name, msg)
		}
	}
	return ok
}

func platformsOf(group []*artifact) string {
	var ps []string
	for _, a := range group {
		ps = append(ps, a.Platform)
	}
	return english.List(ps)
}

// maxNamed bounds the files a refusal names.
const maxNamed = 3

// foreignIn downloads the file of group once more and says, when some of
// its platforms cannot run the executables they would install, which
// machine the file holds and which platforms would get it; "" when they
// all can (or it holds none).
func (o *lockOptions) foreignIn(ctx context.Context, group []*artifact) (string, error) {
	file, err := o.download(ctx, group[0].URL, group[0].sum)
	if err != nil {
		return "", err
	}
	defer os.Remove(file)
	type exe struct {
		name string
		mode os.FileMode
		h    elfmachine.Header
	}
	var exes []exe
	err = unpack.Scan(file, unpack.Options{Form: unpack.Form(group[0].Form)}, elfmachine.HeadSize, func(m unpack.Member) error {
		if h, ok := elfmachine.Parse(m.Head); ok {
			if group[0].Form == spec.FormRaw {
				m.Name = fileName(group[0].URL)
			}
			exes = append(exes, exe{m.Name, m.Mode, h})
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	machines := map[string][]string{} // machine -> files of it some platform installs
	var cannot []string               // platforms that would get a machine they cannot run
	for _, a := range group {
		target, _ := elfmachine.For(a.Platform)
		foreign := false
		for _, e := range exes {
			rel, ok := unpack.Selected(e.name, a.Strip, a.Take)
			if a.Form == spec.FormRaw {
				rel, ok = e.name, true
			}
			if !ok || !elfmachine.Checked(rel, e.mode, e.h) {
				continue
			}
			if !slices.Contains(machines[e.h.Name()], e.name) {
				machines[e.h.Name()] = append(machines[e.h.Name()], e.name)
			}
			foreign = foreign || !target.Runs(e.h)
		}
		if foreign {
			cannot = append(cannot, a.Platform)
		}
	}
	if len(cannot) == 0 {
		return "", nil
	}
	var held []string
	for _, m := range slices.Sorted(maps.Keys(machines)) {
		files := machines[m]
		named := strings.Join(files[:min(len(files), maxNamed)], ", ")
		if len(files) > maxNamed {
			named += fmt.Sprintf(" and %d more", len(files)-maxNamed)
		}
		held = append(held, fmt.Sprintf("%s executables (%s)", m, named))
	}
	var urls []string
	for _, a := range group {
		if !slices.Contains(urls, a.URL) {
			urls = append(urls, a.URL)
		}
	}
	return fmt.Sprintf("one file, %s (sha256 %s), would be pinned for %s, and it holds %s: %s cannot run them",
		english.List(urls), group[0].sum, platformsOf(group), english.List(held), english.List(cannot)), nil
}

// fileName is the last element of u's path.
func fileName(u string) string {
	if pu, err := url.Parse(u); err == nil {
		return path.Base(pu.Path)
	}
	return path.Base(u)
}

// download fetches url into a temporary file and checks it is the file
// whose sha256 is sum.
func (o *lockOptions) download(ctx context.Context, u, sum string) (string, error) {
	body, err := fetch(ctx, o.client, u)
	if err != nil {
		return "", err
	}
	defer body.Close()
	f, err := os.CreateTemp("", "builder-lock-*")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && hex.EncodeToString(h.Sum(nil)) != sum {
		err = fmt.Errorf("GET %s: the file changed since it was hashed", u)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
