// Package lab runs a real, private BuildKit stack for end-to-end tests and the demo: an in-process OCI registry and
// an artifact HTTP server on loopback, and a buildkitd child process (OCI worker, runc) with its own root and unix
// socket under a private state directory. It also builds the images and fixtures the tests need (a two-platform
// busybox base image, the frontend image, per-arch executables packed like upstream release archives) and inspects
// pushed images with go-containerregistry.
//
// Everything is loopback-only and coexists with other buildkitd daemons and registries on the machine. A Lab needs
// root, runc, qemu-user-static with binfmt_misc for arm64, and bin/buildkitd, bin/buildctl, bin/buildx built from
// tools/ (hack/install-deps.sh, `make deps`, installs all of it).
package lab

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ModulePath is the module whose go.mod marks the repository root.
const ModulePath = "github.com/maistra/builder-frontend"

// stateFile is the name of the JSON file in the state dir that describes a running lab (read by Attach).
const stateFile = "lab.json"

// Options configure Start. The zero value is a good default.
type Options struct {
	// RepoRoot is the repository root; default: the nearest parent of the working directory whose go.mod declares
	// ModulePath.
	RepoRoot string
	// BinDir holds buildkitd, buildctl and buildx; default RepoRoot/bin.
	BinDir string
	// CacheDir keeps downloads across runs (the busybox-static .debs); default RepoRoot/build/cache.
	CacheDir string
	// StateDir is the private state dir (buildkitd root and socket, registry blobs, artifacts, logs). It must not
	// exist or be empty. Default: a new temporary directory.
	StateDir string
	// KeepState leaves the state dir in place on Close (for debugging).
	KeepState bool
	// StartTimeout bounds the wait for buildkitd to answer; default 60s.
	StartTimeout time.Duration
	// Logf, if set, receives progress lines (daemon ready, images built, timings).
	Logf func(format string, args ...any)
	// BuildkitdArgs are extra buildkitd flags (e.g. "--debug").
	BuildkitdArgs []string
}

// Lab is a running stack. Its methods are safe for concurrent use.
type Lab struct {
	st     state
	logf   func(string, ...any)
	owner  bool // started by this process (Start), as opposed to Attach
	keep   bool
	rmDirs []string

	regSrv, artSrv *http.Server
	art            *artifactServer
	regLog, artLog *requestLog // nil on an attached Lab

	bk      *daemon // the lab's buildkitd; nil on an attached Lab
	extraMu sync.Mutex
	extra   []*Daemon // StartDaemon's

	opts Options // as started, for RestartBuildkitd

	closeOnce sync.Once
	closeErr  error

	base          builtImage
	frontend      builtImage
	frontendIndex builtImage
	debian        builtImage
	rpmImage      builtImage
	exeMu         sync.Mutex // guards exes
	exes          map[string][]byte
}

// state is what Attach needs to use a Lab started by another process; written to StateDir/lab.json.
type state struct {
	RepoRoot      string `json:"repoRoot"`
	BinDir        string `json:"binDir"`
	CacheDir      string `json:"cacheDir"`
	StateDir      string `json:"stateDir"`
	Socket        string `json:"socket"`
	Registry      string `json:"registry"`
	ArtifactURL   string `json:"artifactURL"`
	ArtifactDir   string `json:"artifactDir"`
	BuildxBuilder string `json:"buildxBuilder"`
	BuildxConfig  string `json:"buildxConfig"`
	DockerConfig  string `json:"dockerConfig"`
	PID           int    `json:"pid"`
	BuildkitdPID  int    `json:"buildkitdPID"`
}

