#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# make test-kmod / make bench-kmod: build kecho.ko and krpc.ko against the
# guest kernel's headers (scripts/kmod-build.sh), then boot the qemu guest
# (tests/qemu/run.sh) with the modules, the user-space programs and the
# abusive test clients of tests/integ, and run GUEST_SCRIPT there:
#
#   sh tests/qemu/run-kmod.sh [GUEST_SCRIPT]   (default tests/qemu/guest-kmod.sh)
#
# Environment: B (build directory, default build), KSF_QEMU_TIMEOUT (default
# 420 s) and the rest of run.sh's.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${B:=build}"
export B
SCRIPT=${1:-$ROOT/tests/qemu/guest-kmod.sh}
sh "$ROOT/scripts/kmod-build.sh" "$B" || exit 1
K="$B/kmod"
for f in "$B/tests/noread" "$B/tests/disconnect" "$B/tests/manyconn" "$B/tests/rpcabuse"; do
	[ -x "$f" ] || { echo "run-kmod: no $f: run make first" >&2; exit 1; }
done
KSF_QEMU_MODULES="" \
KSF_QEMU_FILES="$K/kecho/kecho.ko $K/krpc/krpc.ko $ROOT/tests/integ/rpcabuse.want" \
KSF_QEMU_BINS="$B/tests/noread $B/tests/disconnect $B/tests/manyconn $B/tests/rpcabuse" \
KSF_QEMU_TIMEOUT=${KSF_QEMU_TIMEOUT:-420} exec sh "$ROOT/tests/qemu/run.sh" "$SCRIPT"
