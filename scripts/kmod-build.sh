#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Builds the ksf kernel modules (kmod/) against the headers of the kernel
# the qemu guest boots (Debian's, scripts/qemu-deps.sh QEMU_DIR headers):
#
#   sh scripts/kmod-build.sh [BUILD_DIR]      (make kmod)
#
# Kbuild of that kernel cannot put objects outside the module tree, and one
# object file must belong to one module, so the tree is rebuilt in
# BUILD_DIR/kmod out of links: kmod/*, kecho/core and krpc/core -> kmod/core,
# krpc/rpc -> lib/rpc (the RPC layer, unchanged). Then
# make -C KDIR M=BUILD_DIR/kmod W=1; any compiler warning fails the build.
# KSF_KDIR overrides the headers directory (another kernel).
# Output: BUILD_DIR/kmod/kecho/kecho.ko, BUILD_DIR/kmod/krpc/krpc.ko.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-build}
mkdir -p "$B"
B=$(cd "$B" && pwd)
if [ -z "${KSF_KDIR:-}" ]; then
	sh "$ROOT/scripts/qemu-deps.sh" "$B/qemu" headers
	KSF_KDIR=/usr/src/linux-headers-$(cat "$B/qemu/kver")
fi
[ -f "$KSF_KDIR/Makefile" ] || { echo "kmod-build: no kernel headers in $KSF_KDIR" >&2; exit 1; }

K="$B/kmod"
mkdir -p "$K/kecho/core" "$K/krpc/core" "$K/krpc/rpc"
link() { ln -sfn "$1" "$2"; }
link "$ROOT/kmod/Kbuild" "$K/Kbuild"
for m in kecho krpc; do
	for f in "$ROOT/kmod/$m"/*; do link "$f" "$K/$m/"; done
	for f in "$ROOT"/kmod/core/*; do link "$f" "$K/$m/core/"; done
done
for f in "$ROOT"/lib/rpc/*.c "$ROOT"/lib/rpc/*.h; do link "$f" "$K/krpc/rpc/"; done

LOG="$K/build.log"
if ! make -C "$KSF_KDIR" M="$K" KSF_ROOT="$ROOT" W=1 modules > "$LOG" 2>&1; then
	cat "$LOG" >&2
	echo "kmod-build: make failed (log: $LOG)" >&2
	exit 1
fi
if grep -q 'warning:' "$LOG"; then
	grep -B2 -A4 'warning:' "$LOG" >&2
	echo "kmod-build: compiler warnings (log: $LOG)" >&2
	exit 1
fi
echo "kmod-build: $K/kecho/kecho.ko $K/krpc/krpc.ko (W=1, no warnings; kernel headers $KSF_KDIR)"
