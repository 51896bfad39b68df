package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	bk "github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"

	"github.com/maistra/builder-frontend/internal/fixture"
	"github.com/maistra/builder-frontend/internal/lab"
	"github.com/maistra/builder-frontend/internal/lab/labtest"
)

// TestPrivateArtifactWithAuthSecret: a release behind a token is fetched
// with the Authorization header from --secret; the token is in none of the
// pushed image's blobs (each layer as it was written, not only the file
// system they add up to), not in the definition the daemon solved (which
// names the secret instead), and not in the daemon's cache records.
func TestPrivateArtifactWithAuthSecret(t *testing.T) {
	e := setup(t)
	const token = "Bearer " + leakToken
	helm := fixture.Helm("v3.16.0", "amd64")
	url := e.ArtifactURL() + "/private/" + helm.Name
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
	for _, w := range []string{`tool "helm" (linux/amd64): cannot download ` + url, "releases-auth", "--secret id=NAME,src=FILE"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, tail(out, 20))
		}
	}

	secret := filepath.Join(t.TempDir(), "auth")
	os.WriteFile(secret, []byte(token), 0o600)
	ref := e.ref("authsecret")
	e.mustBuild(t, dir, "builder.yaml", append(common, "--secret", "id=releases-auth,src="+secret, "--provenance=mode=max", "-t", ref, "--push")...)

	fs, err := e.Filesystem(ref, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	wantELF(t, fs, "linux/amd64", "/usr/local/bin/helm", 0o755)
	if leaks, err := blobsContaining(ref, leakToken); err != nil || len(leaks) > 0 {
		t.Errorf("the token is in the pushed image: %v %v", leaks, err)
	}
	def, err := solvedDefinition(ref, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	if def.contains(leakToken) {
		t.Error("the token is in the definition the daemon solved")
	}
	// The download names the secret the daemon reads the header from.
	if src := def.source(url); src == nil || src.Attrs[pb.AttrHTTPAuthHeaderSecret] != "releases-auth" {
		t.Errorf("the solved download of %s is %+v, want attr %s=releases-auth:\n%s", url, src, pb.AttrHTTPAuthHeaderSecret, def.raw)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	du, err := e.Buildctl(ctx, "du", "--verbose")
	if err != nil {
		t.Fatalf("%v\n%s", err, du)
	}
	if strings.Contains(string(du), leakToken) {
		t.Error("the token is in the daemon's cache records (buildctl du --verbose)")
	}
	if !strings.Contains(string(du), "helm") {
		t.Errorf("buildctl du shows no helm record; the check above proves nothing:\n%s", tail(string(du), 20))
	}
}

// TestLeakChecksFindAToken is the test of TestPrivateArtifactWithAuthSecret's
// checks: a token written into a file by one run step and deleted by the
// next is gone from the image's file system, yet blobsContaining finds it in
// the first step's layer and solvedDefinition in the command.
func TestLeakChecksFindAToken(t *testing.T) {
	e := setup(t)
	dir := writeSpec(t, `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
platforms: [linux/amd64]
images:
  builder:
    base: example.com/unused:1
    run:
      - name: write the token
        command: echo "Bearer `+leakToken+`" > /etc/leaked
      - name: remove it
        command: rm /etc/leaked
`, nil)
	ref := e.ref("leak")
	e.mustBuild(t, dir, "builder.yaml", "--platform", "linux/amd64", "--build-context", "base=docker-image://"+e.base,
		"--provenance=mode=max", "-t", ref, "--push")
	fs, err := e.Filesystem(ref, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	for p, f := range fs.Files {
		if strings.Contains(string(f.Data), leakToken) {
			t.Errorf("%s holds the token in the file system; this case is for a token only a layer holds", p)
		}
	}
	leaks, err := blobsContaining(ref, leakToken)
	if err != nil {
		t.Fatal(err)
	}
	var inLayer bool
	for _, l := range leaks {
		inLayer = inLayer || strings.HasPrefix(l, "linux/amd64 layer ")
	}
	if !inLayer {
		t.Errorf("blobsContaining found the token in %v, want a linux/amd64 layer", leaks)
	}
	def, err := solvedDefinition(ref, "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	if !def.contains(leakToken) {
		t.Error("solvedDefinition does not show the token written by the run step")
	}
}

// TestSolvedContainsFileData: a token in the data of a file the LLB writes
// is base64 in the provenance's JSON; solved.contains decodes it.
func TestSolvedContainsFileData(t *testing.T) {
	st := bk.Scratch().File(bk.Mkfile("/etc/leaked", 0o600, []byte("Bearer "+leakToken)))
	def, err := st.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		ID string `json:"id"`
		Op *pb.Op `json:"op"`
	}
	var steps []step
	for i, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, step{fmt.Sprintf("step%d", i), &op})
	}
	raw, err := json.Marshal(steps)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(leakToken)) {
		t.Fatalf("the token is plain in %s; this case is for file data", raw)
	}
	if s := (&solved{raw: raw}); !s.contains(leakToken) {
		t.Errorf("contains misses the token in the file data of %s", raw)
	}
}

