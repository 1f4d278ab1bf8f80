#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# READ data leave without a copy in user space (nfs_readzc.py): krpc -w 1
# exporting a directory on the real disk, READs of 1 B to 1 MiB of cached
# data, cold READs of 64 KiB and 1 MiB (file operations of the worker:
# its ring on io_uring, its helpers on epoll), and READs racing a
# truncate. Every reply is checked to the byte (one fragment, count, eof,
# data, zero padding; in the race the data are the file's or zeros, never
# another file's or offset's), and the counters show that every byte of
# READ data went by reference (ref_bytes equals the bytes the client
# received, ref_copied is 0).
. "$(dirname "$0")/rpclib.sh"

have python3 || skip "python3 not installed"
[ "$(id -u)" = 0 ] || skip "krpc needs CAP_DAC_READ_SEARCH: run as root"
V=$(mktemp -d /var/tmp/ksf-readzc.XXXXXX) || fail "mktemp in /var/tmp"
trap 'cleanup; rm -rf "$V"' EXIT
fs=$(stat -f -c %T "$V")
case $fs in tmpfs|ramfs) note "/var/tmp is $fs: the cold READs are not cold" ;; esac
mkdir -p "$V/e" "$T/state"
chmod 755 "$V/e"

start_krpc --export "$V/e" --state-dir "$T/state" --no-root-squash -w 1 --no-udp
timeout 120 python3 "$(dirname "$0")/nfs_readzc.py" "$PORT" "$V/e" > "$T/zc.out" 2>&1 ||
	{ cat "$T/zc.out"; fail "nfs_readzc.py failed"; }
cat "$T/zc.out"
bytes=$(sed -n 's/^bytes \([0-9][0-9]*\)$/\1/p' "$T/zc.out")
[ -n "$bytes" ] && [ "$bytes" -gt $((20 << 20)) ] || fail "READ data received: '$bytes'"
stop_krpc_ok
check_rpc_sums
expect_rstat system_err -eq 0
expect_rstat ref_copied -eq 0
expect_rstat ref_bytes -eq "$bytes"
case $fs in tmpfs|ramfs) ;; *) expect_rstat deferred -ge 2 ;; esac
