#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Echoes sent by reference pin the receive buffers they point into until
# they are sent; a client that never reads must not be able to pin them
# all. One worker with its default limits: each of eight never-reading
# clients gets --outq-high (1 MiB) of echoes queued, which by reference
# would be 64 of the worker's 256 io_uring provided buffers each, twice
# the whole ring. libksf references at most a quarter of the ring per
# connection and half of it per worker and copies beyond that
# (zc_copied > 0 on io_uring), so another client of the same worker is
# still served: echotest (every byte checked) must finish, and socat must
# get 1 MiB back intact. With the ring run dry, their receives would fail
# with ENOBUFS forever and echotest would stall.
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/echotest" ] || fail "$BIN/echotest not built"

start_kecho -w 1 --drain-ms 1000
NR=""
for i in 1 2 3 4 5 6 7 8; do
	"$TESTS/noread" -n 16000000 -s 2 -h 120 127.0.0.1 "$PORT" > "$T/nr$i.out" 2>&1 &
	NR="$NR $!"; track $!
done
for i in 1 2 3 4 5 6 7 8; do
	wait_for 60 grep -q '^noread: sent' "$T/nr$i.out" ||
		fail "noread $i did not stall or finish: $(cat "$T/nr$i.out")"
	grep -q '(stalled)' "$T/nr$i.out" || fail "noread $i was never stalled: $(cat "$T/nr$i.out")"
done
note "eight never-reading clients stalled"

"$BIN/echotest" -q -t 60 --stall 10 -j 2 -a 16 -l 16384 -c 3000 -p "$PORT" 127.0.0.1 \
	> "$T/et.out" 2>&1 || { cat "$T/et.out" >&2;
	fail "echotest stalled or failed beside the never-reading clients"; }
note "echotest served meanwhile"
if have socat; then
	head -c 1048576 /dev/urandom > "$T/mib"
	timeout 60 socat -t 30 - "TCP:127.0.0.1:$PORT" < "$T/mib" > "$T/got" 2>/dev/null ||
		fail "socat failed beside the never-reading clients"
	cmp -s "$T/mib" "$T/got" || fail "socat's echo differs"
	note "1 MiB echoed to socat meanwhile"
fi
for p in $NR; do pid_gone "$p" && fail "a never-reading client lost its connection"; done

stop_kecho_ok
kerr_clean
[ "$(kstat zc_bytes)" -gt 0 ] || fail "zc_bytes=0: nothing was sent by reference"
if [ "$KSF_BACKEND" = uring ]; then
	[ "$(kstat zc_copied)" -gt 0 ] ||
		fail "zc_copied=0: the never-reading clients were let reference every buffer"
fi
note "zc_bytes=$(kstat zc_bytes) zc_copied=$(kstat zc_copied)"
exit 0
