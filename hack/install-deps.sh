#!/usr/bin/env bash
# Installs what `make test` and `make demo` need on a fresh Debian 12 (bookworm) machine, run as root:
#   - runc (the OCI worker of buildkitd), qemu-user-static + binfmt-support (arm64 RUN steps),
#     xz-utils and zstd (buildkitd unpacks .tar.xz / .tar.zst with the host binaries),
#     dpkg-dev/apt for `apt-get download` of the busybox-static base image packages;
#     debootstrap (the Debian 12 root file systems of the package tests and the bench), apt-utils (apt-ftparchive:
#     the lab's apt repository), gnupg (its signing keys), rpm and createrepo-c (the lab's RPM world: rpmbuild,
#     rpmsign, createrepo_c, and the rpm database of its dnf image), python3-minimal (compiles that image's modules);
#   - arm64 as a foreign dpkg architecture (so `apt-get download busybox-static:arm64` works);
#   - binfmt_misc mounted and qemu-aarch64 enabled;
#   - bin/buildkitd, bin/buildctl, bin/buildx built from tools/ (Go module proxy) if missing.
# Idempotent and quiet: prints one line per step it had to do, and a clear message when something fails.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
apt_packages=(runc qemu-user-static binfmt-support xz-utils zstd ca-certificates debootstrap apt-utils gnupg rpm createrepo-c python3-minimal)

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (apt-get, binfmt_misc, buildkitd with runc need it)"
command -v apt-get >/dev/null || die "apt-get not found: this script supports Debian 12 (bookworm)"
command -v go >/dev/null || [ -x /usr/local/go/bin/go ] || die "go not found: install Go (see tools/go.mod for the version) first"
command -v go >/dev/null || export PATH=$PATH:/usr/local/go/bin

apt_updated=
apt_update() {
  [ -n "$apt_updated" ] && return 0
  say "apt-get update"
  local log; log=$(mktemp)
  if ! apt-get update -qq >"$log" 2>&1; then cat "$log" >&2; rm -f "$log"; die "apt-get update failed"; fi
  rm -f "$log"; apt_updated=1
}

# 1. foreign architecture arm64, needed by `apt-get download busybox-static:arm64`.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  say "dpkg --add-architecture arm64"
  dpkg --add-architecture arm64
  apt_updated=  # the package lists must be refreshed for the new architecture
  apt_update
fi

# 2. apt packages.
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# An index for the arm64 busybox-static must exist, or `apt-get download` fails later.
if ! apt-cache show busybox-static:arm64 >/dev/null 2>&1; then apt_update; fi
if [ ${#missing[@]} -gt 0 ]; then
  apt_update
  say "apt-get install ${missing[*]}"
  log=$(mktemp)
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; die "apt-get install ${missing[*]} failed"
  fi
  rm -f "$log"
fi
apt-cache show busybox-static:arm64 >/dev/null 2>&1 || die "busybox-static:arm64 is not in the apt indexes (check /etc/apt/sources.list*)"

# 3. binfmt_misc + qemu-aarch64.
if ! mountpoint -q /proc/sys/fs/binfmt_misc; then
  say "mount binfmt_misc"
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || die "cannot mount binfmt_misc (is this a privileged container?)"
fi
if ! grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
  say "update-binfmts --enable qemu-aarch64"
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  # update-binfmts may refuse when it thinks binfmt is managed by systemd; import the format directly then.
  if ! grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
    update-binfmts --import qemu-aarch64 >/dev/null 2>&1 || true
  fi
  grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null ||
    die "qemu-aarch64 is not registered in /proc/sys/fs/binfmt_misc (update-binfmts --enable qemu-aarch64 failed)"
fi
# The native package route runs maintainer scripts chrooted into the arm64 root inside a container: the kernel must
# have opened the interpreter when it was registered (flag F), as Debian's qemu-user-static registers it.
grep -q '^flags: .*F' /proc/sys/fs/binfmt_misc/qemu-aarch64 ||
  die "qemu-aarch64 is registered without the F (fix binary) flag: arm64 programs cannot run in containers; re-register it with update-binfmts from qemu-user-static"

# 4. buildkitd, buildctl, buildx from tools/go.mod.
if [ ! -x "$repo/bin/buildkitd" ] || [ ! -x "$repo/bin/buildctl" ] || [ ! -x "$repo/bin/buildx" ]; then
  say "building bin/buildkitd bin/buildctl bin/buildx from tools/ (takes a few minutes)"
  "$(dirname "$0")/build-tools.sh"
fi
