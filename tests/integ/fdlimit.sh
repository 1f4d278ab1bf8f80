#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# At the descriptor limit (issue 8, items 1 and 2). kecho runs under
# `ulimit -n 40` and twice as many clients connect and stay: those that fit
# are served, every one over the limit is refused (closed or reset) rather
# than left hanging in the accept queue, and while the clients are held
# kecho costs next to no CPU (no accept retried in a loop). With one worker
# (io_uring's accept fails with EMFILE at once when re-armed, even with an
# empty queue) and with two unpinned workers, three rounds (the spare
# descriptor must not be lost to another worker's accept). CPU is measured
# from /proc/PID/stat (utime + stime) as a share of the time held.
. "$(dirname "$0")/lib.sh"

HOLD=3
HZ=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# round WORKERS CLIENTS: one server, one crowd of clients held open.
round() {
	start_server kecho '^listening on ' 1 sh -c 'ulimit -n 40 && exec "$0" "$@"' \
		"$BIN/kecho" -p 0 --backend "$KSF_BACKEND" -a 127.0.0.1 -w "$1" --no-pin
	PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$KOUT" | head -n 1)
	out=$T/hold.$1.$SN
	"$TESTS/conncheck" hold 127.0.0.1 "$PORT" "$2" "$HOLD" > "$out" 2>&1 &
	cpid=$!; track "$cpid"
	wait_for 20 grep -q '^served=' "$out" || fail "conncheck gave no verdict: $(cat "$out")"
	sleep 0.5	# refusals settle
	t0=$(cpu_ticks "$KPID")
	sleep 2
	t1=$(cpu_ticks "$KPID")
	wait "$cpid"; crc=$?
	line=$(head -n 1 "$out")
	note "-w $1, $2 clients: $line; kecho CPU while held: $((t1 - t0)) ticks in 2 s (HZ $HZ)"
	[ "$crc" = 0 ] || fail "-w $1: clients over the descriptor limit left hanging: $line"
	served=$(echo "$line" | sed 's/served=\([0-9]*\).*/\1/')
	[ "$served" -ge 1 ] && [ "$served" -lt "$2" ] || fail "-w $1: expected some served and some refused: $line"
	# 10 % of one CPU: an accept loop spinning at the limit takes ~100 %
	[ $((t1 - t0)) -le $((HZ * 2 / 10)) ] ||
		fail "-w $1: kecho used $((t1 - t0)) ticks of CPU in 2 s at the descriptor limit"
	stop_kecho_ok
	kerr_clean
}

round 1 40
for i in 1 2 3; do round 2 80; done
exit 0
