package frontend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"

	bk "github.com/moby/buildkit/client/llb"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/grpcerrors"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/grpc/codes"

	"github.com/maistra/builder-frontend/llb"
	"github.com/maistra/builder-frontend/spec"
)

// explainSpec has a step of every kind, with the names docs/spec.md's
// build-failure table uses.
const explainSpec = `version: 1
platforms: [linux/amd64, linux/arm64]
images:
  builder:
    base: example.com/base:1
    packages:
      manager: dnf
      install: [git, make]
    tools:
      - name: helm
        version: v3.16.0
        url: https://get.helm.sh/helm-${version}-linux-${arch}.tar.gz
        sha256:
          linux/amd64: 1111111111111111111111111111111111111111111111111111111111111111
          linux/arm64: 2222222222222222222222222222222222222222222222222222222222222222
        strip: 1
        take: [tiller]
        dest: /usr/local/bin
      - name: bazel
        version: 7.4.1
        url: https://releases.example.com/bazel-${version}-linux-${arch}
        authSecret: releases-auth
        sha256:
          linux/amd64: 3333333333333333333333333333333333333333333333333333333333333333
          linux/arm64: 4444444444444444444444444444444444444444444444444444444444444444
        dest: /usr/bin/bazel
      - name: clang-llvm
        version: 19.1.7
        url: https://releases.example.com/clang+llvm-${version}-${arch}.tar.xz
        sha256:
          linux/amd64: 5555555555555555555555555555555555555555555555555555555555555555
          linux/arm64: 6666666666666666666666666666666666666666666666666666666666666666
        strip: 1
        dest: /usr/local
      - name: protoc
        version: "25.1"
        url: https://releases.example.com/protoc-${version}-linux-${arch}.zip
        sha256:
          linux/amd64: 7777777777777777777777777777777777777777777777777777777777777777
          linux/arm64: 8888888888888888888888888888888888888888888888888888888888888888
        take: [bin/protoc]
        dest: /usr/local
      - name: go
        version: 1.26.8
        url: https://go.dev/dl/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: 9999999999999999999999999999999999999999999999999999999999999999
          linux/arm64: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
        strip: 1
        dest: /usr/local/go
    goTools:
      - name: go-junit-report
        package: github.com/jstemmer/go-junit-report/v2
        version: v2.99.0
    run:
      - name: arm64 only fails
        command: test "$(uname -m)" != aarch64
`

// explained is the graph of explainSpec for linux/arm64 built on
// linux/amd64, and each op's digest (the vertex the daemon names in an
// error) by its progress name.
type explained struct {
	graph  *llb.Graph
	target ocispecs.Platform
	ops    map[string]digest.Digest
	op     map[digest.Digest]*pb.Op
}

