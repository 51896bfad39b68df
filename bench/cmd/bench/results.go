package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Build is one measured build.
type Build struct {
	Variant string    `json:"variant"`
	Kind    string    `json:"kind"` // "cold", "bump", "branch" or "base" (scale.go)
	Round   int       `json:"round"`
	Ref     string    `json:"ref"`
	Start   time.Time `json:"start"`
	Secs    float64   `json:"secs"`
	// Machine load: 1-minute load average and the share of both CPUs busy in the seconds before the build; during
	// the build the share busy, the CPU seconds of buildkitd (with everything it ran) and buildx, and the CPU
	// seconds of every other process on the machine.
	LoadBefore float64 `json:"loadBefore"`
	BusyBefore float64 `json:"busyBefore"`
	Busy       float64 `json:"busy"`
	CPUBuild   float64 `json:"cpuBuild"`
	// CPUDaemon is buildkitd's own share of CPUBuild (file operations: unpacking, copying, hashing, compressing
	// for the export); the rest is the processes it ran (containers, qemu, xz) and buildx.
	CPUDaemon float64 `json:"cpuDaemon"`
	CPUOther  float64 `json:"cpuOther"`
	// What the build's push uploaded to the registry (layer and config blobs; from the registry's request log).
	UploadedBlobs   int      `json:"uploadedBlobs"`
	UploadedBytes   int64    `json:"uploadedBytes"`
	UploadedDigests []string `json:"uploadedDigests,omitempty"`
	Progress        string   `json:"progress"`
	Profile         *Profile `json:"profile,omitempty"`
}

// LayerCheck is the bump build's layers against the cold build's, per platform.
type LayerCheck struct {
	Variant string      `json:"variant"`
	Round   int         `json:"round"`
	Diffs   []LayerDiff `json:"diffs"`
}

// FileListCheck compares the cold images of two variants for one platform.
type FileListCheck struct {
	Platform string        `json:"platform"`
	A        string        `json:"a"`
	B        string        `json:"b"`
	Diff     *FileListDiff `json:"diff"`
	Files    int           `json:"files"` // entries in A
}

// ConfigCheck compares two variants' image configs (env, workdir, entrypoint) for one platform.
type ConfigCheck struct {
	Platform string   `json:"platform"`
	A        string   `json:"a"`
	B        string   `json:"b"`
	Diffs    []string `json:"diffs"`
}

// PackageDBCheck compares the dpkg database (/var/lib/dpkg/status) of two variants' images for one platform,
// byte for byte.
type PackageDBCheck struct {
	Platform string `json:"platform"`
	A        string `json:"a"`
	B        string `json:"b"`
	Same     bool   `json:"same"`
}

// Results is everything a run measured; the doc is made from it (results.json, -report-only).
type Results struct {
	Date      time.Time       `json:"date"`
	Commit    string          `json:"commit"`
	Dirty     []string        `json:"dirty"`
	Machine   Machine         `json:"machine"`
	Runs      int             `json:"runs"`
	Variants  []string        `json:"variants"`
	GoBench   GoBench         `json:"goBench"`
	Fixtures  []Fixture       `json:"fixtures"`
	Builds    []*Build        `json:"builds"`
	Layers    []LayerCheck    `json:"layers"`
	FileLists []FileListCheck `json:"fileLists"`
	Configs   []ConfigCheck   `json:"configs"`
	// PackageDBs compare the package database of the native and the emulated frontend builds.
	PackageDBs []PackageDBCheck   `json:"packageDBs,omitempty"`
	Shares     []ShareCheck       `json:"shares"` // the branch and base builds' tool layers against the cold build's
	Kinds      []string           `json:"kinds"`  // the builds of each round (-kinds)
	Setup      map[string]float64 `json:"setup"`  // seconds: fixtures, lab start, frontend image, base image
	Duration   float64            `json:"duration"`
	// QuietWait is -quiet-wait in seconds: how long a cold build waited at most for a quiet machine (0 in
	// results of runs that did not record it).
	QuietWait float64 `json:"quietWait,omitempty"`
}

// Fixture is one served release artifact.
type Fixture struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

func saveResults(res *Results, p string) error {
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return writeAtomic(p, data)
}

func loadResults(p string) (*Results, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	res := &Results{}
	return res, json.Unmarshal(data, res)
}

func since(t time.Time) float64 { return round2(time.Since(t).Seconds()) }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64{}, xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// reprofile profiles the builds again from their progress files, where they are still there (a newer profiler
// for old data).
func reprofile(res *Results) {
	for _, b := range res.Builds {
		if b.Profile == nil {
			continue
		}
		if pr, err := profileFile(b.Progress, b.Start); err == nil {
			b.Profile = pr
		}
	}
}
