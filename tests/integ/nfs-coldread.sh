#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# READs of data the disk must give (nfs_coldread.py): krpc -w 1 exporting
# a directory on the real disk; a 2 MiB file written there, its pages
# dropped (posix_fadvise DONTNEED), read back in 64 KiB READs: the data
# match, eof is right, a uid-65000 caller is refused the 0600 file. Those
# READs are file operations of the worker answered from their completion
# (deferred): on io_uring on the worker's ring, on epoll on its helpers.
. "$(dirname "$0")/rpclib.sh"

have python3 || skip "python3 not installed"
[ "$(id -u)" = 0 ] || skip "krpc needs CAP_DAC_READ_SEARCH: run as root"
V=$(mktemp -d /var/tmp/ksf-coldread.XXXXXX) || fail "mktemp in /var/tmp"
trap 'cleanup; rm -rf "$V"' EXIT
fs=$(stat -f -c %T "$V")
case $fs in tmpfs|ramfs) skip "/var/tmp is $fs: no page cache to drop" ;; esac
mkdir -p "$V/e" "$T/state"
chmod 755 "$V/e"

start_krpc --export "$V/e" --state-dir "$T/state" --no-root-squash -w 1
timeout 60 python3 "$(dirname "$0")/nfs_coldread.py" "$PORT" "$V/e" > "$T/cr.out" 2>&1 ||
	{ cat "$T/cr.out"; fail "nfs_coldread.py failed"; }
cat "$T/cr.out"
stop_krpc_ok
check_rpc_sums
expect_rstat system_err -eq 0
# at least one cold READ per dropped cache (readahead may bring the rest
# in); nothing else here is deferred
expect_rstat deferred -ge 2
if [ "$KSF_BACKEND" = uring ]; then
	expect_rstat fileops_ring -ge 2
else
	expect_rstat fileops_helper -ge 2
fi
