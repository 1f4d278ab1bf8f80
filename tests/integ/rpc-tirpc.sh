#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# libtirpc (the system's RPC library) as krpc's client, through
# tests/integ/tirpc_client.c: over TCP and UDP, 100 NULL calls with
# AUTH_NONE and 100 with AUTH_SYS succeed, and libtirpc decodes krpc's error
# replies as RPC_PROGVERSMISMATCH 3..3 (version 4), RPC_PROCUNAVAIL
# (procedure 22) and RPC_PROGUNAVAIL (program 200999).
# Then, in a private network namespace, the same through clnt_create(),
# which finds krpc's port by asking the portmapper: first Debian's rpcbind
# with krpc --register, then krpc serving the portmapper itself (--portmap).
# Both must also let clnt_create_vers(host, 100003, 2..4) settle on 3: it
# asks the portmapper for version 4, calls it, and retries with the range
# of the PROG_MISMATCH reply; rpcbind (like Sun's portmap) answers GETPORT
# for a version it lacks with the port of another version of the program.
. "$(dirname "$0")/rpclib.sh"

[ -x "$TESTS/tirpc_client" ] || fail "$TESTS/tirpc_client not built (libtirpc-dev missing?)"

# via_pmap WHAT: tirpc_client -r against the krpc just started.
via_pmap() {
	tirpc_client -r -n 20 127.0.0.1 "$PORT" > "$T/rb.out" 2>&1; rc=$?
	sed "s/^/# clnt_create ($1): /" "$T/rb.out"
	[ $rc = 0 ] || fail "tirpc_client -r (clnt_create via $1) failed"
	stop_krpc_ok
	check_rpc_sums
	expect_rstat success -ge 82
}

if [ "${KSF_RPC_NS:-}" = 1 ]; then
	# Inside the namespace (see below): lo only, port 111 and /run are ours.
	ip link set lo up || fail "ip link set lo up failed"
	mount -t tmpfs tmpfs /run || fail "cannot mount a tmpfs on /run"
	if have rpcbind; then
		rpcbind -f -w > "$T/rpcbind.log" 2>&1 &
		RBPID=$!; track $RBPID
		wait_for 10 sh -c 'rpcinfo -p 127.0.0.1 >/dev/null 2>&1' ||
			fail "rpcbind did not answer within 10 s"
		start_krpc --register
		via_pmap "rpcbind, krpc --register"
		kill -TERM $RBPID; wait_exit $RBPID 10
	else
		note "rpcbind not installed: clnt_create via rpcbind not tried"
	fi
	start_krpc --portmap
	via_pmap "krpc --portmap"
	exit 0
fi

start_krpc
tirpc_client -n 100 127.0.0.1 "$PORT" > "$T/tc.out" 2>&1; rc=$?
sed 's/^/# /' "$T/tc.out"
[ $rc = 0 ] || fail "tirpc_client against krpc failed"
stop_krpc_ok
check_rpc_sums
# Per transport: 2 x 100 + 1 NULLs; UDP may retransmit on a loaded machine.
expect_rstat success -ge 402
expect_rstat prog_mismatch -ge 2
expect_rstat proc_unavail -ge 2
expect_rstat prog_unavail -ge 2
expect_rstat garbage -eq 0
expect_rstat auth_err -eq 0

# clnt_create needs a portmapper: rpcbind, or krpc --portmap, in a private
# network and mount namespace.
userns=""
[ "$(id -u)" = 0 ] || userns=-r
if have unshare && have ip && unshare $userns -n -m true 2>/dev/null; then
	KSF_RPC_NS=1 unshare $userns -n -m sh "$0" || fail "clnt_create part failed (see above)"
else
	note "no private network namespace here: clnt_create part not run"
fi
exit 0
