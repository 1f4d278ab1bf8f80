#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Bad input, from raw bytes (tests/integ/rpcabuse.c), each with its expected
# outcome (RFC 5531 §9, as lib/rpc promises it), over TCP and over UDP:
#   RPC version 3                       MSG_DENIED RPC_MISMATCH 2..2
#   program 200999                      PROG_UNAVAIL
#   NFS version 4, version 2            PROG_MISMATCH 3..3
#   procedures 22 and 1000              PROC_UNAVAIL
#   NULL with 8 bytes of arguments      SUCCESS (NULL ignores its arguments,
#                                       as libtirpc's xdr_void does)
#   AUTH_SYS with 17 gids, a 401-byte AUTH_SYS or AUTH_NONE credential
#                                       AUTH_ERROR AUTH_BADCRED
#   a 401-byte verifier                 AUTH_ERROR AUTH_BADVERF
#   AUTH_DH, RPCSEC_GSS, flavor 99      AUTH_ERROR AUTH_TOOWEAK
#   AUTH_SHORT                          AUTH_ERROR AUTH_REJECTEDCRED
#   a REPLY, message type 2             no reply (dropped_not_call), and a
#                                       NULL call after it is answered
#   a NULL call cut at each 4-byte boundary of its header (0..36 bytes)
#                                       no reply (garbage), then NULL answered
# The same errors under a pipelined load (rpctest --expect, which checks
# every reply), AUTH_SYS, and calls split into 3 record fragments with
# boundaries inside the header (rpctest -f, also batched).
# Then on TCP only: a 2^31-1 record mark and a 0xffffffff one (closed,
# rec_too_big), 100,000 zero-length non-last fragments (closed, rec_bad),
# half a call then EOF (closed), --max-record 4096 (a 4,040-byte record is
# answered, a 4,144-byte one closes the connection), and seeded random
# garbage over TCP and UDP (every reply well formed with the sender's xid;
# connections closed or answered or silent, never a crash). krpc still
# answers NULL afterwards, exits 0 on SIGTERM, and its counters add up.
# Last, in a private network namespace, krpc --portmap: a GETPORT call
# with one of its four argument words gets GARBAGE_ARGS (a whole one gets
# SUCCESS with the port), over TCP and UDP.
. "$(dirname "$0")/rpclib.sh"

A=$TESTS/rpcabuse
[ -x "$A" ] || fail "$A not built"

if [ "${KSF_RPC_NS:-}" = 1 ]; then
	# GARBAGE_ARGS needs a procedure with arguments: krpc's portmapper
	# (GETPORT takes a mapping of 4 words), on port 111 of a private
	# network namespace (see the end).
	ip link set lo up || fail "ip link set lo up failed"
	start_krpc --portmap
	for u in "" -u; do
		"$A" $u 127.0.0.1 111 getport getport-short > "$T/pm" || fail "rpcabuse $u getport failed"
		sed 's/^/# portmapper: /' "$T/pm"
		expect_line "$T/pm" "getport: accepted SUCCESS (with results)"
		expect_line "$T/pm" "getport-short: accepted GARBAGE_ARGS"
	done
	stop_krpc_ok
	check_rpc_sums
	expect_rstat garbage_args -eq 2
	expect_rstat success -eq 2
	exit 0
fi

# --- message cases, TCP and UDP ---
# The expected answers, one line per case (shared with tests/qemu/guest-kmod.sh,
# which checks krpc.ko against the same table).
cp "$(dirname "$0")/rpcabuse.want" "$T/want"
CASES=$(sed 's/:.*//; /^trunc/d' "$T/want")

start_krpc
for t in tcp udp; do
	u=""; [ $t = udp ] && u=-u
	# shellcheck disable=SC2086 # lists of words
	"$A" $u 127.0.0.1 "$PORT" $CASES trunc > "$T/got.$t" 2> "$T/err.$t" ||
		{ cat "$T/err.$t" >&2; fail "rpcabuse $u failed"; }
	if ! cmp -s "$T/want" "$T/got.$t"; then
		diff "$T/want" "$T/got.$t" | sed 's/^/# /' >&2
		fail "$t: krpc's answers differ from the expected ones (< expected, > got)"
	fi
	note "$t: $(wc -l < "$T/want") message cases answered as expected"
