#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# CREATE and MKDIR keep the new object's descriptor in the store's handle
# cache (nfs_newcache.py): krpc -w 1, 100 times CREATE, WRITE to the new
# handle, MKDIR, GETATTR of the new directory. The WRITE and the GETATTR
# run on the worker only when the object is cached; before CREATE and
# MKDIR kept it, each of them decoded the handle on a helper first
# (offloaded 101 for 100 rounds: every WRITE). A few may still go to a helper when a
# set of the cache has no empty slot for the event loop to use.
. "$(dirname "$0")/rpclib.sh"

have python3 || skip "python3 not installed"
[ "$(id -u)" = 0 ] || skip "krpc needs CAP_DAC_READ_SEARCH: run as root"
V=$(mktemp -d /var/tmp/ksf-newcache.XXXXXX) || fail "mktemp in /var/tmp"
trap 'cleanup; rm -rf "$V"' EXIT
mkdir -p "$V/e" "$T/state"
chmod 755 "$V/e"

start_krpc --export "$V/e" --state-dir "$T/state" --no-root-squash -w 1 --no-udp
timeout 60 python3 "$(dirname "$0")/nfs_newcache.py" "$PORT" "$V/e" 100 > "$T/nc.out" 2>&1 ||
	{ cat "$T/nc.out"; fail "nfs_newcache.py failed"; }
cat "$T/nc.out"
stop_krpc_ok
check_rpc_sums
expect_rstat system_err -eq 0
expect_rstat success -eq 401
expect_rstat offloaded -le 40
