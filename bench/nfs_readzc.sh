#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Server CPU per MiB of NFS READ data, two krpc builds side by side (e.g.
# before and after a change to the READ path), both event-loop backends:
#
#   sh bench/nfs_readzc.sh BASE_BIN_DIR NEW_BIN_DIR
#
# Loads (rpctest --op read, -j 1, one connection):
#   r4    READ 4 KiB of cached data, -a 8
#   r64   READ 64 KiB of cached data, -a 8
#   r1m   READ 1 MiB of cached data, -a 4
#   c64   READ 64 KiB from the disk: a 256 MiB file written with O_DIRECT
#         (so not in the page cache) read at random offsets, 8 READs in
#         flight, by a Python client (tests/integ/nfsclient.py), so that
#         readahead does not bring the next ones in (krpc's deferred
#         count, printed per server, says how many went to the worker's
#         file operations).
# Each backend runs both servers at once (krpc -w 1 --no-udp, exports of
# their own under BENCH_DIR, default /var/tmp: the real disk), and each
# load is measured in ROUNDS rounds (default 5) of SECS seconds (default
# 2) per server, the order of the servers swapped every round. Server CPU
# is the sum of the run time of all its threads (/proc/PID/task/*/schedstat)
# around the run; per MiB = that / (calls x size). Prints one line per run
# and, per backend and load, the median over rounds of the per-round ratio
# new / base of CPU per MiB and of MB/s. Needs root (krpc's file handles).
set -u
BASE=$(cd "$1" && pwd) || exit 2
NEW=$(cd "$2" && pwd) || exit 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-5} SECS=${SECS:-2} BACKENDS=${BACKENDS:-"uring epoll"}
LOADS=${LOADS:-"r4 r64 r1m c64"}
D=$(mktemp -d "${BENCH_DIR:-/var/tmp}/ksf-readzc-bench.XXXXXX") || exit 1
mkdir -p "$D/base" "$D/new" "$D/state"
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$D"' EXIT

cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'; }

# start NAME BIN BACKEND: krpc exporting $D/NAME; sets PID_NAME, PORT_NAME
start() {
	"$2/krpc" -p 0 -a 127.0.0.1 --no-udp -w 1 -b "$3" --export "$D/$1" --no-root-squash \
		--state-dir "$D/state" > "$D/$1.out" 2> "$D/$1.err" &
	eval "PID_$1=$!"
	pids="$pids $!"
	for _ in $(seq 50); do grep -q listening "$D/$1.out" && break; sleep 0.1; done
	eval "PORT_$1=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$D/$1.out")"
}

# the cold load: a 256 MiB file written with O_DIRECT (none of it in the
# page cache; krpc is not involved) read in 64 KiB READs at random
# offsets, each once, 8 in flight, for SECS seconds by a Python client
# (tests/integ/nfsclient.py); prints the calls
cold_read() {
	dd if=/dev/zero of="$D/$1/cold" bs=1M count=256 oflag=direct status=none
	python3 -c '
import random, sys, time
sys.path.insert(0, sys.argv[1])
from nfsclient import *
c = Client(int(sys.argv[2]), timeout=30)
fh = c.lookup(c.mnt(sys.argv[3].encode()).fh, b"cold").fh
offs = [i << 16 for i in range(4096)]
random.shuffle(offs)
end, calls, xids = time.monotonic() + float(sys.argv[4]), 0, []
while time.monotonic() < end and (offs or xids):
    while offs and len(xids) < 8:
        xid = c.next_xid()
        c.send_record(c.call_msg(NFS_PROG, NFS_VERS, READ,
                                 Packer().opaque(fh).u64(offs.pop()).u32(65536).bytes(), xid))
        xids.append(xid)
    u = c.decode_reply(c.recv_reply(xids.pop(0)))[1]
    assert u.u32() == NFS3_OK
    calls += 1
print(calls)' "$ROOT/tests/integ" "$2" "$D/$1" "$SECS"
	st=$?
	rm -f "$D/$1/cold"
	return $st
}

# run NAME BIN BACKEND LOAD ROUND: one timed rpctest, one result line
run() {
	case $4 in
	r4) sz=4096 a=8 ;;
	r64) sz=65536 a=8 ;;
	r1m) sz=1048576 a=4 ;;
	c64) sz=65536 a=8 ;;
	esac
	eval "pid=\$PID_$1 port=\$PORT_$1"
	if [ "$4" = c64 ]; then
		c0=$(cpu_ns "$pid")
		calls=$(cold_read "$1" "$port")
		rc=$?
		c1=$(cpu_ns "$pid")
	else
		c0=$(cpu_ns "$pid")
		"$NEW/rpctest" --export "$D/$1" --op read -l "$sz" -c 0 -t "$SECS" -a "$a" --json \
			"127.0.0.1:$port" > "$D/rt.json" 2>/dev/null
		rc=$?
		c1=$(cpu_ns "$pid")
		calls=$(sed -n 's/.*"summary".*"calls": *\([0-9]*\).*/\1/p' "$D/rt.json" | head -n 1)
	fi
	[ "$rc" = 0 ] && [ -n "$calls" ] || { echo "$3 $4 $5 $1 FAILED rc=$rc"; return; }
	awk -v be="$3" -v l="$4" -v r="$5" -v s="$1" -v c="$calls" -v sz="$sz" -v ns=$((c1 - c0)) \
		-v t="$SECS" 'BEGIN { mib = c * sz / 1048576
		printf "%s %s %s %s calls=%d MBps=%.1f cpu_ms=%.1f cpu_us_per_MiB=%.1f\n",
			be, l, r, s, c, c * sz / 1e6 / t, ns / 1e6, ns / 1e3 / mib }'
}

for be in $BACKENDS; do
	start base "$BASE" "$be"
	start new "$NEW" "$be"
	for r in $(seq "$ROUNDS"); do
		for l in $LOADS; do
			if [ $((r % 2)) = 1 ]; then order="base new"; else order="new base"; fi
			for s in $order; do
				if [ "$s" = base ]; then bin=$BASE; else bin=$NEW; fi
				run "$s" "$bin" "$be" "$l" "$r"
			done
		done
	done | tee "$D/$be.txt"
	for s in base new; do
		eval "p=\$PID_$s"
		kill -TERM "$p"; wait "$p" 2>/dev/null
		echo "$be $s: $(grep -o 'deferred=[0-9]*\|ref_bytes=[0-9]*\|ref_copied=[0-9]*' "$D/$s.err" | tr '\n' ' ')"
	done
	# per load: the median over rounds of new/base (CPU per MiB, MB/s)
	for l in $LOADS; do
		awk -v l="$l" -v be="$be" '
			$2 == l { split($8, c, "="); split($6, m, "="); cpu[$3, $4] = c[2]; mb[$3, $4] = m[2]; n[$3] = 1 }
			function med(a, k,   i, j, t) {
				for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
					if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
				return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
			}
			END {
				k = 0
				for (r in n) if (cpu[r, "base"] > 0 && cpu[r, "new"] > 0) {
					k++; rc[k] = cpu[r, "new"] / cpu[r, "base"]; rm[k] = mb[r, "new"] / mb[r, "base"]
					bc[k] = cpu[r, "base"]; nc[k] = cpu[r, "new"]
				}
				if (k) printf "%s %s: rounds %d, CPU/MiB base %.0f us, new %.0f us (medians); new/base CPU/MiB %.2f, MB/s %.2f (medians of per-round ratios)\n",
					be, l, k, med(bc, k), med(nc, k), med(rc, k), med(rm, k)
			}' "$D/$be.txt"
	done
	unset PID_base PID_new
done
