package spec

// Resolved is one image of a spec for one platform: every template
// expanded, every checksum chosen. It is the input of the llb package.
type Resolved struct {
	Spec     *Spec
	Image    string
	Platform string
	// Args are the effective values of every declared arg.
	Args map[string]string

	Base      string
	BaseRange Range
	Packages  *ResolvedPackages
	Tools     []*ResolvedTool
	GoTools   []*ResolvedGoTool
	// GoToolchain is the Go toolchain tool resolved for the build platform;
	// set when the image has Go tools.
	GoToolchain *ResolvedTool
	Files       []*ResolvedFile
	Dirs        []*ResolvedDir
	Run         []*ResolvedRun
	// LeftOut names the tools and Go tools whose platforms: leave this
	// platform out, in spec order.
	LeftOut []string

	// Env is the image's own environment (tools' env, then the image's env).
	Env map[string]string
	// PathPrepend is prepended to the base image's PATH, in this order.
	PathPrepend []string
	Workdir     string
	User        string
	Entrypoint  []string
	Cmd         []string
	Labels      map[string]string
	Annotations map[string]string
}

// ResolvedPackages is the package step of one platform.
type ResolvedPackages struct {
	Manager      string
	Install      []string
	Repositories []*Repository
	Options      []string
	// Mode is ModeNative or ModeEmulated, the spec's default filled in.
	Mode  string
	Range Range
}

// ResolvedTool is one tool for one platform.
type ResolvedTool struct {
	Name     string
	Version  string
	URL      string
	Platform string
	// SHA256 is a digest ("sha256:<hex>").
	SHA256 string
	Form   string
	Strip  int
	Take   []string
	Dest   string
	// Mode of a raw binary.
	Mode uint32
	// AuthSecret is the id of the secret holding the Authorization header.
	AuthSecret string
	Links      []Link
	Path       []string
	Env        map[string]string
	Range      Range
	// Check is the smoke check's command ("" for none), CheckRange its
	// place in the spec.
	Check      string
	CheckRange Range

	// ForeignBinaries: the tool's ELF files are not checked against the
	// platform.
	ForeignBinaries bool
	// MaxUnpackedBytes and MaxUnpackedFiles are the tool's own caps on its
	// archive; 0 when it sets none (DefaultMaxUnpackedBytes and
	// DefaultMaxUnpackedFiles apply).
	MaxUnpackedBytes int64
	MaxUnpackedFiles int
}

// Filename is the stable name the download is stored under: it is part of
// BuildKit's cache key, so it must not change with the version.
func (t *ResolvedTool) Filename() string {
	if t.Form == FormRaw {
		return t.Name
	}
	return t.Name + "." + t.Form
}

// Link is a symbolic link created in a tool's layer.
type Link struct {
	Path   string
	Target string
}

// ResolvedGoTool is one Go tool for one target platform.
type ResolvedGoTool struct {
	Name    string
	Package string
	Version string
	// Binary is the file name go install writes; Dest the full path in the image.
	Binary  string
	Dest    string
	Ldflags string
	Tags    []string
	Cgo     bool
	// Env is go.env overlaid with the tool's own env.
	Env   map[string]string
	Range Range
	// Check is the smoke check's command ("" for none), CheckRange its
	// place in the spec.
	Check      string
	CheckRange Range
}

// ResolvedFile is a file copied from the build context.
type ResolvedFile struct {
	Src   string
	Dest  string
	Mode  uint32
	Range Range
}

// ResolvedDir is a directory created in the image.
type ResolvedDir struct {
	Path  string
	Mode  uint32
	Range Range
}

// ResolvedRun is a run step.
type ResolvedRun struct {
	Name    string
	Command string
	Range   Range
}
