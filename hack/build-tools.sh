#!/usr/bin/env bash
# Builds the tool directives of tools/go.mod (buildkitd, buildctl, buildx) into bin/.
# A lock keeps two builds (make tools, make deps, a CI retry) from writing bin/ at the same time; the binaries are
# built aside and renamed into place, so a running buildkitd keeps its (old) file.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
command -v go >/dev/null || export PATH=$PATH:/usr/local/go/bin
mkdir -p "$repo/bin" "$repo/build"
exec 9>"$repo/build/.tools.lock"
flock -w 1800 9 || { echo "build-tools: another tools build holds $repo/build/.tools.lock" >&2; exit 1; }
log="$repo/build/tools-build.log"
out="$repo/build/tools.out"
rm -rf "$out" && mkdir -p "$out"
if ! (cd "$repo/tools" && go build -o "$out/" tool) >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  echo "build-tools: go build of tools/ failed (full log: $log)" >&2
  exit 1
fi
for b in buildkitd buildctl buildx; do
  [ -x "$out/$b" ] || { echo "build-tools: go build of tools/ produced no $b" >&2; exit 1; }
  mv -f "$out/$b" "$repo/bin/$b"
done
rm -rf "$out" "$log"
