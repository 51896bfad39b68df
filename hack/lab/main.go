// Command lab runs the internal/lab stack (registry, artifact server, buildkitd) in the background for `make up`,
// the demo and manual experiments, and builds images on it.
//
//	lab up      start the stack detached (re-executes itself as `lab serve`), write .lab/env, print it
//	lab down    stop everything `up` started and remove .lab
//	lab env     print .lab/env (shell: `. .lab/env`)
//	lab image   build and push the frontend image (target prebuilt, host Go) for -platforms as one index, print its ref
//	lab base    build and push the two-platform busybox base image, print its ref
//	lab serve   run the stack in the foreground until SIGTERM/SIGINT (what `up` starts)
//
// All state lives under -dir (default <repo>/.lab): env, serve.log and the lab's state dir state/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/maistra/builder-frontend/internal/lab"
)

func main() {
	log := func(format string, args ...any) { fmt.Fprintf(os.Stderr, "lab: "+format+"\n", args...) }
	fs := flag.NewFlagSet("lab", flag.ExitOnError)
	dir := fs.String("dir", "", "lab directory (default <repo>/.lab)")
	name := fs.String("name", "", "image: push the frontend image as this ref instead of <registry>/builder-frontend:dev")
	platforms := fs.String("platforms", strings.Join(lab.FrontendPlatforms, ","), "image: the platforms of the frontend image")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: lab [-dir DIR] up|down|env|image|base|serve [-name REF] [-platforms LIST]")
		fs.PrintDefaults()
	}
	if len(os.Args) < 2 {
		fs.Usage()
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	if strings.HasPrefix(cmd, "-") { // flags first
		fs.Parse(os.Args[1:])
		if fs.NArg() < 1 {
			fs.Usage()
			os.Exit(2)
		}
		cmd, args = fs.Arg(0), fs.Args()[1:]
	}
	fs.Parse(args)
	if *dir == "" {
		root, err := lab.RepoRoot()
		if err != nil {
			log("%v", err)
			os.Exit(1)
		}
		*dir = filepath.Join(root, ".lab")
	}
	*dir, _ = filepath.Abs(*dir)
	var err error
	switch cmd {
	case "up":
		err = up(*dir, log)
	case "down":
		err = down(*dir, log)
	case "env":
		var data []byte
		if data, err = os.ReadFile(filepath.Join(*dir, "env")); err == nil {
			os.Stdout.Write(data)
		} else {
			err = fmt.Errorf("no lab running in %s (make up)", *dir)
		}
	case "image", "base":
		err = build(cmd, *dir, *name, strings.Split(*platforms, ","), log)
	case "serve":
		err = serve(*dir, log)
	default:
		fs.Usage()
		os.Exit(2)
	}
	if err != nil {
		log("%s: %v", cmd, err)
		os.Exit(1)
	}
}

// env is the parsed .lab/env.
type env map[string]string

func readEnv(dir string) (env, error) {
	data, err := os.ReadFile(filepath.Join(dir, "env"))
	if err != nil {
		return nil, err
	}
	e := env{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "export ")
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(k, "#") {
			e[k] = unquote(v)
		}
	}
	return e, nil
}

func (e env) pid(key string) int {
	n, _ := strconv.Atoi(e[key])
	return n
}

// serveAlive reports whether pid is a live `lab serve` (not a recycled pid).
func serveAlive(pid int) bool { return cmdlineHas(pid, "serve") }

