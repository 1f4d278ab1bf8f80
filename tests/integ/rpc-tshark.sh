#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Wireshark's RPC dissector (tshark, Debian) judges krpc's bytes on the wire.
# tshark captures krpc's port on lo while tests/integ/rpcabuse sends
# well-formed calls over TCP and UDP that krpc must answer with every kind
# of reply: NULL with AUTH_NONE and AUTH_SYS (SUCCESS), an unknown program
# (PROG_UNAVAIL), version 4
# (PROG_MISMATCH), procedure 22 (PROC_UNAVAIL), 17 gids and a 401-byte
# credential (AUTH_ERROR/AUTH_BADCRED), AUTH_DH and flavor 99
# (AUTH_ERROR/AUTH_TOOWEAK); plus rpcinfo and libtirpc NULL calls, and
# rpctest's pipelined, batched (-b) and UDP calls. Decoded
# with `-d tcp.port==N,rpc -d udp.port==N,rpc -o
# rpc.dissect_unknown_programs:TRUE`:
#   - no frame matches `_ws.malformed || (rpc && data)`;
#   - every reply is matched by xid to its call (rpc.repframe, which in a
#     reply is "This is a reply to a request in frame N");
#   - the reply states seen, counted per RPC message (a frame may carry
#     many), are exactly the expected ones, PROG_MISMATCH with 3..3.
# Wireshark dissects only RPC version 2 calls (a version 3 call and krpc's
# RPC_MISMATCH reply show as "Continuation"), so RPC_MISMATCH is checked by
# rpc-abuse.sh, not here.
. "$(dirname "$0")/rpclib.sh"

have tshark || skip "tshark not installed (apt-get install tshark)"
start_krpc
CAP=$T/krpc.pcapng

# Capture; -P -l prints each packet as it is captured (besides writing the
# file), which tells us when the capture is really running.
tshark -i lo -f "port $PORT" -w "$CAP" -P -l > "$T/live" 2> "$T/tshark.err" &
TSPID=$!; track $TSPID
wait_for 20 grep -q 'Capturing on' "$T/tshark.err" ||
	{ cat "$T/tshark.err" >&2; skip "tshark cannot capture on lo here"; }
# Canary: UDP NULL calls until tshark shows packets (at most 50 tries).
canaries=0
while [ ! -s "$T/live" ] && [ $canaries -lt 50 ]; do
	"$TESTS/rpcabuse" -u -w 200 127.0.0.1 "$PORT" null > /dev/null ||
		fail "rpcabuse canary failed"
	canaries=$((canaries + 1))
	sleep 0.1
done
[ -s "$T/live" ] || fail "tshark saw none of $canaries canary calls"
note "capture running after $canaries canary call(s)"

CASES="null null-sys prog vers proc gids17 cred401 authdh flavor99"
"$TESTS/rpcabuse" 127.0.0.1 "$PORT" $CASES > "$T/tcp.out" || fail "rpcabuse (tcp) failed"
"$TESTS/rpcabuse" -u 127.0.0.1 "$PORT" $CASES > "$T/udp.out" || fail "rpcabuse (udp) failed"
cat "$T/tcp.out" "$T/udp.out" | sed 's/^/# /'
have rpcinfo && for t in tcp udp; do
	timeout 30 rpcinfo -a "$(uaddr "$PORT")" -T $t 100003 3 > /dev/null ||
		fail "rpcinfo -T $t ping failed"
done
if [ -x "$TESTS/tirpc_client" ]; then
	tirpc_client -n 5 127.0.0.1 "$PORT" > "$T/tirpc.out" 2>&1 ||
		{ cat "$T/tirpc.out" >&2; fail "tirpc_client failed"; }
fi
# Pipelined and batched calls (many replies per segment), and pipelined
# UDP: 200 calls each. (Not rpctest -f: its fragments end inside the call
# header, and Wireshark only starts reassembling RPC records whose first
# fragment holds a whole header; rpc-abuse.sh covers -f.)
RT=0
if [ -x "$BIN/rpctest" ]; then
	for a in "-a 32 -b" "-a 8" "-u -a 8"; do
		# shellcheck disable=SC2086
		"$BIN/rpctest" --quiet -j 1 $a -c 200 -p "$PORT" 127.0.0.1 > "$T/rt.out" 2>&1 ||
			{ cat "$T/rt.out" >&2; fail "rpctest $a failed"; }
		RT=$((RT + 200))
	done
fi

# Let tshark catch up (its live lines lag the traffic): wait until they
# stop growing for 1 s (at most 20 s), then stop it (SIGINT: it finishes
# the file).
last=-1 same=0 n=200
while [ $same -lt 10 ] && [ $n -gt 0 ]; do
	cur=$(wc -l < "$T/live")
	if [ "$cur" = "$last" ]; then same=$((same + 1)); else same=0 last=$cur; fi
	sleep 0.1; n=$((n - 1))
done
kill -INT $TSPID; wait_exit $TSPID 20 || true
[ -s "$CAP" ] || fail "tshark wrote no capture file: $(cat "$T/tshark.err")"
stop_krpc_ok

dec() {
	tshark -r "$CAP" -d "tcp.port==$PORT,rpc" -d "udp.port==$PORT,rpc" \
		-o rpc.dissect_unknown_programs:TRUE "$@"
}
dec -Y '_ws.malformed || (rpc && data)' > "$T/bad" 2> "$T/dec.err" ||
	{ cat "$T/dec.err" >&2; fail "tshark -r failed"; }
