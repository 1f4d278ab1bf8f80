#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Fetches what the qemu test harness (tests/qemu/) needs, without touching
# the host's kernel, /boot or boot loader:
#
#   sh scripts/qemu-deps.sh QEMU_DIR [headers]
#
#   what                         how
#   qemu-system-x86_64           apt-get install qemu-system-x86 (a host tool)
#   Debian 12's kernel (6.1)     apt-get download linux-image-6.1.0-N-amd64 (the
#                                package linux-image-amd64 points at), dpkg-deb -x
#                                into QEMU_DIR/kernel, modules.dep made there by
#                                busybox depmod
#   busybox (static)             apt-get download busybox-static, dpkg-deb -x
#                                into QEMU_DIR/busybox
#   headers (issue 10, opt-in)   apt-get install linux-headers-<that version>,
#                                for building modules against the guest kernel
#
# Installing linux-image-amd64 instead would run its maintainer scripts:
# depmod, linux-update-symlinks and /etc/kernel/postinst.d (initramfs-tools,
# update-grub): none of which this host wants. Extracting the .deb runs
# nothing. Each part is done once (a stamp file); KSF_QEMU_KPKG overrides the
# kernel package. Writes QEMU_DIR/kver (the guest's `uname -r`). Exits
# non-zero, saying why, when something cannot be had (not root, no apt).
set -u

[ $# -ge 1 ] || { echo "usage: sh scripts/qemu-deps.sh QEMU_DIR [headers]" >&2; exit 2; }
Q=$1
mkdir -p "$Q" && Q=$(cd "$Q" && pwd) || exit 1
APT_OPTS="-o DPkg::Lock::Timeout=300 -o APT::Sandbox::User=root"

die() { echo "qemu-deps: $*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

# apt_install PKG...: install host packages, updating the lists once if needed.
apt_install() {
	is_root || die "missing $*: run as root: apt-get install -y --no-install-recommends $*"
	echo "qemu-deps: installing $*"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $APT_OPTS "$@" >/dev/null 2>&1 ||
	{ apt-get update >/dev/null 2>&1 &&
	  apt-get install -y --no-install-recommends $APT_OPTS "$@" >/dev/null; } ||
	die "apt-get install $* failed"
}

# fetch_deb PKG DIR: download PKG's .deb into QEMU_DIR/debs and unpack it
# into DIR (no maintainer script runs).
fetch_deb() {
	mkdir -p "$Q/debs" && rm -rf "$2" && mkdir -p "$2" || return 1
	# shellcheck disable=SC2086
	(cd "$Q/debs" && { apt-get download $APT_OPTS "$1" >/dev/null 2>&1 ||
	  { apt-get update >/dev/null 2>&1 && apt-get download $APT_OPTS "$1" >/dev/null; }; }) ||
		die "apt-get download $1 failed"
	deb=$(ls -t "$Q/debs/$1"_*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || die "no .deb for $1 in $Q/debs"
	dpkg-deb -x "$deb" "$2" || die "dpkg-deb -x $deb failed"
}

# The concrete kernel package that Debian's metapackage depends on.
kernel_pkg() {
	[ -n "${KSF_QEMU_KPKG:-}" ] && { echo "$KSF_QEMU_KPKG"; return; }
	p=$(apt-cache depends linux-image-amd64 2>/dev/null |
	    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
	if [ -z "$p" ] && is_root; then
		apt-get update >/dev/null 2>&1
		p=$(apt-cache depends linux-image-amd64 2>/dev/null |
		    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
	fi
	echo "$p"
}

# extract_vmlinux BZIMAGE OUT: the uncompressed ELF kernel inside Debian's
# bzImage (an xz stream after the setup code). qemu boots it through its PVH
# entry point, which skips the real-mode setup and the decompression: under
# TCG that is ~10 s less before the kernel's first line. Without python3
# run.sh boots the bzImage.
extract_vmlinux() {
	command -v python3 >/dev/null 2>&1 || return 0
	python3 - "$1" "$2" <<-'EOF' || rm -f "$2"
	import lzma, sys
	d = open(sys.argv[1], 'rb').read()
	i = d.find(b'\xfd7zXZ\x00')
	out = lzma.LZMADecompressor().decompress(d[i:]) if i > 0 else b''
	if out[:4] != b'\x7fELF':
	    sys.exit('qemu-deps: no xz-compressed ELF kernel in ' + sys.argv[1])
	open(sys.argv[2], 'wb').write(out)
	EOF
}

command -v qemu-system-x86_64 >/dev/null 2>&1 || apt_install qemu-system-x86
command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb not found (not a Debian host?)"

if [ ! -f "$Q/busybox/.ok" ]; then
	fetch_deb busybox-static "$Q/busybox"
	[ -x "$Q/busybox/bin/busybox" ] || die "busybox-static has no bin/busybox"
	: > "$Q/busybox/.ok"
fi

if [ ! -f "$Q/kernel/.ok" ]; then
	kp=$(kernel_pkg)
	[ -n "$kp" ] || die "cannot resolve linux-image-amd64 to a kernel package (apt-get update?)"
	fetch_deb "$kp" "$Q/kernel"
	kver=$(ls "$Q/kernel/lib/modules" | head -n 1)
	[ -n "$kver" ] && [ -f "$Q/kernel/boot/vmlinuz-$kver" ] || die "$kp: no vmlinuz or modules"
	# The package ships no modules.dep (its postinst runs depmod).
	"$Q/busybox/bin/busybox" depmod -b "$Q/kernel" "$kver" || die "depmod $kver failed"
	echo "$kver" > "$Q/kver"
	extract_vmlinux "$Q/kernel/boot/vmlinuz-$kver" "$Q/kernel/vmlinux"
	echo "qemu-deps: guest kernel $kver ($kp) in $Q/kernel"
	: > "$Q/kernel/.ok"
fi

if [ "${2:-}" = headers ]; then
	kver=$(cat "$Q/kver")
	[ -d "/usr/src/linux-headers-$kver" ] || apt_install "linux-headers-$kver"
fi
exit 0
