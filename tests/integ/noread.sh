#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A client that sends and never reads (tests/integ/noread.c) must not make
# kecho's memory grow: once the connection's output queue passes
# --outq-high, kecho stops reading it, so the client's sends stall. While
# that client stays connected, kecho's peak RSS stays within a bound and
# other clients are still served; SIGTERM with the stuck client still
# connected ends within the drain time; the stats count the pause (lim_outq).
. "$(dirname "$0")/lib.sh"

# Bound on kecho's RSS growth, from kecho's documented limits: one
# connection may hold at most --outq-max bytes of output plus --max-msg of
# unconsumed input (defaults read from kecho --help), plus 16 MiB for
# receive buffers, stacks and allocator slack. A server that buffers what
# the client sends (256 MiB) fails it. Sanitizer builds get twice the room.
# NOREAD_BOUND_KB overrides.
help_default() {
	"$BIN/kecho" --help 2>/dev/null |
		sed -n "s/.*$1 .*(default \([0-9][0-9]*\)).*/\1/p" | head -n 1
}
oq=$(help_default --outq-max); mm=$(help_default --max-msg)
if [ -n "$oq" ] && [ -n "$mm" ]; then
	BOUND_KB=$(( (oq + mm) / 1024 + 16384 ))
else
	BOUND_KB=65536
	note "no --outq-max/--max-msg defaults in kecho --help; bound 64 MiB"
fi
BOUND_KB=${NOREAD_BOUND_KB:-$BOUND_KB}
is_asan && BOUND_KB=$((BOUND_KB * 2))

start_kecho --drain-ms 2000
base=$(rss_kb "$KPID")
"$TESTS/noread" -n 268435456 -s 2 -h 120 127.0.0.1 "$PORT" > "$T/noread.out" 2>&1 &
NPID=$!; track $NPID
wait_for 90 grep -q '^noread: sent' "$T/noread.out" || {
	cat "$T/noread.out" >&2; fail "noread did not finish sending within 90 s"; }
cat "$T/noread.out"
grep -q '(stalled)' "$T/noread.out" ||
	fail "kecho took all 256 MiB from a client that reads nothing: no backpressure"
pid_gone $NPID && fail "noread exited early: $(cat "$T/noread.out")"

# Others are still served while the stuck connection stays open.
head -c 1048576 /dev/urandom > "$T/mib"
if have socat; then
	socat -t 60 -T 60 - "TCP:127.0.0.1:$PORT" < "$T/mib" > "$T/got" 2>/dev/null ||
		fail "socat failed while the non-reading client is connected"
	cmp "$T/mib" "$T/got" || fail "echo differs while the non-reading client is connected"
	note "1 MiB echoed to socat meanwhile"
fi
if [ -x "$BIN/echotest" ]; then
	"$BIN/echotest" -q -t 60 -j 2 -a 8 -c 2000 -p "$PORT" 127.0.0.1 > "$T/et.out" 2>&1 ||
		{ cat "$T/et.out" >&2; fail "echotest failed while the non-reading client is connected"; }
	note "echotest served meanwhile"
fi

hwm=$(hwm_kb "$KPID"); now=$(rss_kb "$KPID")
note "kecho RSS: start ${base} kB, now ${now} kB, peak ${hwm} kB (bound: start + ${BOUND_KB} kB)"
[ $((hwm - base)) -le "$BOUND_KB" ] ||
	fail "kecho peak RSS grew by $((hwm - base)) kB (> $BOUND_KB kB) with a non-reading client"
pid_gone $NPID && fail "noread lost its connection: $(cat "$T/noread.out")"

# Stop with the stuck connection still open: its output cannot be flushed,
# so kecho must give up after --drain-ms and still exit 0.
stop_kecho_ok
kerr_clean
[ "$(kstat lim_outq)" -ge 1 ] || fail "lim_outq is 0: the output high-water mark never paused reading"
exit 0
