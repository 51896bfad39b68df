package drift

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func readIstio(t *testing.T, branch string) *Dockerfile {
	t.Helper()
	data, err := os.ReadFile("testdata/istio/" + branch + ".Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df, err := ReadDockerfile(branch+".Dockerfile", data)
	if err != nil {
		t.Fatal(err)
	}
	return df
}

// findings lists the findings of kind and name as "VALUE@STAGE:LINE",
// with "(unset)" after the value when it rests on an unset variable.
func findings(df *Dockerfile, kind, name string) []string {
	var out []string
	for _, f := range df.Findings {
		if f.Kind == kind && f.Name == name {
			s := fmt.Sprintf("%s@%s:%d", f.Value, f.Stage, f.Line)
			if f.Unset {
				s = f.Value + "(unset)@" + f.Stage + fmt.Sprintf(":%d", f.Line)
			}
			out = append(out, s)
		}
	}
	return out
}

// TestReadDockerfileIstio reads the real build-tools Dockerfile and checks
// each trap REPORT-style research found in it: ENV lines per stage, quoted
// and composed values, the Go version in an image tag, go install lines
// with v and kubernetes- prefixes, an ARG given only at build time, stages
// chosen by ${TARGETARCH}.
func TestReadDockerfileIstio(t *testing.T) {
	df := readIstio(t, "release-1.31")
	for _, c := range []struct {
		kind, name string
		want       []string
	}{
		// ARG GOLANG_IMAGE before the first FROM, and FROM ${GOLANG_IMAGE}.
		{"env", "GOLANG_IMAGE", []string{"golang:1.26.5-bookworm@:32"}},
		{"image", "golang", []string{"1.26.5-bookworm@:32", "1.26.5-bookworm@binary_tools_context_base:34"}},
		{"env", "GCLOUD_VERSION", []string{"558.0.0@binary_tools_context_base:48"}},
		// The same name in two stages, with the same value.
		{"env", "SU_EXEC_VERSION", []string{"0.3.1@binary_tools_context_base:88", "0.3.1@build_env_proxy:949"}},
		// Two stages, and in the proxy stage one value per architecture
		// (its parent stage is build_env_proxy_${TARGETARCH}).
		{"env", "DOCKER_VERSION", []string{"5:29.3.0-1~ubuntu.24.04~noble@base_os_context:591", "5:24.0.2-1~ubuntu.18.04~bionic@build_env_proxy:961", "5:24.0.2-1~ubuntu.20.04~focal@build_env_proxy:961"}},
		// Quoted; and composed of three others.
		{"env", "BAZELISK_VERSION", []string{"v1.24.0@bazel_context:917"}},
		{"env", "BAZELISK_URL", []string{
			"https://github.com/bazelbuild/bazelisk/releases/download/v1.24.0/bazelisk-linux-amd64@bazel_context:920",
			"https://github.com/bazelbuild/bazelisk/releases/download/v1.24.0/bazelisk-linux-arm64@bazel_context:920",
		}},
		// go install, each at the line of its argument.
		{"go", "golang.org/x/tools/cmd/goimports", []string{"v0.42.0@go_tools_1:340"}},
		{"go", "github.com/mikefarah/yq/v4", []string{"v4.52.4@go_tools_1:400"}},
		{"go", "k8s.io/code-generator/cmd/deepcopy-gen", []string{"kubernetes-1.29.4@go_tools_1:409"}},
		{"go", "k8s.io/test-infra/robots/pr-creator", []string{"70b809241c9cf08ceb86a9a91ed1909e75e3378c@go_tools_1:420"}},
		{"go", "github.com/theupdateframework/go-tuf/cmd/tuf-client", []string{"latest@binary_tools_context_base:247"}},
		{"go", "istio.io/tools/cmd/protoc-gen-crd", []string{"${ISTIO_TOOLS_SHA}(unset)@go_tools_2:447"}},
		// ADD of a URL with a variable in it.
		{"url", "https://github.com/NobodyXu/su-exec/archive/refs/tags/v0.3.1.tar.gz", []string{
			"https://github.com/NobodyXu/su-exec/archive/refs/tags/v0.3.1.tar.gz@binary_tools_context_base:198",
			"https://github.com/NobodyXu/su-exec/archive/refs/tags/v0.3.1.tar.gz@build_env_proxy:1080",
		}},
		// A shell variable the Dockerfile does not set stays as written.
		{"url", "https://dl.google.com/dl/cloudsdk/channels/rapid/downloads/${GCLOUD_TAR_FILE}", []string{
			"https://dl.google.com/dl/cloudsdk/channels/rapid/downloads/${GCLOUD_TAR_FILE}@binary_tools_context_base:219",
		}},
		// An ARG without a value is no finding of its own.
		{"env", "ISTIO_TOOLS_SHA", nil},
		{"env", "TARGETARCH", nil},
	} {
		if got := findings(df, c.kind, c.name); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s %s:\n got %q\nwant %q", c.kind, c.name, got, c.want)
		}
	}
}

