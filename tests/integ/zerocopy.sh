#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# kecho echoes straight from the receive buffer (ksf_conn_send_input): the
# buffer must stay untouched until its bytes are sent. One worker, so all
# clients share its receive buffers (io_uring: its provided-buffer ring):
# four clients whose echoes go through a pipe not read for 2 s (so their
# output waits in kecho, referencing receive buffers, while reading pauses
# and resumes at a small --outq-high) push distinct random data, while
# echotest keeps other connections busy with messages whose every byte
# differs from the last one's. A buffer handed back or reused before its
# bytes went out would send another client's bytes: cmp and echotest's
# check of every byte catch it, and an ASan build a use after free.
. "$(dirname "$0")/lib.sh"
have socat || skip "socat missing"
[ -x "$BIN/echotest" ] || fail "$BIN/echotest not built"

start_kecho -w 1 --outq-high 256K --outq-max 512K
for i in 1 2 3 4; do
	head -c 6000000 /dev/urandom > "$T/in$i"
	{ timeout 90 socat -t 30 - "TCP:127.0.0.1:$PORT" < "$T/in$i" 2> "$T/err$i" |
		{ sleep 2; cat > "$T/out$i"; }; } &
	eval "P$i=$!"
done
# et ARGS...: echotest against kecho meanwhile; it must exit 0.
et() {
	"$BIN/echotest" -q -t 60 -p "$PORT" "$@" 127.0.0.1 > "$T/et.out" 2>"$T/et.err" ||
		{ cat "$T/et.out" "$T/et.err" >&2; fail "echotest $* failed (a corrupt echo?)"; }
	note "echotest $*: ok"
}
et -j 2 -a 32 -l 16384 -c 3000
et -j 2 -a 8 -l 100000 -c 300
et -j 3 -a 16 -l 1000 -c 20000
et -j 2 -a 4 -l 1048576 -c 20
for i in 1 2 3 4; do
	eval "wait \$P$i" || { cat "$T/err$i"; fail "socat $i failed"; }
	cmp -s "$T/in$i" "$T/out$i" ||
		fail "slow client $i: echo differs ($(wc -c < "$T/out$i") of 6000000 bytes back)"
done
stop_kecho_ok
kerr_clean
[ "$(kstat bytes_in)" = "$(kstat bytes_out)" ] ||
	fail "bytes_in=$(kstat bytes_in) bytes_out=$(kstat bytes_out)"
[ "$(kstat lim_outq)" -ge 1 ] || fail "lim_outq=0: the slow clients never paused reading"
[ "$(kstat zc_bytes)" -gt 0 ] || fail "zc_bytes=0: nothing was sent by reference"
note "zc_bytes=$(kstat zc_bytes) zc_copied=$(kstat zc_copied)"
exit 0
