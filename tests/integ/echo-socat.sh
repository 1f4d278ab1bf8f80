#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Echo through a peer nobody here wrote: socat sends 1 byte, then 1 MiB of
# random data, half-closes, and must get back exactly what it sent (cmp)
# before kecho closes. Over IPv4, and over IPv6 ::1 when the machine has it.
. "$(dirname "$0")/lib.sh"

have socat || skip "socat not installed (apt-get install socat)"
head -c 1048576 /dev/urandom > "$T/mib" || fail "cannot make random data"
printf 'x' > "$T/one"

# echo_through HOST PORT FILE: send FILE with socat, compare the echo.
# -t 60: after stdin's EOF, socat half-closes and waits up to 60 s for the
# echo to end with kecho's close (it returns as soon as it does).
echo_through() {
	socat -t 60 -T 60 - "TCP:$1:$2" < "$3" > "$T/got" 2>"$T/socat.err" ||
		{ cat "$T/socat.err" >&2; fail "socat to $1:$2 failed"; }
	cmp "$3" "$T/got" ||
		fail "echo of $(basename "$3") via $1 differs: sent $(wc -c < "$3"), got $(wc -c < "$T/got") bytes"
	note "$(wc -c < "$3") bytes echoed intact via $1:$2"
}

if have_ipv6_lo; then
	start_kecho -a ::1
	PORT6=$(listener_port '\[::1\]')
	[ -n "$PORT6" ] || fail "no '[::1]:PORT' listening line: $(cat "$KOUT")"
else
	start_kecho
	PORT6=""
	note "no IPv6 on lo: IPv6 part skipped"
fi
echo_through 127.0.0.1 "$PORT" "$T/one"
echo_through 127.0.0.1 "$PORT" "$T/mib"
# Several at once, so the server interleaves them.
for i in 1 2 3 4; do
	socat -t 60 -T 60 - "TCP:127.0.0.1:$PORT" < "$T/mib" > "$T/got$i" 2>/dev/null &
	track $!; eval "p$i=\$!"
done
for i in 1 2 3 4; do
	eval "wait_exit \$p$i 60" || fail "concurrent socat $i failed or hung"
	cmp "$T/mib" "$T/got$i" || fail "concurrent echo $i differs"
done
note "4 concurrent 1 MiB echoes intact"
if [ -n "$PORT6" ]; then
	echo_through '[::1]' "$PORT6" "$T/one"
	echo_through '[::1]' "$PORT6" "$T/mib"
fi
stop_kecho_ok
kerr_clean
in=$(kstat bytes_in); out=$(kstat bytes_out)
[ "$in" = "$out" ] || fail "bytes_in $in != bytes_out $out"
nfam=1; [ -n "$PORT6" ] && nfam=2
exp=$(( (1 + 1048576) * nfam + 4 * 1048576 ))
[ "$in" = "$exp" ] || fail "bytes_in $in, expected $exp"
exit 0
