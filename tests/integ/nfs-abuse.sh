#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Bad input against krpc's NFS v3 and MOUNT v3, from a raw client
# (nfs_abuse.py on nfsclient.py): forged, bit-flipped, truncated, oversized
# and foreign handles; path-traversal names ("..", "../..", "a/b", "/etc",
# NUL, "", 256 bytes) in every name-taking procedure; LOOKUP ".." at the
# root; symlinks that point out of the export; READ/READDIR counts of 0 and
# 2^32-1; WRITE data longer than the record and count != length; a record
# mark of 2^31-1; garbage; unknown procedures; MNT outside the exports.
# Each gets its NFS3ERR_* or RPC error, the server serves a NULL and a
# GETATTR after every case, nothing outside the export changes, and krpc
# exits 0 after SIGTERM with no sanitizer report (make asan runs it too).
. "$(dirname "$0")/rpclib.sh"

have python3 || skip "python3 not installed"
[ "$(id -u)" = 0 ] || skip "krpc needs CAP_DAC_READ_SEARCH: run as root"
EXP=$T/export OUT=$T/outside
mkdir -p "$EXP" "$T/ro" "$T/state" "$OUT"
chmod 755 "$OUT"
echo secret > "$OUT/secret"
start_krpc --export "$EXP" --export "$T/ro,ro" --state-dir "$T/state" --no-root-squash
timeout 120 python3 "$(dirname "$0")/nfs_abuse.py" "$PORT" "$EXP" "$OUT" ||
	fail "nfs_abuse.py found failures (exit $?)"
[ "$(cat "$OUT/secret")" = secret ] || fail "outside/secret changed"
[ "$(ls "$OUT")" = secret ] || fail "files appeared outside the export: $(ls "$OUT")"
stop_krpc_ok
check_rpc_sums
expect_rstat garbage_args -gt 80
expect_rstat proc_unavail -ge 5
expect_rstat system_err -eq 0
