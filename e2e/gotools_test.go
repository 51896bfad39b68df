package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maistra/builder-frontend/internal/fixture"
	"github.com/maistra/builder-frontend/internal/lab"
)

const goVersion = "1.26.8"

// Real Go tools of a builder image, small enough to compile quickly.
var goToolModules = []string{
	"github.com/jstemmer/go-junit-report/v2@v2.1.0",
	"google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.6",
}

type goFixtures struct {
	toolchainSums map[string]string // goarch -> sha256
	proxyDir      string
}

var (
	goOnce sync.Once
	goFx   goFixtures
	goErr  error
)

// goSetup serves real Go toolchains (repacked from the module proxy's
// golang.org/toolchain zips, as go.dev ships them) and a GOPROXY holding the
// modules of goToolModules, made with `go install` into a module cache.
func goSetup(t *testing.T, e env) goFixtures {
	t.Helper()
	goOnce.Do(func() {
		cache := filepath.Join(e.RepoRoot(), "build", "cache")
		goFx.toolchainSums = map[string]string{}
		for _, arch := range []string{"amd64", "arm64"} {
			p, err := fixture.GoToolchain(filepath.Join(cache, "releases"), goVersion, arch)
			if err != nil {
				goErr = err
				return
			}
			sum, err := fileSHA256(p)
			if err != nil {
				goErr = err
				return
			}
			goFx.toolchainSums[arch] = sum
			e.Handle("/"+filepath.Base(p), serveFile(p))
		}
		goFx.proxyDir, goErr = fixture.GoProxy(filepath.Join(cache, "gomod"), goToolModules...)
		if goErr == nil {
			e.Handle("/goproxy/", http.StripPrefix("/goproxy", http.FileServer(http.Dir(goFx.proxyDir))))
		}
	})
	if goErr != nil {
		t.Fatalf("go fixtures: %v", goErr)
	}
	return goFx
}

func serveFile(p string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, p) })
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func goSpec(fx goFixtures, extraGoEnv string) string {
	return fmt.Sprintf(`# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  RELEASES: http://127.0.0.1:1
  GOPROXY: https://proxy.golang.org
images:
  builder:
    base: example.com/unused:1
    tools:
      - name: go
        version: "%s"
        url: ${RELEASES}/go${version}.linux-${arch}.tar.gz
        sha256:
          linux/amd64: %s
          linux/arm64: %s
        strip: 1
        dest: /usr/local/go
        path: [/usr/local/go/bin]
    go:
      env:
        GOPROXY: ${GOPROXY}
        GOSUMDB: "off"%s
    goTools:
      - name: go-junit-report
        package: github.com/jstemmer/go-junit-report/v2
        version: v2.1.0
      - name: protoc-gen-go
        package: google.golang.org/protobuf/cmd/protoc-gen-go
        version: v1.36.6
    run:
      - |
        go-junit-report -version > /etc/junit-version
        protoc-gen-go --version > /etc/protoc-gen-go-version
        go version > /etc/go-version
`, goVersion, fx.toolchainSums["amd64"], fx.toolchainSums["arm64"], extraGoEnv)
}

// TestGoToolsCrossCompiled builds two real Go tools for amd64 and arm64.
// They compile on the build platform (the unit tests pin that in the
// graph); here each binary's ELF machine is checked and each one runs on
// its platform in a run step (arm64 under qemu).
func TestGoToolsCrossCompiled(t *testing.T) {
	e := setup(t)
	fx := goSetup(t, e)
	dir := writeSpec(t, goSpec(fx, ""), nil)
	ref := e.ref("gotools")
	e.mustBuild(t, dir, "builder.yaml", "--platform", "linux/amd64,linux/arm64",
		"--build-arg", "RELEASES="+e.ArtifactURL(), "--build-arg", "GOPROXY="+e.ArtifactURL()+"/goproxy",
		"--build-context", "base=docker-image://"+e.base, "-t", ref, "--push")
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		fs, err := e.Filesystem(ref, p)
		if err != nil {
			t.Fatal(err)
		}
		wantELF(t, fs, p, "/usr/local/bin/go-junit-report", 0o755)
		wantELF(t, fs, p, "/usr/local/bin/protoc-gen-go", 0o755)
		wantELF(t, fs, p, "/usr/local/go/bin/go", 0o755)
		for file, want := range map[string]string{
			"/etc/junit-version":         "go-junit-report v2.1.0",
			"/etc/protoc-gen-go-version": "protoc-gen-go v1.36.6",
			"/etc/go-version":            "go version go" + goVersion + " " + strings.ReplaceAll(p, "/", "/"),
		} {
			f, err := fs.Lookup(file)
			if err != nil || !strings.Contains(string(f.Data), want) {
				t.Errorf("%s: %s = %q, want it to contain %q", p, file, dataOf(f), want)
			}
		}
	}
}