// Start starts a lab: registry, artifact server and buildkitd, and waits (bounded by ctx and
// Options.StartTimeout) until buildkitd answers. ctx only bounds the start: the daemons live until Close.
func Start(ctx context.Context, opts Options) (l *Lab, err error) {
	t0 := time.Now()
	if err := checkPlatform(); err != nil {
		return nil, err
	}
	l = &Lab{owner: true, keep: opts.KeepState, logf: opts.Logf}
	if l.logf == nil {
		l.logf = func(string, ...any) {}
	}
	s := &l.st
	if s.RepoRoot = opts.RepoRoot; s.RepoRoot == "" {
		if s.RepoRoot, err = RepoRoot(); err != nil {
			return nil, err
		}
	}
	if s.BinDir = opts.BinDir; s.BinDir == "" {
		s.BinDir = filepath.Join(s.RepoRoot, "bin")
	}
	if s.CacheDir = opts.CacheDir; s.CacheDir == "" {
		s.CacheDir = filepath.Join(s.RepoRoot, "build", "cache")
		// The cache holds module caches and root file systems: a go.mod
		// makes build/ a module of its own, which `go test ./...` skips.
		if err := os.MkdirAll(s.CacheDir, 0o755); err != nil {
			return nil, err
		}
		gomod := filepath.Join(s.RepoRoot, "build", "go.mod")
		if _, err := os.Stat(gomod); err != nil {
			if err := os.WriteFile(gomod, []byte("// Downloads and build output, not part of the project's module.\nmodule builder-frontend-cache\n"), 0o644); err != nil {
				return nil, err
			}
		}
	}
	if err := checkBinaries(s.BinDir); err != nil {
		return nil, err
	}
	if s.StateDir, err = makeStateDir(opts.StateDir); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			l.Close()
			l = nil
		}
	}()
	s.StateDir, _ = filepath.Abs(s.StateDir)
	l.rmDirs = append(l.rmDirs, s.StateDir)
	s.PID = os.Getpid()
	if err := l.writeState(); err != nil { // early, so that a crash during Start is swept too
		return nil, err
	}

	// Registry.
	regLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lab: registry listener: %w", err)
	}
	blobs := filepath.Join(s.StateDir, "registry")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return nil, err
	}
	l.regLog = &requestLog{}
	l.regSrv = &http.Server{Handler: l.regLog.wrap(newRegistry(blobs)), ReadHeaderTimeout: time.Minute}
	go l.regSrv.Serve(regLn)
	s.Registry = regLn.Addr().String()

	// Artifact server.
	s.ArtifactDir = filepath.Join(s.StateDir, "artifacts")
	if err := os.MkdirAll(s.ArtifactDir, 0o755); err != nil {
		return nil, err
	}
	artLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lab: artifact listener: %w", err)
	}
	l.art = newArtifactServer(s.ArtifactDir)
	l.artLog = &requestLog{}
	l.artSrv = &http.Server{Handler: l.artLog.wrap(l.art), ReadHeaderTimeout: time.Minute}
	go l.artSrv.Serve(artLn)
	s.ArtifactURL = "http://" + artLn.Addr().String()

	// buildkitd.
	l.opts = opts
	if err := l.startBuildkitd(ctx, opts); err != nil {
		return nil, err
	}

	// buildx: a private config with a remote builder on our socket.
	s.BuildxConfig = filepath.Join(s.StateDir, "buildx")
	s.DockerConfig = filepath.Join(s.StateDir, "docker")
	for _, d := range []string{s.BuildxConfig, s.DockerConfig} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	// Docker config with no credentials: keeps buildx away from ~/.docker.
	if err := os.WriteFile(filepath.Join(s.DockerConfig, "config.json"), []byte("{}\n"), 0o600); err != nil {
		return nil, err
	}
	s.BuildxBuilder = "lab-" + randomHex(4)
	if out, err := l.run(ctx, "buildx", []string{"BUILDX_CONFIG=" + s.BuildxConfig, "DOCKER_CONFIG=" + s.DockerConfig}, "create", "--name", s.BuildxBuilder, "--driver", "remote", "unix://"+s.Socket); err != nil {
		return nil, fmt.Errorf("lab: buildx create: %w\n%s", err, out)
	}

	if err := l.writeState(); err != nil {
		return nil, err
	}
	l.logf("lab: up in %s: buildkitd %s, registry %s, artifacts %s, state %s",
		time.Since(t0).Round(10*time.Millisecond), l.BuildkitHost(), s.Registry, s.ArtifactURL, s.StateDir)
	return l, nil
}

// writeState writes StateDir/lab.json (atomically: Attach and sweepStale may read it at any time).
func (l *Lab) writeState() error {
	data, _ := json.MarshalIndent(&l.st, "", "  ")
	return writeFileAtomic(filepath.Join(l.st.StateDir, stateFile), data, 0o644)
}

