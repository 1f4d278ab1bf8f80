#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# rpctest's TCP receive path (tools/rpctest/frame.c, tools/common/wire.c), against real processes
# on 127.0.0.1:
#
# 1. Replies cut into record fragments as krpc never cuts them (RFC 5531
#    §11), from tests/integ/rpc_fragserver.py: 3 non-empty fragments
#    (split3), zero-length non-last fragments (zeros), every byte in its
#    own send() (dribble). For each, rpctest succeeds with the right call
#    count (from --json) blocking (-a 0 -c 200 -j1), pipelined (-a 8 -c 500
#    -j2), batched (-a 8 -b -c 500 -j1) and with fragmented calls (-a 8 -f
#    -c 300 -j2). A reply with a wrong xid (badxid) makes it fail. -d DIR
#    writes files that parse as documented.
#    The window: a server that answers only once N calls are outstanding,
#    all at once (window12, every third reply in 3 fragments), and fails
#    on more: rpctest -a 12 (-b, plain, -f) keeps exactly 12 in flight,
#    though it sends the calls that replies make room for before it
#    checks those replies.
# 2. One recv() per reply: under strace, 300 NULL calls to krpc (-a 1)
#    take 300..310 recvfrom() calls that returned bytes (not 600, as when
#    the mark and the body were read apart), none of more than 4 + 40 bytes
#    (a mark and RT_RX_GUESS_MAX: no recv() can hold two replies). Skipped
#    (this part only) without a working strace.
. "$(dirname "$0")/rpclib.sh"

have python3 || skip "python3 not installed (apt-get install python3)"
[ -x "$BIN/rpctest" ] || fail "$BIN/rpctest not built"
FRAGSERVER=$(dirname "$0")/rpc_fragserver.py
[ -f "$FRAGSERVER" ] || fail "$FRAGSERVER missing"

FN=0	# fragservers started so far (names their output files)

# start_fragserver MODE: rpc_fragserver.py MODE (it exits on its own after
# 60 s), waits up to 10 s for its port. Sets FPID, FPORT, FERR.
start_fragserver() {
	FN=$((FN + 1))
	fout=$T/frag$FN.out; FERR=$T/frag$FN.err
	: > "$fout"; : > "$FERR"
	python3 -B "$FRAGSERVER" "$1" 60 > "$fout" 2> "$FERR" < /dev/null &
	FPID=$!
	track "$FPID"
	wait_for 10 grep -q '^[0-9][0-9]*$' "$fout" ||
		{ cat "$FERR" >&2; fail "rpc_fragserver.py $1 printed no port within 10 s"; }
	FPORT=$(head -n 1 "$fout")
}

stop_fragserver() {
	kill "$FPID" 2>/dev/null
	wait "$FPID" 2>/dev/null
	[ -s "$FERR" ] && { cat "$FERR" >&2; fail "rpc_fragserver.py wrote to stderr"; }
	return 0
}

# json_field FILE KEY: summary.KEY (or the top-level KEY) of rpctest --json.
json_field() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
v = d["summary"][sys.argv[2]] if sys.argv[2] in d["summary"] else d[sys.argv[2]]
print(str(v).lower() if isinstance(v, bool) else v)' "$1" "$2" 2>/dev/null
}

# rt OUT ARGS...: rpctest --quiet --json ARGS against the fragserver, with
# a 30 s bound; stdout in $T/OUT.json, stderr in $T/OUT.err; sets rtrc.
rt() {
	out=$T/$1; shift
	timeout 30 "$BIN/rpctest" --quiet --json --stall 10 "$@" -p "$FPORT" 127.0.0.1 \
		> "$out.json" 2> "$out.err"; rtrc=$?
}

# rt_ok MODE CALLS ARGS...: rpctest ARGS must exit 0, say "ok": true and
# report CALLS calls.
rt_ok() {
	mode=$1 want=$2; shift 2
	rt "rt.$mode" "$@"
	if [ "$rtrc" != 0 ]; then
		cat "$out.err" "$out.json" >&2
		[ "$rtrc" = 124 ] && fail "$mode: rpctest $* did not finish within 30 s"
		fail "$mode: rpctest $* exited $rtrc"
	fi
	ok=$(json_field "$out.json" ok)
	[ "$ok" = true ] || { cat "$out.json" >&2; fail "$mode: rpctest $* exited 0 but says \"ok\": $ok"; }
	got=$(json_field "$out.json" calls)
	[ "$got" = "$want" ] ||
		{ cat "$out.json" >&2; fail "$mode: rpctest $* made $got calls, expected $want"; }
	note "$mode: rpctest $*: $got calls, ok"
}