// leakToken stands for a credential: it must never reach an image, a
// definition or a cache record.
const leakToken = "tok-7f3a9c-private"

// blobsContaining lists the blobs of the image index ref in which needle
// occurs: the index, each manifest and config, and each layer's
// uncompressed tar byte for byte (names, headers and contents of every
// layer, so a file a later layer deletes is still seen), attestations
// included.
func blobsContaining(ref, needle string) ([]string, error) {
	r, err := lab.ParseRef(ref)
	if err != nil {
		return nil, err
	}
	idx, err := remote.Index(r)
	if err != nil {
		return nil, err
	}
	var found []string
	check := func(what string, rd io.Reader) error {
		ok, err := streamContains(rd, needle)
		if ok {
			found = append(found, what)
		}
		return err
	}
	raw, err := idx.RawManifest()
	if err != nil {
		return nil, err
	}
	check("index", bytes.NewReader(raw))
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	for _, d := range im.Manifests {
		name := d.Digest.String()
		if d.Platform != nil && d.Platform.OS != "unknown" {
			name = d.Platform.OS + "/" + d.Platform.Architecture
		} else if ref := d.Annotations["vnd.docker.reference.digest"]; ref != "" {
			name = "attestation of " + ref
		}
		img, err := remote.Image(r.Context().Digest(d.Digest.String()))
		if err != nil {
			return nil, err
		}
		if raw, err = img.RawManifest(); err != nil {
			return nil, err
		}
		check(name+" manifest", bytes.NewReader(raw))
		if raw, err = img.RawConfigFile(); err != nil {
			return nil, err
		}
		check(name+" config", bytes.NewReader(raw))
		layers, err := img.Layers()
		if err != nil {
			return nil, err
		}
		for i, l := range layers {
			digest, err := l.Digest()
			if err != nil {
				return nil, err
			}
			rc, err := l.Uncompressed()
			if err != nil {
				return nil, err
			}
			err = check(fmt.Sprintf("%s layer %d (%s)", name, i+1, digest), rc)
			rc.Close()
			if err != nil {
				return nil, fmt.Errorf("%s layer %d: %w", name, i+1, err)
			}
		}
	}
	return found, nil
}