// TestGoToolPrivateProxyWithNetrcSecret: a GOPROXY that wants credentials
// gets them from --secret id=netrc, which is mounted into the compile step
// only; the password never lands in the image.
func TestGoToolPrivateProxyWithNetrcSecret(t *testing.T) {
	e := setup(t)
	fx := goSetup(t, e)
	const user, pass = "ci-bot", "s3cret-token-4711"
	files := http.StripPrefix("/private", http.FileServer(http.Dir(privateModule(t))))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			http.Error(w, "credentials required", http.StatusUnauthorized)
			return
		}
		files.ServeHTTP(w, r)
	}))
	srv.StartTLS()
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "https://")

	// The compile trusts the base image's CA bundle: a base that trusts
	// this server's certificate.
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	base := e.ref("base-with-ca")
	ctxDir := t.TempDir()
	os.WriteFile(filepath.Join(ctxDir, "ca.crt"), ca, 0o644)
	os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), []byte("FROM "+e.base+"\nCOPY ca.crt /etc/ssl/certs/ca-certificates.crt\n"), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := e.Buildx(ctx, "build", "--provenance=false", "--platform", "linux/amd64,linux/arm64", "-t", base, "--push", ctxDir); err != nil {
		t.Fatalf("%v\n%s", err, tail(string(out), 20))
	}

	netrc := filepath.Join(t.TempDir(), "netrc")
	os.WriteFile(netrc, []byte(fmt.Sprintf("machine %s login %s password %s\n", host, user, pass)), 0o600)
	// Only this proxy has the private module, so no cache can answer for it.
	spec := strings.SplitN(goSpec(fx, ""), "    goTools:", 2)[0] + `    goTools:
      - name: hello
        package: example.com/private/hello
        version: v1.0.0
`
	dir := writeSpec(t, spec, nil)
	common := []string{"--platform", "linux/amd64",
		"--build-arg", "RELEASES=" + e.ArtifactURL(), "--build-arg", "GOPROXY=https://" + host + "/private",
		"--build-context", "base=docker-image://" + base}

	out, err := e.build(t, dir, "builder.yaml", common...)
	if err == nil {
		t.Fatalf("build without the netrc secret succeeded against a proxy that wants credentials")
	}
	for _, want := range []string{"[hello linux/amd64] go install example.com/private/hello@v1.0.0", "401", "builder.yaml:25"} {
		if !strings.Contains(out, want) {
			t.Errorf("failure output lacks %q:\n%s", want, tail(out, 40))
		}
	}

	ref := e.ref("private")
	e.mustBuild(t, dir, "builder.yaml", append(common, "--secret", "id=netrc,src="+netrc, "-t", ref, "--push")...)
	img, err := lab.Image(ref, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	fs, err := lab.ReadFilesystem(img, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	wantELF(t, fs, "linux/amd64", "/usr/local/bin/hello", 0o755)
	for p, f := range fs.Files {
		if strings.Contains(string(f.Data), pass) {
			t.Errorf("the netrc password is in the image at %s", p)
		}
	}
	cfg, _ := img.RawConfigFile()
	if strings.Contains(string(cfg), pass) {
		t.Error("the netrc password is in the image config")
	}
}

// privateModule lays out a GOPROXY folder with one module of our own,
// example.com/private/hello v1.0.0.
func privateModule(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	d := filepath.Join(root, "example.com", "private", "hello", "@v")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	mod := "module example.com/private/hello\n\ngo 1.22\n"
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, data := range map[string]string{
		"go.mod":  mod,
		"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"private hello\") }\n",
	} {
		w, _ := zw.Create("example.com/private/hello@v1.0.0/" + name)
		w.Write([]byte(data))
	}
	zw.Close()
	for name, data := range map[string][]byte{
		"list":        []byte("v1.0.0\n"),
		"v1.0.0.info": []byte(`{"Version":"v1.0.0","Time":"2024-01-01T00:00:00Z"}`),
		"v1.0.0.mod":  []byte(mod),
		"v1.0.0.zip":  zb.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(d, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestGoToolUnknownVersion: a version the proxy does not have fails with
// the tool, the platform and the module named, and the tool's YAML lines.
func TestGoToolUnknownVersion(t *testing.T) {
	e := setup(t)
	fx := goSetup(t, e)
	spec := strings.Replace(goSpec(fx, ""), "version: v2.1.0", "version: v2.99.0", 1)
	spec = strings.SplitN(spec, "    run:", 2)[0]
	dir := writeSpec(t, spec, nil)
	out, err := e.build(t, dir, "builder.yaml", "--platform", "linux/arm64",
		"--build-arg", "RELEASES="+e.ArtifactURL(), "--build-arg", "GOPROXY="+e.ArtifactURL()+"/goproxy",
		"--build-context", "base=docker-image://"+e.base)
	if err == nil {
		t.Fatal("build with an unknown module version succeeded")
	}
	for _, want := range []string{
		`Go tool "go-junit-report" (linux/arm64): go install github.com/jstemmer/go-junit-report/v2@v2.99.0 (natively on linux/amd64) failed`,
		"v2.99.0",
		">>>       - name: go-junit-report",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, tail(out, 25))
		}
	}
}
