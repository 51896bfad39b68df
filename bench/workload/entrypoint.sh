#!/bin/sh
# Entrypoint of the benchmark image (bench/): the same file in all three builds.
exec "$@"
