package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// extendsCommon is the spec extendsBranch extends: helm's sha256 keyed by
// version (the branch picks one with HELM_VERSION), yq's keyed by platform
// (the version common.yaml names).
const extendsCommon = `version: 1
platforms: [linux/amd64, linux/arm64]
args:
  RELEASES: URL
  HELM_VERSION:
    description: each branch sets it
  YQ_VERSION: v4.44.3
images:
  builder:
    base: example.com/base:1
    tools:
      - name: helm
        version: ${HELM_VERSION}
        url: ${RELEASES}/helm-${version}-linux-${arch}.tar.gz
        sha256:
          v3.16.0:
            linux/amd64: SUM_HELM_16_AMD64
            linux/arm64: SUM_HELM_16_ARM64
        strip: 1
        dest: /usr/local/bin
      - name: yq
        version: ${YQ_VERSION}
        url: ${RELEASES}/yq-${version}-${arch}
        sha256:
          linux/amd64: SUM_YQ_AMD64   # v4.44.3
          linux/arm64: SUM_YQ_ARM64
        dest: /usr/local/bin/yq
`

const extendsBranch = `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
extends: common.yaml
args:
  HELM_VERSION: v3.16.0
images:
  builder:
    tools:
      - name: jq
        version: "1.7.1"
        url: ${RELEASES}/jq-${version}-${arch}
        dest: /usr/local/bin/jq
`

