package e2e

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containerd/platforms"
	bk "github.com/moby/buildkit/client/llb"

	"github.com/maistra/builder-frontend/internal/fixture"
	"github.com/maistra/builder-frontend/internal/lab"
	"github.com/maistra/builder-frontend/llb"
	"github.com/maistra/builder-frontend/spec"
)

// TestPrivateArtifactWithAuthSecret: a release behind a token is fetched
// with the Authorization header from --secret; the token is in neither the
// LLB definition, the image nor the daemon's cache records.
func TestPrivateArtifactWithAuthSecret(t *testing.T) {
	e := setup(t)
	const token = "Bearer tok-7f3a9c-private"
	helm := fixture.Helm("v3.16.0", "amd64")
	t.Cleanup(e.Handle("/private/"+helm.Name, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != token {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Write(helm.Data)
	})))
	specText := faultSpec(e.ArtifactURL()+"/private/helm-${version}-linux-${arch}.tar.gz", helm.SHA256(), fixture.Helm("v3.16.0", "arm64").SHA256(), "\n        authSecret: releases-auth")
	dir := writeSpec(t, specText, nil)
	common := []string{"--platform", "linux/amd64", "--build-context", "base=docker-image://" + e.base}

	out, err := e.build(t, dir, "builder.yaml", common...)
	if err == nil {
		t.Fatalf("build without the secret succeeded")
	}
	for _, w := range []string{`tool "helm" (linux/amd64): cannot download ` + e.ArtifactURL() + `/private/helm-v3.16.0-linux-amd64.tar.gz`, "releases-auth", "--secret id=NAME,src=FILE"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, tail(out, 20))
		}
	}

	secret := filepath.Join(t.TempDir(), "auth")
	os.WriteFile(secret, []byte(token), 0o600)
	ref := e.ref("authsecret")
	e.mustBuild(t, dir, "builder.yaml", append(common, "--secret", "id=releases-auth,src="+secret, "-t", ref, "--push")...)

	img, err := lab.Image(ref, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	fs, err := lab.ReadFilesystem(img, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	wantELF(t, fs, "linux/amd64", "/usr/local/bin/helm", 0o755)
	for p, f := range fs.Files {
		if strings.Contains(string(f.Data), "tok-7f3a9c") {
			t.Errorf("the token is in the image at %s", p)
		}
	}
	if cfg, _ := img.RawConfigFile(); strings.Contains(string(cfg), "tok-7f3a9c") {
		t.Error("the token is in the image config")
	}

	// The definition the frontend solves comes from the llb package: plan
	// the same spec and look at its bytes.
	s, err := spec.Parse("builder.yaml", []byte(specText))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Resolve("linux/amd64", spec.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := platforms.MustParse("linux/amd64")
	// Strip and the ELF check run the frontend's image, as in the build.
	helper := bk.Image(e.frontend)
	g, err := llb.Build(r, llb.Options{BuildPlatform: p, TargetPlatform: p, Base: bk.Image(e.base), Helper: &helper, MergeOp: true})
	if err != nil {
		t.Fatal(err)
	}
	def, err := g.State.Marshal(context.Background(), bk.Platform(p))
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, d := range def.Def {
		all = append(all, d...)
	}
	if strings.Contains(string(all), "tok-7f3a9c") || !strings.Contains(string(all), "releases-auth") {
		t.Errorf("definition: token present=%v, secret name present=%v", strings.Contains(string(all), "tok-7f3a9c"), strings.Contains(string(all), "releases-auth"))
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	du, err := e.Buildctl(ctx, "du", "--verbose")
	if err != nil {
		t.Fatalf("%v\n%s", err, du)
	}
	if strings.Contains(string(du), "tok-7f3a9c") {
		t.Error("the token is in the daemon's cache records (buildctl du --verbose)")
	}
	if !strings.Contains(string(du), "helm") {
		t.Errorf("buildctl du shows no helm record; the check above proves nothing:\n%s", tail(string(du), 20))
	}
}

// TestRedirectToAnotherHost: a download that redirects to another host (as
// GitHub release URLs do) is accepted when the content matches its sha256,
// and refused when the other host serves something else.
func TestRedirectToAnotherHost(t *testing.T) {
	e := setup(t)
	// 127.0.0.2 is another host on the loopback network.
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no second loopback address: %v", err)
	}
	good, bad := fixture.Helm("v3.22.0", "amd64"), fixture.Helm("v3.23.0", "amd64")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "bad") {
			w.Write(bad.Data)
			return
		}
		w.Write(good.Data)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	for _, name := range []string{"good", "bad"} {
		t.Cleanup(e.Handle("/redirect/"+name+"/helm-v3.22.0-linux-amd64.tar.gz", http.RedirectHandler("http://"+ln.Addr().String()+"/cdn/"+name+"/helm.tar.gz", http.StatusFound)))
	}
	// The bad case pins a file nobody serves: pinned to good's checksum it
	// would be answered from the cache, which is keyed by the checksum.
	for _, tc := range []struct {
		name, sum string
		ok        bool
	}{{"good", good.SHA256(), true}, {"bad", fixture.Helm("v3.24.0", "amd64").SHA256(), false}} {
		spec := faultSpec(e.ArtifactURL()+"/redirect/"+tc.name+"/helm-v3.22.0-linux-${arch}.tar.gz", tc.sum, fixture.Helm("v3.22.0", "arm64").SHA256(), "")
		dir := writeSpec(t, strings.Replace(spec, "version: v3.16.0", "version: v3.22.0", 1), nil)
		out, err := e.build(t, dir, "builder.yaml", "--platform", "linux/amd64", "--build-context", "base=docker-image://"+e.base)
		if tc.ok && err != nil {
			t.Errorf("redirect to a matching file failed: %v\n%s", err, tail(out, 20))
		}
		if !tc.ok && (err == nil || !strings.Contains(out, "does not match its sha256 (got sha256:"+bad.SHA256()+")")) {
			t.Errorf("redirect to another file: err=%v\n%s", err, tail(out, 20))
		}
	}
}
