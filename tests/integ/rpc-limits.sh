#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# krpc's limits against clients that misbehave over time (rpcabuse):
#   - 1,000 connections at once, a NULL call on each, twice, all answered;
#     krpc accepted and closed every one;
#   - a client that sends NULL calls and never reads the replies: once its
#     output queue passes --outq-high krpc stops reading it, so the
#     client's sends stall; krpc's peak RSS stays within its documented
#     limits (--outq-max + --max-msg + 16 MiB); other clients (rpcabuse,
#     libtirpc) are served meanwhile; SIGTERM with the stuck client still
#     connected exits 0 after --drain-ms; lim_outq counts the pause;
#   - one byte per second (--idle-timeout 2): a client trickling a NULL call
#     is closed before its call is complete (a slow client cannot hold a
#     connection forever), and one that goes silent mid-call is closed by
#     the idle timeout (lim_idle).
. "$(dirname "$0")/rpclib.sh"

A=$TESTS/rpcabuse
[ -x "$A" ] || fail "$A not built"

# --- 1,000 connections ---
N=1000
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 4096 ] ||
	ulimit -n 4096 2>/dev/null || skip "cannot raise the open files limit to 4096"
start_krpc
"$A" -n $N 127.0.0.1 "$PORT" many > "$T/many" 2>&1 ||
	{ head -n 20 "$T/many" >&2; fail "not every one of $N connections got its replies"; }
tail -n 1 "$T/many" | sed 's/^/# /'
expect_line "$T/many" "many: $N connections, 2 rounds, 0 wrong"
stop_krpc_ok
check_rpc_sums
expect_kstat conns_accepted -ge $N
[ "$(kstat conns_accepted)" = "$(kstat conns_closed)" ] || fail "krpc accepted $(kstat conns_accepted) but closed $(kstat conns_closed)"
expect_rstat success -eq $((2 * N))
expect_kstat lim_conns -eq 0

# --- a client that never reads ---
help_default() {
	"$BIN/krpc" --help 2>/dev/null |
		sed -n "s/.*$1 .*(default \([0-9][0-9]*\)).*/\1/p" | head -n 1
}
oq=$(help_default --outq-max); mm=$(help_default --max-msg)
if [ -n "$oq" ] && [ -n "$mm" ]; then
	BOUND_KB=$(( (oq + mm) / 1024 + 16384 ))
else
	BOUND_KB=65536
	note "no --outq-max/--max-msg defaults in krpc --help; bound 64 MiB"
fi
is_asan "$BIN/krpc" && BOUND_KB=$((BOUND_KB * 2))

start_krpc --drain-ms 2000
base=$(rss_kb "$KPID")
"$A" -n 268435456 -h 120 127.0.0.1 "$PORT" noread > "$T/noread" 2>&1 &
NPID=$!; track $NPID
wait_for 90 grep -q '^noread: sent' "$T/noread" || {
	cat "$T/noread" >&2; fail "the non-reading client did not finish sending within 90 s"; }
sed 's/^/# /' "$T/noread"
grep -q '(stalled)' "$T/noread" ||
	fail "krpc took 256 MiB of calls from a client that reads no replies: no backpressure"
"$A" 127.0.0.1 "$PORT" null > "$T/others" || fail "rpcabuse failed meanwhile"
"$A" -u 127.0.0.1 "$PORT" null >> "$T/others" || fail "rpcabuse -u failed meanwhile"
[ "$(grep -c '^null: accepted SUCCESS$' "$T/others")" = 2 ] ||
	fail "NULL not answered while a client is stuck: $(cat "$T/others")"
tirpc_client -n 50 127.0.0.1 "$PORT" > "$T/tirpc" 2>&1 ||
	{ cat "$T/tirpc" >&2; fail "libtirpc client not served while a client is stuck"; }
note "others served meanwhile (rpcabuse TCP and UDP, libtirpc)"
hwm=$(hwm_kb "$KPID"); now=$(rss_kb "$KPID")
note "krpc RSS: start ${base} kB, now ${now} kB, peak ${hwm} kB (bound: start + ${BOUND_KB} kB)"
[ $((hwm - base)) -le "$BOUND_KB" ] ||
	fail "krpc's peak RSS grew by $((hwm - base)) kB (> $BOUND_KB kB) with a non-reading client"
pid_gone $NPID && fail "the non-reading client lost its connection: $(cat "$T/noread")"
stop_krpc_ok
expect_kstat lim_outq -ge 1
check_rpc_sums

# --- one byte per second ---
start_krpc --idle-timeout 2
# 10 bytes of a 44-byte call at one per second: five idle timeouts long.
"$A" -i 1000 -n 10 -h 30 127.0.0.1 "$PORT" slow > "$T/trickle" 2>&1 || fail "rpcabuse slow failed"
# 6 bytes, then silence: the idle timeout must end it.
"$A" -i 100 -n 6 -h 30 127.0.0.1 "$PORT" slow > "$T/silent" 2>&1 || fail "rpcabuse slow failed"
sed 's/^/# /' "$T/trickle" "$T/silent"
grep -q '^slow: 6 bytes sent in .*, then silent: closed after' "$T/silent" ||
	fail "a connection silent mid-call was not closed by --idle-timeout 2 within 30 s"
"$A" 127.0.0.1 "$PORT" null > "$T/after" && expect_line "$T/after" "null: accepted SUCCESS"
stop_krpc_ok
expect_kstat lim_idle -ge 1
grep -q '^slow: closed while trickling' "$T/trickle" ||
	fail "a client sending one byte per second held its connection for 10 s with --idle-timeout 2 (every byte restarts the idle timer: a slow client can hold a connection forever)"
exit 0
