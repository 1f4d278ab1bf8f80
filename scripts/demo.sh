#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# `make demo`: start kecho on an ephemeral loopback port, drive it with
# echotest at three loads (the seed's -j1 -a1, -j1 -a32 and -j2 -a32), print
# a results table like the seed's (medians over runs), then stop kecho with
# SIGTERM and show its counters line; then the same for krpc driven by
# rpctest (NFS v3 NULL over TCP and UDP). Takes well under a minute.
#
#   sh scripts/demo.sh BUILD_DIR
set -u

B=${1:-build}
BIN=$B/bin
SECS=${DEMO_SECONDS:-2}
RUNS=${DEMO_RUNS:-3}
COUNT=${DEMO_COUNT:-200000}
for f in "$BIN/kecho" "$BIN/echotest"; do
	[ -x "$f" ] || { echo "demo: $f not built (run make)" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/ksf-demo.XXXXXX") || exit 1
KPID=""
trap '[ -n "$KPID" ] && kill -KILL $KPID 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

# start_server NAME: run $BIN/NAME on a free loopback port; sets KPID, PORT.
start_server() {
	"$BIN/$1" -p 0 -a 127.0.0.1 > "$T/$1.out" 2> "$T/$1.err" </dev/null &
	KPID=$!
	n=100
	until grep -q '^listening on 127' "$T/$1.out"; do
		n=$((n - 1))
		if [ $n = 0 ] || ! kill -0 $KPID 2>/dev/null; then
			echo "demo: $1 did not start:" >&2; cat "$T/$1.err" >&2; exit 1
		fi
		sleep 0.1
	done
	PORT=$(sed -n 's/^listening on 127[^ ]*:\([0-9]*\)$/\1/p' "$T/$1.out" | head -n 1)
	echo "$ $BIN/$1 -p 0 -a 127.0.0.1"
	cat "$T/$1.out"
}

start_server kecho
echo

json_get() {
	tr -d '\n' < "$1" | sed 's/.*"summary"//' |
		sed -n "s/.*\"$2\": *\([-0-9.eE+]*\).*/\1/p"
}

rc=0
: > "$T/rows"
for load in "-j1 -a1" "-j1 -a32" "-j2 -a32"; do
	cmd="echotest $load -c $COUNT -t $SECS -i $RUNS 127.0.0.1:$PORT"
	echo "$ $cmd" >&2
	# shellcheck disable=SC2086 # $load is a list of flags
	if "$BIN/echotest" --json -q $load -c "$COUNT" -t "$SECS" -i "$RUNS" \
	    "127.0.0.1:$PORT" > "$T/et.json" 2> "$T/et.err"; then
		printf '| %-10s | %10.0f | %8.1f | %8.1f | %8.2f |\n' "$load" \
			"$(json_get "$T/et.json" msgs_per_s)" "$(json_get "$T/et.json" rtt_p50_us)" \
			"$(json_get "$T/et.json" rtt_p99_us)" "$(json_get "$T/et.json" mbit_per_s)" >> "$T/rows"
	else
		cat "$T/et.err" >&2
		printf '| %-10s | %10s | %8s | %8s | %8s |\n' "$load" failed - - - >> "$T/rows"
		rc=1
	fi
done

echo
echo "kecho on 127.0.0.1, $(nproc) CPUs, Linux $(uname -r); medians over $RUNS runs of ${SECS} s (or $COUNT msgs/thread), 64-byte messages:"
echo
echo "| load       |   msgs/s   | RTT p50  | RTT p99  |  Mbit/s  |"
echo "| ---------- | ---------- | -------- | -------- | -------- |"
cat "$T/rows"
echo
echo "(RTT in microseconds, measured by echotest per message.)"
echo

kill -TERM $KPID
n=200	# 20 s
while [ $n -gt 0 ] && kill -0 $KPID 2>/dev/null &&
      ! grep -q '^State:[[:space:]]*Z' /proc/$KPID/status 2>/dev/null; do
	sleep 0.1; n=$((n - 1))
done
[ $n = 0 ] && { echo "demo: kecho still running 20 s after SIGTERM: killing it" >&2; kill -KILL $KPID; }
wait $KPID; krc=$?
KPID=""
echo "$ kill -TERM kecho  (exit $krc)"
cat "$T/kecho.err"
[ $krc = 0 ] || rc=1

# ---- RPC: krpc and rpctest, as the seed's krpc2 tables ----
echo
start_server krpc
echo
: > "$T/rows"
for load in "-j1 -a1" "-j1 -a128" "-j2 -a128" "-j1 -a128 -b" "-u -j1 -a1"; do
	echo "$ rpctest $load -c $COUNT -t $SECS -i $RUNS 127.0.0.1:$PORT" >&2
	# shellcheck disable=SC2086 # $load is a list of flags
	if "$BIN/rpctest" --json --quiet $load -c "$COUNT" -t "$SECS" -i "$RUNS" \
	    "127.0.0.1:$PORT" > "$T/rt.json" 2> "$T/rt.err"; then
		printf '| %-12s | %10.0f | %8.1f | %8.1f | %8.2f |\n' "$load" \
			"$(json_get "$T/rt.json" rpc_per_s)" "$(json_get "$T/rt.json" rtt_us)" \
			"$(json_get "$T/rt.json" rtt_p99_us)" "$(json_get "$T/rt.json" mbit_per_s)" >> "$T/rows"
	else
		cat "$T/rt.err" >&2
		printf '| %-12s | %10s | %8s | %8s | %8s |\n' "$load" failed - - - >> "$T/rows"
		rc=1
	fi
done
echo
echo "krpc (NFS v3 NULL) on 127.0.0.1; medians over $RUNS runs of ${SECS} s (or $COUNT calls/thread):"
echo
echo "| load         |   RPC/s    | RTT p50  | RTT p99  |  Mbit/s  |"
echo "| ------------ | ---------- | -------- | -------- | -------- |"
cat "$T/rows"
echo
echo "(-b: all ready calls in one send; -u: UDP. RTT in microseconds, per call.)"
kill -TERM $KPID
wait $KPID; krc=$?
KPID=""
echo "$ kill -TERM krpc  (exit $krc)"
cat "$T/krpc.err"
[ $krc = 0 ] || rc=1
exit $rc
