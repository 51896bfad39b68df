# The native dnf route (after native-common.sh): dnf install OPTIONS… PACKAGES… ("$@") into $T, run by the dnf of
# the base image for the build platform with --installroot and --forcearch=$RPM_ARCH (the target's CPU in rpm's
# terms). dnf reads the target's configuration and repositories (it looks in the install root first), takes the
# release version from the target's rpm database, and keeps its cache, logs and history inside the install root,
# where the emulated route has them ($T/var/cache/dnf is a cache mount). rpm chroots into $T for the scriptlets:
# those are the only programs of the target platform, through the host's binfmt emulation.

# dnf reads gpgkey=file:///… keys on this side, not in the install root: show the target's keys at the same
# paths.
for repo in "$T"/etc/yum.repos.d/*.repo; do
	[ -e "$repo" ] || continue
	for k in $(sed -n 's/^[[:space:]]*gpgkey[[:space:]]*=//p' "$repo" | tr ', ' '\n\n' | sed -n 's|^file://||p'); do
		if [ -e "$T$k" ]; then mkdir -p "${k%/*}" && ln -sf "$T$k" "$k"; fi
	done
done

logged dnf --installroot="$T" --forcearch="$RPM_ARCH" install -y --setopt=install_weak_deps=False --setopt=keepcache=True "$@"
rm -rf "$work" "$LOG"
