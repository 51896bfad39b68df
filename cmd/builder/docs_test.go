package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// The examples of docs/cli.md are what the commands print: each test runs
// the command a block shows, in a directory holding the files it names,
// and compares.

// repo is the repository's directory: the tests change theirs.
var repo = func() string {
	d, err := filepath.Abs("../..")
	if err != nil {
		panic(err)
	}
	return d
}()

func cliDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, "docs/cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// shown is the output docs/cli.md shows under "$ CMD" (CMD after "$ "),
// up to the end of its block.
func shown(t *testing.T, doc, cmd string) string {
	t.Helper()
	i := strings.Index(doc, "\n$ "+cmd+"\n")
	if i < 0 {
		t.Fatalf("docs/cli.md shows no %q", "$ "+cmd)
	}
	out := doc[i+len("\n$ "+cmd+"\n"):]
	return out[:strings.Index(out, "```\n")]
}

// docRun runs "builder ARGS" with stdout and stderr in one stream, as a
// terminal shows them.
func docRun(cmd string) (string, int) {
	var out bytes.Buffer
	code := run(context.Background(), strings.Fields(strings.TrimPrefix(cmd, "builder ")), &out, &out)
	return out.String(), code
}

func writeFiles(t *testing.T, files map[string]string) {
	t.Helper()
	for f, text := range files {
		if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// placeholders are the "<sha256 of FILE>" of docs/spec.md's examples; each
// stands for the sha256 of its own text.
var placeholders = regexp.MustCompile(`<sha256 of ([^>]+)>`)

// extendsExample is docs/spec.md's extends example: common.yaml and
// 3.5.yaml.
func extendsExample(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, "docs/spec.md"))
	if err != nil {
		t.Fatal(err)
	}
	sec := string(b)
	sec = sec[strings.Index(sec, "\n### `extends`\n"):]
	sec = sec[:strings.Index(sec, "\n## 4. Image fields\n")]
	var blocks []string
	for rest := sec; strings.Contains(rest, "```yaml\n"); {
		rest = rest[strings.Index(rest, "```yaml\n")+len("```yaml\n"):]
		blocks = append(blocks, placeholders.ReplaceAllStringFunc(rest[:strings.Index(rest, "```\n")], func(m string) string {
			return fmt.Sprintf("%x", sha256.Sum256([]byte(m)))
		}))
	}
	if len(blocks) != 2 {
		t.Fatalf("the extends section has %d YAML blocks, want common.yaml and 3.5.yaml", len(blocks))
	}
	return map[string]string{"common.yaml": blocks[0], "3.5.yaml": blocks[1]}
}

func TestDocsValidatePlanFlatten(t *testing.T) {
	doc := cliDoc(t)
	t.Chdir(t.TempDir())
	writeFiles(t, map[string]string{
		"builder.yaml": strings.Replace(strings.Replace(planSpec, "          linux/arm64: "+sumB+"\n", "", 1), "  HELM_VERSION: v3.16.0\n", "  HELM_VERSION: v3.16.0\n  UNUSED: x\n", 1),
		"other.yaml":   planSpec,
	})
	for _, c := range []struct {
		cmd  string
		code int
	}{
		{"builder validate builder.yaml other.yaml", 1},
	} {
		if out, code := docRun(c.cmd); code != c.code || out != shown(t, doc, c.cmd) {
			t.Errorf("%s: exit %d\n%s\ndocs/cli.md shows:\n%s", c.cmd, code, out, shown(t, doc, c.cmd))
		}
	}

	t.Chdir(t.TempDir())
	writeFiles(t, map[string]string{"builder.yaml": planSpec})
	cmd := "builder plan --platform linux/arm64 builder.yaml"
	if out, code := docRun(cmd); code != 0 || out != shown(t, doc, cmd) {
		t.Errorf("%s: exit %d\n%s\ndocs/cli.md shows:\n%s", cmd, code, out, shown(t, doc, cmd))
	}

	// The spec.md extends example.
	t.Chdir(t.TempDir())
	writeFiles(t, extendsExample(t))
	cmd = "builder plan --platform linux/arm64 3.5.yaml"
	if out, code := docRun(cmd); code != 0 || out != shown(t, doc, cmd) {
		t.Errorf("%s: exit %d\n%s\ndocs/cli.md shows:\n%s", cmd, code, out, shown(t, doc, cmd))
	}
	cmd = "builder flatten 3.5.yaml"
	want, cut := strings.CutSuffix(shown(t, doc, cmd), "…\n")
	if out, code := docRun(cmd); !cut || code != 0 || !strings.HasPrefix(out, want) {
		t.Errorf("%s: exit %d\n%s\ndocs/cli.md shows:\n%s", cmd, code, out, want)
	}

	t.Chdir(repo)
	cmd = "builder plan --platform linux/arm64 examples/maistra-builder/3.5.yaml"
	if out, code := docRun(cmd); code != 0 || out != shown(t, doc, cmd) {
		t.Errorf("%s: exit %d\n%s\ndocs/cli.md shows:\n%s", cmd, code, out, shown(t, doc, cmd))
	}
}

// TestDocsDrift: the drift table and JSON of the maistra-builder 3.4
// branch, and what --write prints for it.
func TestDocsDrift(t *testing.T) {
	doc := cliDoc(t)
	t.Chdir(repo)
	cmd := "builder drift --istio internal/drift/testdata/istio/release-1.30.Dockerfile --bazelversion internal/drift/testdata/istio/release-1.30.bazelversion examples/maistra-builder/3.4.yaml"
	out, code := docRun(cmd)
	if code != 1 || out != shown(t, doc, cmd) {
		t.Errorf("%s: exit %d\n%s\ndocs/cli.md shows:\n%s", cmd, code, out, shown(t, doc, cmd))
	}

	// The JSON shown is the command's with --format json, but for the rows
	// it leaves out.
	sec := doc[strings.Index(doc, "`--format json` prints one object;"):]
	sec = sec[strings.Index(sec, "```json\n")+len("```json\n"):]
	var shownJSON, got map[string]any
	if err := json.Unmarshal([]byte(sec[:strings.Index(sec, "```\n")]), &shownJSON); err != nil {
		t.Fatalf("docs/cli.md's drift JSON: %v", err)
	}
	out, _ = docRun(strings.Replace(cmd, "drift ", "drift --format json ", 1))
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for k, v := range shownJSON {
		if k == "tools" {
			for _, row := range v.([]any) {
				found := false
				for _, r := range got["tools"].([]any) {
					found = found || reflect.DeepEqual(r, row)
				}
				if !found {
					t.Errorf("docs/cli.md's drift JSON shows the row %v, which the command does not print:\n%s", row, out)
				}
			}
			continue
		}
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("docs/cli.md's drift JSON shows %s: %v, the command prints %v", k, v, got[k])
		}
	}

	copyExample(t, "release-1.30")
	cmd = "builder drift --write --istio release-1.30.Dockerfile --bazelversion release-1.30.bazelversion 3.4.yaml"
	want, cut := strings.CutPrefix(shown(t, doc, cmd), "…\n")
	if out, code := docRun(cmd); !cut || code != 0 || !strings.HasSuffix(out, want) {
		t.Errorf("%s: exit %d\n%s\ndocs/cli.md shows:\n%s", cmd, code, out, want)
	}
	if _, stderr, _ := runBuilder2("validate", "3.4.yaml"); !strings.Contains(stderr, `tool "go": version 1.26.5 has no sha256`) || !strings.Contains(doc, "`tool \"go\": version 1.26.5 has no sha256`") {
		t.Errorf("validate after --write:\n%s", stderr)
	}
}
