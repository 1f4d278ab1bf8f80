#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Clients that leave mid-message (tests/integ/disconnect.c): half of a 1 MiB
# message then FIN (the echo must still come back whole), close with unread
# data, RST (SO_LINGER 0), RST while kecho has output queued, close or RST
# right after connect; many times each, also several clients at once. kecho
# must keep serving (echotest and socat succeed afterwards), close every
# connection it accepted, and exit 0 on SIGTERM with nothing on stderr but
# its log and stats lines.
. "$(dirname "$0")/lib.sh"

start_kecho
"$TESTS/disconnect" -n 120 -l 1048576 -t 120 127.0.0.1 "$PORT" || fail "disconnect (serial) failed"
# Three at once, so resets land while other connections are busy.
for i in 1 2 3; do
	"$TESTS/disconnect" -n 60 -l 1048576 -t 120 127.0.0.1 "$PORT" > "$T/dc$i.out" 2>&1 &
	track $!; eval "p$i=\$!"
done
for i in 1 2 3; do
	eval "wait_exit \$p$i 150"; rc=$?
	cat "$T/dc$i.out"
	[ $rc = 0 ] || fail "disconnect (parallel $i) exited $rc"
done

# Still serving.
if [ -x "$BIN/echotest" ]; then
	"$BIN/echotest" -q -t 60 -j 2 -a 16 -c 5000 -p "$PORT" 127.0.0.1 > "$T/et.out" 2>&1 ||
		{ cat "$T/et.out" >&2; fail "echotest failed after the disconnects"; }
fi
if have socat; then
	head -c 1048576 /dev/urandom > "$T/mib"
	socat -t 60 -T 60 - "TCP:127.0.0.1:$PORT" < "$T/mib" > "$T/got" 2>/dev/null &&
		cmp -s "$T/mib" "$T/got" || fail "socat echo failed after the disconnects"
fi

stop_kecho_ok
kerr_clean
acc=$(kstat conns_accepted); cl=$(kstat conns_closed)
[ "$acc" -ge 200 ] || fail "kecho accepted only $acc connections"
[ "$acc" = "$cl" ] || fail "kecho accepted $acc connections but closed $cl"
# Anything on stderr besides kecho's own log lines is a problem.
if grep -v '^kecho' "$KERR" | grep -q .; then
	cat "$KERR" >&2; fail "unexpected output on kecho's stderr"
fi
exit 0
