package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/maistra/builder-frontend/spec"
)

type planOptions struct {
	*globals
	common
	format outputFormat
	file   string
}

// planTool is one tool for one platform, as plan prints it.
type planTool struct {
	Name     string            `json:"name"`
	Version  string            `json:"version"`
	URL      string            `json:"url"`
	SHA256   string            `json:"sha256"`
	Form     string            `json:"form"`
	Dest     string            `json:"dest"`
	Strip    int               `json:"strip,omitempty"`
	Take     []string          `json:"take,omitempty"`
	Links    map[string]string `json:"links,omitempty"`
	Platform string            `json:"platform"`
	// From is the file that declares the tool: the spec, or one it extends.
	From string `json:"from"`
	// Check is the smoke check's command, run in the finished image.
	Check string `json:"check,omitempty"`
}

// planGoTool is one Go tool for one platform.
type planGoTool struct {
	Name    string   `json:"name"`
	Module  string   `json:"module"` // package@version, as go install takes it
	Package string   `json:"package"`
	Version string   `json:"version"`
	Dest    string   `json:"dest"`
	Ldflags string   `json:"ldflags"`
	Tags    []string `json:"tags,omitempty"`
	Cgo     bool     `json:"cgo,omitempty"`
	From    string   `json:"from"`
	Check   string   `json:"check,omitempty"`
}

// plan is one image for one platform.
type plan struct {
	File     string       `json:"file"`
	Image    string       `json:"image"`
	Platform string       `json:"platform"`
	Base     string       `json:"base"`
	Tools    []planTool   `json:"tools"`
	GoTools  []planGoTool `json:"goTools,omitempty"`
	// GoToolchain is the toolchain tool resolved for the build platform.
	GoToolchain *planTool `json:"goToolchain,omitempty"`
	// LeftOut are the tools and Go tools whose platforms: leave this
	// platform out.
	LeftOut []string `json:"leftOut,omitempty"`
	// Packages is the image's package step, and where it runs.
	Packages *planPackages `json:"packages,omitempty"`
	// extends: the spec has extends, and the table shows where each tool
	// comes from.
	extends bool
}

