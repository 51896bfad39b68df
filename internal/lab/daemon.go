package lab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// daemon is one buildkitd child process with its root, config, log and socket under dir, configured for the lab's
// registry (plain HTTP).
type daemon struct {
	dir, socket, binDir, registry string
	args                          []string // extra buildkitd flags

	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited (and before the first start)
	err  error         // cmd.Wait's
}

// newDaemon lays out a daemon in dir; start starts it. A socket path too long for sun_path goes to a temporary
// directory that Close removes.
func (l *Lab) newDaemon(dir string, args []string) (*daemon, error) {
	d := &daemon{dir: dir, socket: filepath.Join(dir, "buildkitd.sock"), binDir: l.st.BinDir, registry: l.st.Registry,
		args: args, done: make(chan struct{})}
	close(d.done)
	if len(d.socket) > 100 { // sun_path is 108 bytes
		tmp, err := os.MkdirTemp("", "lab-sock-")
		if err != nil {
			return nil, err
		}
		l.rmDirs = append(l.rmDirs, tmp)
		d.socket = filepath.Join(tmp, "buildkitd.sock")
	}
	return d, nil
}

func (d *daemon) host() string { return "unix://" + d.socket }

func (d *daemon) logPath() string { return filepath.Join(d.dir, "buildkitd.log") }

func (d *daemon) pid() int {
	if d.cmd == nil {
		return 0
	}
	return d.cmd.Process.Pid
}

// start starts buildkitd and waits (bounded by ctx and timeout, default 60s) until it answers.
func (d *daemon) start(ctx context.Context, timeout time.Duration, logf func(string, ...any)) error {
	root := filepath.Join(d.dir, "buildkitd")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return err
	}
	cfg := filepath.Join(d.dir, "buildkitd.toml")
	toml := fmt.Sprintf(`# written by internal/lab
root = %q

[worker.oci]
  enabled = true

[worker.containerd]
  enabled = false

[registry.%q]
  http = true
  insecure = true
`, root, d.registry)
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		return err
	}
	logFile, err := os.Create(d.logPath())
	if err != nil {
		return err
	}
	defer logFile.Close() // the child has its own descriptor
	args := []string{
		"--config", cfg,
		"--root", root,
		"--addr", d.host(),
		// The default, /run/buildkit/otel-grpc.sock, is shared by every buildkitd on the machine.
		"--otel-socket-path", filepath.Join(d.dir, "otel-grpc.sock"),
		"--oci-worker=true", "--containerd-worker=false",
	}
	cmd := exec.Command(filepath.Join(d.binDir, "buildkitd"), append(args, d.args...)...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Dir = d.dir
	cmd.Env = cleanEnv()
	cmd.SysProcAttr = daemonAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("lab: start buildkitd: %w", err)
	}
	d.cmd = cmd
	d.done = make(chan struct{})
	go func() {
		d.err = cmd.Wait()
		close(d.done)
	}()

	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t0 := time.Now()
	for {
		if _, err := os.Stat(d.socket); err == nil {
			actx, acancel := context.WithTimeout(wctx, 10*time.Second)
			out, err := d.buildctl(actx, "debug", "workers")
			acancel()
			if err == nil && strings.Contains(string(out), "ID") {
				logf("lab: buildkitd (pid %d) answered after %s", d.pid(), time.Since(t0).Round(10*time.Millisecond))
				return nil
			}
		}
		select {
		case <-d.done:
			return fmt.Errorf("lab: buildkitd exited during start (%v); last log lines:\n%s", d.err, tailFile(d.logPath(), 20))
		case <-wctx.Done():
			return fmt.Errorf("lab: buildkitd did not answer within %s; last log lines:\n%s", timeout, tailFile(d.logPath(), 20))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM to buildkitd's process group, SIGKILL after 20s.
func (d *daemon) stop() error {
	if d.cmd == nil {
		return nil
	}
	return stopProcessGroup(d.cmd.Process.Pid, d.done, 20*time.Second)
}

// buildctl runs bin/buildctl --addr <this daemon> args...
func (d *daemon) buildctl(ctx context.Context, args ...string) ([]byte, error) {
	return runTool(ctx, d.binDir, d.dir, "buildctl", nil, append([]string{"--addr", d.host()}, args...)...)
}

// Daemon is a further buildkitd of the lab (StartDaemon): a root, cache, socket and log of its own, the lab's
// registry and artifact server. A new Daemon's cache is empty, like a CI runner's on its first job.
type Daemon struct {
	name      string
	d         *daemon
	l         *Lab
	closeOnce sync.Once
	closeErr  error
}

// StartDaemon starts another buildkitd under StateDir/daemons/<name> and waits until it answers. Close stops it;
// the Lab's Close stops it too.
func (l *Lab) StartDaemon(ctx context.Context, name string) (*Daemon, error) {
	if !l.owner {
		return nil, errors.New("lab: StartDaemon on an attached Lab")
	}
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return nil, fmt.Errorf("lab: bad daemon name %q", name)
	}
	dir := filepath.Join(l.st.StateDir, "daemons", name)
	if _, err := os.Stat(dir); err == nil {
		return nil, fmt.Errorf("lab: a daemon named %q was started already", name)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	d, err := l.newDaemon(dir, l.opts.BuildkitdArgs)
	if err != nil {
		return nil, err
	}
	dm := &Daemon{name: name, d: d, l: l}
	l.extraMu.Lock()
	l.extra = append(l.extra, dm)
	l.extraMu.Unlock()
	if err := d.start(ctx, l.opts.StartTimeout, l.logf); err != nil {
		dm.Close()
		return nil, err
	}
	return dm, nil
}

// Name is the name given to StartDaemon.
func (d *Daemon) Name() string { return d.name }

// Host is the daemon's address, unix://<socket> (for buildctl --addr and `buildx create`).
func (d *Daemon) Host() string { return d.d.host() }

// PID is buildkitd's process id.
func (d *Daemon) PID() int { return d.d.pid() }

// Buildctl runs bin/buildctl --addr <this daemon> args... and returns its combined output, like Lab.Buildctl.
func (d *Daemon) Buildctl(ctx context.Context, args ...string) ([]byte, error) {
	return d.d.buildctl(ctx, args...)
}

// Log returns the last n lines of the daemon's log (all with n <= 0).
func (d *Daemon) Log(n int) string { return tailFile(d.d.logPath(), n) }

// Close stops the daemon and removes its state (unless the Lab keeps its state).
func (d *Daemon) Close() error {
	d.closeOnce.Do(func() {
		d.closeErr = d.d.stop()
		if !d.l.keep {
			d.closeErr = errors.Join(d.closeErr, removeAll(d.d.dir))
		}
	})
	return d.closeErr
}
