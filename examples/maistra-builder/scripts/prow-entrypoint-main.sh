#!/usr/bin/env bash
# Stand-in for maistra/test-infra docker/scripts/prow-entrypoint-main.sh (written for this
# example, not copied): start dockerd for docker-in-docker CI jobs, run the job, clean up.
set -u

log() { echo -e "$(date -u '+%Y-%m-%dT%H:%M:%S.%NZ')\t$*"; }

dockerd > "${ARTIFACTS:-/tmp}/dockerd.log" 2>&1 &
until docker ps -q > /dev/null 2>&1; do
  log "waiting for dockerd"
  sleep 1
done

cleanup() {
  # shellcheck disable=SC2046
  docker kill $(docker ps -q) > /dev/null 2>&1 || true
  docker system prune -af > /dev/null 2>&1 || true
}
trap cleanup EXIT

if [[ -n "${GOOGLE_APPLICATION_CREDENTIALS:-}" ]]; then
  gcloud auth activate-service-account --key-file="${GOOGLE_APPLICATION_CREDENTIALS}" || true
fi

"$@"
