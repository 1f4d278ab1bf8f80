#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# krpc's duplicate request cache (nfs_drc.py on nfsclient.py): CREATE
# GUARDED, MKDIR, SYMLINK, LINK, RENAME, REMOVE, RMDIR and SETATTR each sent
# twice with the same xid, on one connection and after a reconnection from
# the same source port: the second reply is byte-identical to the first
# (NFS3_OK, not EXIST/NOENT) and krpc's drc_hits counts every one; the same
# xid with other arguments, another procedure or from another port is a new
# call. With --drc 0 the retransmitted CREATE GUARDED gets NFS3ERR_EXIST,
# which shows the test can fail.
. "$(dirname "$0")/rpclib.sh"

have python3 || skip "python3 not installed"
[ "$(id -u)" = 0 ] || skip "krpc needs CAP_DAC_READ_SEARCH: run as root"
mkdir -p "$T/e1" "$T/e2" "$T/state"
start_krpc --export "$T/e1" --state-dir "$T/state" --no-root-squash
timeout 60 python3 "$(dirname "$0")/nfs_drc.py" "$PORT" "$T/e1" on > "$T/drc.out" 2>&1
rc=$?
cat "$T/drc.out"
[ "$rc" = 0 ] || fail "nfs_drc.py on found failures (exit $rc)"
hits=$(sed -n 's/^hits=//p' "$T/drc.out")
stop_krpc_ok
check_rpc_sums
expect_rstat drc_hits -eq "$hits"
expect_rstat system_err -eq 0

start_krpc --export "$T/e2" --state-dir "$T/state" --no-root-squash --drc 0
timeout 60 python3 "$(dirname "$0")/nfs_drc.py" "$PORT" "$T/e2" off ||
	fail "nfs_drc.py off found failures (exit $?)"
stop_krpc_ok
expect_rstat drc_hits -eq 0
