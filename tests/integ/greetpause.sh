#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A read pause requested in open_cb (issue 8, item 4). greetsrv's open_cb
# queues a 4 MiB greeting, above --outq-high, so reading is paused before
# the backend has started the connection; with a small send buffer the
# greeting stays queued while the client sends and never reads. Both
# backends must keep that pause: the client's sends stall and it stays
# connected (io_uring used to read on until max_msg and reset it), and the
# paused connection costs no CPU (no readiness reported over and over).
. "$(dirname "$0")/lib.sh"
SERVER=greetsrv

HZ=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

start_server greetsrv '^listening on ' 1 "$TESTS/greetsrv" -b "$KSF_BACKEND" \
	-g 4194304 -s 65536 -H 262144
PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$KOUT")
"$TESTS/noread" -n 67108864 -s 2 -h 4 127.0.0.1 "$PORT" > "$T/nr.out" 2>&1 &
NR=$!; track "$NR"
wait_for 30 grep -q '^noread: sent' "$T/nr.out" || fail "noread did not stall or finish: $(cat "$T/nr.out")"
cat "$T/nr.out"
grep -q '(stalled)' "$T/nr.out" || fail "greetsrv read all 64 MiB from a client that reads nothing"
t0=$(cpu_ticks "$KPID"); sleep 1.5; t1=$(cpu_ticks "$KPID")
note "greetsrv CPU with the paused connection: $((t1 - t0)) ticks in 1.5 s (HZ $HZ)"
wait_exit "$NR" 20; nrc=$?
[ "$nrc" = 0 ] || fail "noread lost its connection (exit $nrc): $(cat "$T/nr.out")"
[ $((t1 - t0)) -le $((HZ * 15 / 100)) ] ||
	fail "greetsrv used $((t1 - t0)) ticks in 1.5 s with one paused connection"
KSTOPPING=1
kill -TERM "$KPID"
wait_exit "$KPID" 20; rc=$?
cat "$KERR"
[ "$rc" = 0 ] || { show_kerr "exit $rc"; fail "greetsrv exited $rc"; }
kerr_clean
exit 0
