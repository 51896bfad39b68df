package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// GoBench is `go test ./llb -bench ParsePlan`: its output (parsed by results) and the busy share of the CPUs
// before it ran.
type GoBench struct {
	Date       time.Time `json:"date"`
	Output     string    `json:"output"`
	Err        string    `json:"err,omitempty"`
	BusyBefore float64   `json:"busyBefore"`
}

// results returns ns/op per benchmark name (without the -GOMAXPROCS suffix), in the order of the output.
func (g GoBench) results() (names []string, nsPerOp map[string][]float64) {
	nsPerOp = map[string][]float64{}
	for _, line := range strings.Split(g.Output, "\n") {
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name := regexp.MustCompile(`-\d+$`).ReplaceAllString(m[1], "")
		f, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			continue
		}
		if _, ok := nsPerOp[name]; !ok {
			names = append(names, name)
		}
		nsPerOp[name] = append(nsPerOp[name], f)
	}
	return names, nsPerOp
}

// goBenchArgs run the parse+plan benchmarks; goBenchCommand is how the report and the log show them.
var (
	goBenchArgs    = []string{"test", "./llb", "-run", "^$", "-bench", "ParsePlan", "-benchtime", "2s", "-count", "5"}
	goBenchCommand = "go " + shellWords(goBenchArgs)
)

// shellWords joins args as a shell reads them back, quoting the ones with other characters than letters, digits
// and ./_-.
func shellWords(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		if a == "" || strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./_-") != "" {
			out[i] = "'" + a + "'"
		}
	}
	return strings.Join(out, " ")
}

// goBenchGoal is the benchmark the goal is judged on: the platforms planned one after the other.
const goBenchGoal = "BenchmarkParsePlan100Tools4Platforms"

var benchLine = regexp.MustCompile(`^(Benchmark\S+)\s+\d+\s+([\d.]+) ns/op`)

func runGoBench(ctx context.Context, quietWait time.Duration, logf func(string, ...any)) GoBench {
	// Compile first, so that the measurement starts on a quiet machine.
	if out, err := exec.CommandContext(ctx, "go", "test", "-c", "-o", os.DevNull, "./llb").CombinedOutput(); err != nil {
		return GoBench{Output: string(out), Err: err.Error()}
	}
	waitQuiet(ctx, quietWait, logf)
	gb := GoBench{BusyBefore: round2(busyShare(ctx, 2*time.Second)), Date: time.Now().UTC()}
	cmd := exec.CommandContext(ctx, "go", goBenchArgs...)
	out, err := cmd.CombinedOutput()
	gb.Output = string(out)
	if err != nil {
		gb.Err = err.Error()
	}
	return gb
}
