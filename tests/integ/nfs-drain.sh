#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Calls in flight when krpc stops are answered (nfs_drain.py on
# nfsclient.py): krpc -w 1, exporting a directory on the real disk (under
# /var/tmp, not tmpfs); a client writes 40 MiB UNSTABLE in scattered 4 KiB
# blocks, sends COMMIT (a slow fsync), and sends krpc SIGTERM 50 ms later
# while the COMMIT runs. The drain waits for it (within --drain-ms): the
# COMMIT's reply arrives, NFS3_OK, after the SIGTERM, then an orderly EOF,
# and krpc exits 0 having answered every call. With --helpers 4 (WRITE
# and COMMIT as file operations of the worker: the ring on io_uring,
# helper threads on epoll) and --helpers 0 (the COMMIT blocks the loop,
# which reads the SIGTERM after it).
. "$(dirname "$0")/rpclib.sh"

have python3 || skip "python3 not installed"
[ "$(id -u)" = 0 ] || skip "krpc needs CAP_DAC_READ_SEARCH: run as root"
V=$(mktemp -d /var/tmp/ksf-drain.XXXXXX) || fail "mktemp in /var/tmp"
trap 'cleanup; rm -rf "$V"' EXIT
fs=$(stat -f -c %T "$V")
case $fs in tmpfs|ramfs) skip "/var/tmp is $fs: no disk to wait for" ;; esac
mkdir -p "$T/state"

for helpers in 4 0; do
	mkdir -p "$V/e"
	start_krpc --export "$V/e" --state-dir "$T/state" --no-root-squash -w 1 \
		--helpers "$helpers" --drain-ms 20000
	timeout 60 python3 "$(dirname "$0")/nfs_drain.py" "$PORT" "$V/e" 40 "$KPID" \
		> "$T/dr.out" 2>&1
	prc=$?
	cat "$T/dr.out"
	[ "$prc" = 77 ] && skip "$(sed -n 's/^SKIP: //p' "$T/dr.out")"
	[ "$prc" = 0 ] || fail "--helpers $helpers: nfs_drain.py failed (exit $prc)"
	# the script sent SIGTERM: krpc must exit 0 by itself
	KSTOPPING=1
	wait_exit "$KPID" 20; rc=$?
	[ "$WAIT_TIMEDOUT" = 1 ] && fail "krpc still running 20 s after SIGTERM"
	[ "$rc" = 0 ] || { show_kerr "krpc exited $rc"; fail "krpc exited $rc after SIGTERM"; }
	RSTATS=$(grep 'krpc: rpc ' "$KERR" | tail -n 1)
	[ -n "$RSTATS" ] || fail "krpc printed no rpc counters line"
	note "$RSTATS"
	kerr_clean
	check_rpc_sums
	[ "$helpers" = 0 ] || expect_rstat deferred -gt 10000	# the WRITEs, the COMMIT
	rm -rf "$V/e"
done
