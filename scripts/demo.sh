#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# `make demo`: start kecho on an ephemeral loopback port, drive it with
# echotest at three loads (the seed's -j1 -a1, -j1 -a32 and -j2 -a32), print
# a results table like the seed's (medians over runs), then stop kecho with
# SIGTERM and show its counters line; then the same for krpc driven by
# rpctest (NFS v3 NULL over TCP and UDP). As root, krpc also exports a
# scratch directory (under DEMO_NFS_DIR, default /var/tmp): a file is copied
# in and out with libnfs's nfs-cp (libnfs-utils) and its SHA-256 checked on
# both sides, and rpctest's NFS workloads (GETATTR, READ, WRITE; short runs
# of DEMO_NFS_SECONDS, default 1) make an NFS table. About a minute.
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
KPID="" EXP=""
trap '[ -n "$KPID" ] && kill -KILL $KPID 2>/dev/null; rm -rf "$T" ${EXP:+"$EXP"}' EXIT
trap 'exit 130' INT TERM

# start_server NAME [ARGS...]: run $BIN/NAME on a free loopback port; sets
# KPID, PORT.
start_server() {
	name=$1; shift
	"$BIN/$name" "$@" -p 0 -a 127.0.0.1 > "$T/$name.out" 2> "$T/$name.err" </dev/null &
	KPID=$!
	n=100
	until grep -q '^listening on 127' "$T/$name.out"; do
		n=$((n - 1))
		if [ $n = 0 ] || ! kill -0 $KPID 2>/dev/null; then
			echo "demo: $name did not start:" >&2; cat "$T/$name.err" >&2; exit 1
		fi
		sleep 0.1
	done
	PORT=$(sed -n 's/^listening on 127[^ ]*:\([0-9]*\)$/\1/p' "$T/$name.out" | head -n 1)
	echo "$ $BIN/$name${*:+ $*} -p 0 -a 127.0.0.1"
	cat "$T/$name.out"
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

# nfs_demo: krpc exports $EXP: copy a file in and out with nfs-cp and check
# its SHA-256, then an NFS table from rpctest's NFS workloads.
nfs_demo() {
	nrc=0
	q="nfsport=$PORT&mountport=$PORT"
	echo
	echo "krpc exports $EXP (--export $EXP --no-root-squash --state-dir ...):"
	if command -v nfs-cp > /dev/null 2>&1; then
		head -c 8388608 /dev/urandom > "$T/file.in"
		echo "$ nfs-cp $T/file.in 'nfs://127.0.0.1$EXP/file?$q'"
		timeout 60 nfs-cp "$T/file.in" "nfs://127.0.0.1$EXP/file?$q" > "$T/cp.out" 2>&1 ||
			{ cat "$T/cp.out"; nrc=1; }
		echo "$ nfs-cp 'nfs://127.0.0.1$EXP/file?$q' $T/file.out"
		timeout 60 nfs-cp "nfs://127.0.0.1$EXP/file?$q" "$T/file.out" > "$T/cp.out" 2>&1 ||
			{ cat "$T/cp.out"; nrc=1; }
		for f in "$T/file.in" "$EXP/file" "$T/file.out"; do
			printf '  %s  %s\n' "$(sha256sum < "$f" 2>/dev/null | cut -c1-64)" "$f"
		done
		if [ "$(sha256sum < "$T/file.in")" = "$(sha256sum < "$T/file.out" 2>/dev/null)" ] &&
		   [ "$(sha256sum < "$T/file.in")" = "$(sha256sum < "$EXP/file" 2>/dev/null)" ]; then
			echo "8 MiB copied in and out over NFS v3: SHA-256 equal on both sides"
		else
			echo "demo: the SHA-256 of the copies differ"; nrc=1
		fi
		rm -f "$EXP/file"
	else
		echo "(nfs-cp not installed: apt-get install libnfs-utils; copy skipped)"
	fi
	if ! "$BIN/rpctest" --help 2>&1 | grep -q -- '--export'; then
		echo "(rpctest has no NFS workloads (--export): NFS table skipped)"
		return $nrc
	fi
	nsecs=${DEMO_NFS_SECONDS:-1}
	: > "$T/nrows"
	for w in "GETATTR|-j1 -a1|--op getattr -j1 -a1" "GETATTR|-j2 -a32|--op getattr -j2 -a32" \
	    "READ 4 KiB|-j2 -a32|--op read -l 4096 -j2 -a32" "READ 64 KiB|-j2 -a8|--op read -l 65536 -j2 -a8" \
	    "WRITE 4 KiB UNSTABLE|-j2 -a32|--op write -l 4096 --stable unstable -j2 -a32" \
	    "WRITE 4 KiB FILE_SYNC|-j2 -a32|--op write -l 4096 --stable file_sync -j2 -a32"; do
		op=${w%%|*} rest=${w#*|}; load=${rest%%|*} args=${rest#*|}
		echo "$ rpctest --export $EXP $args -c 0 -t $nsecs -i $RUNS 127.0.0.1:$PORT" >&2
		# shellcheck disable=SC2086 # $args is a list of flags
		if "$BIN/rpctest" --json --quiet --export "$EXP" $args -c 0 -t "$nsecs" -i "$RUNS" \
		    "127.0.0.1:$PORT" > "$T/rt.json" 2> "$T/rt.err"; then
			mbs=$(json_get "$T/rt.json" mb_per_s)
			printf '| %-21s | %-8s | %8.0f | %8s | %8.1f | %8.1f |\n' "$op" "$load" \
				"$(json_get "$T/rt.json" rpc_per_s)" "$([ -n "$mbs" ] && printf '%.1f' "$mbs" || echo -)" \
				"$(json_get "$T/rt.json" rtt_p50_us)" "$(json_get "$T/rt.json" rtt_p99_us)" >> "$T/nrows"
		else
			cat "$T/rt.err" >&2
			printf '| %-21s | %-8s | %8s | %8s | %8s | %8s |\n' "$op" "$load" failed - - - >> "$T/nrows"
			nrc=1
		fi
	done
	echo
	echo "krpc as an NFS v3 server (export on $(stat -f -c %T "$EXP")); rpctest, medians over $RUNS runs of ${nsecs} s:"
	echo
	echo "| operation             | load     |  ops/s   |   MB/s   | RTT p50  | RTT p99  |"
	echo "| --------------------- | -------- | -------- | -------- | -------- | -------- |"
	cat "$T/nrows"
	echo
	echo "(RTT in microseconds; MB = 10^6 bytes of file data; each rpctest run makes and removes"
	echo " its own scratch directory in the export; FILE_SYNC waits for the disk.)"
	return $nrc
}

# ---- RPC: krpc and rpctest, as the seed's krpc2 tables ----
# As root krpc also exports a scratch directory for the NFS part below
# (opening file handles needs CAP_DAC_READ_SEARCH).
echo
if [ "$(id -u)" = 0 ]; then
	EXP=$(mktemp -d "${DEMO_NFS_DIR:-/var/tmp}/ksf-demo-export.XXXXXX") || exit 1
	mkdir "$T/state"
	start_server krpc --export "$EXP" --no-root-squash --state-dir "$T/state"
else
	start_server krpc
fi
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
[ -n "$EXP" ] && { nfs_demo || rc=1; }
kill -TERM $KPID
wait $KPID; krc=$?
KPID=""
echo "$ kill -TERM krpc  (exit $krc)"
cat "$T/krpc.err"
[ $krc = 0 ] || rc=1
exit $rc
