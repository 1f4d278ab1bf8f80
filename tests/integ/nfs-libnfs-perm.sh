#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Who may do what through krpc: libnfs's tools (libnfs-utils, AUTH_SYS
# with the process's uid and gid) run as root and, with `setpriv --reuid
# --regid --clear-groups`, as uid 65000, against krpc exporting a
# root-owned 0755 directory E (with a 0777 subdirectory E/open, a root
# 0600 file and a root 0644 file) and a root-owned 0755 directory R
# exported read-only (,ro). Asserts:
#   1. default root squash: uid 65000 cannot read the 0600 file (ACCESS
#      allows it nothing, so libnfs does not even READ; a READ sent by
#      tests/integ/nfsraw.py gets NFS3ERR_ACCES, also as squashed root),
#      can read the 0644 one; cannot create in E
#      (NFS3ERR_ACCES), can in E/open and the new file is 65000:65000 on
#      disk; root cannot create in E (squashed to nobody: NFS3ERR_ACCES),
#      can in E/open and the new file is 65534:65534 on disk;
#   2. --no-root-squash: root creates in E, the file is 0:0 on disk, and
#      READs the 0600 file (uid 65000 still cannot); the
#      ro export R answers root's nfs-cp with NFS3ERR_ROFS and nothing is
#      created in R; its files read back;
#   3. krpc without CAP_DAC_READ_SEARCH (dropped from the bounding set
#      with setpriv) says so, naming CAP_DAC_READ_SEARCH, and exits
#      non-zero, within 20 s, not by a signal.
. "$(dirname "$0")/rpclib.sh"

have nfs-cp || skip "libnfs-utils not installed (apt-get install libnfs-utils)"
have setpriv || skip "setpriv (util-linux) missing"
[ "$(id -u)" = 0 ] || skip "needs root (krpc: CAP_DAC_READ_SEARCH; setpriv to other users)"
U=65000
AS_USER="setpriv --reuid=$U --regid=$U --clear-groups"	# a command prefix
$AS_USER true 2>/dev/null || skip "setpriv --reuid=$U cannot run here"

chmod 755 "$T"	# mktemp's 0700 would keep uid $U out of its files
E=$T/export R=$T/ro
mkdir -p "$E/open" "$R" "$T/state" "$T/in" "$T/out"
chmod 755 "$E" "$R" "$T/in"; chmod 777 "$E/open" "$T/out"
echo secret > "$E/secret"; chmod 600 "$E/secret"
echo public > "$E/public"; chmod 644 "$E/public"
echo readonly > "$R/file"; chmod 644 "$R/file"
echo data > "$T/in/f"; chmod 644 "$T/in/f"

# nfs_ok [$AS_USER] CMD...: a libnfs tool succeeds within 30 s; its output
# in $T/run.out. nfs_fails ERE [$AS_USER] CMD...: it fails, its message
# matching the extended regular expression ERE.
nfs_ok() {
	timeout 30 "$@" > "$T/run.out" 2>&1 && return 0
	nrc=$?
	cat "$T/run.out" >&2
	fail "$* exited $nrc"
}
nfs_fails() {
	err=$1; shift
	if timeout 30 "$@" > "$T/run.out" 2>&1; then
		fail "$* succeeded"
	fi
	nrc=$?
	[ "$nrc" = 124 ] && fail "$* timed out"
	grep -Eq "$err" "$T/run.out" || { cat "$T/run.out" >&2; fail "$* failed without $err"; }
}
owner() { stat -c %u:%g "$1"; }

# --- 1. default root squash ---
start_krpc --export "$E" --export "$R,ro" --state-dir "$T/state"
Q="nfsport=$PORT&mountport=$PORT"
url() { echo "nfs://127.0.0.1$1?$Q"; }

nfs_fails "NFS3ERR_ACCES|ACCESS denied" $AS_USER nfs-cat "$(url "$E/secret")"
nfs_ok $AS_USER nfs-cat "$(url "$E/public")"
[ "$(cat "$T/run.out")" = public ] || fail "uid $U read '$(cat "$T/run.out")' from public"
# libnfs trusts ACCESS and never sends that READ: send it ourselves.
# raw_read UID NAME: the status of READ of E/NAME as UID (nfsraw.py).
raw_read() {
	timeout 20 python3 "$(dirname "$0")/nfsraw.py" "$PORT" "$E" "$2" "$1" "$1" > "$T/raw.out" 2>&1 ||
		{ cat "$T/raw.out" >&2; fail "nfsraw.py $2 as $1 failed"; }
	sed -n 's/^mnt=0 lookup=0 read=\([0-9]*\)$/\1/p' "$T/raw.out"
}
if have python3; then
	[ "$(raw_read $U secret)" = 13 ] || fail "READ of the 0600 file as uid $U: $(cat "$T/raw.out"), not NFS3ERR_ACCES (13)"
	[ "$(raw_read $U public)" = 0 ] || fail "READ of the 0644 file as uid $U: $(cat "$T/raw.out")"
	[ "$(raw_read 0 secret)" = 13 ] || fail "READ of the 0600 file as squashed root: $(cat "$T/raw.out"), not NFS3ERR_ACCES (13)"