// Attach returns a Lab for the stack that another process started with StateDir stateDir (as hack/lab up does).
// Closing it stops nothing. Handle and the artifact request counters are not available on an attached Lab.
func Attach(stateDir string) (*Lab, error) {
	data, err := os.ReadFile(filepath.Join(stateDir, stateFile))
	if err != nil {
		return nil, fmt.Errorf("lab: no running lab in %s: %w", stateDir, err)
	}
	l := &Lab{logf: func(string, ...any) {}}
	if err := json.Unmarshal(data, &l.st); err != nil {
		return nil, fmt.Errorf("lab: %s: %w", filepath.Join(stateDir, stateFile), err)
	}
	if !processAlive(l.st.BuildkitdPID) {
		return nil, fmt.Errorf("lab: buildkitd (pid %d) of the lab in %s is not running", l.st.BuildkitdPID, stateDir)
	}
	return l, nil
}

// SetLogf sets the progress logger (see Options.Logf); nil disables it.
func (l *Lab) SetLogf(f func(string, ...any)) {
	if f == nil {
		f = func(string, ...any) {}
	}
	l.logf = f
}

func (l *Lab) startBuildkitd(ctx context.Context, opts Options) error {
	if l.bk == nil {
		d, err := l.newDaemon(l.st.StateDir, opts.BuildkitdArgs)
		if err != nil {
			return err
		}
		l.bk = d
		l.st.Socket = d.socket
	}
	if err := l.bk.start(ctx, opts.StartTimeout, l.logf); err != nil {
		return err
	}
	l.st.BuildkitdPID = l.bk.pid()
	return nil
}

