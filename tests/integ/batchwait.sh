#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# --batch-wait (io_uring completion batching, Linux 6.12's min-wait): kecho
# must echo every byte at every shape of load, and a lone message must not
# wait for a batch that never comes: with a 200 ms batch wait, 400 strict
# one-at-a-time echoes must take far less than 400 x 200 ms (they would,
# were a worker that saw one completion to start a batch wait). Under load the worker must really wait
# for batches: strace shows io_uring_enter() with min_complete 8 and the
# extended argument. On epoll the option is refused with a warning, and
# still serves. The default is adaptive batching (--batch-wait auto): it
# must be silent on epoll, must not hold lone messages either (with a
# 200 ms window), and must echo every byte under load while the workers
# probe with and without batching.
. "$(dirname "$0")/lib.sh"

[ -x "$BIN/echotest" ] || fail "$BIN/echotest not built"

if [ "$KSF_BACKEND" = epoll ]; then
	start_kecho --batch-wait 20
	grep -q 'batch wait needs the io_uring backend' "$KERR" ||
		fail "no warning that --batch-wait needs io_uring: $(cat "$KERR")"
	"$BIN/echotest" -q -t 30 -c 1000 -a 8 -p "$PORT" 127.0.0.1 > /dev/null ||
		fail "echotest against kecho --batch-wait on epoll failed"
	stop_kecho || fail "kecho exited $?"
	start_kecho
	grep -q 'batch wait' "$KERR" && fail "a batch wait warning by default on epoll: $(cat "$KERR")"
	stop_kecho || fail "kecho exited $?"
	exit 0
fi

start_kecho --batch-wait 200000
if grep -q 'needs Linux 6.12' "$KERR"; then
	stop_kecho
	skip "this kernel has no io_uring min-wait (Linux 6.12): $(uname -r)"
fi

# et ARGS...: echotest against kecho, every byte checked; must exit 0.
et() {
	note "echotest $*"
	"$BIN/echotest" -q -t 60 --stall 20 -p "$PORT" "$@" 127.0.0.1 > "$T/et.out" 2> "$T/et.err" ||
		{ cat "$T/et.err" >&2; fail "echotest $* failed"; }
}

# 1. Alone: 200 strict round trips in well under 200 x 0.2 s = 40 s.
start=$(date +%s)
et -a 0 -c 200
et -a 1 -c 200
took=$(( $(date +%s) - start ))
note "400 lone echoes with a 200 ms batch wait: ${took} s"
[ "$took" -lt 20 ] || fail "lone messages waited for batches: 400 echoes took ${took} s"
stop_kecho || fail "kecho exited $?"

# 1b. The same with adaptive batching and the same 200 ms window.
start_kecho --batch-wait auto:200000
start=$(date +%s)
et -a 0 -c 200
et -a 1 -c 200
took=$(( $(date +%s) - start ))
note "400 lone echoes with adaptive batching, 200 ms window: ${took} s"
[ "$took" -lt 20 ] || fail "lone messages waited for batches (auto): 400 echoes took ${took} s"
stop_kecho || fail "kecho exited $?"

# 1c. The default (auto, 20 us) under loads of every depth, many
#     connections on one worker (several completions per turn, so batch
#     waits happen whenever the worker chose them), every byte checked.
start_kecho -w 1
et -a 8 -c 5000
et -j 8 -a 64 -c 10000
et -j 4 -a 1 -c 5000
et -b -j 4 -a 128 -c 20000
grep -q 'batch wait' "$KERR" && fail "a batch wait warning by default: $(cat "$KERR")"
stop_kecho || fail "kecho exited $?"

# 2. Every shape of load, every byte checked (a 50 us window: with few
#    messages in flight a batch rarely fills, and each wait runs the window).
start_kecho --batch-wait 50
et -a 8 -c 5000
et -j 2 -a 32 -c 20000
et -b -a 128 -c 50000
et -l 100000 -a 4 -c 200
stop_kecho || fail "kecho exited $?"

# 3. Batches for real: under load the wait asks for 8 completions.
if have strace && strace -o /dev/null true 2> /dev/null; then
	start_kecho --batch-wait 50 -C 0
	# LeakSanitizer cannot run under ptrace; strace follows kecho's threads
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	timeout 60 strace -f -e trace=io_uring_enter -o "$T/strace" -p "$KPID" 2> /dev/null &
	SPID=$!
	track "$SPID"
	sleep 1	# strace attached
	et -j 2 -a 64 -c 20000
	kill -INT "$SPID" 2> /dev/null
	wait "$SPID" 2> /dev/null
	n=$(grep -c 'io_uring_enter([0-9]*, 0, 8, IORING_ENTER_GETEVENTS|IORING_ENTER_EXT_ARG' "$T/strace")
	note "io_uring_enter calls waiting for a batch of 8: $n"
	[ "$n" -gt 0 ] || { tail -n 5 "$T/strace" >&2; fail "no batch waits under load"; }
	stop_kecho || fail "kecho exited $?"
else
	note "SKIP part 3 (batches under strace): strace missing or cannot trace"
fi
exit 0