func newPlanCmd(g *globals) *cobra.Command {
	o := &planOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "plan FILE",
		Short: "Show what a build downloads and installs, per platform",
		Long: `Resolve the spec for each platform (--platform, default the spec's platforms:) and each image
(--target, default every image), as a build with the same --build-arg values would, and show for each
tool its version, resolved URL, sha256, form and destination, and for each Go tool the module@version
go install compiles, and each one's smoke check (check:; the CHECK column, when a tool has one). Spec
errors are printed to stderr instead (exit status 1).

A tool or Go tool whose platforms: leave a platform out is named under that platform's table
("not on linux/s390x: kubectl (platforms:)").

--format table (the default) prints one table per image and platform; --format json prints a list of
{file, image, platform, base, tools, goTools, goToolchain, leftOut} objects.`,
		Example: `  builder plan builder.yaml
  builder plan --platform linux/arm64 --build-arg HELM_VERSION=v3.17.0 builder.yaml
  builder plan --format json builder.yaml | jq -r '.[].tools[] | [.platform, .name, .url] | @tsv'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.file = args[0]
			return o.run(cmd.Context())
		},
	}
	o.common.flags(cmd, "platforms, as buildx --platform (default: the spec's platforms:)", "the image (default: every image)")
	o.format.flag(cmd)
	return cmd
}

// planPackages is an image's package step for one platform: what it
// installs and the route it takes (docs/spec.md, packages).
type planPackages struct {
	Manager string   `json:"manager"`
	Install []string `json:"install"`
	// Native: the manager runs on RunsOn (the build platform) and installs
	// into the platform's root; only maintainer scripts run on the
	// platform. A build falls back to emulated when the base has no
	// variant for the build platform.
	Native bool `json:"native"`
	// Emulated: the whole step runs on a platform other than the build
	// platform, under emulation.
	Emulated bool   `json:"emulated"`
	RunsOn   string `json:"runsOn"`
	From     string `json:"from,omitempty"`
}

func (o *planOptions) run(ctx context.Context) error {
	if err := o.prepare(); err != nil {
		return err
	}
	_, s, errs := load(o.file)
	if errs != nil {
		return o.specErrors(errs)
	}
	plans, errs, err := o.plans(s)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return o.specErrors(errs)
	}
	return o.format.write(o.stdout, plans, func(w io.Writer) { printPlans(w, plans) })
}

func (o *planOptions) plans(s *spec.Spec) ([]plan, spec.ErrorList, error) {
	images, err := o.images(s)
	if err != nil {
		return nil, nil, err
	}
	plats, _ := o.platforms(s, false)
	var out []plan
	var errs spec.ErrorList
	for _, image := range images {
		for _, p := range plats {
			r, l, err := o.resolve(s, image, p)
			if err != nil {
				return nil, nil, err
			}
			if l != nil {
				errs = append(errs, l...)
				continue
			}
			pl := plan{File: o.file, Image: image, Platform: p, Base: r.Base, Tools: []planTool{}, LeftOut: r.LeftOut, extends: len(s.Sources()) > 1}
			for _, t := range r.Tools {
				pl.Tools = append(pl.Tools, toPlanTool(t))
			}
			for _, gt := range r.GoTools {
				pl.GoTools = append(pl.GoTools, planGoTool{
					Name: gt.Name, Module: gt.Package + "@" + gt.Version, Package: gt.Package, Version: gt.Version,
					Dest: gt.Dest, Ldflags: gt.Ldflags, Tags: gt.Tags, Cgo: gt.Cgo, From: gt.Range.File, Check: gt.Check,
				})
			}
			if r.GoToolchain != nil {
				tc := toPlanTool(r.GoToolchain)
				pl.GoToolchain = &tc
			}
			if pk := r.Packages; pk != nil {
				native := o.nativePackages(r, p)
				pl.Packages = &planPackages{Manager: pk.Manager, Install: pk.Install, Native: native, Emulated: !native && p != o.buildPlatform, RunsOn: p, From: pk.Range.File}
				if native {
					pl.Packages.RunsOn = o.buildPlatform
				}
			}
			out = append(out, pl)
		}
	}
	return out, errs.Sorted(), nil
}

func toPlanTool(t *spec.ResolvedTool) planTool {
	pt := planTool{Name: t.Name, Version: t.Version, URL: t.URL, SHA256: strings.TrimPrefix(t.SHA256, "sha256:"), Form: t.Form, Dest: t.Dest, Strip: t.Strip, Take: t.Take, Platform: t.Platform, From: t.Range.File, Check: t.Check}
	if len(t.Links) > 0 {
		pt.Links = map[string]string{}
		for _, l := range t.Links {
			pt.Links[l.Path] = l.Target
		}
	}
	return pt
}

func printPlans(w io.Writer, plans []plan) {
	for i, pl := range plans {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s: image %s for %s, base %s\n", pl.File, pl.Image, pl.Platform, pl.Base)
		// from is the FROM column of a spec with extends, after the name.
		from := func(f string) string {
			if pl.extends {
				return f + "\t"
			}
			return ""
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		if len(pl.Tools) > 0 {
			check := checkColumn(slices.ContainsFunc(pl.Tools, func(t planTool) bool { return t.Check != "" }))
			fmt.Fprintln(tw, "  TOOL\t"+from("FROM")+"VERSION\tFORM\tDEST\tSHA256\tURL"+check.headerText())
			for _, t := range pl.Tools {
				dest := t.Dest
				if len(t.Take) > 0 {
					dest += " (" + strings.Join(t.Take, ", ") + ")"
				}
				fmt.Fprintf(tw, "  %s\t%s%s\t%s\t%s\t%s\t%s%s\n", t.Name, from(t.From), t.Version, t.Form, dest, t.SHA256, t.URL, check.cell(t.Check))
			}
		}
		tw.Flush()
		if len(pl.GoTools) > 0 {
			tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			check := checkColumn(slices.ContainsFunc(pl.GoTools, func(t planGoTool) bool { return t.Check != "" }))
			fmt.Fprintln(tw, "  GO TOOL\t"+from("FROM")+"MODULE\tDEST"+check.headerText())
			for _, gt := range pl.GoTools {
				dest := gt.Dest
				if gt.Cgo {
					dest += " (cgo, on " + pl.Platform + ")"
				}
				fmt.Fprintf(tw, "  %s\t%s%s\t%s%s\n", gt.Name, from(gt.From), gt.Module, dest, check.cell(gt.Check))
			}
			tw.Flush()
		}
		if tc := pl.GoToolchain; tc != nil {
			fmt.Fprintf(w, "  Go toolchain: %s %s for %s, %s (sha256 %s)\n", tc.Name, tc.Version, tc.Platform, tc.URL, tc.SHA256)
		}
		if pk := pl.Packages; pk != nil {
			route := "on " + pk.RunsOn
			switch {
			case pk.Emulated:
				route += ", emulated"
			case pk.Native:
				route = fmt.Sprintf("natively on %s, maintainer scripts on %s (emulated instead where the base has no %s variant)", pk.RunsOn, pl.Platform, pk.RunsOn)
			}
			fmt.Fprintf(w, "  packages: %s install %s, %s\n", pk.Manager, packageList(pk.Install), route)
		}
		if len(pl.LeftOut) > 0 {
			fmt.Fprintf(w, "  not on %s: %s (platforms:)\n", pl.Platform, strings.Join(pl.LeftOut, ", "))
		}
	}
}

// checkColumn is the CHECK column of a table, last, when a row has a
// check; a table without checks prints as before checks existed.
type checkColumn bool

func (c checkColumn) headerText() string {
	if !c {
		return ""
	}
	return "\tCHECK"
}

// cell is a row's check on one line: a multi-line command shows its line
// breaks as \n, and "-" stands for no check.
func (c checkColumn) cell(check string) string {
	if !c {
		return ""
	}
	check = strings.ReplaceAll(strings.TrimRight(check, "\n"), "\n", `\n`)
	if check == "" {
		return "\t-"
	}
	return "\t" + printable(check, 200)
}

// packageList names the packages of a plan's line: a long list by its
// first names and its length (the JSON has them all).
func packageList(names []string) string {
	const shown = 6
	if len(names) <= shown+1 {
		return strings.Join(names, " ")
	}
	return fmt.Sprintf("%s … (%d packages)", strings.Join(names[:shown], " "), len(names))
}
