package llb

import (
	"maps"
	"slices"
	"strings"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/maistra/builder-frontend/spec"
)

// defaultPath is PATH when the base image sets none (scratch).
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// ImageConfig is the base image's config with the spec's settings applied:
// env (tools' PATH entries in front of the base's PATH), workdir, user,
// entrypoint, cmd and labels.
func ImageConfig(r *spec.Resolved, base *dockerspec.DockerOCIImage, p ocispecs.Platform) dockerspec.DockerOCIImage {
	var img dockerspec.DockerOCIImage
	if base != nil {
		img = *base
		img.Config.Env = append([]string(nil), base.Config.Env...)
		img.Config.Entrypoint = append([]string(nil), base.Config.Entrypoint...)
		img.Config.Cmd = append([]string(nil), base.Config.Cmd...)
		labels := map[string]string{}
		for k, v := range base.Config.Labels {
			labels[k] = v
		}
		img.Config.Labels = labels
		img.History = append([]ocispecs.History(nil), base.History...)
	}
	img.RootFS = ocispecs.RootFS{Type: "layers"}
	if base != nil {
		img.RootFS.DiffIDs = append([]digest.Digest(nil), base.RootFS.DiffIDs...)
	}
	img.Created = nil
	img.OS = p.OS
	img.Architecture = p.Architecture
	img.Variant = p.Variant

	pathVal, ok := lookupEnv(img.Config.Env, "PATH")
	if !ok {
		pathVal = defaultPath
	}
	if len(r.PathPrepend) > 0 {
		pathVal = strings.Join(append(dedupe(r.PathPrepend), pathVal), ":")
	}
	img.Config.Env = setEnv(img.Config.Env, "PATH", pathVal)
	for _, k := range slices.Sorted(maps.Keys(r.Env)) {
		img.Config.Env = setEnv(img.Config.Env, k, r.Env[k])
	}
	if r.Workdir != "" {
		img.Config.WorkingDir = r.Workdir
	}
	if r.User != "" {
		img.Config.User = r.User
	}
	if len(r.Entrypoint) > 0 {
		img.Config.Entrypoint = r.Entrypoint
		// As in a Dockerfile: a new entrypoint drops the base's cmd.
		img.Config.Cmd = nil
	}
	if len(r.Cmd) > 0 {
		img.Config.Cmd = r.Cmd
	}
	if len(r.Labels) > 0 && img.Config.Labels == nil {
		img.Config.Labels = map[string]string{}
	}
	for k, v := range r.Labels {
		img.Config.Labels[k] = v
	}
	return img
}

func lookupEnv(env []string, key string) (string, bool) {
	for _, e := range env {
		if k, v, _ := strings.Cut(e, "="); k == key {
			return v, true
		}
	}
	return "", false
}

func setEnv(env []string, key, val string) []string {
	for i, e := range env {
		if k, _, _ := strings.Cut(e, "="); k == key {
			env[i] = key + "=" + val
			return env
		}
	}
	return append(env, key+"="+val)
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func digestOf(s string) digest.Digest { return digest.Digest(s) }