# --- 1. fragmented replies ---
for mode in split3 zeros dribble; do
	start_fragserver "$mode"
	rt_ok "$mode" 200 -a 0 -c 200 -j 1
	rt_ok "$mode" 1000 -a 8 -c 500 -j 2
	rt_ok "$mode" 500 -a 8 -b -c 500 -j 1
	rt_ok "$mode" 600 -a 8 -f -c 300 -j 2
	stop_fragserver
done

# The window is -a: never more calls outstanding at the server, although
# the next calls go out before the replies that made room are checked.
# Every third reply is in 3 fragments: 12 replies are then 368 bytes, 13
# strides of a one-fragment reply, so a count of the replies in a recv()
# that trusted the first one's length would let a 13th call out.
start_fragserver window12
rt_ok window12 480 -a 12 -b -c 480 -j 1
rt_ok window12 960 -a 12 -c 480 -j 2
rt_ok window12 480 -a 12 -f -b -c 480 -j 1
stop_fragserver

# -d DIR: each run's RTT distribution, as man/rpctest.1 documents it.
start_fragserver split3
rt_ok plot 400 -a 8 -c 200 -j 2 -i 2 -d "$T/rplot"
check_plot_dir "$T/rplot" rpctest 2 400
stop_fragserver

# The check can fail: a reply with a wrong xid is an error.
start_fragserver badxid
for a in "-a 0" "-a 8" "-a 8 -b"; do
	# shellcheck disable=SC2086 # $a: several arguments
	rt rt.badxid $a -c 100 -j 1
	[ "$rtrc" = 124 ] && fail "badxid: rpctest $a did not finish within 30 s"
	[ "$rtrc" = 1 ] ||
		{ cat "$out.err" "$out.json" >&2; fail "badxid: rpctest $a exited $rtrc, expected 1"; }
	[ "$(json_field "$out.json" ok)" = false ] ||
		{ cat "$out.json" >&2; fail "badxid: rpctest $a does not say \"ok\": false"; }
	grep -q 'xid' "$out.err" ||
		{ cat "$out.err" >&2; fail "badxid: rpctest $a does not name the xid in its error"; }
	note "badxid: rpctest $a failed as it should: $(tail -n 1 "$out.err")"
done
stop_fragserver

# --- 2. one recv() per reply, against krpc ---
if ! have strace; then
	note "SKIP part 2 (one recv() per reply): strace not installed (apt-get install strace)"
elif ! strace -o /dev/null true > "$T/strace.err" 2>&1; then
	note "SKIP part 2 (one recv() per reply): strace cannot trace here: $(head -n 1 "$T/strace.err")"
else
	start_krpc --no-udp
	# recv() is the recvfrom system call (x86_64, arm64); -f: rpctest's
	# connection runs in a thread of its own.
	# LeakSanitizer cannot run under ptrace: off for this run (make asan)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	timeout 60 strace -f -e trace=recvfrom -o "$T/strace" \
		"$BIN/rpctest" --quiet --json -a 1 -c 300 -j 1 -p "$PORT" 127.0.0.1 \
		> "$T/st.json" 2> "$T/st.err"; rc=$?
	[ "$rc" = 0 ] || { cat "$T/st.err" "$T/st.json" >&2; fail "rpctest under strace exited $rc"; }
	got=$(json_field "$T/st.json" calls)
	[ "$got" = 300 ] || { cat "$T/st.json" >&2; fail "rpctest under strace made $got calls, expected 300"; }
	# The results of recvfrom, including "<... recvfrom resumed> ... = N"
	# when another thread's line cut in.
	sed -n 's/^.*recvfrom.* = \(-\{0,1\}[0-9][0-9]*\).*$/\1/p' "$T/strace" > "$T/rets"
	[ -s "$T/rets" ] || { head -n 20 "$T/strace" >&2; fail "strace saw no recvfrom() of rpctest"; }
	n=$(awk '$1 > 0' "$T/rets" | wc -l | tr -d ' ')
	max=$(awk 'BEGIN { m = 0 } $1 > m { m = $1 } END { print m }' "$T/rets")
	note "rpctest -a 1 -c 300: $n recvfrom() returned bytes, at most $max bytes," \
		"$(awk '$1 <= 0' "$T/rets" | wc -l | tr -d ' ') returned none"
	if [ "$n" -lt 300 ] || [ "$n" -gt 310 ]; then
		grep recvfrom "$T/strace" | head -n 20 >&2
		fail "$n recvfrom() calls returned bytes for 300 replies, expected 300..310 (one per reply)"
	fi
	[ "$max" -le 44 ] || {
		grep "recvfrom.* = $max\$" "$T/strace" | head -n 5 >&2
		fail "a recvfrom() returned $max bytes, more than a mark and 40 body bytes (44)"
	}
	stop_krpc_ok
	expect_rstat success -eq 300
fi
exit 0
