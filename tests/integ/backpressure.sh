#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Backpressure with a small output queue (--outq-high = --outq-max = 256K):
# socat pushes 16 MB through kecho (more than loopback socket buffers hold),
# four clients at once, then half-closes; each client's output goes through a
# pipe that is not read for the first 3 s, so socat stops reading the echoes
# and kecho's queue fills.
# Reading must pause and resume (lim_outq), input held while paused must be
# echoed after all (including input that arrived after the pause, and the
# FIN behind it), and nothing may be lost or closed (lim_msg stays 0).
. "$(dirname "$0")/lib.sh"
have socat || skip "socat missing"

head -c 16000000 /dev/urandom > "$T/in"
start_kecho --outq-high 256K --outq-max 256K
for i in 1 2 3 4; do
	{ timeout 60 socat -t 30 - "TCP:127.0.0.1:$PORT" < "$T/in" 2> "$T/err$i" |
		{ sleep 3; cat > "$T/out$i"; }; } &
	eval "P$i=$!"
done
for i in 1 2 3 4; do
	eval "wait \$P$i" || { cat "$T/err$i"; fail "socat $i failed"; }
	cmp -s "$T/in" "$T/out$i" || fail "client $i: $(wc -c < "$T/out$i") of 16000000 bytes echoed back intact"
done
stop_kecho_ok
kerr_clean
[ "$(kstat lim_msg)" = 0 ] || fail "lim_msg=$(kstat lim_msg): held input overflowed"
[ "$(kstat lim_outq)" -ge 1 ] || fail "lim_outq=0: reading never paused with a 256K queue"
[ "$(kstat bytes_in)" = 64000000 ] && [ "$(kstat bytes_out)" = 64000000 ] ||
	fail "bytes_in=$(kstat bytes_in) bytes_out=$(kstat bytes_out), expected 64000000 each"
exit 0
