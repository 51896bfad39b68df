# The native apt route (after native-common.sh): apt-get install OPTIONS… PACKAGES… ("$@") into $T, run by the apt
# of the base image for the build platform. apt resolves and downloads natively against the target's dpkg
# status, sources, preferences and keyrings; the build platform's dpkg unpacks into $T. The configure phase
# (maintainer scripts, triggers) runs the target's own dpkg chrooted into $T: those are the only programs of the
# target platform, through the host's binfmt emulation. (The dpkg of Debian 12 cannot configure a root of another
# architecture itself: its dependency checks count only packages of its own architecture.) The caches are at
# $T/var/cache/apt and $T/var/lib/apt/lists, as for apt-get in the target.
export DEBIAN_FRONTEND=noninteractive

# As the emulated route does: the docker-clean hook would empty the cache mount after every install.
rm -f "$T/etc/apt/apt.conf.d/docker-clean"

# The target's architecture is its dpkg's; foreign architectures it was told about stay enabled.
ARCH=$(dpkg-query --admindir="$T/var/lib/dpkg" -W -f='${Architecture}' dpkg)
ARCHES="\"$ARCH\";"
if [ -s "$T/var/lib/dpkg/arch" ]; then
	for a in $(cat "$T/var/lib/dpkg/arch"); do [ "$a" = "$ARCH" ] || ARCHES="$ARCHES \"$a\";"; done
fi

# The native dpkg looks up the owners of the files it unpacks (and dpkg-statoverride's) by name, in this
# container: make that the target's user database. It also reads its configuration (path-exclude…) here only.
for f in passwd group shadow gshadow; do
	if [ -e "$T/etc/$f" ]; then ln -sf "$T/etc/$f" "/etc/$f"; fi
done
for f in dpkg.cfg dpkg.cfg.d; do
	if [ -e "$T/etc/dpkg/$f" ]; then rm -rf "/etc/dpkg/$f" && ln -s "$T/etc/dpkg/$f" "/etc/dpkg/$f"; fi
done

# apt reads a signed-by keyring path as it is written, in this container (Dir does not apply to it): show the
# target's keyrings at the same paths.
for f in "$T"/etc/apt/sources.list "$T"/etc/apt/sources.list.d/*.list "$T"/etc/apt/sources.list.d/*.sources; do
	[ -e "$f" ] || continue
	for k in $(sed -n -e 's/.*signed-by=\([^] ]*\).*/\1/p' -e 's/^Signed-By:[[:space:]]*\(\/[^[:space:]]*\)[[:space:]]*$/\1/p' "$f" | tr ',' '\n'); do
		case $k in /*) if [ -e "$T$k" ] && [ ! -e "$k" ]; then mkdir -p "${k%/*}" && ln -s "$T$k" "$k"; fi ;; esac
	done
done

# apt calls dpkg through this wrapper: unpacking with the native dpkg into $T, everything else (configure,
# triggers, queries) with the target's dpkg in $T. It takes dpkg's place in this container, so apt's messages
# name /usr/bin/dpkg as in the emulated route.
mv /usr/bin/dpkg /usr/bin/dpkg.build
cat >/usr/bin/dpkg <<SH
#!/bin/sh
for a do
	case \$a in
	--unpack|--install|-i|--record-avail|-A)
		exec /usr/bin/dpkg.build --root="$T" --force-architecture --log="$T/var/log/dpkg.log" "\$@" ;;
	esac
done
exec chroot "$T" /usr/bin/dpkg "\$@"
SH
chmod 0755 /usr/bin/dpkg

# The target's apt configuration, through a directory of links plus one file that sorts last: it drops the hooks
# the target configures (debconf's dpkg-preconfigure, …), which would run here instead of in the target.
mkdir "$work/apt.conf.d"
for f in "$T"/etc/apt/apt.conf.d/*; do
	if [ -e "$f" ]; then ln -s "$f" "$work/apt.conf.d/"; fi
done
cat >"$work/apt.conf.d/zzzz-builder-frontend-native" <<CONF
#clear DPkg::Pre-Install-Pkgs;
#clear DPkg::Pre-Invoke;
#clear DPkg::Post-Invoke;
#clear APT::Update::Pre-Invoke;
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
CONF
# Through APT_CONFIG, not -o: Dir must be set before apt reads apt.conf.d, so that every relative path (sources,
# preferences, trusted keys, lists, archives, logs, extended_states) is the target's.
cat >"$work/apt.conf" <<CONF
Dir "$T/";
Dir::Etc::parts "$work/apt.conf.d/";
Dir::State::status "$T/var/lib/dpkg/status";
APT::Architecture "$ARCH";
APT::Architectures { $ARCHES };
// A repository that cannot be fetched or verified is an error, not a warning followed by stale lists.
APT::Update::Error-Mode "any";
CONF
chmod -R a+rX "$work"
export APT_CONFIG="$work/apt.conf"

logged apt-get update -q
logged apt-get install -y -q --no-install-recommends "$@"
rm -rf "$work" "$LOG"