// writeChain writes common.yaml and 3.5.yaml, with the releases server's
// URL and digests filled in, and returns their paths.
func writeChain(t *testing.T, rel *releases, common, branch string) (commonFile, branchFile string) {
	t.Helper()
	dir := t.TempDir()
	sums := strings.NewReplacer("URL", rel.URL,
		"SUM_HELM_16_AMD64", sumOf("/helm-v3.16.0-linux-amd64.tar.gz"), "SUM_HELM_16_ARM64", sumOf("/helm-v3.16.0-linux-arm64.tar.gz"),
		"SUM_YQ_AMD64", sumOf("/yq-v4.44.3-amd64"), "SUM_YQ_ARM64", sumOf("/yq-v4.44.3-arm64"))
	commonFile, branchFile = filepath.Join(dir, "common.yaml"), filepath.Join(dir, "3.5.yaml")
	for f, text := range map[string]string{commonFile: common, branchFile: branch} {
		if err := os.WriteFile(f, []byte(sums.Replace(text)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return commonFile, branchFile
}

// TestLockExtends: each checksum goes into the file that declares its
// tool; the branch's new versions of common tools go into common.yaml,
// beside the other branches' versions.
func TestLockExtends(t *testing.T) {
	rel := newReleases(t)
	commonFile, branchFile := writeChain(t, rel, extendsCommon,
		strings.Replace(extendsBranch, "HELM_VERSION: v3.16.0", "HELM_VERSION: v3.17.0\n  YQ_VERSION: v4.45.0", 1))
	commonBefore := readFile(t, commonFile)

	out, code := runBuilder(t, "lock", branchFile)
	if code != 0 {
		t.Fatalf("lock: exit %d\n%s", code, out)
	}
	for _, want := range []string{
		branchFile + `:10: tool "jq" 1.7.1 linux/amd64: sha256 missing; the artifact's is ` + sumOf("/jq-1.7.1-amd64"),
		commonFile + `:15: tool "helm" v3.17.0 linux/arm64: sha256 missing; the artifact's is ` + sumOf("/helm-v3.17.0-linux-arm64.tar.gz"),
		commonFile + `:24: tool "yq" v4.45.0 linux/amd64: sha256 missing; the artifact's is ` + sumOf("/yq-v4.45.0-amd64"),
		branchFile + ": wrote 2 checksums\n",
		commonFile + ": wrote 4 checksums\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lock output lacks %q:\n%s", want, out)
		}
	}
	// common.yaml keeps every line; the new versions' mappings are added.
	want := strings.Replace(commonBefore, "            linux/arm64: "+sumOf("/helm-v3.16.0-linux-arm64.tar.gz")+"\n",
		"            linux/arm64: "+sumOf("/helm-v3.16.0-linux-arm64.tar.gz")+"\n"+
			"          v3.17.0:\n            linux/amd64: "+sumOf("/helm-v3.17.0-linux-amd64.tar.gz")+"\n            linux/arm64: "+sumOf("/helm-v3.17.0-linux-arm64.tar.gz")+"\n", 1)
	want = strings.Replace(want, "          linux/arm64: "+sumOf("/yq-v4.44.3-arm64")+"\n",
		"          linux/arm64: "+sumOf("/yq-v4.44.3-arm64")+"\n"+
			"          \"v4.45.0\":\n            linux/amd64: "+sumOf("/yq-v4.45.0-amd64")+"\n            linux/arm64: "+sumOf("/yq-v4.45.0-arm64")+"\n", 1)
	if got := readFile(t, commonFile); got != want {
		t.Errorf("common.yaml after lock:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(readFile(t, branchFile), "        sha256:\n          linux/amd64: "+sumOf("/jq-1.7.1-amd64")) {
		t.Errorf("3.5.yaml after lock:\n%s", readFile(t, branchFile))
	}
	if out, code := runBuilder(t, "lock", "--check", branchFile); code != 0 || !strings.Contains(out, branchFile+": 6 checksums up to date") {
		t.Errorf("lock --check after lock: exit %d\n%s", code, out)
	}
	if out, code := runBuilder(t, "validate", branchFile); code != 0 {
		t.Errorf("validate after lock: exit %d\n%s", code, out)
	}
}

// TestPlanExtends: plan names the file each tool comes from.
func TestPlanExtends(t *testing.T) {
	rel := newReleases(t)
	commonFile, branchFile := writeChain(t, rel, extendsCommon, strings.Replace(extendsBranch, "        dest: /usr/local/bin/jq\n",
		"        sha256: {linux/amd64: "+sumA+", linux/arm64: "+sumB+"}\n        dest: /usr/local/bin/jq\n", 1))
	out, code := runBuilder(t, "plan", "--platform", "linux/arm64", branchFile)
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, out)
	}
	lines := strings.Split(out, "\n")
	for i, want := range []string{
		"  TOOL  FROM ",
		"  helm  " + commonFile + "  v3.16.0",
		"  yq    " + commonFile + "  v4.44.3",
		"  jq    " + branchFile + "     1.7.1",
	} {
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], want) {
			t.Errorf("plan line %d does not start with %q:\n%s", i+2, want, out)
		}
	}
	out, code = runBuilder(t, "plan", "--format", "json", "--platform", "linux/arm64", branchFile)
	var plans []struct {
		Tools []struct{ Name, From string }
	}
	if err := json.Unmarshal([]byte(out), &plans); code != 0 || err != nil || len(plans) != 1 || len(plans[0].Tools) != 3 {
		t.Fatalf("plan --format json: exit %d, %v\n%s", code, err, out)
	}
	for i, want := range []string{commonFile, commonFile, branchFile} {
		if got := plans[0].Tools[i]; got.From != want {
			t.Errorf("tool %s from %q, want %q", got.Name, got.From, want)
		}
	}
}

