#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Placement and busy-poll. With --steer cpu (reuseport BPF) every
# connection made from a client pinned to CPU c is accepted by the worker
# on CPU c (on loopback the SYN is processed on the client's CPU); with the
# default hash steering the same 24 connections spread over both workers
# at least once in most runs, so only steering is asserted strictly.
# The load generators with pinned threads (-P; rpctest pins -j 2 by
# default) connect each thread's socket from that thread's CPU: with
# --steer cpu, 5 runs of echotest -j 2 -P 0,1 give each worker exactly one
# connection per run (made from the main thread, both landed on the main
# thread's CPU).
# --busy-poll: echo still correct with the worker spinning before sleeping.
. "$(dirname "$0")/lib.sh"

[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
have taskset || skip "taskset (util-linux) missing"

# worker_accepted N: conns_accepted of worker N from kecho -v's per-worker lines.
worker_accepted() {
	sed -n "s/^kecho: worker $1 cpu [0-9]* conns_accepted=\([0-9]*\).*/\1/p" "$KERR" | tail -n 1
}

for cpu in 0 1; do
	start_kecho -v -C 0,1 --steer cpu
	for i in $(seq 12); do
		taskset -c "$cpu" "$BIN/echotest" -q -H -c 10 "127.0.0.1:$PORT" > /dev/null ||
			fail "echotest from cpu $cpu failed"
	done
	stop_kecho_ok
	kerr_clean
	got=$(worker_accepted "$cpu")
	other=$(worker_accepted $((1 - cpu)))
	note "clients on cpu $cpu: worker $cpu accepted $got, worker $((1 - cpu)) accepted $other"
	[ "$got" = 12 ] && [ "$other" = 0 ] ||
		fail "--steer cpu: 12 connections from cpu $cpu: worker $cpu got $got, the other $other"
done

start_kecho -v -C 0,1 --steer cpu
for i in $(seq 5); do
	"$BIN/echotest" -q -H -j 2 -P 0,1 -c 200 "127.0.0.1:$PORT" > /dev/null || fail "echotest -j 2 failed"
done
stop_kecho_ok
kerr_clean
w0=$(worker_accepted 0) w1=$(worker_accepted 1)
note "echotest -j 2, 5 runs: worker 0 accepted $w0, worker 1 accepted $w1"
[ "$w0" = 5 ] && [ "$w1" = 5 ] ||
	fail "--steer cpu with echotest -j 2 (5 runs): workers accepted $w0 and $w1, expected 5 and 5"

start_kecho --busy-poll 200
"$BIN/echotest" -q -H -j 2 -a 8 -c 20000 "127.0.0.1:$PORT" > /dev/null || fail "echotest with --busy-poll"
"$BIN/echotest" -q -H -a 0 -c 2000 "127.0.0.1:$PORT" > /dev/null || fail "echotest -a 0 with --busy-poll"
stop_kecho_ok
kerr_clean
[ "$(kstat bytes_in)" = "$(kstat bytes_out)" ] || fail "bytes_in != bytes_out with --busy-poll"
exit 0
