package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/maistra/builder-frontend/spec"
)

// TestWorkloadRenders renders bench/workload with made-up checksums, for the main workload and the second
// branch's, and checks that each spec is valid for both platforms and both bazel versions, that no placeholder is
// left in any file, and that the second branch's three files leave out clang+llvm and nothing else. It needs no
// daemon.
func TestWorkloadRenders(t *testing.T) {
	sums := map[string]string{}
	for i, n := range artifactNames() {
		sums[n] = fmt.Sprintf("%064x", i+1)
	}
	rendered := map[bool]string{}
	for _, llvm := range []bool{true, false} {
		dir := t.TempDir()
		rendered[llvm] = dir
		if err := renderWorkload(filepath.Join("..", "..", "workload"), dir, sums, workloadData{LLVM: llvm}); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"builder.yaml", "optimised.Dockerfile", "seed.Dockerfile", "entrypoint.sh"} {
			data, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(data), "{{") {
				t.Errorf("%s: a template placeholder is left", f)
			}
		}
		data, _ := os.ReadFile(filepath.Join(dir, "builder.yaml"))
		s, err := spec.Parse("builder.yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		for _, bazel := range []string{bazelCold, bazelBump} {
			for _, p := range platforms {
				r, err := s.Resolve(p, spec.Options{BuildArgs: map[string]string{"BAZEL_VERSION": bazel}})
				if err != nil {
					t.Errorf("LLVM %v, %s, BAZEL_VERSION=%s: %v", llvm, p, bazel, err)
					continue
				}
				var tools []string
				for _, tl := range r.Tools {
					tools = append(tools, tl.Name)
				}
				want := "go clang-llvm bazel buf protoc"
				if !llvm {
					want = "go bazel buf protoc"
				}
				if strings.Join(tools, " ") != want {
					t.Errorf("LLVM %v, %s: tools %v, want %s", llvm, p, tools, want)
				}
			}
		}
	}
	// Every checksum of the Dockerfile is one of the fixtures'.
	df, _ := os.ReadFile(filepath.Join(rendered[true], "optimised.Dockerfile"))
	for _, n := range artifactNames() {
		if !strings.Contains(string(df), sums[n]+" ${RELEASES}/"+n) {
			t.Errorf("optimised.Dockerfile does not fetch %s with its checksum", n)
		}
	}
	// The second branch's Dockerfiles are the main ones without the lines that install clang+llvm.
	for file, gone := range map[string]string{
		"optimised.Dockerfile": "COPY --link --from=llvm /clang+llvm-*/ /usr/lib/llvm/\n",
		"seed.Dockerfile":      "clang+llvm-${LLVM_VERSION}",
	} {
		main, _ := os.ReadFile(filepath.Join(rendered[true], file))
		branch, _ := os.ReadFile(filepath.Join(rendered[false], file))
		if !strings.Contains(string(main), gone) || strings.Contains(string(branch), gone) {
			t.Errorf("%s: the main workload's has %q: %v, the second branch's: %v", file, gone,
				strings.Contains(string(main), gone), strings.Contains(string(branch), gone))
		}
		ml, bl := strings.Split(string(main), "\n"), strings.Split(string(branch), "\n")
		for _, l := range bl {
			if !slices.Contains(ml, l) {
				t.Errorf("%s: the second branch's has a line the main one lacks: %q", file, l)
			}
		}
	}
}

func TestProfileCriticalChain(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	vs := map[string]*vertex{
		"base":   {Digest: "base", Name: "pull base", Started: at(1), Completed: at(2)},
		"pkgs":   {Digest: "pkgs", Name: "apt", Inputs: []string{"base"}, Started: at(2), Completed: at(40)},
		"dl":     {Digest: "dl", Name: "download", Started: at(1), Completed: at(5)},
		"unpack": {Digest: "unpack", Name: "unpack", Inputs: []string{"dl"}, Started: at(5), Completed: at(15)},
		"merge":  {Digest: "merge", Name: "merge", Inputs: []string{"pkgs", "unpack"}, Started: at(40), Completed: at(40.2)},
		"export": {Digest: "export", Name: "exporting to image", Started: at(40.2), Completed: at(60),
			statuses: map[string]*span{"exporting layers": {at(40.2), at(58)}, "pushing layers": {at(58), at(60)}}},
	}
	pr := profile(vs, t0)
	var names []string
	for _, s := range pr.Critical {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, " > "); got != "pull base > apt > merge" {
		t.Errorf("critical chain %q", got)
	}
	if pr.SolveEnd != 40.2 || pr.ExportEnd != 60 || pr.FirstStep != 1 || pr.Steps != 5 {
		t.Errorf("profile %+v", pr)
	}
	if len(pr.Export) != 2 || pr.Export[0].Name != "exporting layers" || pr.Export[0].Secs != 17.8 {
		t.Errorf("export %+v", pr.Export)
	}
}

func TestCompareFileLists(t *testing.T) {
	a := map[string]entry{
		"/usr/bin/bazel":                      {Type: "f", Mode: 0o755, Size: 10},
		"/usr/local/bin/buf":                  {Type: "f", Mode: 0o755, Size: 20},
		"/bin":                                {Type: "l", Mode: 0o777, Link: "usr/bin"},
		"/usr/share/builder-frontend/tools/x": {Type: "f", Mode: 0o644, Size: 1},
		"/only-a":                             {Type: "d", Mode: 0o755},
	}
	b := map[string]entry{
		"/usr/bin/bazel":     {Type: "f", Mode: 0o755, Size: 11},
		"/usr/local/bin/buf": {Type: "f", Mode: 0o700, Size: 20},
		"/bin":               {Type: "l", Mode: 0o777, Link: "usr/bin"},
		"/only-b":            {Type: "f", Mode: 0o644},
	}
	d := compareFileLists(a, b)
	if d.Same() || d.Paths != 5 {
		t.Fatalf("diff %+v", d)
	}
	if strings.Join(d.OnlyA, ",") != "/only-a" || strings.Join(d.OnlyB, ",") != "/only-b" {
		t.Errorf("only: %v %v", d.OnlyA, d.OnlyB)
	}
	if len(d.Meta) != 1 || !strings.HasPrefix(d.Meta[0], "/usr/local/bin/buf:") {
		t.Errorf("meta: %v", d.Meta)
	}
	if len(d.Sizes) != 1 || !strings.HasPrefix(d.Sizes[0], "/usr/bin/bazel:") {
		t.Errorf("sizes: %v", d.Sizes)
	}

	// Contents are not compared: a log of the same size with other
	// timestamps is the same entry (the package database is compared apart).
	log := map[string]entry{"/var/log/dpkg.log": {Type: "f", Mode: 0o644, Size: 60917, SHA256: "aa"}}
	other := map[string]entry{"/var/log/dpkg.log": {Type: "f", Mode: 0o644, Size: 60917, SHA256: "bb"}}
	if d := compareFileLists(log, other); !d.Same() || len(d.Sizes) != 0 {
		t.Errorf("a content difference counted: %+v", d)
	}
}
