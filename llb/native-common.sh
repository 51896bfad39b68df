#!/bin/sh
# The start of every native package script (native-apt.sh, native-dnf.sh follow it). The package step runs in a
# container of the base image for the BUILD platform, with the target platform's root file system mounted
# read-write at $T, the manager's caches mounted inside it where the emulated route has them, and an empty tmpfs
# on $T/dev. This container itself is thrown away: only what lands in $T is the package layer.
set -eu
T=/target
# The manager's output also goes to $LOG: when the step fails, the frontend reads it from the failed container
# to say which package or repository failed.
LOG=/tmp/builder-frontend-packages.log
work=$(mktemp -d /tmp/builder-frontend.XXXXXX)
: >"$LOG"

# logged CMD…: runs CMD with its output in the build log and in $LOG, and returns its exit code.
logged() {
	{ rc=0; "$@" || rc=$?; echo "$rc" >"$work/rc"; } 2>&1 | tee -a "$LOG"
	return "$(cat "$work/rc")"
}

# Maintainer scripts run chrooted into $T: give its /dev the device nodes of a container, or a script's
# >/dev/null would create a regular file there.
for n in null,1,3 zero,1,5 full,1,7 random,1,8 urandom,1,9 tty,5,0; do
	IFS=, read -r name major minor <<EOF_NODE
$n
EOF_NODE
	[ -e "$T/dev/$name" ] || mknod -m 666 "$T/dev/$name" c "$major" "$minor"
done
[ -e "$T/dev/fd" ] || ln -s /proc/self/fd "$T/dev/fd"
