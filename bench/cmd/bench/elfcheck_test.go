package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// progressStep is one vertex of a synthetic rawjson stream: seconds after t0, the digests of its inputs.
type progressStep struct {
	id, name   string
	start, end float64
	inputs     []string
	cached     bool
}

// rawProgress is what `buildx build --progress=rawjson` prints for steps: a started line and a completed line
// per vertex, as BuildKit sends them.
func rawProgress(t *testing.T, t0 time.Time, steps []progressStep) string {
	t.Helper()
	at := func(s float64) *time.Time { x := t0.Add(time.Duration(s * float64(time.Second))); return &x }
	var b strings.Builder
	for _, phase := range []bool{false, true} {
		for _, s := range steps {
			var ss solveStatus
			ss.Vertexes = slices.Grow(ss.Vertexes, 1)[:1]
			v := &ss.Vertexes[0]
			v.Digest, v.Inputs, v.Name, v.Started, v.Cached = s.id, s.inputs, s.name, at(s.start), s.cached
			if phase {
				v.Completed = at(s.end)
			}
			line, err := json.Marshal(ss)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(append(line, '\n'))
		}
	}
	return b.String()
}

// elfCheckProgress is a frontend cold build's tool layers: go unpacked by our unpacker for both platforms,
// clang-llvm and cosign (no ELF check: foreign binaries) by the daemon, bazel a raw file, protoc-gen-go compiled.
// The check of go for linux/amd64 is on the critical chain; its install waits 2 s after the check.
func elfCheckProgress(t *testing.T, t0 time.Time) *Profile {
	t.Helper()
	const helper = "sha256:helper"
	stream := rawProgress(t, t0, []progressStep{
		{helper, "docker-image://127.0.0.1:5000/builder-frontend:dev", 0, 0.5, nil, false},
		{"d1", "[go linux/amd64] download http://127.0.0.1:8080/go1.26.8.linux-amd64.tar.gz", 0, 2, nil, false},
		{"u1", "[go linux/amd64] unpack go.tar.gz natively", 2, 9.5, []string{helper, "d1"}, false},
		{"c1", "[go linux/amd64] check ELF machines", 9.6, 10.4, []string{helper, "u1"}, false},
		{"i1", "[go linux/amd64] install into /usr/local/go", 12.4, 13.5, []string{"u1", "c1"}, false},
		{"d6", "[go linux/arm64] download http://127.0.0.1:8080/go1.26.8.linux-arm64.tar.gz", 0, 2, nil, false},
		{"u6", "[go linux/arm64] unpack go.tar.gz natively", 2, 8, []string{helper, "d6"}, false},
		{"c6", "[go linux/arm64] check ELF machines", 8, 8.3, []string{helper, "u6"}, false},
		{"i6", "[go linux/arm64] install into /usr/local/go", 8.4, 8.6, []string{"u6", "c6"}, false},
		{"d2", "[clang-llvm linux/amd64] download http://127.0.0.1:8080/clang-llvm.tar.xz", 0, 1, nil, false},
		{"u2", "[clang-llvm linux/amd64] unpack clang-llvm.tar.xz", 1, 7, []string{"d2"}, false},
		{"c2", "[clang-llvm linux/amd64] check ELF machines", 7, 8.2, []string{helper, "u2"}, false},
		{"i2", "[clang-llvm linux/amd64] install into /usr/lib/llvm", 8.5, 8.8, []string{"u2", "c2"}, false},
		{"d5", "[cosign linux/arm64] download http://127.0.0.1:8080/cosign.tar.gz", 0.5, 1, nil, false},
		{"u5", "[cosign linux/arm64] unpack cosign.tar.gz", 1, 1.5, []string{"d5"}, false},
		{"i5", "[cosign linux/arm64] install into /usr/local/bin", 1.6, 1.7, []string{"u5"}, false},
		{"d3", "[bazel linux/arm64] download http://127.0.0.1:8080/bazel-7.4.1-linux-arm64", 0, 0.4, nil, false},
		{"c3", "[bazel linux/arm64] check ELF machines", 0.5, 0.6, []string{helper, "d3"}, false},
		{"i3", "[bazel linux/arm64] install into /usr/bin/bazel", 0.6, 0.7, []string{"d3", "c3"}, false},
		{"g4", "[protoc-gen-go linux/arm64] go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.6 (natively on linux/amd64)", 3, 10, []string{"u1"}, false},
		{"c4", "[protoc-gen-go linux/arm64] check ELF machines", 10, 10.6, []string{helper, "g4"}, false},
		{"i4", "[protoc-gen-go linux/arm64] install /usr/local/bin/protoc-gen-go", 10.7, 10.8, []string{"g4", "c4"}, false},
		{"p", "[packages linux/arm64] apt install ca-certificates curl", 0.5, 5, nil, false},
		{"m", "merge tool layers", 13.5, 13.6, []string{"i1", "i2", "i3", "i4", "i5", "i6", "p"}, false},
		{"e", "exporting to image", 13.6, 15, []string{"m"}, false},
	})
	vs, err := readProgress(strings.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	return profile(vs, t0)
}

// withELFChecks gives sampleResults' frontend cold builds the tool layers of elfCheckProgress; round 2's check of
// go for linux/amd64 took 1.1 s instead of 0.8 s.
func withELFChecks(t *testing.T, res *Results) *Results {
	for _, b := range res.Builds {
		if b.Variant == "frontend" && b.Kind == "cold" {
			b.Profile = elfCheckProgress(t, b.Start)
			if b.Round == 2 {
				for i := range b.Profile.Tools {
					if b.Profile.Tools[i].Name == "[go linux/amd64] check ELF machines" {
						b.Profile.Tools[i].Secs = 1.1
					}
				}
			}
		}
	}
	return res
}

// TestELFCheckSection: the section's rows and findings are computed from the median cold build's tool layer
// steps; a run without check steps says it has none to report.
func TestELFCheckSection(t *testing.T) {
	res := withELFChecks(t, sampleResults())
	out := filepath.Join(t.TempDir(), "performance.md")
	if err := writeReport(res, out); err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(out)
	_, sec, ok := strings.Cut(string(doc), "\n## The ELF check and the unpack routes\n")
	if !ok {
		t.Fatalf("the report has no ELF check section:\n%s", doc)
	}
	want := `
From the cold build of the builder spec (frontend, native packages) in round 1 (238.6 s), the one [Where the time goes](#where-the-time-goes)
profiles: per tool layer and platform, the step that unpacked its archive (` + "`unpack FILE natively`" + `: our unpacker on
the build platform; ` + "`unpack FILE`" + `: the daemon), its ELF check (` + "`check ELF machines`" + `) and its install, with the wait
between the install's inputs being ready and its start. Seconds are the steps' times in the build's rawjson
progress; "–" where the layer has no such step or it was cached.

| tool | platform | unpacked by | unpack (s) | check (s) | check ÷ unpack | wait before install (s) | install (s) |
|---|---|---|---:|---:|---:|---:|---:|
| go | linux/amd64 | our unpacker | 7.50 | 0.80 | 11 % | 2.00 | 1.10 |
| go | linux/arm64 | our unpacker | 6.00 | 0.30 | 5 % | 0.10 | 0.20 |
| clang-llvm | linux/amd64 | the daemon | 6.00 | 1.20 | 20 % | 0.30 | 0.30 |
| cosign | linux/arm64 | the daemon | 0.50 | – | – | 0.10 | 0.10 |
| bazel | linux/arm64 | none | – | 0.10 | – | 0.00 | 0.10 |
| protoc-gen-go | linux/arm64 | none (go install) | – | 0.60 | – | 0.10 | 0.10 |

- This build ran 5 ELF checks, 3.00 s in all (the longest ` + "`[clang-llvm linux/amd64] check ELF machines`" + `, 1.20 s); at least one of them was running for 2.40 s of its 238.6 s (1.0 %); on its critical chain: ` + "`[go linux/amd64] check ELF machines`" + `, 0.80 s of the chain's 13.6 s.
- The check's seconds as a share of the same layer's unpack: on our unpacker's route 5 % (go linux/arm64) to 11 % (go linux/amd64), 2 layers; on the daemon's route 20 % (clang-llvm linux/amd64, the only layer).
- The longest wait between an install's inputs being ready and its start, of 6 installs: 2.00 s, ` + "`[go linux/amd64] install into /usr/local/go`" + `.
- Across the 2 cold builds with ELF checks (frontend), the checks summed to 3.00–3.30 s.
`
	if sec != want {
		t.Errorf("the ELF check section:\n%s\nwant:\n%s", sec, want)
	}

	// What results.json keeps of the steps is what the report is made from again (-report-only).
	pr := res.Builds[0].Profile
	data, err := json.Marshal(pr)
	if err != nil {
		t.Fatal(err)
	}
	var back Profile
	if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(back.Tools, pr.Tools) {
		t.Errorf("the tool steps after a round trip through JSON: %v\n%+v\nwant\n%+v", err, back.Tools, pr.Tools)
	}

	for _, c := range []struct {
		name   string
		change func(*Results)
		want   string
	}{
		{"profiles from before the check", func(*Results) {},
			"This build has no `check ELF machines` step among its 0 tool layer steps: there are no check steps to report.\n"},
		{"tool layers without checks", func(r *Results) {
			withELFChecks(t, r)
			for _, b := range r.Builds {
				if b.Profile != nil {
					b.Profile.Tools = slices.DeleteFunc(b.Profile.Tools, func(st ToolStep) bool { return strings.HasSuffix(st.Name, "] check ELF machines") })
				}
			}
		}, "This build has no `check ELF machines` step among its 11 tool layer steps: there are no check steps to report.\n"},
		{"no frontend builds", func(r *Results) { *r = Results{} },
			"No cold build of the frontend was profiled in this run: there are no check steps to report.\n"},
	} {
		res := sampleResults()
		c.change(res)
		if err := writeReport(res, out); err != nil {
			t.Fatal(err)
		}
		doc, _ := os.ReadFile(out)
		if !strings.HasSuffix(string(doc), "\n\n"+c.want) {
			t.Errorf("%s: the report ends:\n%s\nwant it to end with:\n%s", c.name, tail(string(doc), 600), c.want)
		}
		if strings.Contains(string(doc), "| tool | platform | unpacked by |") || strings.Contains(string(doc), "ELF checks,") {
			t.Errorf("%s: the report has check rows or findings without check steps:\n%s", c.name, tail(string(doc), 1200))
		}
	}
}

// TestToolStepOf: the tool layers' steps by their names; the frontend's other steps are none of them.
func TestToolStepOf(t *testing.T) {
	for name, want := range map[string]toolStep{
		"[go linux/amd64] unpack go.tar.gz natively":               {"go", "linux/amd64", stepUnpackOurs},
		"[clang-llvm linux/arm64] unpack clang-llvm.tar.xz":        {"clang-llvm", "linux/arm64", stepUnpackDaemon},
		"[x linux/arm/v7] check ELF machines":                      {"x", "linux/arm/v7", stepCheck},
		"[go linux/amd64] install into /usr/local/go":              {"go", "linux/amd64", stepInstall},
		"[gr linux/arm64] install /usr/local/bin/gr":               {"gr", "linux/arm64", stepInstall},
		"[gr linux/arm64] go install example.com/gr@v1 (natively)": {"gr", "linux/arm64", stepGoInstall},
	} {
		if got, ok := toolStepOf(name); !ok || got != want {
			t.Errorf("toolStepOf(%q) = %+v, %v; want %+v", name, got, ok, want)
		}
	}
	for _, name := range []string{
		"[packages linux/arm64] apt install ca-certificates",
		"[packages linux/arm64] dnf install git (natively on linux/amd64)",
		"[go linux/amd64] why the unpack of go.tar.gz failed",
		"[go linux/amd64] list the executables linux/amd64 cannot run",
		"[go linux/amd64] download http://127.0.0.1/go.tar.gz",
		"[linux/amd64 run 1/2] install things",
		"[linux/arm64] base 127.0.0.1:5000/debian:12",
		"merge tool layers",
	} {
		if got, ok := toolStepOf(name); ok {
			t.Errorf("toolStepOf(%q) = %+v, want none", name, got)
		}
	}
}

func tail(s string, n int) string { return s[max(0, len(s)-n):] }
