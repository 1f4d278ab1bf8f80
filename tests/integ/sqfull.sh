#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# io_uring with no free SQE (issue 8, item 5). Every arm and cancel must
# survive a full submission queue: kecho runs once with KSF_FAULT_SQE=4
# (tests only, lib/fault.c: every fourth SQE request finds the queue full
# even after a submit) and once with a 2-entry queue (KSF_URING_SQ_ENTRIES).
# Each time echotest is served (the eventfd poll and the listener stay
# armed), a client that never reads is flow-controlled (the pause's cancel
# is not lost), closed connections give their descriptors back (the
# release's cancel is not lost) and SIGTERM ends kecho (the listener's
# cancel is not lost). epoll has no SQ: skipped there.
. "$(dirname "$0")/lib.sh"

[ "$KSF_BACKEND" = uring ] || skip "io_uring only (epoll has no submission queue)"

# round VAR=VALUE: one kecho under that setting, the checks above.
round() {
	start_server kecho '^listening on ' 1 env "$1" "$BIN/kecho" -p 0 \
		--backend uring -a 127.0.0.1 -w 2 --drain-ms 1000
	PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$KOUT")
	base=$(nfds "$KPID")
	"$BIN/echotest" -q -t 30 -j 4 -a 8 -c 3000 -p "$PORT" 127.0.0.1 > "$T/et.out" 2>&1 ||
		{ cat "$T/et.out" >&2; fail "$1: echotest failed"; }
	"$TESTS/noread" -n 67108864 -s 2 -h 1 127.0.0.1 "$PORT" > "$T/nr.out" 2>&1 ||
		fail "$1: the non-reading client lost its connection: $(cat "$T/nr.out")"
	grep -q '(stalled)' "$T/nr.out" || fail "$1: no flow control: $(cat "$T/nr.out")"
	"$TESTS/conncheck" maxconns 127.0.0.1 "$PORT" 16 > "$T/mc.out" ||
		fail "$1: conncheck failed: $(cat "$T/mc.out")"
	wait_for 5 sh -c "[ \$(ls /proc/$KPID/fd | wc -l) -le $base ]" ||
		fail "$1: kecho holds $(nfds "$KPID") descriptors after its clients left, $base before"
	note "$1: served, flow-controlled, $(nfds "$KPID") descriptors after (base $base)"
	stop_kecho_ok
	kerr_clean
}

round KSF_FAULT_SQE=4
round KSF_URING_SQ_ENTRIES=2
exit 0
