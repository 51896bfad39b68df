// Package spec reads a builder spec: YAML in, a validated Spec with source
// positions out, and per platform a Resolved image with every template,
// arch name and checksum filled in. It knows nothing about LLB or BuildKit.
package spec

import "sync"

type schemeCache struct {
	once sync.Once
	m    map[string]map[string]string
}

// CurrentVersion is the spec format version this package reads.
const CurrentVersion = 1

// Spec is a whole builder spec file.
type Spec struct {
	// Version of the spec format; 1.
	Version int `yaml:"version" json:"version" jsonschema:"enum=1"`
	// Extends names the spec this one builds on: a path relative to this
	// file, in its directory or below. This spec then states only what
	// differs (docs/spec.md, "extends").
	Extends string `yaml:"extends,omitempty" json:"extends,omitempty"`
	// Platforms built when --platform is not given.
	Platforms []string `yaml:"platforms,omitempty" json:"platforms,omitempty"`
	// Args are the build arguments of the spec; --build-arg NAME=value wins over Default.
	Args map[string]Arg `yaml:"args,omitempty" json:"args,omitempty"`
	// Arches declares arch naming schemes: scheme -> platform -> the name upstream uses.
	// The schemes goarch and uname are built in.
	Arches map[string]map[string]string `yaml:"arches,omitempty" json:"arches,omitempty"`
	// Images are the named images this spec builds; --target picks one, the first is the default.
	Images map[string]*Image `yaml:"images" json:"images"`
	// Drift maps tool and Go tool names to where Istio's build-tools Dockerfile or .bazelversion
	// states their version, for builder drift: env NAME [in STAGE], image NAME, go PACKAGE,
	// url URL (with ${version}), bazelversion, or none. The build ignores it.
	Drift map[string]string `yaml:"drift,omitempty" json:"drift,omitempty"`

	// Source is the file this spec was parsed from, with positions; for a
	// spec with extends, the file that extends the others.
	Source *Source `yaml:"-" json:"-"`
	// chain is what Load adds to a spec with extends (origin.go).
	chain *chain
	// imageOrder keeps the images in document order.
	imageOrder []string
	// schemes caches archSchemes (Parse sets it): Resolve runs per
	// platform, concurrently. A pointer, so a Spec can still be copied.
	schemes *schemeCache
	// prep holds what every Resolve of the spec shares (prepare.go).
	prep *prepCache
}

