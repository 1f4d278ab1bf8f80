#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Runs one guest script in a qemu guest booting Debian's own kernel:
#
#   sh tests/qemu/run.sh GUEST_SCRIPT
#
# Environment: B (build directory, default build), KSF_QEMU_TIMEOUT (host
# side limit for the whole run, default 180 s: qemu is killed then),
# KSF_QEMU_SMP (2), KSF_QEMU_MEM (1G), KSF_QEMU_APPEND (more kernel
# arguments), and those of mkinitramfs.sh (KSF_QEMU_MODULES, KSF_QEMU_BINS,
# KSF_QEMU_FILES).
#
# Fetches the kernel, busybox and qemu if missing (scripts/qemu-deps.sh),
# builds the initramfs with GUEST_SCRIPT (tests/qemu/mkinitramfs.sh), boots
# it under TCG (/dev/kvm hangs guests on this project's machines), keeps the
# serial console in $B/qemu/NAME/console.log and turns its "KSFTEST:" lines
# into the runner's format: PASS/FAIL lines, "# " notes with the timings of
# each phase, and as the very last line "N passed, N failed". On a failure
# it prints the guest's kernel log. Exits non-zero on any failed step, a
# guest that did not reach "KSFTEST: DONE" (timeout, panic), or bad lines
# in the kernel log.
set -u

[ $# -eq 1 ] || { echo "usage: sh tests/qemu/run.sh GUEST_SCRIPT" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SCRIPT=$1
[ -f "$SCRIPT" ] || { echo "run.sh: no guest script $SCRIPT" >&2; exit 2; }
: "${B:=build}"
TMO=${KSF_QEMU_TIMEOUT:-180}
GUEST_TMO=$((TMO - 50))
[ "$GUEST_TMO" -ge 30 ] || GUEST_TMO=30
NAME=$(basename "$SCRIPT" .sh)
Q="$B/qemu"
RUN="$Q/$NAME"
LOG="$RUN/console.log"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

t0=$(now)
sh "$ROOT/scripts/qemu-deps.sh" "$Q" || exit 1
[ -x "$B/bin/krpc" ] || { echo "run.sh: no $B/bin/krpc: run make first" >&2; exit 1; }
KVER=$(cat "$Q/kver")
KERNEL="$Q/kernel/vmlinux"	# PVH entry: no decompression under TCG
[ -f "$KERNEL" ] || KERNEL="$Q/kernel/boot/vmlinuz-$KVER"
mkdir -p "$RUN"
sh "$ROOT/tests/qemu/mkinitramfs.sh" "$Q" "$SCRIPT" "$RUN/initramfs.cpio" "$B" || exit 1
t_img=$(now)

# The console, each KSFTEST line stamped with the host's clock on arrival
# (the guest's own clock is in its INFO lines).
CR=$(printf '\r')
stamp() {
	while IFS= read -r line; do
		line=${line%"$CR"}
		case $line in
		*KSFTEST:*) printf '%s %s\n' "$(now)" "$line" ;;
		*) printf '%s\n' "$line" ;;
		esac
	done
}
t_boot=$(now)
# shellcheck disable=SC2086
timeout -k 5 "$TMO" qemu-system-x86_64 -accel tcg -m "${KSF_QEMU_MEM:-1G}" \
	-smp "${KSF_QEMU_SMP:-2}" -nodefaults -no-user-config -display none \
	-serial stdio -no-reboot \
	-kernel "$KERNEL" -initrd "$RUN/initramfs.cpio" \
	-append "console=ttyS0 quiet panic=-1 mitigations=off nokaslr no_timer_check ksf.timeout=$GUEST_TMO ${KSF_QEMU_APPEND:-}" \
	< /dev/null 2>&1 | stamp > "$LOG"
t_end=$(now)
qrc=0
[ "$(secs "$t_boot" "$t_end" | cut -d. -f1)" -ge "$TMO" ] && qrc=124

# Report: PASS/FAIL lines with their output, then timings.
awk -v t0="$t_boot" '
	/KSFTEST: DMESG-BEGIN/ { indm = 1; next }
	/KSFTEST: DMESG-END/ { indm = 0; next }
	indm { next }
	/KSFTEST: (PASS|FAIL) / { sub(/.*KSFTEST: /, ""); print; next }
	/KSFTEST: \| / { sub(/.*KSFTEST: \| /, "    | "); print; next }
' "$LOG"
passed=$(grep -c 'KSFTEST: PASS ' "$LOG")
failed=$(grep -c 'KSFTEST: FAIL ' "$LOG")
first=$(grep -m1 'KSFTEST:' "$LOG" | cut -d' ' -f1)
done_at=$(grep -m1 'KSFTEST: DONE' "$LOG" | cut -d' ' -f1)
info() {
	v=$(grep -m1 "KSFTEST: INFO $1 " "$LOG" | sed "s/.*KSFTEST: INFO $1 //")
	echo "${v:--}"
}

if [ -z "$done_at" ]; then
	failed=$((failed + 1))
	if [ "$qrc" = 124 ]; then
		echo "FAIL qemu: killed after ${TMO}s, guest never said KSFTEST: DONE"
	else
		echo "FAIL qemu: exited before KSFTEST: DONE (panic? see $LOG)"
	fi
	echo "    console (last 40 lines):"
	grep -v 'KSFTEST: DMESG' "$LOG" | tail -n 40 | sed 's/^/    | /'
elif [ "$failed" -gt 0 ]; then
	echo "    guest kernel log (last 60 lines; all of it in $LOG):"
	sed -n '/KSFTEST: DMESG-BEGIN/,/KSFTEST: DMESG-END/p' "$LOG" | sed '1d;$d' |
		tail -n 60 | sed 's/^/    | /'
fi

echo "# guest: kernel $KVER, TCG, -smp ${KSF_QEMU_SMP:-2} -m ${KSF_QEMU_MEM:-1G}; console log $LOG"
echo "# host: deps+initramfs $(secs "$t0" "$t_img")s, qemu start to first line $( [ -n "$first" ] && secs "$t_boot" "$first" || echo -)s, to DONE $( [ -n "$done_at" ] && secs "$t_boot" "$done_at" || echo -)s, qemu exit $(secs "$t_boot" "$t_end")s, total $(secs "$t0" "$t_end")s"
echo "# guest clock: kernel start to /init $(info boot_s)s, modules $(info modules_s)s, script $(info script_s)s, to DONE $(info total_s)s"
grep 'KSFTEST: INFO ' "$LOG" | sed 's/.*KSFTEST: INFO /# /' |
	grep -vE '^# (boot_s|modules_s|script_s|total_s|kernel) '
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ -n "$done_at" ]
