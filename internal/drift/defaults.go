package drift

import (
	"fmt"
	"sort"

	"github.com/maistra/builder-frontend/spec"
)

// defaultSources is where Istio's build-tools Dockerfile states the version
// of the tools builder images share with it, by the tool names the
// examples use. A spec's drift: entries win over these; a Go tool missing
// here is looked up by its package (go PACKAGE), which names it in Istio's
// go install lines too.
var defaultSources = map[string]string{
	"go":                    "image golang", // ARG GOLANG_IMAGE=golang:1.26.5-bookworm, FROM ${GOLANG_IMAGE}
	"bazel":                 "bazelversion", // istio/proxy's .bazelversion; BAZELISK_VERSION is bazelisk's
	"bazelisk":              "env BAZELISK_VERSION",
	"google-cloud-sdk":      "env GCLOUD_VERSION",
	"gcloud":                "env GCLOUD_VERSION",
	"su-exec":               "env SU_EXEC_VERSION",
	"protoc":                "env PROTOC_VERSION",
	"gh":                    "env GH_VERSION",
	"shellcheck":            "env SHELLCHECK_VERSION",
	"hadolint":              "env HADOLINT_VERSION",
	"hugo":                  "env HUGO_VERSION",
	"helm":                  "env HELM_VERSION",
	"kubectl":               "env KUBECTL_VERSION",
	"docker-credential-gcr": "env GCR_AUTH_VERSION",
	"buf":                   "env BUF_VERSION",
	"kpt":                   "env KPT_VERSION",
	"cosign":                "env COSIGN_VERSION",
	"oras":                  "env ORAS_VERSION",
	"trivy":                 "env TRIVY_VERSION",
	"kubectx":               "env KUBECTX_VERSION",
	"kubens":                "env KUBECTX_VERSION",
	"oc":                    "env OC_VERSION",
	"node":                  "env NODEJS_VERSION",
	"nodejs":                "env NODEJS_VERSION",
	"rust":                  "env RUST_VERSION",
	"clang-llvm":            "env LLVM_VERSION",
	"llvm":                  "env LLVM_VERSION",
}

// parsedDefaults is defaultSources parsed once; a bad entry is a bug here.
var parsedDefaults = func() map[string]spec.DriftSource {
	out := make(map[string]spec.DriftSource, len(defaultSources))
	for tool, text := range defaultSources {
		d, err := spec.ParseDriftSource(text)
		if err != nil {
			panic(fmt.Sprintf("drift default for %s: %v", tool, err))
		}
		out[tool] = d
	}
	return out
}()

// DefaultSource is a tool name with its default drift source.
type DefaultSource struct {
	Tool   string
	Source spec.DriftSource
}

// Defaults lists the default table, by tool name.
func Defaults() []DefaultSource {
	out := make([]DefaultSource, 0, len(parsedDefaults))
	for t, d := range parsedDefaults {
		out = append(out, DefaultSource{t, d})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Tool < out[j].Tool })
	return out
}
