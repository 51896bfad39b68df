#!/usr/bin/env bash
# Stand-in for maistra/test-infra docker/scripts/docker-entrypoint-3.0.sh (written for this
# example, not copied): copy the host's config mounted at /config into the container user's
# home and run the command. Upstream does the root-only steps with su-exec; this image has
# no su-exec (see README.md), so sudo is used.
set -eu

uid=$(id -u)
gid=$(id -g)

if [[ -d /config ]]; then
  sudo rsync -a --exclude='docker*.sock' /config/ /config-copy/
  sudo chown -R "${uid}:${gid}" /config-copy
  chmod -R 700 /config-copy
  cp -R /config-copy/. "${HOME}/" 2>/dev/null || true
fi

exec "$@"