func cmdlineHas(pid int, word string) bool {
	if pid <= 0 {
		return false
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil || len(data) == 0 {
		return false // gone, or a zombie
	}
	for _, a := range strings.Split(string(data), "\x00") {
		if a == word || filepath.Base(a) == word {
			return true
		}
	}
	return false
}

func up(dir string, log func(string, ...any)) error {
	if e, err := readEnv(dir); err == nil {
		if serveAlive(e.pid("LAB_PID")) {
			log("already up (pid %d)", e.pid("LAB_PID"))
			data, _ := os.ReadFile(filepath.Join(dir, "env"))
			os.Stdout.Write(data)
			return nil
		}
		log("removing the state of a lab that died (pid %d)", e.pid("LAB_PID"))
	}
	if _, err := os.Stat(dir); err == nil {
		if err := down(dir, log); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	logPath := filepath.Join(dir, "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, "-dir", dir, "serve")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // survives the shell and make that started it
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(3 * time.Minute)
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "env")); err == nil {
			os.Stdout.Write(data)
			log("up (pid %d); log %s; stop it with `make down`", cmd.Process.Pid, logPath)
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("lab serve exited (%v):\n%s", err, readTail(logPath))
		case <-deadline:
			_ = lab.StopPID(cmd.Process.Pid, 20*time.Second)
			return fmt.Errorf("lab serve did not come up within 3m:\n%s", readTail(logPath))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func serve(dir string, log func(string, ...any)) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	l, err := lab.Start(ctx, lab.Options{StateDir: filepath.Join(dir, "state"), Logf: logLine})
	cancel()
	if err != nil {
		return err
	}
	defer l.Close()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	lines := append([]string{"# written by hack/lab up; `. .lab/env` in a shell"}, l.Env()...)
	lines = append(lines,
		"LAB_DIR="+dir,
		"LAB_STATE="+l.StateDir(),
		"LAB_PID="+strconv.Itoa(os.Getpid()),
		"BUILDKITD_PID="+strconv.Itoa(l.BuildkitdPID()),
	)
	var b strings.Builder
	for _, line := range lines {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			line = "export " + k + "=" + quote(v)
		}
		b.WriteString(line + "\n")
	}
	tmp := filepath.Join(dir, ".env.tmp")
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, "env")); err != nil {
		return err
	}
	defer os.Remove(filepath.Join(dir, "env"))
	select {
	case s := <-sig:
		log("%v: stopping", s)
		return l.Close()
	case <-l.Done():
		l.Close()
		return errors.New("buildkitd exited; last log lines:\n" + l.BuildkitdLog(20))
	}
}

func down(dir string, log func(string, ...any)) error {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		log("not up")
		return nil
	}
	var errs []error
	if e, err := readEnv(dir); err == nil {
		if pid := e.pid("LAB_PID"); serveAlive(pid) {
			if err := lab.StopPID(pid, 30*time.Second); err != nil {
				errs = append(errs, err)
			}
		}
		// serve stops buildkitd; make sure, in case serve was killed.
		if pid := e.pid("BUILDKITD_PID"); cmdlineHas(pid, "buildkitd") {
			if err := lab.StopPID(pid, 20*time.Second); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := lab.RemoveAll(dir); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		log("down")
	}
	return errors.Join(errs...)
}

func build(what, dir, name string, platforms []string, log func(string, ...any)) error {
	l, err := lab.Attach(filepath.Join(dir, "state"))
	if err != nil {
		return fmt.Errorf("%w (make up)", err)
	}
	l.SetLogf(logLine)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	var ref string
	switch {
	case what == "base":
		ref, err = l.BaseImage(ctx)
	case name != "":
		ref, err = name, l.BuildFrontendImage(ctx, name, platforms...)
	default:
		ref = l.Registry() + "/builder-frontend:dev"
		err = l.BuildFrontendImage(ctx, ref, platforms...)
	}
	if err != nil {
		return err
	}
	fmt.Println(ref)
	return nil
}

// logLine prints the Lab's progress lines (they carry their own "lab: " prefix) with a time stamp.
func logLine(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}

var plain = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]*$`)

// quote makes v one shell word.
func quote(v string) string {
	if plain.MatchString(v) {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

func unquote(v string) string {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return strings.ReplaceAll(v[1:len(v)-1], `'\''`, "'")
	}
	return v
}

func readTail(path string) string {
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}
