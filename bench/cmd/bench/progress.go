package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// The subset of BuildKit's client.SolveStatus that `buildx build --progress=rawjson` prints, one JSON object per
// line (github.com/moby/buildkit/client/graph.go).
type solveStatus struct {
	Vertexes []struct {
		Digest    string     `json:"digest"`
		Inputs    []string   `json:"inputs"`
		Name      string     `json:"name"`
		Started   *time.Time `json:"started"`
		Completed *time.Time `json:"completed"`
		Cached    bool       `json:"cached"`
		Error     string     `json:"error"`
	} `json:"vertexes"`
	Statuses []struct {
		ID        string     `json:"id"`
		Vertex    string     `json:"vertex"`
		Started   *time.Time `json:"started"`
		Completed *time.Time `json:"completed"`
	} `json:"statuses"`
}

// vertex is one build step as the progress stream told it (the last word on each field wins).
type vertex struct {
	Digest    string
	Name      string
	Inputs    []string
	Started   time.Time
	Completed time.Time
	Cached    bool
	statuses  map[string]*span
}

type span struct{ Started, Completed time.Time }

// Step is a build step in a report, with times relative to the start of the build command.
type Step struct {
	Name   string  `json:"name"`
	Start  float64 `json:"start"`  // seconds after the build command started
	Secs   float64 `json:"secs"`   // duration
	Cached bool    `json:"cached"` // answered from the cache
}

// Profile is where one build's time went, from its progress stream.
type Profile struct {
	// Critical is the chain of steps that ended last: from the step that completed last (before the export),
	// back through the input that completed last, to the first.
	Critical []Step `json:"critical"`
	// Longest are the longest steps that ran (not cached), longest first.
	Longest []Step `json:"longest"`
	// Export is the export phase: "exporting layers", "pushing layers", ... summed per kind.
	Export []Step `json:"export"`
	// FirstStep is when the first step started (the frontend's start-up, parse and plan come before it);
	// SolveEnd when the last non-export step completed; ExportEnd when the export completed.
	FirstStep float64 `json:"firstStep"`
	SolveEnd  float64 `json:"solveEnd"`
	ExportEnd float64 `json:"exportEnd"`
	// Waits are the longest gaps between a step's inputs being ready and the step starting, longest first: the
	// daemon computing the step's cache key (content hashes of what it copies) or waiting for a lock.
	Waits []Step `json:"waits"`
	// Steps is how many steps there were, Ran how many of them were not cached.
	Steps int `json:"steps"`
	Ran   int `json:"ran"`
	// Packages are the frontend's package steps ("[packages linux/arm64] apt install …"), by start.
	Packages []Step `json:"packages,omitempty"`
	// Tools are the steps of the frontend's tool layers: unpack, ELF check, go install and install (toolStepOf),
	// by start; absent from profiles made before the report used them.
	Tools []ToolStep `json:"tools,omitempty"`
}

// ToolStep is a step of a tool layer, with the time it waited after its inputs were ready.
type ToolStep struct {
	Step
	// Wait is the seconds between the step's last input completing and the step starting; nil when the stream
	// did not tell when its inputs completed.
	Wait *float64 `json:"wait,omitempty"`
}

// waitMinSecs is the shortest wait between a step's inputs being ready and its start that Profile.Waits lists.
const waitMinSecs = 0.5

// readProgress parses a rawjson progress stream.
func readProgress(r io.Reader) (map[string]*vertex, error) {
	vs := map[string]*vertex{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue // buildx may print plain lines (e.g. warnings) too
		}
		var ss solveStatus
		if err := json.Unmarshal(line, &ss); err != nil {
			continue
		}
		for _, v := range ss.Vertexes {
			x := vs[v.Digest]
			if x == nil {
				x = &vertex{Digest: v.Digest, statuses: map[string]*span{}}
				vs[v.Digest] = x
			}
			x.Name = v.Name
			if len(v.Inputs) > 0 {
				x.Inputs = v.Inputs
			}
			if v.Started != nil && (x.Started.IsZero() || v.Started.Before(x.Started)) {
				x.Started = *v.Started
			}
			if v.Completed != nil && v.Completed.After(x.Completed) {
				x.Completed = *v.Completed
			}
			x.Cached = x.Cached || v.Cached
		}
		for _, s := range ss.Statuses {
			x := vs[s.Vertex]
			if x == nil {
				x = &vertex{Digest: s.Vertex, statuses: map[string]*span{}}
				vs[s.Vertex] = x
			}
			sp := x.statuses[s.ID]
			if sp == nil {
				sp = &span{}
				x.statuses[s.ID] = sp
			}
			if s.Started != nil && (sp.Started.IsZero() || s.Started.Before(sp.Started)) {
				sp.Started = *s.Started
			}
			if s.Completed != nil && s.Completed.After(sp.Completed) {
				sp.Completed = *s.Completed
			}
		}
	}
	return vs, sc.Err()
}

// waitBefore is when v's inputs were ready (the last of them completed) and how many seconds later v started; ok
// is false when the stream told the completion of none of its inputs.
func waitBefore(v *vertex, vs map[string]*vertex) (ready time.Time, secs float64, ok bool) {
	for _, in := range v.Inputs {
		if x := vs[in]; x != nil && x.Completed.After(ready) {
			ready = x.Completed
		}
	}
	if ready.IsZero() {
		return ready, 0, false
	}
	return ready, v.Started.Sub(ready).Seconds(), true
}

func isExport(name string) bool {
	return strings.HasPrefix(name, "exporting to ") || strings.HasPrefix(name, "pushing ") || strings.HasPrefix(name, "[auth]")
}

// profileFile reads a rawjson progress file of a build that started at t0.
func profileFile(p string, t0 time.Time) (*Profile, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vs, err := readProgress(f)
	if err != nil {
		return nil, err
	}
	return profile(vs, t0), nil
}

