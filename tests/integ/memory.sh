#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Memory after load (issue 8, item 7): a server must give back what a load
# left behind once it is idle, and repeated loads must not ratchet it up.
#
# kecho, then krpc, each with --idle-trim-ms 300: ROUNDS rounds of load,
# each followed by an idle second, after which RSS is read:
#   kecho: echotest 16 KiB and 300 KB messages (every byte verified), and
#          never-reading clients that fill their 1 MiB output queues
#   krpc:  rpctest NULL calls, deep pipelines and many connections (every
#          reply checked)
# Fails when an idle RSS is more than IDLE_MAX_KB (kecho) or RPC_MAX_KB
# (krpc) above the RSS before the first load, or when the last idle RSS
# exceeds the first by more than GROW_MAX_KB. On io_uring without the idle
# trim kecho stays ~16 MB above (2 x 4 MiB provided buffers, the chunk
# caches, free heap) and krpc ~2.2 MB (the buffers it received into); with
# it, about 2 MB and 0.1 MB. On epoll a load leaves little behind (see
# docs/architecture.md, "Memory after load"). Under ASan, RSS is the
# sanitizer's (shadow, quarantine): the rounds run for its reports and the
# leak check at exit only.
. "$(dirname "$0")/rpclib.sh"

[ -x "$BIN/echotest" ] && [ -x "$BIN/rpctest" ] || fail "echotest or rpctest not built"
ROUNDS=${ROUNDS:-4}
IDLE_MAX_KB=${IDLE_MAX_KB:-6144}
RPC_MAX_KB=${RPC_MAX_KB:-1536}
GROW_MAX_KB=${GROW_MAX_KB:-4096}	# a round of free heap at the top of an arena can stay (seen +3.2 MB, up and down)
LOAD_SECS=1
TRIM=${MEM_TRIM---idle-trim-ms 300}	# MEM_TRIM="": none (a build without it)

# rounds NAME LOADFN MAX_KB: ROUNDS times LOADFN, an idle second, RSS;
# then the checks, each idle RSS within MAX_KB of the RSS before.
rounds() {
	sleep 0.5
	base=$(rss_kb "$KPID") first="" last="" all=""
	for r in $(seq "$ROUNDS"); do
		"$2" || fail "$1: round $r: load failed"
		sleep 1
		last=$(rss_kb "$KPID")
		[ -n "$first" ] || first=$last
		all="$all $last"
	done
	note "$1: RSS before load ${base} kB, idle after each round:$all kB"
	is_asan "$BIN/$1" && return 0
	for v in $all; do
		[ "$v" -le $((base + $3)) ] ||
			fail "$1: idle RSS $v kB after a load, more than $3 kB above the $base kB before it (rounds:$all)"
	done
	[ "$last" -le $((first + GROW_MAX_KB)) ] ||
		fail "$1: idle RSS grew from $first to $last kB over $ROUNDS rounds (rounds:$all)"
}

# noreaders N BYTES: N clients that send BYTES and never read, for 0.8 s.
noreaders() {
	NR=""
	for i in $(seq "$1"); do
		"$TESTS/noread" -n "$2" -s 0.5 -h 0.3 127.0.0.1 "$PORT" > /dev/null &
		NR="$NR $!"
	done
}

echo_load() {
	noreaders 8 3000000
	"$BIN/echotest" -q -H -t $LOAD_SECS -c 0 -j 8 -a 8 -l 16384 "127.0.0.1:$PORT" > /dev/null &
	e1=$!
	"$BIN/echotest" -q -H -t $LOAD_SECS -c 0 -j 4 -a 2 -l 300000 "127.0.0.1:$PORT" > /dev/null
	rc=$?
	wait $e1 || rc=1
	# shellcheck disable=SC2086 # a list of pids
	wait $NR || rc=1
	return $rc
}

rpc_load() {
	"$BIN/rpctest" --quiet -H -t $LOAD_SECS -c 0 -j 4 -a 64 "127.0.0.1:$PORT" > /dev/null &
	r1=$!
	"$BIN/rpctest" --quiet -H -t $LOAD_SECS -c 0 -j 16 -a 16 -b "127.0.0.1:$PORT" > /dev/null
	rc=$?
	wait $r1 || rc=1
	return $rc
}

# shellcheck disable=SC2086 # TRIM is two words
start_kecho $TRIM
rounds kecho echo_load "$IDLE_MAX_KB"
stop_kecho_ok
kerr_clean

# shellcheck disable=SC2086
start_krpc --no-udp $TRIM
rounds krpc rpc_load "$RPC_MAX_KB"
stop_krpc_ok
exit 0