fi
note "uid $U: the 0600 root file cannot be read (ACCESS and READ), the 0644 one can"

nfs_fails NFS3ERR_ACCES $AS_USER nfs-cp "$T/in/f" "$(url "$E/by-user")"
[ -e "$E/by-user" ] && fail "uid $U's failed create left $E/by-user"
nfs_ok $AS_USER nfs-cp "$T/in/f" "$(url "$E/open/by-user")"
[ "$(owner "$E/open/by-user")" = "$U:$U" ] || fail "E/open/by-user is $(owner "$E/open/by-user"), not $U:$U"
cmp -s "$T/in/f" "$E/open/by-user" || fail "E/open/by-user differs from what uid $U copied"
note "uid $U: cannot create in the 0755 root dir, can in the 0777 one (owned $U:$U)"

nfs_fails NFS3ERR_ACCES nfs-cp "$T/in/f" "$(url "$E/by-root")"
[ -e "$E/by-root" ] && fail "root's failed create left $E/by-root"
nfs_ok nfs-cp "$T/in/f" "$(url "$E/open/by-root")"
[ "$(owner "$E/open/by-root")" = 65534:65534 ] ||
	fail "with root squash, E/open/by-root is $(owner "$E/open/by-root"), not 65534:65534"
note "root squashed: cannot create in the 0755 root dir, can in the 0777 one (owned 65534:65534)"
stop_krpc_ok
check_rpc_sums
expect_rstat garbage_args -eq 0
expect_rstat system_err -eq 0

# --- 2. --no-root-squash, and a read-only export ---
start_krpc --export "$E" --export "$R,ro" --state-dir "$T/state" --no-root-squash
Q="nfsport=$PORT&mountport=$PORT"
nfs_ok nfs-cp "$T/in/f" "$(url "$E/by-root")"
[ "$(owner "$E/by-root")" = 0:0 ] || fail "with --no-root-squash, E/by-root is $(owner "$E/by-root"), not 0:0"
if have python3; then
	[ "$(raw_read 0 secret)" = 0 ] || fail "READ of the 0600 file as root, not squashed: $(cat "$T/raw.out")"
	[ "$(raw_read $U secret)" = 13 ] || fail "READ of the 0600 file as uid $U: $(cat "$T/raw.out"), not NFS3ERR_ACCES (13)"
fi
note "--no-root-squash: root creates in the 0755 root dir (owned 0:0), reads the 0600 file"

ls -A "$R" > "$T/ro.before"
nfs_fails NFS3ERR_ROFS nfs-cp "$T/in/f" "$(url "$R/new")"
ls -A "$R" > "$T/ro.after"
cmp -s "$T/ro.before" "$T/ro.after" || fail "the ro export changed: $(cat "$T/ro.after")"
nfs_ok nfs-cp "$(url "$R/file")" "$T/out/ro-file"
[ "$(cat "$T/out/ro-file")" = readonly ] || fail "reading the ro export gave '$(cat "$T/out/ro-file")'"
nfs_ok $AS_USER nfs-cat "$(url "$R/file")"
[ "$(cat "$T/run.out")" = readonly ] || fail "uid $U read '$(cat "$T/run.out")' from the ro export"
note "ro export: nfs-cp into it fails with NFS3ERR_ROFS and creates nothing; reading works"
stop_krpc_ok
check_rpc_sums
expect_rstat garbage_args -eq 0
expect_rstat system_err -eq 0

# --- 3. without CAP_DAC_READ_SEARCH ---
# Dropped from the bounding set, root's execve does not get it back.
setpriv --inh-caps=-all --bounding-set=-dac_read_search true 2>/dev/null ||
	skip "setpriv --bounding-set=-dac_read_search not permitted here"
timeout 20 setpriv --inh-caps=-all --bounding-set=-dac_read_search \
	"$BIN/krpc" -p 0 --backend "$KSF_BACKEND" -a 127.0.0.1 --export "$E" \
	--state-dir "$T/state" > "$T/nocap.out" 2> "$T/nocap.err" < /dev/null
rc=$?
[ "$rc" = 124 ] && fail "krpc without CAP_DAC_READ_SEARCH still ran after 20 s"
[ "$rc" -ne 0 ] && [ "$rc" -lt 124 ] ||
	{ cat "$T/nocap.err" >&2; fail "krpc without CAP_DAC_READ_SEARCH exited $rc, expected 1..123"; }
grep -q CAP_DAC_READ_SEARCH "$T/nocap.err" ||
	{ cat "$T/nocap.err" >&2; fail "krpc's message does not name CAP_DAC_READ_SEARCH"; }
grep -q '^listening' "$T/nocap.out" && fail "krpc without CAP_DAC_READ_SEARCH listened first"
if grep -Eq 'Sanitizer|runtime error:' "$T/nocap.err"; then
	cat "$T/nocap.err" >&2; fail "sanitizer report from krpc without CAP_DAC_READ_SEARCH"
fi
note "without CAP_DAC_READ_SEARCH (exit $rc): $(head -n 1 "$T/nocap.err")"
exit 0