// TestReadDockerfileBranches: the version values that differ between the
// checked-in branches are read as such.
func TestReadDockerfileBranches(t *testing.T) {
	value := func(df *Dockerfile, kind, name string) string {
		for _, f := range df.Findings {
			if f.Kind == kind && f.Name == name {
				return f.Value
			}
		}
		return ""
	}
	b29, b30, b31 := readIstio(t, "release-1.29"), readIstio(t, "release-1.30"), readIstio(t, "release-1.31")
	for _, c := range []struct{ kind, name, v29, v30 string }{
		{"image", "golang", "1.25.12-bookworm", "1.26.5-bookworm"},
		{"env", "GCLOUD_VERSION", "550.0.0", "558.0.0"},
		{"env", "HELM_VERSION", "v3.19.4", "v4.1.3"},
		{"go", "golang.org/x/tools/cmd/goimports", "v0.40.0", "v0.42.0"},
		{"go", "github.com/golangci/golangci-lint/v2/cmd/golangci-lint", "v2.8.0", "v2.11.3"},
		{"env", "SU_EXEC_VERSION", "0.3.1", "0.3.1"},
	} {
		if got := value(b29, c.kind, c.name); got != c.v29 {
			t.Errorf("release-1.29 %s %s = %q, want %q", c.kind, c.name, got, c.v29)
		}
		for _, df := range []*Dockerfile{b30, b31} {
			if got := value(df, c.kind, c.name); got != c.v30 {
				t.Errorf("%s %s %s = %q, want %q", df.File, c.kind, c.name, got, c.v30)
			}
		}
	}
}

func TestReadDockerfileForms(t *testing.T) {
	for _, c := range []struct {
		name, text string
		kind, key  string
		want       []string
	}{
		{name: "meta ARG taken by a stage ARG without a value", text: "ARG V=1.2\nFROM scratch AS a\nARG V\nENV X=v${V}\n", kind: "env", key: "X", want: []string{"v1.2@a:4"}},
		{name: "ENV is inherited by a stage built FROM it", text: "FROM scratch AS a\nENV V=3\nFROM a AS b\nENV W=${V}.1\n", kind: "env", key: "W", want: []string{"3.1@b:4"}},
		{name: "stage named by index", text: "FROM scratch\nENV V=3\nFROM 0 AS b\nENV W=${V}\n", kind: "env", key: "W", want: []string{"3@b:4"}},
		{name: "ARG without a value anywhere is unset", text: "FROM scratch AS a\nARG SHA\nENV X=${SHA}\n", kind: "env", key: "X", want: []string{"(unset)@a:3"}},
		{name: "defaults of ${VAR:-x}", text: "FROM scratch AS a\nENV X=${NOPE:-9}\n", kind: "env", key: "X", want: []string{"9@a:2"}},
		{name: "an undeclared variable is empty", text: "FROM scratch AS a\nENV X=1${NOPE}\n", kind: "env", key: "X", want: []string{"1@a:2"}},
		{name: "a default does not pin an ARG the build passes", text: "FROM scratch AS a\nARG SHA\nENV X=${SHA:-main}\n", kind: "env", key: "X", want: []string{"main(unset)@a:3"}},
		{name: "several pairs on one ENV, quoted and escaped", text: "FROM scratch AS a\nENV A=\"1 2\" B=x\\ y\n", kind: "env", key: "B", want: []string{"x y@a:2"}},
		{name: "escape directive", text: "# escape=`\nFROM scratch AS a\nRUN go install `\n  example.com/x/cmd/y@v1\n", kind: "go", key: "example.com/x/cmd/y", want: []string{"v1@a:4"}},
		{name: "heredoc RUN", text: "FROM scratch AS a\nENV V=v2\nRUN <<EOF\ngo install example.com/x/cmd/y@${V}\nEOF\n", kind: "go", key: "example.com/x/cmd/y", want: []string{"v2@a:4"}},
		{name: "go install stops at the command's end", text: "FROM scratch AS a\nRUN go install -v example.com/a@v1 && echo example.com/b@v2\n", kind: "go", key: "example.com/b", want: nil},
		{name: "image in FROM with a registry", text: "FROM quay.io/fedora/fedora:43 AS a\n", kind: "image", key: "quay.io/fedora/fedora", want: []string{"43@a:1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			df, err := ReadDockerfile("Dockerfile", []byte(c.text))
			if err != nil {
				t.Fatal(err)
			}
			if got := findings(df, c.kind, c.key); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got %q, want %q\nall: %+v", got, c.want, df.Findings)
			}
		})
	}
}

