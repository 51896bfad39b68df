// Command builder-frontend is the entrypoint of the frontend image. BuildKit
// runs it without arguments as a gateway frontend; the graph runs it on the
// build platform as `builder-frontend unpack ...` to extract archives and as
// `builder-frontend check-elf ...` to check that a tool's executables are
// for the platform of the image.
package main

import (
	"fmt"
	"os"

	"github.com/moby/buildkit/frontend/gateway/grpcclient"
	"github.com/moby/buildkit/util/appcontext"

	"github.com/maistra/builder-frontend/frontend"
	"github.com/maistra/builder-frontend/internal/elfmachine"
	"github.com/maistra/builder-frontend/internal/unpack"
	"github.com/maistra/builder-frontend/internal/unpack/cmdline"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case cmdline.Name:
			os.Exit(unpack.Main(os.Args[2:]))
		case cmdline.CheckName:
			os.Exit(elfmachine.Main(os.Args[2:], os.Stderr))
		}
	}
	if err := grpcclient.RunFromEnvironment(appcontext.Context(), frontend.Build); err != nil {
		fmt.Fprintf(os.Stderr, "builder-frontend: %v\n", err)
		os.Exit(1)
	}
}
