#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Chaos (issue 8, item 8): good and abusive clients at once, for a bounded
# time (CHAOS_SECS, default 8 s per server), against kecho and then krpc,
# both with a tight limits profile (LIMITS below). Good clients check
# every byte or reply and must succeed:
#   kecho: echotest 4 KiB x 16 in flight and 100 KB messages (outq-high
#          pauses), disconnect (FIN, close with unread data, RST, stuck,
#          early, RST at once: verified echoes where it reads), chaos -e
#          slowloris (bytes dribbled), slowread (4 KiB receive buffer),
#          garbage (random bytes, half-close, echo verified)
#   krpc:  rpctest pipelined, and AUTH_SYS with fragmented calls; rpcabuse
#          many (100 connections, every reply checked) and garbage (every
#          reply well formed with its xid)
# Abusive clients may be refused, closed or reset, as the limits say:
# connection storms with RST and FIN closes (chaos storm), never-readers
# (noread, rpcabuse noread), half-close never-readers (noread -f),
# slowloris (rpcabuse slow), half a call then FIN (rpcabuse halfclose),
# random bytes (chaos garbage).
# Afterwards the server must be back to the descriptors it had before the
# load (within 10 s), its idle RSS within RSS_MAX_KB of the RSS before
# (after its idle trim), it must exit 0 on SIGTERM with no sanitizer report,
# and krpc's counters must add up (every call answered or counted).
# Descriptors stay far below RLIMIT_NOFILE (max-conns 500): running out of
# them is tests of its own (issue 8, items 1 and 2).
. "$(dirname "$0")/rpclib.sh"

[ -x "$BIN/echotest" ] && [ -x "$BIN/rpctest" ] || fail "echotest or rpctest not built"
[ -x "$TESTS/chaos" ] || fail "$TESTS/chaos not built"
SECS=${CHAOS_SECS:-8}
LIMITS="--max-conns 500 --outq-high 64K --outq-low 16K --outq-max 256K --max-msg 128K
	--idle-timeout 2 --drain-ms 1000 --idle-trim-ms 300"
RSS_MAX_KB=${RSS_MAX_KB:-8192}
is_asan && RSS_MAX_KB=65536	# shadow memory and a 16 MiB quarantine
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 1024 ] ||
	skip "ulimit -n $(ulimit -n): below the 1024 this test keeps well under"

GOOD="" BAD=""
# good NAME CMD...: a client that must exit 0; bad NAME CMD...: any status.
good() { n=$1; shift; "$@" > "$T/$n.log" 2>&1 & GOOD="$GOOD $!:$n"; track $!; }
bad() { n=$1; shift; "$@" > "$T/$n.log" 2>&1 & BAD="$BAD $!"; track $!; }

# again SECS CMD...: run CMD over and over for SECS; fail on its first failure.
again() {
	t_end=$(($(date +%s) + $1)); shift
	while [ "$(date +%s)" -lt "$t_end" ]; do
		"$@" || return 1
	done
}

# finish: wait for every client (up to 40 s each), fail if a good one failed.
finish() {
	for p in $BAD; do wait_exit "$p" 40; done
	for pn in $GOOD; do
		wait_exit "${pn%%:*}" 40 && continue
		crc=$?
		tail -n 8 "$T/${pn#*:}.log" >&2
		fail "$SERVER: good client ${pn#*:} failed (exit $crc) under chaos"
	done
	GOOD="" BAD=""
}

# settle: the server's descriptors back to FD0 within 10 s, then its idle
# RSS (after its 300 ms idle trim) within RSS_MAX_KB of RSS0.
settle() {
	wait_for 10 [ "$(nfds "$KPID")" -le "$FD0" ] ||
		fail "$SERVER: $(nfds "$KPID") descriptors open 10 s after the load, $FD0 before: $(ls -l "/proc/$KPID/fd" | tail -n +2 | sed 's/.*-> //' | sort | uniq -c | sort -rn | head -n 4 | tr '\n' ' ')"
	sleep 1
	rss=$(rss_kb "$KPID")
	note "$SERVER: descriptors $FD0 before and after; RSS $RSS0 kB before, $rss kB idle after, peak $(hwm_kb "$KPID") kB"
	[ "$rss" -le $((RSS0 + RSS_MAX_KB)) ] ||
		fail "$SERVER: idle RSS $rss kB after chaos, more than $RSS_MAX_KB kB above $RSS0 kB before"
}

before() { sleep 0.3; FD0=$(nfds "$KPID"); RSS0=$(rss_kb "$KPID"); }

# --- kecho ---
SERVER=kecho
# shellcheck disable=SC2086 # LIMITS is a list of options
start_kecho $LIMITS
before
A="127.0.0.1 $PORT"
good echo-small "$BIN/echotest" -q -H -t "$SECS" -c 0 -j 4 -a 4 -l 4096 "127.0.0.1:$PORT"
good echo-big "$BIN/echotest" -q -H -t "$SECS" -c 0 -j 2 -a 1 -l 100000 "127.0.0.1:$PORT"
# shellcheck disable=SC2086 # A is host and port
good disconnect again "$SECS" "$TESTS/disconnect" -n 12 -l 20000 -t 60 $A
i=0
for m in slowloris slowloris slowread garbage; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	good "chaos-$m$i" "$TESTS/chaos" -e -t "$SECS" -s "$$$i" "$m" $A
done
# shellcheck disable=SC2086
{
	bad storm "$TESTS/chaos" -t "$SECS" -n 40 storm $A
	bad noread1 "$TESTS/noread" -n 2000000 -s 1 -h 3 $A
	bad noread2 "$TESTS/noread" -n 400000 -s 1 -h 4 $A
	bad noread-fin "$TESTS/noread" -f -n 2000000 -s 1 -h 3 $A
}
finish
settle
stop_kecho_ok
kerr_clean
note "kecho: lim_outq=$(kstat lim_outq) lim_idle=$(kstat lim_idle) lim_msg=$(kstat lim_msg) errors=$(kstat errors)"

# --- krpc ---
SERVER=krpc
# shellcheck disable=SC2086
start_krpc --no-udp $LIMITS
before
A="127.0.0.1 $PORT"
good rpc-pipe "$BIN/rpctest" --quiet -H -t "$SECS" -c 0 -j 4 -a 8 "127.0.0.1:$PORT"
good rpc-frag "$BIN/rpctest" --quiet -H -t "$SECS" -c 0 -j 2 -a 2 -A sys -f "127.0.0.1:$PORT"
# shellcheck disable=SC2086
{
	good rpc-many again "$SECS" "$TESTS/rpcabuse" -n 100 $A many
	good rpc-garbage again "$SECS" "$TESTS/rpcabuse" -w 2000 -n 20 -s "$$" $A garbage
	bad storm "$TESTS/chaos" -t "$SECS" -n 40 storm $A
	bad junk "$TESTS/chaos" -t "$SECS" -s "$$" garbage $A
	bad rpc-noread "$TESTS/rpcabuse" -n 4000000 -h 3 $A noread
	bad rpc-slow "$TESTS/rpcabuse" -i 50 -n 40 -h 3 $A slow
	bad rpc-halfclose again "$SECS" "$TESTS/rpcabuse" $A halfclose
}
finish
settle
stop_krpc_ok
check_rpc_sums
note "krpc: calls=$(rstat calls) garbage=$(rstat garbage) lim_idle=$(kstat lim_idle) lim_conns=$(kstat lim_conns)"
exit 0
