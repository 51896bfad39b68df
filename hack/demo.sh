#!/usr/bin/env bash
# The end-to-end demo; not written yet.
set -euo pipefail
echo "hack/demo.sh: not yet" >&2
exit 1