// streamContains reports whether needle occurs in r, reading it in chunks
// that overlap by len(needle)-1 bytes so that no occurrence is cut in two.
func streamContains(r io.Reader, needle string) (bool, error) {
	n := []byte(needle)
	buf := make([]byte, 0, 64<<10+len(n))
	chunk := make([]byte, 64<<10)
	for {
		k, err := r.Read(chunk)
		buf = append(buf, chunk[:k]...)
		if bytes.Contains(buf, n) {
			return true, nil
		}
		if keep := len(n) - 1; len(buf) > keep {
			buf = append(buf[:0], buf[len(buf)-keep:]...)
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// solved is the LLB the daemon solved for one platform's image, as its
// provenance attestation (buildx --provenance=mode=max) records it: each op
// is a pb.Op in encoding/json's form, bytes (a file's data) in base64.
type solved struct {
	raw []byte // the llbDefinition
	ops []struct {
		ID string
		Op struct {
			Op struct {
				Source *solvedSource
			}
		}
	}
}

type solvedSource struct {
	Identifier string
	Attrs      map[string]string
}

// source is the source op that fetches identifier, nil when there is none.
func (s *solved) source(identifier string) *solvedSource {
	for _, o := range s.ops {
		if src := o.Op.Op.Source; src != nil && src.Identifier == identifier {
			return src
		}
	}
	return nil
}

// contains reports whether needle is in any string of the definition, or in
// the bytes a base64 string stands for (the data of a file the LLB writes).
func (s *solved) contains(needle string) bool {
	var v any
	if err := json.Unmarshal(s.raw, &v); err != nil {
		return bytes.Contains(s.raw, []byte(needle))
	}
	return jsonContains(v, needle)
}

func jsonContains(v any, needle string) bool {
	switch v := v.(type) {
	case string:
		if strings.Contains(v, needle) {
			return true
		}
		b, err := base64.StdEncoding.DecodeString(v)
		return err == nil && bytes.Contains(b, []byte(needle))
	case []any:
		return slices.ContainsFunc(v, func(e any) bool { return jsonContains(e, needle) })
	case map[string]any:
		for k, e := range v {
			if strings.Contains(k, needle) || jsonContains(e, needle) {
				return true
			}
		}
	}
	return false
}

// solvedDefinition reads the LLB of platform's image of ref from the
// provenance attestation pushed beside it.
func solvedDefinition(ref, platform string) (*solved, error) {
	r, err := lab.ParseRef(ref)
	if err != nil {
		return nil, err
	}
	idx, err := remote.Index(r)
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var imageDigest string
	for _, d := range im.Manifests {
		if d.Platform != nil && d.Platform.OS+"/"+d.Platform.Architecture == platform {
			imageDigest = d.Digest.String()
		}
	}
	for _, d := range im.Manifests {
		if d.Annotations["vnd.docker.reference.type"] != "attestation-manifest" || d.Annotations["vnd.docker.reference.digest"] != imageDigest {
			continue
		}
		img, err := remote.Image(r.Context().Digest(d.Digest.String()))
		if err != nil {
			return nil, err
		}
		m, err := img.Manifest()
		if err != nil {
			return nil, err
		}
		for _, l := range m.Layers {
			if !strings.HasPrefix(l.Annotations["in-toto.io/predicate-type"], "https://slsa.dev/provenance/") {
				continue
			}
			layer, err := img.LayerByDigest(l.Digest)
			if err != nil {
				return nil, err
			}
			rc, err := layer.Uncompressed()
			if err != nil {
				return nil, err
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return nil, err
			}
			// SLSA v0.2 keeps it in predicate.buildConfig, v1 in
			// predicate.buildDefinition.internalParameters.buildConfig.
			var stmt struct {
				Predicate struct {
					BuildConfig     struct{ LLBDefinition json.RawMessage }
					BuildDefinition struct {
						InternalParameters struct {
							BuildConfig struct{ LLBDefinition json.RawMessage }
						}
					}
				}
			}
			if err := json.Unmarshal(data, &stmt); err != nil {
				return nil, fmt.Errorf("provenance of %s: %w", platform, err)
			}
			s := &solved{raw: stmt.Predicate.BuildConfig.LLBDefinition}
			if s.raw == nil {
				s.raw = stmt.Predicate.BuildDefinition.InternalParameters.BuildConfig.LLBDefinition
			}
			if len(s.raw) == 0 {
				return nil, fmt.Errorf("the provenance of %s records no LLB (build with --provenance=mode=max):\n%s", platform, data)
			}
			if err := json.Unmarshal(s.raw, &s.ops); err != nil || len(s.ops) == 0 {
				return nil, fmt.Errorf("the provenance of %s: llbDefinition has no ops (%v)", platform, err)
			}
			return s, nil
		}
	}
	return nil, fmt.Errorf("%s has no provenance attestation for %s", ref, platform)
}

// TestRedirectToAnotherHost: a download that redirects to another host (as
// GitHub release URLs do) is accepted when the content matches its sha256,
// and refused when the other host serves something else.
func TestRedirectToAnotherHost(t *testing.T) {
	e := setup(t)
	// 127.0.0.2 is another host on the loopback network.
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		labtest.SkipUnlessRequired(t, "no second loopback address: %v", err)
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
