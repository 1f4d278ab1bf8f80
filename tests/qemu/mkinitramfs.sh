#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Builds the initramfs of the qemu test guest:
#
#   sh tests/qemu/mkinitramfs.sh QEMU_DIR GUEST_SCRIPT OUT.cpio [BUILD_DIR]
#
# QEMU_DIR is what scripts/qemu-deps.sh filled (kernel/, busybox/, kver).
# The archive (newc cpio, uncompressed: qemu loads it straight into memory
# and the kernel unpacks it fastest so) holds:
#   /bin/busybox, /bin/sh                 the guest's whole user space
#   /lib/modules/KVER/...                 the modules named in
#                                         KSF_QEMU_MODULES (default: the NFS
#                                         v3 client's; empty: none) and all
#                                         they depend on, from the guest
#                                         kernel's own tree (so
#                                         vermagic matches), with their lines
#                                         of modules.dep
#   /ksf/bin/*                            BUILD_DIR/bin/* (krpc, rpctest,
#                                         kecho, echotest) and KSF_QEMU_BINS
#                                         (more host programs, by path)
#   /lib*/..., /usr/lib*/...              the shared libraries they need
#                                         (ldd) and the dynamic loader
#   /init, /ksf/guest-lib.sh              tests/qemu/init, guest-lib.sh
#   /ksf/test.sh                          GUEST_SCRIPT
#   /ksf/files/*                          KSF_QEMU_FILES (more files, e.g.
#                                         kernel modules built for issue 10)
set -eu

[ $# -ge 3 ] || { echo "usage: sh tests/qemu/mkinitramfs.sh QEMU_DIR GUEST_SCRIPT OUT.cpio [BUILD_DIR]" >&2; exit 2; }
Q=$(cd "$1" && pwd)
SCRIPT=$2
OUT=$3
BDIR=${4:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
BB="$Q/busybox/bin/busybox"
KVER=$(cat "$Q/kver")
KMOD="$Q/kernel/lib/modules/$KVER"
MODULES=${KSF_QEMU_MODULES-sunrpc grace lockd netfs fscache nfs nfs_acl nfsv3}

[ -x "$BB" ] && [ -f "$KMOD/modules.dep" ] ||
	{ echo "mkinitramfs: run scripts/qemu-deps.sh $1 first" >&2; exit 1; }
[ -f "$SCRIPT" ] || { echo "mkinitramfs: no guest script $SCRIPT" >&2; exit 1; }

R=$(mktemp -d "${TMPDIR:-/tmp}/ksf-initramfs.XXXXXX")
trap 'rm -rf "$R"' EXIT
mkdir -p "$R/bin" "$R/sbin" "$R/usr/bin" "$R/usr/sbin" "$R/proc" "$R/sys" \
	"$R/dev" "$R/tmp" "$R/run" "$R/mnt" "$R/srv" "$R/etc" "$R/root" \
	"$R/ksf/bin" "$R/ksf/files" "$R/lib/modules/$KVER"

# busybox; /init links its applets into /bin (one process in the guest
# rather than hundreds of ln here).
cp "$BB" "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
echo "root:x:0:0:root:/root:/bin/sh" > "$R/etc/passwd"
echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/false" >> "$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$R/etc/group"
echo "127.0.0.1 localhost ksf-guest" > "$R/etc/hosts"

# Modules: modules.dep lists every module's dependencies, transitively.
: > "$R/ksf/modules"
for m in $MODULES; do
	line=$(grep -E "(^|/)$m\.ko(\.xz|\.zst)?:" "$KMOD/modules.dep" | head -n 1) ||
		{ echo "mkinitramfs: no module $m in $KVER" >&2; exit 1; }
	echo "$m" >> "$R/ksf/modules"
	for f in $(echo "$line" | tr -d :); do
		mkdir -p "$R/lib/modules/$KVER/$(dirname "$f")"
		cp "$KMOD/$f" "$R/lib/modules/$KVER/$f"
		grep -E "^$f:" "$KMOD/modules.dep" >> "$R/lib/modules/$KVER/modules.dep"
	done
done
if [ -s "$R/lib/modules/$KVER/modules.dep" ]; then
	sort -u -o "$R/lib/modules/$KVER/modules.dep" "$R/lib/modules/$KVER/modules.dep"
fi
cp "$KMOD/modules.builtin" "$R/lib/modules/$KVER/" 2>/dev/null || true

# Project binaries and their libraries, at the paths ldd names.
copy_lib() {
	[ -f "$R$1" ] && return 0
	mkdir -p "$R$(dirname "$1")"
	cp -L "$1" "$R$1"
}
for b in "$BDIR"/bin/* ${KSF_QEMU_BINS:-}; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	cp "$b" "$R/ksf/bin/"
	for l in $(ldd "$b" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
		copy_lib "$l"
	done
done
for f in ${KSF_QEMU_FILES:-}; do
	cp -r "$f" "$R/ksf/files/"
done

cp "$HERE/init" "$R/init"
cp "$HERE/guest-lib.sh" "$R/ksf/guest-lib.sh"
cp "$SCRIPT" "$R/ksf/test.sh"
chmod 755 "$R/init" "$R/ksf/test.sh"

mkdir -p "$(dirname "$OUT")"
(cd "$R" && find . | sed 's|^\./||; /^\.$/d' | "$BB" cpio -o -H newc -R 0:0) > "$OUT.tmp" 2>/dev/null
mv "$OUT.tmp" "$OUT"
