#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A connection stuck while closing: the client sends 12 MB, then FIN, and
# never reads. kecho (with an output queue big enough to read it all) sees
# EOF and waits for its output to drain. That wait must cost nothing (no
# send retried in a loop: the flushes counter stays small), and
# --idle-timeout must close the stuck connection (lim_idle) as well as an
# unrelated idle one behind it.
. "$(dirname "$0")/lib.sh"

start_kecho --outq-high 64M --outq-max 64M --idle-timeout 2
"$TESTS/noread" -f -n 12000000 -s 2 -h 6 127.0.0.1 "$PORT" > "$T/nr.out" 2>&1 &
NR=$!; track "$NR"
# an idle connection opened after the stuck one
"$TESTS/noread" -n 0 -s 1 -h 6 127.0.0.1 "$PORT" > "$T/idle.out" 2>&1 &
ID=$!; track "$ID"
wait_for 15 grep -q "noread: sent" "$T/nr.out" || fail "noread did not finish sending"
sleep 4	# both exceed the 2 s idle timeout meanwhile
stop_kecho_ok
kerr_clean
flushes=$(kstat flushes)
[ "$flushes" -lt 2000 ] || fail "flushes=$flushes: output to a peer that does not read is retried in a loop"
[ "$(kstat lim_idle)" -ge 2 ] || fail "lim_idle=$(kstat lim_idle): the stuck closing connection and the idle one were not both timed out"
exit 0