if [ -s "$T/bad" ]; then
	head -n 20 "$T/bad" >&2
	fail "tshark finds malformed frames or undecoded data (above)"
fi
frames=$(dec 2>/dev/null | wc -l)
note "$frames frames decoded, none malformed, none with undecoded data"

# Every RPC message in the frames krpc sent (a frame may hold many): its
# fields, each as a comma-separated list over the messages of the frame.
dec -Y "rpc && (tcp.srcport == $PORT || udp.srcport == $PORT)" -T fields \
	-E occurrence=a -E aggregator=, -e rpc.msgtyp -e rpc.repframe \
	-e rpc.state_accept -e rpc.state_auth -e rpc.state_reject \
	-e rpc.programversion.min -e rpc.programversion.max > "$T/replies" 2> "$T/dec.err" ||
	{ cat "$T/dec.err" >&2; fail "tshark -r failed"; }
awk -F'\t' '
	function each(f, what,   n, a, i) {
		n = split(f, a, ",")
		for (i = 1; i <= n; i++) if (a[i] != "") cnt[what a[i]]++
		return n
	}
	{ each($1, "msgtyp "); each($2, "matched "); each($3, "accept "); each($4, "auth ")
	  each($5, "reject "); each($6, "progmin "); each($7, "progmax ") }
	END {
		nm = cnt["msgtyp 1"]
		for (k in cnt) if (k ~ /^msgtyp / && k != "msgtyp 1") print cnt[k] " non-reply " k
		m = 0; for (k in cnt) if (k ~ /^matched /) m += cnt[k]
		if (m != nm) print nm - m " unmatched"
		name[0] = "SUCCESS"; name[1] = "PROG_UNAVAIL"; name[2] = "PROG_MISMATCH";
		name[3] = "PROC_UNAVAIL"; name[4] = "GARBAGE_ARGS"; name[5] = "SYSTEM_ERR"
		for (k in cnt) if (k ~ /^accept /) {
			v = substr(k, 8); print cnt[k] " " (v in name ? name[v] : "accept_stat " v)
		}
		an[1] = "AUTH_BADCRED"; an[2] = "AUTH_REJECTEDCRED"; an[3] = "AUTH_BADVERF"; an[5] = "AUTH_TOOWEAK"
		for (k in cnt) if (k ~ /^auth /) {
			v = substr(k, 6); print cnt[k] " " (v in an ? an[v] : "auth_stat " v)
		}
		for (k in cnt) if (k ~ /^reject 0/) print cnt[k] " RPC_MISMATCH"
		for (k in cnt) if (k ~ /^prog(min|max) / && k !~ / 3$/) print cnt[k] " mismatch range " k
	}' "$T/replies" | sort -k2 > "$T/seen"
sed 's/^/# replies seen: /' "$T/seen"

# Expected: per transport 2 SUCCESS, 1 of each error, 2 BADCRED, 2 TOOWEAK;
# plus rpcinfo's, rpctest's and tirpc_client's NULLs (SUCCESS), and
# tirpc_client's PROC_UNAVAIL, PROG_MISMATCH and PROG_UNAVAIL per
# transport. rpcinfo and libtirpc retransmit UDP calls that seem slow, so
# krpc may have answered more: the wire must show exactly what krpc
# counted, and krpc at least what was sent. The canaries were all
# answered, but only the last one is sure to be in the capture.
succ=$((4 + RT)) pu=2 pm=2 proc=2
have rpcinfo && succ=$((succ + 2))
if [ -x "$TESTS/tirpc_client" ]; then
	succ=$((succ + 2 * 11)); pu=4 pm=4 proc=4
fi
seen() { v=$(sed -n "s/^\([0-9]*\) $1\$/\1/p" "$T/seen"); echo "${v:-0}"; }
grep -Ev ' (SUCCESS|PROG_UNAVAIL|PROG_MISMATCH|PROC_UNAVAIL|AUTH_BADCRED|AUTH_TOOWEAK)$' "$T/seen" > "$T/odd"
[ -s "$T/odd" ] && { cat "$T/odd" >&2; fail "unexpected replies on the wire (above)"; }
check_rpc_sums
ks=$(rstat success); ws=$(seen SUCCESS)
[ "$ks" -ge $((succ + canaries)) ] || fail "krpc answered $ks NULL calls, expected >= $((succ + canaries))"
[ "$ws" -le "$ks" ] && [ "$ws" -ge $((ks - canaries + 1)) ] ||
	fail "SUCCESS replies on the wire: $ws; krpc counted $ks, of which $canaries canaries (all but the last may be missed)"
for k in PROG_UNAVAIL:prog_unavail:$pu PROG_MISMATCH:prog_mismatch:$pm PROC_UNAVAIL:proc_unavail:$proc; do
	w=$(seen "${k%%:*}"); c=${k#*:}; want=${c#*:}; c=${c%%:*}
	[ "$w" = "$(rstat "$c")" ] || fail "${k%%:*} replies on the wire: $w, krpc counted $(rstat "$c")"
	[ "$w" -ge "$want" ] || fail "${k%%:*} replies: $w, expected >= $want"
done
[ "$(seen AUTH_BADCRED)" = 4 ] || fail "AUTH_BADCRED replies on the wire: $(seen AUTH_BADCRED), expected 4"
[ "$(seen AUTH_TOOWEAK)" = 4 ] || fail "AUTH_TOOWEAK replies on the wire: $(seen AUTH_TOOWEAK), expected 4"
expect_rstat auth_err -eq 8
expect_rstat rpc_mismatch -eq 0
expect_rstat garbage -eq 0
exit 0
