#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# nmap's NFS scripts (NSE, Debian nmap) against krpc exporting a scratch
# directory, found through krpc's own portmapper (--portmap, port 111), in
# a private network namespace (`ip netns add`, only lo) so that port 111
# is ours and nothing reaches the host. nmap -sT -p 111 --script
# nfs-showmount,nfs-ls,nfs-statfs: the scripts ask the portmapper for
# MOUNT and NFS (DUMP: version 4 and 3 get PROG_MISMATCH, then version 2),
# call MOUNT v3 EXPORT and MNT, then NFS v3 FSSTAT, FSINFO, PATHCONF,
# GETATTR, ACCESS, READDIRPLUS, and MOUNT UMNT, as root (squashed to
# nobody). Asserts:
#   - nfs-showmount lists the export's path;
#   - nfs-ls lists the export: ".", "..", and each file and directory in
#     it with its size;
#   - nfs-statfs shows the export with its 1K-blocks equal to what
#     statfs(2) says of the directory, and used + available <= blocks;
#   - krpc answered every call and none with GARBAGE_ARGS (nmap sends a
#     file handle without XDR padding: krpc's handles are a multiple of 4
#     bytes long, see docs/nfs.md).
. "$(dirname "$0")/rpclib.sh"

have nmap || skip "nmap not installed (apt-get install nmap)"
[ -f /usr/share/nmap/scripts/nfs-ls.nse ] || skip "nmap has no nfs-ls.nse script"
have ip || skip "ip (iproute2) missing"
[ "$(id -u)" = 0 ] || skip "needs root (krpc: CAP_DAC_READ_SEARCH; ip netns add)"
NS=ksf-nmap-$$
ip netns add "$NS" 2>/dev/null || skip "ip netns add not permitted here"
# lib.sh's exit trap kills what we started (krpc in the namespace first),
# then the namespace goes.
trap 'cleanup; ip netns del "$NS" 2>/dev/null' EXIT
ip netns exec "$NS" ip link set lo up || fail "ip link set lo up in $NS failed"
ip netns exec "$NS" ss -Hltn 2>/dev/null | grep -q . && fail "the namespace has listeners: not private"

EXP=$T/export
mkdir -p "$EXP/sub" "$T/state"
chmod 755 "$T"	# mktemp's 0700 would keep nobody out
echo hello > "$EXP/hello.txt"
head -c 12345 /dev/urandom > "$EXP/data.bin"
: > "$EXP/empty"
KRPC_WRAP="ip netns exec $NS" start_krpc --export "$EXP" --state-dir "$T/state" --portmap
wait_for 10 grep -q '^listening on portmapper port 111$' "$KOUT" ||
	fail "no 'listening on portmapper port 111' line: $(cat "$KOUT")"

timeout 60 ip netns exec "$NS" nmap -n -Pn -sT -p 111 --host-timeout 50s --script-timeout 40s \
	--script nfs-showmount,nfs-ls,nfs-statfs 127.0.0.1 > "$T/nmap.out" 2>&1 ||
	{ cat "$T/nmap.out" >&2; fail "nmap exited $?"; }
sed 's/^/# nmap: /' "$T/nmap.out"
stop_krpc_ok
check_rpc_sums

# section NAME: the lines of one script's output ("| NAME: " up to "|_").
section() {
	awk -v s="| $1:" 'index($0, s) == 1 { on = 1; next }
		on && /^\|/ { print; if (/^\|_/) exit; next }
		on { exit }' "$T/nmap.out"
}
for s in nfs-showmount nfs-ls nfs-statfs; do
	section $s > "$T/$s"
	[ -s "$T/$s" ] || fail "no output of $s"
	grep -q ERROR "$T/$s" && fail "$s: $(cat "$T/$s")"
done
# nfs-ls puts "Volume PATH" on its heading line.
grep -qF "| nfs-ls: Volume $EXP" "$T/nmap.out" || fail "nfs-ls names no volume $EXP"

# nfs-showmount: "|_  /path " (the clients allowed follow the path).
awk '{ print $2 }' "$T/nfs-showmount" | grep -qxF "$EXP" ||
	fail "nfs-showmount does not list $EXP: $(cat "$T/nfs-showmount")"

# nfs-ls: "| PERMISSION UID GID SIZE TIME FILENAME" rows.
awk '$2 ~ /^[-rwxsStT]+$/ && length($2) == 9 { print $NF, $5 }' "$T/nfs-ls" | sort > "$T/ls.got"
{
	echo ". $(stat -c %s "$EXP")"
	echo ".. $(stat -c %s "$EXP")"	# at the root of an export, .. is the root
	for f in "$EXP"/*; do echo "$(basename "$f") $(stat -c %s "$f")"; done
} | sort > "$T/ls.want"
diff "$T/ls.want" "$T/ls.got" > "$T/ls.diff" ||
	{ cat "$T/ls.diff" "$T/nfs-ls" >&2; fail "nfs-ls does not list the export's files and sizes"; }
note "nfs-ls listed $(wc -l < "$T/ls.got") entries with their sizes"

# nfs-statfs: "|_  /path  BLOCKS.0  USED.0  AVAIL.0  USE%  MAXFILESIZE  MAXLINK"
row=$(grep -F " $EXP " "$T/nfs-statfs") || fail "nfs-statfs has no row for $EXP: $(cat "$T/nfs-statfs")"
set -- $row
blocks=${3%.0} used=${4%.0} avail=${5%.0}
want=$(stat -f -c '%b %S' "$EXP" | awk '{ printf "%d", $1 * $2 / 1024 }')
[ "$blocks" = "$want" ] || fail "nfs-statfs: $blocks 1K-blocks, statfs says $want ($row)"
[ $((used + avail)) -le "$blocks" ] || fail "nfs-statfs: used $used + available $avail > $blocks"
note "nfs-statfs: $blocks 1K-blocks, $used used, $avail available"
expect_rstat garbage_args -eq 0
expect_rstat system_err -eq 0
expect_rstat success -ge 10
exit 0