// Arg is a build argument. In YAML it is either a plain scalar (the default)
// or a mapping with default and description.
type Arg struct {
	Default     string `yaml:"default" json:"default"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
}

// Image is one image the spec builds.
type Image struct {
	// Base image reference; --build-context base=... overrides it.
	Base string `yaml:"base" json:"base"`
	// Packages installed with the base image's package manager, on the target platform.
	Packages *Packages `yaml:"packages,omitempty" json:"packages,omitempty"`
	// Tools downloaded from release URLs, verified and unpacked natively.
	Tools []*Tool `yaml:"tools,omitempty" json:"tools,omitempty"`
	// Go configures how Go tools are compiled.
	Go *GoSettings `yaml:"go,omitempty" json:"go,omitempty"`
	// GoTools are compiled from source with the spec's Go toolchain, natively
	// on the build platform for every target platform.
	GoTools []*GoTool `yaml:"goTools,omitempty" json:"goTools,omitempty"`
	// Files copied from the build context.
	Files []*File `yaml:"files,omitempty" json:"files,omitempty"`
	// Directories created in the image.
	Directories []*Directory `yaml:"directories,omitempty" json:"directories,omitempty"`
	// Run steps executed on the target platform after everything else is in place.
	Run []*RunStep `yaml:"run,omitempty" json:"run,omitempty"`

	Env        map[string]string `yaml:"env,omitempty" json:"env,omitempty"`
	Workdir    string            `yaml:"workdir,omitempty" json:"workdir,omitempty"`
	User       string            `yaml:"user,omitempty" json:"user,omitempty"`
	Entrypoint []string          `yaml:"entrypoint,omitempty" json:"entrypoint,omitempty"`
	Cmd        []string          `yaml:"cmd,omitempty" json:"cmd,omitempty"`
	Labels     map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
	// Annotations are OCI annotations put on each platform's manifest and on
	// the index (org.opencontainers.image.source, .revision, ...).
	Annotations map[string]string `yaml:"annotations,omitempty" json:"annotations,omitempty"`
	// Remove drops, by name, what the image of the extended spec has: tools,
	// Go tools, packages, env, labels, annotations. Only with extends.
	Remove *Removal `yaml:"remove,omitempty" json:"remove,omitempty"`

	name string
}

// Name is the image's key under images.
func (i *Image) Name() string { return i.name }

// Removal names what an image drops from the same image of the spec it
// extends. A name the extended image does not have is an error.
type Removal struct {
	// Tools by name.
	Tools []string `yaml:"tools,omitempty" json:"tools,omitempty"`
	// GoTools by name.
	GoTools []string `yaml:"goTools,omitempty" json:"goTools,omitempty"`
	// Packages as written under packages.install.
	Packages []string `yaml:"packages,omitempty" json:"packages,omitempty"`
	// Env variables by name.
	Env []string `yaml:"env,omitempty" json:"env,omitempty"`
	// Labels by key.
	Labels []string `yaml:"labels,omitempty" json:"labels,omitempty"`
	// Annotations by key.
	Annotations []string `yaml:"annotations,omitempty" json:"annotations,omitempty"`
}

// Packages are distro packages installed by the base image's package manager.
type Packages struct {
	// Manager is apt, dnf, microdnf or apk.
	Manager string `yaml:"manager" json:"manager" jsonschema:"enum=apt,enum=dnf,enum=microdnf,enum=apk"`
	// Install lists package names (or exact versions, as the manager spells them).
	Install []string `yaml:"install" json:"install"`
	// Repositories added before installing.
	Repositories []*Repository `yaml:"repositories,omitempty" json:"repositories,omitempty"`
	// Options are extra command-line options for the install command (e.g. --allowerasing).
	Options []string `yaml:"options,omitempty" json:"options,omitempty"`
	// Mode is how the packages are installed: native (the manager runs on the build platform and installs into
	// the target's root; only maintainer scripts run on the target) or emulated (the manager runs on the target
	// platform). Default: native for apt and dnf, emulated for microdnf and apk (which have only that route).
	Mode string `yaml:"mode,omitempty" json:"mode,omitempty" jsonschema:"enum=native,enum=emulated"`
}

// Repository is an extra package repository.
type Repository struct {
	// Name of the repository file written (/etc/apt/sources.list.d/NAME.list, /etc/yum.repos.d/NAME.repo).
	Name string `yaml:"name" json:"name"`
	// URL: for apt a full sources.list line ("deb [signed-by=...] URL SUITE COMPONENTS"),
	// for dnf the baseurl, for apk a repository URL.
	URL string `yaml:"url" json:"url"`
	// GPGKey (dnf): URL of the key; without it gpgcheck is off.
	GPGKey string `yaml:"gpgkey,omitempty" json:"gpgkey,omitempty"`
}

// Tool is a release artifact downloaded per platform.
type Tool struct {
	Name    string `yaml:"name" json:"name"`
	Version string `yaml:"version" json:"version"`
	// URL template: ${version}, ${arch}, ${os} and the spec's args.
	URL string `yaml:"url" json:"url"`
	// AllowHTTP permits a plain http:// URL on a host other than loopback;
	// the sha256 still decides what is accepted.
	AllowHTTP bool `yaml:"allowHTTP,omitempty" json:"allowHTTP,omitempty"`
	// AuthSecret names a BuildKit secret (--secret id=NAME,...) holding the
	// whole Authorization header for the download, e.g. "Bearer <token>".
	// Only its name enters the graph and the cache key.
	AuthSecret string `yaml:"authSecret,omitempty" json:"authSecret,omitempty"`
	// Arch names the arch scheme used for ${arch}; default goarch.
	Arch string `yaml:"arch,omitempty" json:"arch,omitempty"`
	// SHA256 per platform, or per version then per platform.
	SHA256 Checksums `yaml:"sha256" json:"sha256"`
	// Form of the artifact. Default: inferred from the end of the URL's file name (docs/spec.md lists the endings).
	Form string `yaml:"form,omitempty" json:"form,omitempty"`
	// Strip leading path components from archive entries.
	Strip int `yaml:"strip,omitempty" json:"strip,omitempty"`
	// Take only these paths (after strip) from the archive.
	Take []string `yaml:"take,omitempty" json:"take,omitempty"`
	// Dest: the directory archives unpack into, or the file path of a raw binary.
	Dest string `yaml:"dest" json:"dest"`
	// Mode of a raw binary; default 0755.
	Mode FileMode `yaml:"mode,omitempty" json:"mode,omitempty"`
	// Links: link path -> target, created beside the tool in its layer.
	Links map[string]string `yaml:"links,omitempty" json:"links,omitempty"`
	// Path entries prepended to the image's PATH.
	Path []string `yaml:"path,omitempty" json:"path,omitempty"`
	// Env set in the image.
	Env map[string]string `yaml:"env,omitempty" json:"env,omitempty"`
	// Platforms limits the tool to these platforms; by default it is needed on every platform built.
	Platforms []string `yaml:"platforms,omitempty" json:"platforms,omitempty"`
	// Check is a shell command that proves the tool starts (bazel --version), run in the finished
	// image on every platform it is built for; a non-zero exit fails the build. Not a template:
	// the shell sees the args as environment variables.
	Check string `yaml:"check,omitempty" json:"check,omitempty"`

	// ArchIndependent says the download is one file for every platform that
	// holds no machine code for any one of them (scripts, jars): the lint
	// rules about one URL or one sha256 for several platforms let it be.
	ArchIndependent bool `yaml:"archIndependent,omitempty" json:"archIndependent,omitempty"`
	// ForeignBinaries says the tool installs executables for other machines
	// on purpose (an emulator's guests, a cross toolchain's target
	// libraries): the build does not check its files' ELF machines against
	// the platform, and builder lock pins one file for several platforms.
	ForeignBinaries bool `yaml:"foreignBinaries,omitempty" json:"foreignBinaries,omitempty"`
	// MaxUnpackedSize caps the archive's unpacked size, in bytes or with
	// KiB, MiB, GiB or TiB (32GiB); default 16GiB. Setting it (or
	// MaxUnpackedFiles) has the frontend's unpacker unpack the archive.
	MaxUnpackedSize string `yaml:"maxUnpackedSize,omitempty" json:"maxUnpackedSize,omitempty" jsonschema:"oneof_type=string;integer"`
	// MaxUnpackedFiles caps the archive's entries; default 1000000.
	MaxUnpackedFiles int `yaml:"maxUnpackedFiles,omitempty" json:"maxUnpackedFiles,omitempty"`
}

// File is a file or directory copied from the build context.
type File struct {
	Src  string   `yaml:"src" json:"src"`
	Dest string   `yaml:"dest" json:"dest"`
	Mode FileMode `yaml:"mode,omitempty" json:"mode,omitempty"`
}

// Directory is a directory created in the image (mount points, caches).
type Directory struct {
	Path string   `yaml:"path" json:"path"`
	Mode FileMode `yaml:"mode,omitempty" json:"mode,omitempty"`
}

// RunStep is a shell command run on the target platform. In YAML it is a
// plain string or a mapping.
type RunStep struct {
	Name    string `yaml:"name,omitempty" json:"name,omitempty"`
	Command string `yaml:"command" json:"command"`
}

// GoSettings are shared by all Go tools of an image.
type GoSettings struct {
	// Toolchain names the tool that installs Go (default "go"); its artifact
	// for the build platform compiles every Go tool.
	Toolchain string `yaml:"toolchain,omitempty" json:"toolchain,omitempty"`
	// Env for every compile: GOPROXY, GOSUMDB, GOPRIVATE, GOFLAGS, GONOSUMDB...
	Env map[string]string `yaml:"env,omitempty" json:"env,omitempty"`
	// Dest is the directory binaries go to; default /usr/local/bin.
	Dest string `yaml:"dest,omitempty" json:"dest,omitempty"`
}

// GoTool is a Go command built from a module.
type GoTool struct {
	Name string `yaml:"name" json:"name"`
	// Package is the import path of the main package (a module path works
	// when the command is at the module root).
	Package string `yaml:"package" json:"package"`
	// Version is a tag, a pseudo-version or a commit.
	Version string `yaml:"version" json:"version"`
	// Binary is the installed file name; default: the package's command name.
	Binary string `yaml:"binary,omitempty" json:"binary,omitempty"`
	// Ldflags passed to the linker (-s -w by default).
	Ldflags *string `yaml:"ldflags,omitempty" json:"ldflags,omitempty"`
	// Tags are build tags.
	Tags []string `yaml:"tags,omitempty" json:"tags,omitempty"`
	// Cgo builds with CGO_ENABLED=1 on the target platform (emulated for a
	// foreign platform: much slower). Off by default.
	Cgo bool `yaml:"cgo,omitempty" json:"cgo,omitempty"`
	// Env for this tool's compile, over go.env.
	Env map[string]string `yaml:"env,omitempty" json:"env,omitempty"`
	// Dest overrides go.dest for this tool.
	Dest string `yaml:"dest,omitempty" json:"dest,omitempty"`
	// Platforms limits the tool to these platforms.
	Platforms []string `yaml:"platforms,omitempty" json:"platforms,omitempty"`
	// Check is a shell command that proves the command starts, run in the finished image on every
	// platform it is built for, as a tool's check.
	Check string `yaml:"check,omitempty" json:"check,omitempty"`
}
