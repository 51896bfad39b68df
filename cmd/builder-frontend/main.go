// Command builder-frontend is the entrypoint of the frontend image. BuildKit
// runs it without arguments as a gateway frontend; the graph runs it as
// `builder-frontend unpack ...` to extract archives on the build platform.
package main

import (
	"fmt"
	"os"

	"github.com/moby/buildkit/frontend/gateway/grpcclient"
	"github.com/moby/buildkit/util/appcontext"

	"github.com/maistra/builder-frontend/frontend"
	"github.com/maistra/builder-frontend/internal/unpack"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "unpack" {
		os.Exit(unpack.Main(os.Args[2:]))
	}
	if err := grpcclient.RunFromEnvironment(appcontext.Context(), frontend.Build); err != nil {
		fmt.Fprintf(os.Stderr, "builder-frontend: %v\n", err)
		os.Exit(1)
	}
}