// Close stops buildkitd (SIGTERM to its process group, SIGKILL after 20s), the registry and the artifact server,
// unmounts anything left mounted under the state dir and removes it (unless Options.KeepState). On an attached Lab
// it does nothing.
func (l *Lab) Close() error {
	if l == nil || !l.owner {
		return nil
	}
	l.closeOnce.Do(func() {
		var errs []error
		l.extraMu.Lock()
		extra := l.extra
		l.extraMu.Unlock()
		for _, d := range extra {
			if err := d.Close(); err != nil {
				errs = append(errs, err)
			}
		}
		if l.bk != nil {
			if err := l.bk.stop(); err != nil {
				errs = append(errs, err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		for _, srv := range []*http.Server{l.regSrv, l.artSrv} {
			if srv != nil {
				if srv.Shutdown(ctx) != nil {
					srv.Close()
				}
			}
		}
		cancel()
		if !l.keep {
			for _, d := range l.rmDirs {
				if err := removeAll(d); err != nil {
					errs = append(errs, err)
				}
			}
		}
		l.closeErr = errors.Join(errs...)
	})
	return l.closeErr
}

// KillBuildkitd kills the daemon's process group with SIGKILL, as a crash
// would, and waits for it to exit.
func (l *Lab) KillBuildkitd() error {
	if l.bk == nil || l.bk.cmd == nil {
		return errors.New("lab: this Lab did not start buildkitd")
	}
	killProcessGroup(l.bk.pid())
	select {
	case <-l.bk.done:
		return nil
	case <-time.After(20 * time.Second):
		return fmt.Errorf("lab: buildkitd (pid %d) survived SIGKILL", l.bk.pid())
	}
}

// RestartBuildkitd starts the daemon again with the same root, config and
// socket, after KillBuildkitd.
func (l *Lab) RestartBuildkitd(ctx context.Context) error {
	if l.bk == nil || l.bk.cmd == nil {
		return errors.New("lab: this Lab did not start buildkitd")
	}
	select {
	case <-l.bk.done:
	default:
		return errors.New("lab: buildkitd is still running")
	}
	_ = os.Remove(l.st.Socket)
	return l.startBuildkitd(ctx, l.opts)
}

// BuildkitHost is the daemon address, unix://<state>/buildkitd.sock (the value for BUILDKIT_HOST).
func (l *Lab) BuildkitHost() string { return "unix://" + l.st.Socket }

// Registry is the registry host, 127.0.0.1:PORT (plain HTTP).
func (l *Lab) Registry() string { return l.st.Registry }

// ArtifactURL is the artifact server's base URL, http://127.0.0.1:PORT, without a trailing slash.
func (l *Lab) ArtifactURL() string { return l.st.ArtifactURL }

// ArtifactDir is the directory the artifact server serves.
func (l *Lab) ArtifactDir() string { return l.st.ArtifactDir }

// StateDir is the lab's private state directory.
func (l *Lab) StateDir() string { return l.st.StateDir }

// RepoRoot is the repository root the lab builds the frontend from.
func (l *Lab) RepoRoot() string { return l.st.RepoRoot }

// BuildxBuilder is the name of the remote buildx builder on this daemon (in the lab's private BUILDX_CONFIG).
func (l *Lab) BuildxBuilder() string { return l.st.BuildxBuilder }

// BuildkitdPID is the process id of buildkitd.
func (l *Lab) BuildkitdPID() int { return l.st.BuildkitdPID }

// BuildkitdLog returns the last n lines of buildkitd's log (all with n <= 0), for failure messages.
func (l *Lab) BuildkitdLog(n int) string {
	return tailFile(filepath.Join(l.st.StateDir, "buildkitd.log"), n)
}

// Env returns the environment (KEY=VALUE) that points buildctl and buildx at this lab: BUILDKIT_HOST,
// BUILDX_CONFIG, DOCKER_CONFIG, BUILDX_BUILDER, plus REGISTRY, ARTIFACTS and ARTIFACT_DIR for scripts.
func (l *Lab) Env() []string {
	return []string{
		"BUILDKIT_HOST=" + l.BuildkitHost(),
		"BUILDX_CONFIG=" + l.st.BuildxConfig,
		"DOCKER_CONFIG=" + l.st.DockerConfig,
		"BUILDX_BUILDER=" + l.st.BuildxBuilder,
		"REGISTRY=" + l.st.Registry,
		"ARTIFACTS=" + l.st.ArtifactURL,
		"ARTIFACT_DIR=" + l.st.ArtifactDir,
	}
}

// Buildctl runs bin/buildctl --addr <lab> args... and returns its combined output. The error, if any, names the
// command and its exit status; the output is not repeated in it.
func (l *Lab) Buildctl(ctx context.Context, args ...string) ([]byte, error) {
	return l.run(ctx, "buildctl", nil, append([]string{"--addr", l.BuildkitHost()}, args...)...)
}

// Buildx runs bin/buildx (standalone, not as a docker plugin) with the lab's private BUILDX_CONFIG, DOCKER_CONFIG and
// BUILDX_BUILDER, e.g. Buildx(ctx, "build", "--push", "-t", ref, dir). Returns combined output like Buildctl.
func (l *Lab) Buildx(ctx context.Context, args ...string) ([]byte, error) {
	return l.run(ctx, "buildx", []string{
		"BUILDX_CONFIG=" + l.st.BuildxConfig,
		"DOCKER_CONFIG=" + l.st.DockerConfig,
		"BUILDX_BUILDER=" + l.st.BuildxBuilder,
	}, args...)
}

// Command returns an *exec.Cmd for bin/<tool> (buildctl or buildx) with the lab's environment, for callers that
// need stdin or streaming output. buildctl is not given --addr: BUILDKIT_HOST is in the environment.
func (l *Lab) Command(ctx context.Context, tool string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(l.st.BinDir, tool), args...)
	cmd.Env = append(cleanEnv(), l.Env()...)
	cmd.Dir = l.st.StateDir
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

func (l *Lab) run(ctx context.Context, tool string, env []string, args ...string) ([]byte, error) {
	return runTool(ctx, l.st.BinDir, l.st.StateDir, tool, env, args...)
}

// runTool runs binDir/tool args... in dir with cleanEnv plus env and returns its combined output. The error, if
// any, names the command and its exit status.
func runTool(ctx context.Context, binDir, dir, tool string, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, tool), args...)
	cmd.Env = append(cleanEnv(), env...)
	cmd.Dir = dir
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("%s %s: %w", tool, shortArgs(args), err)
	}
	return out.Bytes(), err
}