func planExplainSpec(t *testing.T) *explained {
	t.Helper()
	s, err := spec.Parse("builder.yaml", []byte(explainSpec))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Resolve("linux/arm64", spec.Options{BuildPlatform: "linux/amd64"})
	if err != nil {
		t.Fatal(err)
	}
	target := ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	helper := bk.Image("example.com/builder-frontend:test")
	g, err := llb.Build(r, llb.Options{
		BuildPlatform:  ocispecs.Platform{OS: "linux", Architecture: "amd64"},
		TargetPlatform: target,
		Base:           bk.Image("example.com/base:1", bk.Platform(target)),
		Helper:         &helper,
		MergeOp:        true,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The daemon names an op by the digest of its bytes in the definition
	// it was sent: the whole graph's.
	def, err := g.State.Marshal(context.Background(), bk.Platform(target))
	if err != nil {
		t.Fatal(err)
	}
	e := &explained{graph: g, target: target}
	e.ops, e.op = opsOf(t, def)
	return e
}

// opsOf are the ops of def by digest, and the digests by progress name.
func opsOf(t *testing.T, def *bk.Definition) (map[string]digest.Digest, map[digest.Digest]*pb.Op) {
	t.Helper()
	names, ops := map[string]digest.Digest{}, map[digest.Digest]*pb.Op{}
	for _, dt := range def.Def {
		d := digest.FromBytes(dt)
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		ops[d] = &op
		if name := def.Metadata[d].Description["llb.customname"]; name != "" {
			names[name] = d
		}
	}
	return names, ops
}

// vertex is the op whose progress name starts with prefix.
func (e *explained) vertex(t *testing.T, prefix string) digest.Digest {
	t.Helper()
	var found []digest.Digest
	for name, d := range e.ops {
		if strings.HasPrefix(name, prefix) {
			found = append(found, d)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d ops named %q…, want one; the ops: %v", len(found), prefix, e.ops)
	}
	return found[0]
}

// fromDaemon is cause as the frontend's Solve returns it when the daemon
// fails op: wrapped as the solver does (solver/jobs.go: WithOp, then
// WrapVertex), as the gateway does (wrapSolveError: WithSolveError, with the
// subject a file action has), then sent over gRPC (ToGRPC in the daemon,
// FromGRPC in the frontend's gateway client).
func fromDaemon(cause error, vertex digest.Digest, op *pb.Op, subject errdefs.IsSolve_Subject) error {
	err := errdefs.WithOp(cause, op, map[string]string{"llb.customname": "…"})
	err = errdefs.WrapVertex(err, vertex)
	err = errdefs.WithSolveError(err, subject, []string{"input-0"}, []string{"mount-0"})
	return grpcerrors.FromGRPC(grpcerrors.ToGRPC(context.Background(), err))
}

// execFailed is what the executor and the exec op return for a process
// that exits with code (runcexecutor's exitError, ops/exec.go's Wrapf).
func execFailed(args string, code uint32) error {
	return fmt.Errorf("process %q did not complete successfully: %w", args, &gwpb.ExitError{ExitCode: code})
}

var fileAction = &errdefs.Solve_File{File: &errdefs.FileAction{Index: 0}}

func TestExplainEveryStepKind(t *testing.T) {
	e := planExplainSpec(t)
	const (
		helmURL   = "https://get.helm.sh/helm-v3.16.0-linux-arm64.tar.gz"
		bazelURL  = "https://releases.example.com/bazel-7.4.1-linux-arm64"
		clangURL  = "https://releases.example.com/clang+llvm-19.1.7-arm64.tar.xz"
		protocURL = "https://releases.example.com/protoc-25.1-linux-arm64.zip"
		got       = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	)
	refused := &url.Error{Op: "Get", URL: helmURL, Err: &net.OpError{Op: "dial", Net: "tcp",
		Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	cases := []struct {
		name    string
		kind    llb.StepKind
		op      string // the failed op's progress name, up to a unique prefix
		cause   error
		subject errdefs.IsSolve_Subject
		want    string
		exit    int // the exit code the explained error must still carry, 0 for none
		// docRow starts the first column of the row of docs/spec.md's
		// build-failure table whose message want must fit.
		docRow string
	}{
		{
			name:   "download, content does not match the sha256",
			docRow: "download, content does not match",
			kind:   llb.StepDownload,
			op:     "[helm linux/arm64] download ",
			cause:  fmt.Errorf("digest mismatch for %s: %s (expected: sha256:2222222222222222222222222222222222222222222222222222222222222222)", helmURL, got),
			want: `tool "helm" (linux/arm64): the download from ` + helmURL + ` does not match its sha256 (got ` + got + `): the server may have answered with an error page (a wrong URL or version: try curl -fL ` + helmURL +
				` | sha256sum), or the file was re-published upstream (verify it, then update its sha256, e.g. with builder lock)`,
		},
		{
			name:   "download, content changed after the digest was checked",
			docRow: "download, content does not match",
			kind:   llb.StepDownload,
			op:     "[helm linux/arm64] download ",
			cause:  fmt.Errorf("digest mismatch %s: sha256:2222222222222222222222222222222222222222222222222222222222222222", got),
			want: `tool "helm" (linux/arm64): the download from ` + helmURL + ` does not match its sha256 (got ` + got + `): the server may have answered with an error page (a wrong URL or version: try curl -fL ` + helmURL +
				` | sha256sum), or the file was re-published upstream (verify it, then update its sha256, e.g. with builder lock)`,
		},
		{
			name:   "download, authSecret not passed",
			docRow: "download, `authSecret` not passed",
			kind:   llb.StepDownload,
			op:     "[bazel linux/arm64] download ",
			cause:  fmt.Errorf("failed to retrieve HTTP auth secret releases-auth: %w", errors.New("secret releases-auth: not found")),
			want: `tool "bazel" (linux/arm64): cannot download ` + bazelURL + `: failed to retrieve HTTP auth secret releases-auth: secret releases-auth: not found; ` +
				`pass the secret named by authSecret: --secret id=NAME,src=FILE (the file holds the whole Authorization header)`,
		},
		{
			name:   "download, connection closed early",
			docRow: "download, connection closed early",
			kind:   llb.StepDownload,
			op:     "[helm linux/arm64] download ",
			cause:  fmt.Errorf("failed to copy: %w", io.ErrUnexpectedEOF),
			want: `tool "helm" (linux/arm64): cannot download ` + helmURL + `: the connection closed before the whole file arrived (failed to copy: unexpected EOF); ` +
				`retry, and check the server or proxy in between`,
		},
		{
			name:   "download, anything else",
			docRow: "download, anything else",
			kind:   llb.StepDownload,
			op:     "[helm linux/arm64] download ",
			cause:  refused,
			want: `tool "helm" (linux/arm64): cannot download ` + helmURL + `: Get "` + helmURL + `": dial tcp 127.0.0.1:1: connect: connection refused; ` +
				`check the URL template and the version, and that the daemon can reach the host`,
		},
		{
			name:    "unpack by the daemon",
			docRow:  "unpack by the daemon",
			kind:    llb.StepUnpack,
			op:      "[clang-llvm linux/arm64] unpack clang-llvm.tar.xz",
			cause:   errors.New("failed to copy files: xz: data is truncated or corrupt"),
			subject: fileAction,
			want: `tool "clang-llvm" (linux/arm64): cannot unpack the tar.xz from ` + clangURL + `: failed to copy files: xz: data is truncated or corrupt; ` +
				`check form: (the file may not be a tar.xz archive)`,
		},
		{
			name:   "unpack by the frontend's unpacker",
			docRow: "unpack by the daemon",
			kind:   llb.StepUnpack,
			op:     "[protoc linux/arm64] unpack protoc.zip natively",
			cause:  execFailed("/builder-frontend unpack --form zip", 1),
			want: `tool "protoc" (linux/arm64): cannot unpack the zip from ` + protocURL + `: process "/builder-frontend unpack --form zip" did not complete successfully: exit code: 1; ` +
				`check form: (the file may not be a zip archive)`,
			exit: 1,
		},
		{
			name:    "install, archive",
			docRow:  "install, archive",
			kind:    llb.StepInstall,
			op:      "[helm linux/arm64] install into ",
			cause:   errors.New("failed to copy files: /*/tiller not found"),
			subject: fileAction,
			want: `tool "helm" (linux/arm64): cannot install from ` + helmURL + ` (tar.gz archive, strip 1, take tiller): failed to copy files: /*/tiller not found; ` +
				`the take paths and strip must match the archive's layout (list it with tar -tf or unzip -l), and the file must be a real archive of that form (else set form:)`,
		},
		{
			name:    "install, raw binary",
			docRow:  "install, raw binary",
			kind:    llb.StepInstall,
			op:      "[bazel linux/arm64] install into ",
			cause:   errors.New("mkdir /usr/bin/bazel: not a directory"),
			subject: fileAction,
			want: `tool "bazel" (linux/arm64): cannot install the file from ` + bazelURL + `: mkdir /usr/bin/bazel: not a directory` +
				`; check dest and links: this step writes the file at dest, each link and the tool's manifest, so none may lie under another`,
		},
		{
			name:   "Go compile",
			docRow: "Go compile",
			kind:   llb.StepCompile,
			op:     "[go-junit-report linux/arm64] go install ",
			cause:  execFailed("/usr/local/go/bin/go install", 1),
			want: `Go tool "go-junit-report" (linux/arm64): go install github.com/jstemmer/go-junit-report/v2@v2.99.0 (natively on linux/amd64) failed: ` +
				`process "/usr/local/go/bin/go install" did not complete successfully: exit code: 1; ` +
				`the compiler's output is above: check that the package and version exist in GOPROXY and that the module builds`,
			exit: 1,
		},
		{
			name:   "package step",
			docRow: "package step",
			kind:   llb.StepPackages,
			op:     "[packages linux/arm64] dnf install git make",
			cause:  execFailed("/bin/sh -c set -eu", 127),
			want: `packages (dnf, linux/arm64): installing git make failed: process "/bin/sh -c set -eu" did not complete successfully: exit code: 127; ` +
				`the package manager's output is above`,
			exit: 127,
		},
		{
			name:   "run step",
			docRow: "run step",
			kind:   llb.StepRun,
			op:     "[linux/arm64 run 1/1] arm64 only fails",
			cause:  execFailed(`/bin/sh -c test "$(uname -m)" != aarch64`, 1),
			want:   `run step 1 "arm64 only fails" (linux/arm64) failed: process "/bin/sh -c test \"$(uname -m)\" != aarch64" did not complete successfully: exit code: 1`,
			exit:   1,
		},
	}
	doc, err := os.ReadFile("../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[llb.StepKind]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kinds[tc.kind] = true
			if re := documented(t, doc, tc.docRow); !re.MatchString(tc.want) {
				t.Errorf("docs/spec.md's row %q (%s) does not fit\n%s", tc.docRow, re, tc.want)
			}
			v := e.vertex(t, tc.op)
			in := fromDaemon(tc.cause, v, e.op[v], tc.subject)
			out := explain(context.Background(), in, e.graph, e.target, noReasons{})
			if out.Error() != tc.want {
				t.Errorf("explained as\n%s\nwant\n%s", out, tc.want)
			}
			// buildx gets the explained message with the daemon's details:
			// the vertex (for the step's output and spec lines) and the
			// exit code.
			sent := grpcerrors.FromGRPC(grpcerrors.ToGRPC(context.Background(), out))
			if sent.Error() != tc.want {
				t.Errorf("sent to the client as\n%s\nwant\n%s", sent, tc.want)
			}
			var ve *errdefs.VertexError
			if !errors.As(sent, &ve) || ve.Digest != v.String() {
				t.Errorf("the client's error lost the vertex %s: %#v", v, ve)
			}
			var se *errdefs.SolveError
			if !errors.As(sent, &se) || se.Op == nil {
				t.Errorf("the client's error lost the failed op: %#v", se)
			}
			var ee *gwpb.ExitError
			if errors.As(sent, &ee) != (tc.exit != 0) || (ee != nil && int(ee.ExitCode) != tc.exit) {
				t.Errorf("the client's error has exit error %#v, want exit code %d", ee, tc.exit)
			}
			if code := grpcerrors.Code(sent); code != codes.Unknown {
				t.Errorf("gRPC code %v, want the daemon's (Unknown)", code)
			}
		})
	}
	for _, k := range []llb.StepKind{llb.StepDownload, llb.StepUnpack, llb.StepInstall, llb.StepCompile, llb.StepPackages, llb.StepRun} {
		if !kinds[k] {
			t.Errorf("no case for steps of kind %s", k)
		}
	}
}

// An error for an op that is no step of the spec (the base image), or one
// without a vertex, is passed on as the daemon reported it.
func TestExplainPassesOnOtherErrors(t *testing.T) {
	e := planExplainSpec(t)
	var base digest.Digest
	for d, op := range e.op {
		if strings.HasPrefix(op.GetSource().GetIdentifier(), "docker-image://example.com/base:1") {
			base = d
		}
	}
	if base == "" {
		t.Fatal("no op pulls the base image")
	}
	for name, in := range map[string]error{
		"the base image": fromDaemon(errors.New("failed to resolve source metadata for example.com/base:1: not found"), base, e.op[base], nil),
		"no vertex":      grpcerrors.FromGRPC(grpcerrors.ToGRPC(context.Background(), errors.New("no active session"))),
	} {
		if out := explain(context.Background(), in, e.graph, e.target, noReasons{}); out != in {
			t.Errorf("%s: %v was retold as %v", name, in, out)
		}
	}
}

// documented is the message of the build-failure table's row whose first
// column starts with row, as a pattern: "…" (the daemon's part) matches
// anything, URL and HEX a URL and a digest, and the names, platforms and
// form of the example any name, platform and form.
func documented(t *testing.T, doc []byte, row string) *regexp.Regexp {
	t.Helper()
	for _, line := range strings.Split(string(doc), "\n") {
		if !strings.HasPrefix(line, "| "+row) {
			continue
		}
		cols := strings.SplitN(strings.ReplaceAll(line, `\|`, "\x00"), " | ", 2)
		if len(cols) != 2 {
			break
		}
		msg, _, ok := strings.Cut(strings.TrimPrefix(cols[1], "`"), "`")
		if !ok || !strings.HasPrefix(cols[1], "`") {
			t.Fatalf("docs/spec.md's row %q gives no message in backquotes", row)
		}
		pat := regexp.QuoteMeta(strings.ReplaceAll(msg, "\x00", "|"))
		for _, r := range []struct{ from, to string }{
			{`…`, `.*`},
			{`URL`, `\S+`},
			{`HEX`, `[0-9a-f]{64}`},
			{`"[^"]+"`, `"[^"]+"`},
			{`linux/(amd64|arm64)`, `linux/\w+`},
			{`tar\\\.xz`, `[a-z0-9.]+`},              // the unpack row's form
			{`\\\((?:apt|dnf), `, `\((?:apt|dnf), `}, // a package step's manager
			{`post-installation`, `[a-z-]+`},         // a maintainer script
			{`hello-1\\\.0-1\\\.aarch64`, `\S+`},     // a package's NEVRA
		} {
			pat = regexp.MustCompile(r.from).ReplaceAllLiteralString(pat, r.to)
		}
		return regexp.MustCompile("^" + pat + "$")
	}
	t.Fatalf("docs/spec.md has no build-failure row %q", row)
	return nil
}

// noReasons stands in for a daemon that has no more to say about a failed
// step: explain falls back to what the step and the error tell.
type noReasons struct{}

func (noReasons) report(context.Context, bk.State) (string, error) {
	return "", errors.New("no report in this test")
}

func (noReasons) sharedDownload(string, string) (string, []string) { return "", nil }

func (noReasons) failedFile(context.Context, error, string) ([]byte, error) {
	return nil, errors.New("no daemon")
}
