package elfmachine

import (
	"io/fs"
	"path/filepath"
	"runtime"
	"testing"
)

// BenchmarkCheckGOROOT checks the Go installation the test runs with: a
// toolchain layer of about 15000 files, 250 MB, with a dozen executables
// and test data for other machines. docs/performance.md quotes it:
//
//	go test ./internal/elfmachine -run '^$' -bench CheckGOROOT -benchtime 10x
func BenchmarkCheckGOROOT(b *testing.B) {
	root := runtime.GOROOT()
	var files, bytes int64
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files++
			if fi, err := d.Info(); err == nil {
				bytes += fi.Size()
			}
		}
		return nil
	})
	t, _ := For("linux/" + runtime.GOARCH)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		found, err := Check([]Tree{{Src: root, ImagePath: "/usr/local/go"}}, t)
		if err != nil || len(found) != 0 {
			b.Fatalf("%v %v", found, err)
		}
	}
	b.ReportMetric(float64(files), "files")
	b.ReportMetric(float64(bytes)/(1<<20), "MiB")
}