// RepoRoot finds the repository root: the nearest parent of the working directory whose go.mod declares ModulePath.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for range 64 {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && modulePath(data) == ModulePath {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", fmt.Errorf("lab: no go.mod of module %s above the working directory", ModulePath)
}

func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// Available reports why a lab cannot run on this machine (nil if it can): Linux, root, bin/buildkitd, bin/buildctl,
// bin/buildx, runc, and qemu-aarch64 registered in binfmt_misc on a non-arm64 host.
func Available() error {
	if runtime.GOOS != "linux" {
		return errors.New("needs Linux")
	}
	if os.Geteuid() != 0 {
		return errors.New("needs root (buildkitd with the runc OCI worker)")
	}
	root, err := RepoRoot()
	if err != nil {
		return err
	}
	if err := checkBinaries(filepath.Join(root, "bin")); err != nil {
		return err
	}
	if _, err := exec.LookPath("runc"); err != nil {
		return errors.New("runc not found: run hack/install-deps.sh")
	}
	if runtime.GOARCH != "arm64" {
		if data, err := os.ReadFile("/proc/sys/fs/binfmt_misc/qemu-aarch64"); err != nil || !strings.HasPrefix(string(data), "enabled") {
			return errors.New("qemu-aarch64 is not registered in binfmt_misc: run hack/install-deps.sh")
		}
	}
	return nil
}

func checkBinaries(binDir string) error {
	var missing []string
	for _, b := range []string{"buildkitd", "buildctl", "buildx"} {
		if fi, err := os.Stat(filepath.Join(binDir, b)); err != nil || fi.Mode()&0o111 == 0 {
			missing = append(missing, b)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("lab: %s missing in %s: run `make tools` (or `make deps`)", strings.Join(missing, ", "), binDir)
	}
	return nil
}

func makeStateDir(dir string) (string, error) {
	if dir == "" {
		sweepStale()
		return os.MkdirTemp("", tempPrefix)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	if len(ents) > 0 {
		return "", fmt.Errorf("lab: state dir %s is not empty (another lab running there?)", dir)
	}
	return dir, nil
}

// cleanEnv is the environment for child processes: ours minus variables that would point the tools elsewhere.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "BUILDKIT_HOST", "BUILDX_CONFIG", "BUILDX_BUILDER", "DOCKER_CONFIG", "DOCKER_HOST", "DOCKER_CONTEXT",
			"BUILDKITD_CONFIG", "BUILDKITD_DEBUGADDR":
			continue
		}
		env = append(env, kv)
	}
	return env
}

func shortArgs(args []string) string {
	s := strings.Join(args, " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func tailFile(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if n > 0 && len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Done is closed when the buildkitd this process started exits (never, for an attached Lab).
func (l *Lab) Done() <-chan struct{} {
	if l.bk == nil || l.bk.cmd == nil {
		return nil
	}
	return l.bk.done
}

// RemoveAll unmounts whatever is still mounted below dir and removes it (for hack/lab down).
func RemoveAll(dir string) error { return removeAll(dir) }

// removeAll unmounts whatever is still mounted below dir (a killed buildkitd leaves overlay mounts) and removes it.
func removeAll(dir string) error {
	unmountBelow(dir)
	var err error
	for range 5 {
		if err = os.RemoveAll(dir); err == nil {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
		unmountBelow(dir)
	}
	return fmt.Errorf("lab: remove %s: %w", dir, err)
}

// tempPrefix names the temporary state dirs.
const tempPrefix = "lab-"

// sweepStale removes the temporary state dirs of labs whose process died without Close (a test binary that
// panicked or was killed; the kernel killed their buildkitd, see daemonAttr).
func sweepStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for i, d := range dirs {
		if i >= 100 {
			break
		}
		data, err := os.ReadFile(filepath.Join(d, stateFile))
		if err != nil {
			continue // starting, or not a lab: leave it alone
		}
		var s state
		if json.Unmarshal(data, &s) != nil || s.StateDir != d || s.PID <= 0 || processAlive(s.PID) || processAlive(s.BuildkitdPID) {
			continue
		}
		_ = removeAll(d)
	}
}

// processAlive reports whether pid is a live (not zombie) process.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) STATE ...; comm may contain spaces and parentheses.
	s := string(data)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z' && s[i+2] != 'X'
	}
	return true
}
