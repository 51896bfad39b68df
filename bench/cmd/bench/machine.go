package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/stat and /proc/<pid>/stat times (100 on Linux).
const clockTicks = 100.0

// Machine describes where the benchmark ran.
type Machine struct {
	CPU       string  `json:"cpu"`
	CPUs      int     `json:"cpus"`
	MemoryGiB float64 `json:"memoryGiB"`
	Kernel    string  `json:"kernel"`
	OS        string  `json:"os"`
	Go        string  `json:"go"`
	BuildKit  string  `json:"buildkit"`
	Buildx    string  `json:"buildx"`
	Qemu      string  `json:"qemu"`
	LoadStart float64 `json:"loadStart"`
}

func machineInfo(ctx context.Context) Machine {
	m := Machine{CPUs: runtime.NumCPU(), LoadStart: loadAvg()}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		if f := regexp.MustCompile(`MemTotal:\s+(\d+) kB`).FindStringSubmatch(string(data)); f != nil {
			kb, _ := strconv.ParseFloat(f[1], 64)
			m.MemoryGiB = round2(kb / (1 << 20))
		}
	}
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(data))
	}
	if data, err := os.ReadFile("/etc/os-release"); err == nil {
		if f := regexp.MustCompile(`(?m)^PRETTY_NAME="?([^"\n]*)"?`).FindStringSubmatch(string(data)); f != nil {
			m.OS = f[1]
		}
	}
	first := func(name string, args ...string) string {
		out, _ := exec.CommandContext(ctx, name, args...).CombinedOutput()
		return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	m.Go = first("go", "version")
	m.Qemu = first("qemu-aarch64-static", "--version")
	// bin/buildkitd is built from tools/go.mod and reports no version of its own.
	if data, err := os.ReadFile("tools/go.mod"); err == nil {
		if f := regexp.MustCompile(`github.com/moby/buildkit (v\S+)`).FindStringSubmatch(string(data)); f != nil {
			m.BuildKit = "buildkitd " + f[1] + " (tools/go.mod), OCI worker, runc, overlayfs"
		}
		if f := regexp.MustCompile(`github.com/docker/buildx (v\S+)`).FindStringSubmatch(string(data)); f != nil {
			m.Buildx = "buildx " + f[1] + " (tools/go.mod)"
		}
	}
	return m
}

// cpuTotals returns the busy and total jiffies of all CPUs from /proc/stat.
func cpuTotals() (busy, total float64) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	for i, v := range f[1:] {
		n, _ := strconv.ParseFloat(v, 64)
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}

// procCPU returns the CPU seconds of pid and its waited-for children (utime+stime+cutime+cstime).
func procCPU(pid int) float64 {
	own, children := procCPUSplit(pid)
	return own + children
}

// procCPUSplit returns the CPU seconds of pid itself (utime+stime) and of its waited-for children (cutime+cstime).
func procCPUSplit(pid int) (own, children float64) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0
	}
	s := string(data)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+1:]
	}
	f := strings.Fields(s)
	// After "pid (comm)": state is field 3, utime 14, stime 15, cutime 16, cstime 17 (1-based).
	if len(f) < 15 {
		return 0, 0
	}
	n := func(i int) float64 { v, _ := strconv.ParseFloat(f[i], 64); return v / clockTicks }
	return n(11) + n(12), n(13) + n(14)
}

func loadAvg() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// busyShare is the share of all CPUs busy over d.
func busyShare(ctx context.Context, d time.Duration) float64 {
	b0, t0 := cpuTotals()
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
	b1, t1 := cpuTotals()
	if t1 <= t0 {
		return 0
	}
	return (b1 - b0) / (t1 - t0)
}

// quietBusy is the share of the CPUs busy below which the machine counts as quiet.
const quietBusy = 0.15

// waitQuiet waits, at most maxWait, until the machine's CPUs are less than 15% busy over 5 seconds (other jobs
// share this machine); it logs when it gave up.
func waitQuiet(ctx context.Context, maxWait time.Duration, logf func(string, ...any)) {
	deadline := time.Now().Add(maxWait)
	for i := 0; ; i++ {
		b := busyShare(ctx, 5*time.Second)
		if b < quietBusy || ctx.Err() != nil {
			return
		}
		if time.Now().After(deadline) {
			logf("the machine is still %.0f%% busy after %s; building anyway (the load is in the report)", b*100, maxWait)
			return
		}
		if i == 0 {
			logf("waiting for the machine to be quiet (%.0f%% busy)", b*100)
		}
	}
}

func serveFile(p string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, p) })
}

func stripPrefix(prefix, dir string) http.Handler {
	return http.StripPrefix(prefix, http.FileServer(http.Dir(dir)))
}
