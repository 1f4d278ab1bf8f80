#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The event loop does not block on the disk (nfs_nonblock.py on
# nfsclient.py). krpc -w 1 --helpers 4, exporting a directory on the real
# disk (under /var/tmp, not tmpfs): client A writes 80 MiB UNSTABLE in 4 KiB
# blocks 64 KiB apart and sends COMMIT (an fsync of 20480 separate dirty
# extents: ~0.5-1 s here), while client B runs GETATTR in a loop on its own
# connection: B's worst latency during the COMMIT stays under a quarter of
# the COMMIT's duration and B completes many GETATTRs during it. The
# WRITEs and the COMMIT are file operations of the worker answered from
# their completion (deferred): on io_uring all on the worker's own ring
# (none on a helper thread: the COMMIT's fsync is the ring's), on epoll on
# the worker's helper threads. Then the
# same with --helpers 0 (the COMMIT runs on the event loop): B's worst
# latency is at least half the COMMIT's, which shows the test can fail.
. "$(dirname "$0")/rpclib.sh"

have python3 || skip "python3 not installed"
[ "$(id -u)" = 0 ] || skip "krpc needs CAP_DAC_READ_SEARCH: run as root"
V=$(mktemp -d /var/tmp/ksf-nonblock.XXXXXX) || fail "mktemp in /var/tmp"
trap 'cleanup; rm -rf "$V"' EXIT
fs=$(stat -f -c %T "$V")
case $fs in tmpfs|ramfs) skip "/var/tmp is $fs: no disk to wait for" ;; esac
mkdir -p "$V/e1" "$V/e2" "$T/state"

# run HELPERS MODE DIR: one COMMIT measured against krpc --helpers HELPERS.
run() {
	start_krpc --export "$3" --state-dir "$T/state" --no-root-squash -w 1 --helpers "$1"
	timeout 60 python3 "$(dirname "$0")/nfs_nonblock.py" "$PORT" "$3" 80 "$2" > "$T/nb.out" 2>&1
	prc=$?
	cat "$T/nb.out"
	[ "$prc" = 77 ] && skip "$(sed -n 's/^SKIP: //p' "$T/nb.out")"
	[ "$prc" = 0 ] || fail "--helpers $1: nfs_nonblock.py $2 failed (exit $prc)"
	stop_krpc_ok
	check_rpc_sums
	rm -rf "$3"	# 80 MiB of disk back at once
}
note "export on $fs ($V)"
run 4 fast "$V/e1"
expect_rstat deferred -gt 20000
if [ "$KSF_BACKEND" = uring ]; then
	expect_rstat fileops_ring -gt 20000
	expect_rstat fileops_helper -eq 0
else
	expect_rstat fileops_helper -gt 20000
	expect_rstat fileops_ring -eq 0
fi
run 0 slow "$V/e2"
expect_rstat offloaded -eq 0
expect_rstat deferred -eq 0