// TestValidateExtends: problems are told in the file that holds the text,
// those of common.yaml with the extends: line that pulled it in.
func TestValidateExtends(t *testing.T) {
	rel := newReleases(t)
	_, branchFile := writeChain(t, rel, strings.Replace(extendsCommon, "  YQ_VERSION: v4.44.3\n", "  YQ_VERSION: v4.44.3\n  UNUSED: x\n", 1),
		strings.Replace(extendsBranch, "        dest: /usr/local/bin/jq\n", "        sha256: {linux/amd64: "+sumA+"}\n        dest: /usr/local/bin/jq\n", 1))
	dir := filepath.Dir(branchFile)
	_, stderr, code := runBuilder2("validate", "--build-arg", "YQ_VERSION=v9", "--build-arg", "UNUSED=1", branchFile)
	want := dir + `/common.yaml:25:9: tool "yq": version v9 (from a build-arg) has no sha256; the spec pins v4.44.3; add a sha256."v9" mapping of platforms to its checksums (pinned versions: v4.44.3) (` + dir + `/common.yaml is extended by ` + dir + `/3.5.yaml:3:10)`
	if code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("validate: exit %d\n%s\nwant:\n%s", code, stderr, want)
	}
	// An arg of the extended file that nothing uses is no UnusedArg of the
	// branch: another branch may use it.
	out, code := runBuilder(t, "validate", "--strict", "--platform", "linux/amd64", branchFile)
	if code != 1 || !strings.Contains(out, branchFile+`:12:9: warning: MissingChecksum: tool "jq" has no sha256 for linux/arm64`) || strings.Contains(out, "UnusedArg") {
		t.Errorf("validate --strict: exit %d\n%s", code, out)
	}

	// A finding in common.yaml ends with the extends: line, as an error
	// there does.
	_, branchFile = writeChain(t, rel, strings.Replace(extendsCommon, "          linux/arm64: SUM_YQ_ARM64\n", "", 1),
		strings.Replace(extendsBranch, "        dest: /usr/local/bin/jq\n", "        sha256: {linux/amd64: "+sumA+", linux/arm64: "+sumB+"}\n        dest: /usr/local/bin/jq\n", 1))
	dir = filepath.Dir(branchFile)
	out, code = runBuilder(t, "validate", "--strict", "--platform", "linux/amd64", branchFile)
	want = dir + `/common.yaml:24:9: warning: MissingChecksum: tool "yq" has no sha256 for linux/arm64, which the spec lists under platforms: a build for it fails; add the sha256 (builder lock writes it), or limit the tool with platforms: (` + dir + `/common.yaml is extended by ` + branchFile + `:3:10)
` + branchFile + `: 0 errors, 1 warning
`
	if code != 1 || out != want {
		t.Errorf("validate --strict, a finding in common.yaml: exit %d\n%s\nwant:\n%s", code, out, want)
	}
}

// TestFlatten: the effective spec as one file, and the errors of reading
// the chain.
func TestFlatten(t *testing.T) {
	rel := newReleases(t)
	_, branchFile := writeChain(t, rel, extendsCommon, `# syntax=quay.io/maistra-dev/builder-frontend
version: 1
extends: common.yaml
args:
  HELM_VERSION: v3.16.0
images:
  builder:
    remove: {tools: [yq]}
    env: {A: "1.0"}
`)
	dir := filepath.Dir(branchFile)
	out, code := runBuilder(t, "flatten", branchFile)
	want := `# syntax=quay.io/maistra-dev/builder-frontend
# ` + dir + `/3.5.yaml and the specs it extends (` + dir + `/common.yaml), merged into one file by builder flatten.
version: 1
platforms: [linux/amd64, linux/arm64]
args:
  HELM_VERSION:
    default: v3.16.0
    description: each branch sets it
  RELEASES: "` + rel.URL + `"
  YQ_VERSION: v4.44.3
images:
  builder:
    base: "example.com/base:1"
    tools:
      - name: helm
        version: "${HELM_VERSION}"
        url: "${RELEASES}/helm-${version}-linux-${arch}.tar.gz"
        sha256:
          v3.16.0:
            linux/amd64: "` + sumOf("/helm-v3.16.0-linux-amd64.tar.gz") + `"
            linux/arm64: "` + sumOf("/helm-v3.16.0-linux-arm64.tar.gz") + `"
        strip: 1
        dest: /usr/local/bin
    env:
      A: "1.0"
`
	if code != 0 || out != want {
		t.Errorf("flatten: exit %d\n%s\nwant:\n%s", code, out, want)
	}
	flat := filepath.Join(dir, "flat.yaml")
	if err := os.WriteFile(flat, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, code := runBuilder(t, "validate", flat); code != 0 {
		t.Errorf("validate of the flattened spec: exit %d\n%s", code, out)
	}

	if err := os.Remove(filepath.Join(dir, "common.yaml")); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runBuilder2("flatten", branchFile)
	if want := branchFile + ":3:10: extends common.yaml, but " + dir + "/common.yaml does not exist"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("flatten without the extended file: exit %d\n%s\nwant %s", code, stderr, want)
	}
}