done
stop_krpc_ok
check_rpc_sums
# Per transport: 3 NULLs + 12 NULLs after the silent cases; 1 RPC_MISMATCH;
# 1 PROG_UNAVAIL; 2 PROG_MISMATCH; 2 PROC_UNAVAIL; 8 AUTH_ERROR; 2 not a
# CALL; 10 truncated headers.
expect_rstat success -eq 30
expect_rstat rpc_mismatch -eq 2
expect_rstat prog_unavail -eq 2
expect_rstat prog_mismatch -eq 4
expect_rstat proc_unavail -eq 4
expect_rstat auth_err -eq 16
expect_rstat dropped_not_call -eq 4
expect_rstat garbage -eq 20
expect_rstat garbage_args -eq 0
expect_rstat system_err -eq 0
expect_rstat rec_too_big -eq 0
expect_rstat rec_bad -eq 0
expect_kstat dgram_drops -eq 0

# --- the same errors under load: rpctest checks every reply ---
if [ -x "$BIN/rpctest" ]; then
	start_krpc
	n=0
	for c in "--prog 200999 --expect prog_unavail" "--vers 4 --expect prog_mismatch" \
	    "--proc 22 --expect proc_unavail" "--rpcvers 3 --expect rpc_mismatch" \
	    "-A 3 --expect auth_error" "-A sys" "-f" "-f -b"; do
		for u in "" -u; do
			case "$u $c" in "-u -f"*) continue ;; esac
			# shellcheck disable=SC2086
			"$BIN/rpctest" --quiet -j 2 -a 16 -c 1000 $u $c -p "$PORT" 127.0.0.1 \
				> "$T/rt" 2>&1 || { cat "$T/rt" >&2; fail "rpctest $u $c failed"; }
			n=$((n + 2000))
		done
	done
	note "rpctest: $n pipelined calls, every reply as expected (errors, AUTH_SYS, 3 fragments per call)"
	stop_krpc_ok
	check_rpc_sums
	expect_rstat prog_unavail -eq 4000
	expect_rstat prog_mismatch -eq 4000
	expect_rstat proc_unavail -eq 4000
	expect_rstat rpc_mismatch -eq 4000
	expect_rstat auth_err -eq 4000
	expect_rstat success -eq 8000
	expect_rstat garbage -eq 0
fi

# --- framing: TCP ---
start_krpc --max-record 4096
"$A" -w 10000 127.0.0.1 "$PORT" bigmark bigmark-last zerofrags halfclose > "$T/frame" ||
	fail "rpcabuse framing cases failed"
"$A" -n 4000 127.0.0.1 "$PORT" null-big >> "$T/frame" || fail "rpcabuse null-big failed"
"$A" -n 4100 -w 10000 127.0.0.1 "$PORT" null-big | sed 's/^null-big/null-big-over/' >> "$T/frame"
sed 's/^/# /' "$T/frame"
expect_line "$T/frame" "bigmark: closed"
expect_line "$T/frame" "bigmark-last: closed"
grep -q '^zerofrags: closed after [0-9]* empty fragments$' "$T/frame" ||
	fail "a flood of zero-length fragments did not get the connection closed"
expect_line "$T/frame" "halfclose: closed"
expect_line "$T/frame" "null-big: accepted SUCCESS"
expect_line "$T/frame" "null-big-over: closed"

# --- random garbage, TCP and UDP ---
"$A" -w 2000 -n 300 -s 20261122 127.0.0.1 "$PORT" garbage > "$T/garb" ||
	{ cat "$T/garb" >&2; fail "a reply to TCP garbage was malformed or had a wrong xid"; }
"$A" -u -w 2000 -n 300 -s 20261123 127.0.0.1 "$PORT" garbage >> "$T/garb" ||
	{ cat "$T/garb" >&2; fail "a reply to UDP garbage was malformed or had a wrong xid"; }
sed 's/^/# /' "$T/garb"
pid_gone "$KPID" && fail "krpc died on garbage"
"$A" 127.0.0.1 "$PORT" null > "$T/after"
"$A" -u 127.0.0.1 "$PORT" null >> "$T/after"
[ "$(grep -c '^null: accepted SUCCESS$' "$T/after")" = 2 ] ||
	fail "krpc does not answer NULL after the garbage: $(cat "$T/after")"
stop_krpc_ok
check_rpc_sums
expect_rstat rec_too_big -ge 3
expect_rstat rec_bad -ge 1
expect_rstat system_err -eq 0

# --- GARBAGE_ARGS, in a private network namespace (port 111) ---
userns=""
[ "$(id -u)" = 0 ] || userns=-r
if have unshare && have ip && unshare $userns -n true 2>/dev/null; then
	KSF_RPC_NS=1 unshare $userns -n sh "$0" || fail "the GARBAGE_ARGS part failed (above)"
else
	note "no private network namespace here: GARBAGE_ARGS (portmapper GETPORT) not tried"
fi
exit 0
