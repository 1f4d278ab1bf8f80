#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# rpcinfo (Debian's rpcbind package: a client nobody here wrote) pings krpc
# by universal address, which needs no rpcbind: 127.0.0.1.P1.P2 with
# port = P1*256 + P2 (RFC 5665 §5.2.3.3). Over TCP and over UDP:
#   rpcinfo -a U -T tcp 100003 3   NULL succeeds: "version 3 ready and waiting"
#   rpcinfo -a U -T tcp 100003     rpcinfo first calls version 0, learns the
#                                  range from the PROG_MISMATCH reply and pings
#                                  each version in it: exactly version 3
#   rpcinfo -a U -T tcp 100003 4   PROG_MISMATCH, rpcinfo prints low 3 high 3
#   rpcinfo -a U -T tcp 200999 1   "program 200999 version 1 is not available"
# and krpc's counters agree with what rpcinfo saw.
. "$(dirname "$0")/rpclib.sh"

have rpcinfo || skip "rpcinfo not installed (apt-get install rpcbind)"
start_krpc
U=$(uaddr "$PORT")
note "krpc on port $PORT, universal address $U"

# ri OUT ARGS...: rpcinfo with a 30 s bound, stdout+stderr into $T/OUT.
ri() {
	out=$T/$1; shift
	timeout 30 rpcinfo "$@" > "$out" 2>&1; rirc=$?
	sed 's/^/# rpcinfo: /' "$out"
}

for t in tcp udp; do
	ri ping.$t -a "$U" -T $t 100003 3
	[ "$rirc" = 0 ] || fail "rpcinfo -a $U -T $t 100003 3 exited $rirc"
	expect_line "$T/ping.$t" "program 100003 version 3 ready and waiting"

	ri range.$t -a "$U" -T $t 100003
	[ "$rirc" = 0 ] || fail "rpcinfo -a $U -T $t 100003 exited $rirc"
	[ "$(grep -c 'ready and waiting' "$T/range.$t")" = 1 ] ||
		fail "$t: rpcinfo without a version should find exactly version 3 (low = high = 3)"
	expect_line "$T/range.$t" "program 100003 version 3 ready and waiting"

	ri vers.$t -a "$U" -T $t 100003 4
	[ "$rirc" != 0 ] || fail "rpcinfo -a $U -T $t 100003 4 succeeded"
	grep -q 'Program/version mismatch; low version = 3, high version = 3' "$T/vers.$t" ||
		fail "$t: no PROG_MISMATCH with low 3, high 3 from rpcinfo for version 4"
	expect_line "$T/vers.$t" "program 100003 version 4 is not available"

	ri prog.$t -a "$U" -T $t 200999 1
	[ "$rirc" != 0 ] || fail "rpcinfo -a $U -T $t 200999 1 succeeded"
	grep -q 'RPC: Program unavailable' "$T/prog.$t" ||
		fail "$t: rpcinfo did not report PROG_UNAVAIL for program 200999"
	expect_line "$T/prog.$t" "program 200999 version 1 is not available"
done

stop_krpc_ok
check_rpc_sums
# Per transport: 2 NULLs succeed, 2 PROG_MISMATCH (version 0, version 4),
# 1 PROG_UNAVAIL. UDP calls may be retransmitted on a loaded machine: >=.
expect_rstat success -ge 4
expect_rstat prog_mismatch -ge 4
expect_rstat prog_unavail -ge 2
for k in rpc_mismatch auth_err proc_unavail garbage_args system_err garbage; do
	expect_rstat $k -eq 0
done
exit 0