func TestReadDockerfileErrors(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"unknown instruction", "FROM scratch\nFOO bar\n", "Dockerfile: not a Dockerfile: dockerfile parse error on line 2: unknown instruction: FOO"},
		{"instruction before FROM", "ENV A=1\n", "Dockerfile: not a Dockerfile: "},
		{"too large", "FROM scratch\n" + strings.Repeat("#", MaxInputSize), fmt.Sprintf("Dockerfile: %d bytes; a Dockerfile read by builder drift is at most %d", MaxInputSize+13, MaxInputSize)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadDockerfile("Dockerfile", []byte(c.text))
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error %v, want it to start with %q", err, c.want)
			}
		})
	}
}

// TestReadDockerfileBounded: values that double line after line stop
// growing at the expansion budget instead of taking the machine's memory.
func TestReadDockerfileBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("FROM scratch AS a\nENV A0=xxxxxxxxxxxxxxxx\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "ENV A%d=${A%d}${A%d}\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "RUN go install example.com/x@${A40}${A40}${A40}\n")
	df, err := ReadDockerfile("Dockerfile", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range df.Findings {
		if len(f.Value) > 2*expandBudget+100 {
			t.Fatalf("%s %s has %d bytes", f.Kind, f.Name, len(f.Value))
		}
		if f.Name == "A40" && !f.Unset {
			t.Errorf("A40 is cut at the budget but not marked unset")
		}
	}
}

func TestReadBazelVersion(t *testing.T) {
	for branch, want := range map[string]string{"release-1.29": "7.7.1", "release-1.30": "7.7.1", "release-1.31": "8.7.0"} {
		data, err := os.ReadFile("testdata/istio/" + branch + ".bazelversion")
		if err != nil {
			t.Fatal(err)
		}
		bv, err := ReadBazelVersion(branch+".bazelversion", data)
		if err != nil || bv.Version != want || bv.Line != 1 {
			t.Errorf("%s: %+v, %v; want %s at line 1", branch, bv, err, want)
		}
	}
	for _, c := range []struct{ text, want string }{
		{"# pinned\n\n  8.7.0rc1  \n", "8.7.0rc1 at 3"},
		{"last_green\n", "last_green at 1"},
		{"\n\n", ".bazelversion: holds no Bazel version; a .bazelversion file holds one, such as 8.7.0, on its first line"},
		{"8.7.0 --flag\n", `.bazelversion:1: "8.7.0 --flag" is not a Bazel version; a .bazelversion file holds one, such as 8.7.0, on its first line`},
		{"\x00\x01\n", `.bazelversion:1: "\x00\x01" is not a Bazel version; a .bazelversion file holds one, such as 8.7.0, on its first line`},
	} {
		bv, err := ReadBazelVersion(".bazelversion", []byte(c.text))
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = fmt.Sprintf("%s at %d", bv.Version, bv.Line)
		}
		if got != c.want {
			t.Errorf("%q: got %q, want %q", c.text, got, c.want)
		}
	}
}
