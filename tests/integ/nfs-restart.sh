#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A client holding handles across krpc restarts (nfs_restart.py on
# nfsclient.py): it mounts, LOOKUPs and WRITEs, krpc is stopped (SIGTERM)
# and started again on the same port with the same --state-dir: the old
# handles still work (GETATTR, READ give the same data) and the write
# verifier is new. Started again with another --state-dir (a new key), the
# old handles get NFS3ERR_BADHANDLE and krpc still serves.
. "$(dirname "$0")/rpclib.sh"

have python3 || skip "python3 not installed"
[ "$(id -u)" = 0 ] || skip "krpc needs CAP_DAC_READ_SEARCH: run as root"
EXP=$T/export
mkdir -p "$EXP" "$T/state" "$T/state2" "$T/sync"
start_krpc --export "$EXP" --state-dir "$T/state" --no-root-squash
P0=$PORT
timeout 150 python3 "$(dirname "$0")/nfs_restart.py" "$PORT" "$EXP" "$T/sync" > "$T/py.out" 2>&1 &
PY=$!
track "$PY"

# restart_on STATE PHASE: once the client is done with PHASE, restart krpc
# on the same port with --state-dir STATE and let the client go on.
restart_on() {
	wait_for 40 test -f "$T/sync/phase$2" || { cat "$T/py.out"; fail "client not at phase $2"; }
	stop_krpc_ok
	# the port is free again at once: the listener uses SO_REUSEADDR
	start_krpc --export "$EXP" --state-dir "$1" --no-root-squash -p "$P0"
	[ "$PORT" = "$P0" ] || fail "krpc listens on $PORT, not on the old port $P0"
	: > "$T/sync/go$(($2 + 1))"
}
restart_on "$T/state" 1
restart_on "$T/state2" 2
wait_exit "$PY" 60; prc=$?
cat "$T/py.out"
[ "$prc" = 0 ] || fail "nfs_restart.py found failures (exit $prc)"
stop_krpc_ok
check_rpc_sums
expect_rstat system_err -eq 0
cmp -s "$T/state/fh.key" "$T/state2/fh.key" && fail "the two state directories hold one key"
exit 0