func profile(vs map[string]*vertex, t0 time.Time) *Profile {
	rel := func(t time.Time) float64 { return round2(t.Sub(t0).Seconds()) }
	step := func(v *vertex) Step {
		return Step{Name: v.Name, Start: rel(v.Started), Secs: round2(v.Completed.Sub(v.Started).Seconds()), Cached: v.Cached}
	}
	pr := &Profile{}
	var last *vertex
	var first time.Time
	var all []*vertex
	for _, v := range vs {
		if v.Started.IsZero() || v.Completed.IsZero() {
			continue
		}
		all = append(all, v)
		if first.IsZero() || v.Started.Before(first) {
			first = v.Started
		}
		if isExport(v.Name) {
			if end := rel(v.Completed); end > pr.ExportEnd {
				pr.ExportEnd = end
			}
			continue
		}
		pr.Steps++
		if !v.Cached {
			pr.Ran++
		}
		if last == nil || v.Completed.After(last.Completed) {
			last = v
		}
	}
	if !first.IsZero() {
		pr.FirstStep = rel(first)
	}
	if last != nil {
		pr.SolveEnd = rel(last.Completed)
	}
	// The critical chain, backwards from the step that completed last.
	seen := map[string]bool{}
	for v := last; v != nil && !seen[v.Digest]; {
		seen[v.Digest] = true
		pr.Critical = append(pr.Critical, step(v))
		var next *vertex
		for _, in := range v.Inputs {
			if x := vs[in]; x != nil && !x.Completed.IsZero() && (next == nil || x.Completed.After(next.Completed)) {
				next = x
			}
		}
		v = next
	}
	for i, j := 0, len(pr.Critical)-1; i < j; i, j = i+1, j-1 {
		pr.Critical[i], pr.Critical[j] = pr.Critical[j], pr.Critical[i]
	}
	sort.Slice(all, func(i, j int) bool {
		return all[i].Completed.Sub(all[i].Started) > all[j].Completed.Sub(all[j].Started)
	})
	for _, v := range all {
		if len(pr.Longest) == 12 {
			break
		}
		if !v.Cached && !isExport(v.Name) {
			pr.Longest = append(pr.Longest, step(v))
		}
	}
	for _, v := range all {
		if v.Cached || isExport(v.Name) {
			continue
		}
		if ready, w, ok := waitBefore(v, vs); ok && w >= waitMinSecs {
			pr.Waits = append(pr.Waits, Step{Name: v.Name, Start: rel(ready), Secs: round2(w)})
		}
	}
	for _, v := range all {
		if strings.HasPrefix(v.Name, "[packages ") && strings.Contains(v.Name, " install ") {
			pr.Packages = append(pr.Packages, step(v))
		}
		if _, ok := toolStepOf(v.Name); ok {
			ts := ToolStep{Step: step(v)}
			if _, w, ok := waitBefore(v, vs); ok {
				w = round2(w)
				ts.Wait = &w
			}
			pr.Tools = append(pr.Tools, ts)
		}
	}
	sort.Slice(pr.Tools, func(i, j int) bool {
		a, b := pr.Tools[i], pr.Tools[j]
		return a.Start < b.Start || a.Start == b.Start && a.Name < b.Name
	})
	sort.Slice(pr.Packages, func(i, j int) bool { return pr.Packages[i].Start < pr.Packages[j].Start })
	sort.Slice(pr.Waits, func(i, j int) bool { return pr.Waits[i].Secs > pr.Waits[j].Secs })
	if len(pr.Waits) > 6 {
		pr.Waits = pr.Waits[:6]
	}
	// Export phase: the statuses of the exporter steps, summed by kind ("exporting layers", "pushing layers",
	// "exporting manifest", ...).
	kinds := map[string]*Step{}
	var order []string
	for _, v := range all {
		if !isExport(v.Name) {
			continue
		}
		if len(v.statuses) == 0 {
			k := v.Name
			if kinds[k] == nil {
				kinds[k] = &Step{Name: k, Start: rel(v.Started)}
				order = append(order, k)
			}
			kinds[k].Secs += v.Completed.Sub(v.Started).Seconds()
			continue
		}
		for id, sp := range v.statuses {
			if sp.Started.IsZero() || sp.Completed.IsZero() {
				continue
			}
			k := statusKind(id)
			if kinds[k] == nil {
				kinds[k] = &Step{Name: k, Start: rel(sp.Started)}
				order = append(order, k)
			}
			if s := rel(sp.Started); s < kinds[k].Start {
				kinds[k].Start = s
			}
			kinds[k].Secs += sp.Completed.Sub(sp.Started).Seconds()
		}
	}
	for _, k := range order {
		s := *kinds[k]
		s.Secs = round2(s.Secs)
		pr.Export = append(pr.Export, s)
	}
	sort.Slice(pr.Export, func(i, j int) bool { return pr.Export[i].Start < pr.Export[j].Start })
	return pr
}

// statusKind groups exporter status ids: "exporting manifest sha256:…" and "pushing manifest for …" by their first
// two words; layer pushes ("sha256:…") as "pushing blobs".
func statusKind(id string) string {
	if strings.HasPrefix(id, "sha256:") {
		return "pushing blobs (per blob, summed)"
	}
	f := strings.Fields(id)
	if len(f) > 2 {
		f = f[:2]
	}
	return strings.Join(f, " ")
}

func round2(f float64) float64 {
	return float64(int64(f*100+0.5)) / 100
}

func (s Step) String() string {
	c := ""
	if s.Cached {
		c = " (cached)"
	}
	return fmt.Sprintf("%6.1f s  +%5.1f  %s%s", s.Secs, s.Start, s.Name, c)
}
