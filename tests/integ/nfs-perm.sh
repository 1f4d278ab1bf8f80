#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Permissions through raw calls (nfs_perm.py on nfsclient.py), krpc with
# root squash (the default): as uid 65000 a root-owned 0600 file cannot be
# read (NFS3ERR_ACCES) while a 0644 one can, supplementary groups count;
# a root caller's CREATE in a root-owned 0755 directory gets ACCES and a
# file it creates in a 0777 one is owned by 65534; a ,ro export answers
# every change with NFS3ERR_ROFS. Then (nfs_perm_remove.py) uid 65000
# removes and renames files and a directory of its own in a 0777
# directory, and its REMOVE and RENAME from the root's 0755 export root are
# NFS3ERR_ACCES: on io_uring all on the worker's ring (fileops_ring counts
# them: the unlinkat and renameat, and the openat and mkdirat of the CREATEs
# and the MKDIR it makes its victims with, run with the worker's
# personality of the caller), on epoll on helpers. Last (nfs_perm_create.py)
# uid 65000 runs CREATE in every mode, MKDIR, SYMLINK, LINK and SETATTR of
# a size in open/ and gets NFS3ERR_ACCES for them in the export root: the
# same, one file operation each (the script prints how many it made).
. "$(dirname "$0")/rpclib.sh"

have python3 || skip "python3 not installed"
[ "$(id -u)" = 0 ] || skip "krpc needs CAP_DAC_READ_SEARCH: run as root"
EXP=$T/export RO=$T/ro
mkdir -p "$EXP/closed" "$EXP/open" "$RO/open" "$T/state"
chmod 755 "$T" "$EXP" "$EXP/closed" "$RO"
chmod 777 "$EXP/open" "$RO/open"
echo secret > "$EXP/secret"; chmod 600 "$EXP/secret"
echo public > "$EXP/public"; chmod 644 "$EXP/public"
echo group > "$EXP/group"; chgrp 4242 "$EXP/group"; chmod 640 "$EXP/group"
echo ro > "$RO/open/f"; chmod 666 "$RO/open/f"
start_krpc --export "$EXP" --export "$RO,ro" --state-dir "$T/state"
timeout 60 python3 "$(dirname "$0")/nfs_perm.py" "$PORT" "$EXP" "$RO" ||
	fail "nfs_perm.py found failures (exit $?)"
[ "$(cat "$EXP/secret")" = secret ] && [ "$(cat "$EXP/public")" = public ] ||
	fail "a file changed"
stop_krpc_ok
check_rpc_sums
expect_rstat system_err -eq 0

# REMOVE, RMDIR and RENAME as the caller, on the worker's ring on io_uring
N=20
start_krpc --export "$EXP" --state-dir "$T/state"
timeout 60 python3 "$(dirname "$0")/nfs_perm_remove.py" "$PORT" "$EXP" "$N" ||
	fail "nfs_perm_remove.py found failures (exit $?)"
stop_krpc_ok
check_rpc_sums
expect_rstat system_err -eq 0
# expect_fileops N [MISS]: N file operations, on io_uring all on the
# worker's ring, on epoll all on helpers; with MISS, up to MISS of them
# may instead have run whole on a helper, or a LOOKUP may have (offloaded:
# up to MISS more than the OFFLOADED calls that always are).
expect_fileops() {
	if [ "$KSF_BACKEND" = uring ]; then on=fileops_ring off=fileops_helper
	else on=fileops_helper off=fileops_ring
	fi
	expect_rstat "$off" -eq 0
	if [ -z "${2:-}" ]; then
		expect_rstat "$on" -eq "$1"
		return
	fi
	expect_rstat "$on" -ge $(($1 - $2))
	sum=$(($(rstat "$on") + $(rstat offloaded)))
	[ "$sum" -ge $(($1 + OFFLOADED)) ] && [ "$sum" -le $(($1 + OFFLOADED + $2)) ] ||
		fail "$on + offloaded - $1 - $OFFLOADED not in 0..$2 ($RSTATS)"
}
# N + 6 REMOVE, RMDIR, RENAME; N + 2 CREATE, 1 MKDIR. A REMOVE or RENAME
# finds its victim in the dentry cache (openat2 RESOLVE_CACHED), which
# misses now and then when a mount changes anywhere on the machine
# (docs/nfs.md): then it runs whole on a helper. 3 calls always do (MNT,
# LOOKUP of the two names that are not there); the LOOKUPs of open/ and
# public may (a directory not yet in the store's cache): up to 2 more.
OFFLOADED=3
expect_fileops $((N + 6 + N + 3)) 4

# CREATE, MKDIR, SYMLINK, LINK, truncate as the caller, on the ring too
start_krpc --export "$EXP" --state-dir "$T/state"
timeout 60 python3 "$(dirname "$0")/nfs_perm_create.py" "$PORT" "$EXP" > "$T/create.out" ||
	{ cat "$T/create.out"; fail "nfs_perm_create.py found failures (exit $?)"; }
stop_krpc_ok
check_rpc_sums
expect_rstat system_err -eq 0
expect_rstat drc_hits -eq 1
NOPS=$(sed -n 's/^fileops //p' "$T/create.out")
[ -n "$NOPS" ] && [ "$NOPS" -gt 10 ] || fail "no fileops count from nfs_perm_create.py"
expect_fileops "$NOPS"

# LOOKUP on the worker: names in the dentry cache answered on the event
# loop on both backends (no helper, no file operation); a missing name,
# no search permission (uid 65000 in a root-owned 0700 directory: still
# NFS3ERR_ACCES) and bad names on a helper, as before.
mkdir "$EXP/priv"; echo in > "$EXP/priv/in"; chmod 700 "$EXP/priv"
ln -s /etc "$EXP/lnk"
N=20
start_krpc --export "$EXP" --state-dir "$T/state"
timeout 60 python3 "$(dirname "$0")/nfs_perm_lookup.py" "$PORT" "$EXP" "$N" > "$T/lookup.out" ||
	{ cat "$T/lookup.out"; fail "nfs_perm_lookup.py found failures (exit $?)"; }
stop_krpc_ok
check_rpc_sums
expect_rstat system_err -eq 0
expect_rstat fileops_ring -eq 0
expect_rstat fileops_helper -eq 0
HELPER=$(sed -n 's/^helper //p' "$T/lookup.out")
[ -n "$HELPER" ] && [ "$HELPER" -gt 5 ] || fail "no helper count from nfs_perm_lookup.py"
# MNT and HELPER LOOKUPs on a helper; of the 5 N + 4 others (names in the
# dentry cache) up to 4 may be too (a directory not yet in the store's
# cache, a dentry cache miss when a mount changes elsewhere).
expect_rstat offloaded -ge $((1 + HELPER))
expect_rstat offloaded -le $((1 + HELPER + 4))
