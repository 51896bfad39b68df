#!/usr/bin/env bash
# Stand-in for istio/tools docker/build-tools/docker-entrypoint.sh (written for this example,
# not copied): copy the host's config mounted at /config into $HOME (/home) and run the
# command. Upstream runs the root-only steps with su-exec, which these images lack (see
# README.md); sudo is used instead (build-tools has it; build-tools-proxy only as root).
set -eu

uid=$(id -u)
gid=$(id -g)
asroot() { if [[ "${uid}" -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

if [[ -d /config ]]; then
  asroot rsync -a --exclude='docker*.sock' /config/ /config-copy/
  asroot chown -R "${uid}:${gid}" /config-copy
  chmod -R 700 /config-copy
  if [[ "${uid}" -ne 0 ]]; then
    asroot useradd --uid "${uid}" --system user 2>/dev/null || true
  fi
  asroot chown "${uid}:${gid}" /home
  cp -R /config-copy/. /home/ 2>/dev/null || true
fi

exec "$@"
