package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/maistra/builder-frontend/internal/lab"
)

// baseDockerfile lays the debootstrap'd root file systems into a two-platform image.
const baseDockerfile = `FROM scratch
ARG TARGETARCH
COPY rootfs-${TARGETARCH}/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["/bin/bash"]
`

// buildBase pushes the two-platform Debian 12 base image to the lab registry.
func buildBase(ctx context.Context, l *lab.Lab, dir string, logf func(string, ...any)) (string, error) {
	ref := l.Registry() + "/bench/debian:12"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(baseDockerfile), 0o644); err != nil {
		return "", err
	}
	t := time.Now()
	out, err := l.Buildctl(ctx, "build", "--frontend", "dockerfile.v0",
		"--local", "context="+dir, "--local", "dockerfile="+dir,
		"--opt", "platform="+strings.Join(platforms, ","),
		"--output", "type=image,name="+ref+",push=true")
	if err != nil {
		return "", fmt.Errorf("base image: %v\n%s", err, tailLines(string(out), 30))
	}
	logf("base image %s (Debian 12 minbase, amd64+arm64) pushed in %.1f s", ref, time.Since(t).Seconds())
	return ref, nil
}

// renderWorkload writes the build context: the templates of bench/workload with the fixtures' sha256 and data filled
// in, and the other files as they are.
func renderWorkload(src, dst string, sums map[string]string, wd workloadData) error {
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	funcs := template.FuncMap{"sha": func(name string) (string, error) {
		s, ok := sums[name]
		if !ok {
			return "", fmt.Errorf("no fixture named %s", name)
		}
		return s, nil
	}}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		name, mode := e.Name(), os.FileMode(0o644)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o755
		}
		if base, ok := strings.CutSuffix(name, ".tmpl"); ok {
			t, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(string(data))
			if err != nil {
				return err
			}
			var b bytes.Buffer
			if err := t.Execute(&b, wd); err != nil {
				return err
			}
			name, data = base, b.Bytes()
		}
		if err := os.WriteFile(filepath.Join(dst, name), data, mode); err != nil {
			return err
		}
	}
	return nil
}
