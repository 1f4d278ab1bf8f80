#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# UDP: kecho --udp echoes datagrams on the TCP port's number, per worker
# socket, batched with recvmmsg/sendmmsg. socat (a peer nobody here wrote)
# sends a small datagram and 8 KiB datagrams of random data; the bytes come
# back equal, and the counters add up (dgrams_in == dgrams_out, no drops).
. "$(dirname "$0")/lib.sh"
have socat || skip "socat missing"

start_kecho --udp
grep -q "^listening on udp 127.0.0.1:$PORT\$" "$KOUT" || fail "no UDP listening line for port $PORT: $(cat "$KOUT")"
printf 'ping' > "$T/small"
timeout 10 socat -t 2 - "UDP:127.0.0.1:$PORT" < "$T/small" > "$T/small.out" || fail "socat UDP failed"
cmp -s "$T/small" "$T/small.out" || fail "UDP echo of 4 bytes differs: $(od -c "$T/small.out" | head -2)"
head -c 65536 /dev/urandom > "$T/big"
timeout 10 socat -t 2 -b 8192 - "UDP:127.0.0.1:$PORT" < "$T/big" > "$T/big.out" || fail "socat UDP (8 KiB datagrams) failed"
cmp -s "$T/big" "$T/big.out" || fail "UDP echo of 8 x 8 KiB differs ($(wc -c < "$T/big.out") bytes back)"
# TCP still works beside it
printf 'tcp' | timeout 10 socat -t 5 - "TCP:127.0.0.1:$PORT" > "$T/tcp.out" || fail "socat TCP failed"
[ "$(cat "$T/tcp.out")" = tcp ] || fail "TCP echo beside UDP failed"
stop_kecho_ok
kerr_clean
[ "$(kstat dgrams_in)" = 9 ] || fail "dgrams_in $(kstat dgrams_in), expected 9"
[ "$(kstat dgrams_out)" = 9 ] || fail "dgrams_out $(kstat dgrams_out), expected 9"
[ "$(kstat dgram_drops)" = 0 ] || fail "dgram_drops $(kstat dgram_drops)"
exit 0
