#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Real clients find krpc through the portmapper (RFC 1833), in a private
# network and mount namespace (unshare -n -m: only lo, a tmpfs on /run for
# rpcbind's socket, lock and state), so nothing here touches the host's
# rpcbind. The script re-runs itself inside the namespace.
#
# 1. --register with Debian's rpcbind: `rpcinfo -p` lists 100003 v3 (NFS)
#    and 100005 v3 (MOUNT) tcp and udp at krpc's port; `rpcinfo -T tcp|udp 127.0.0.1 100003 3` (which asks
#    rpcbind for the address, then pings) succeeds; after SIGTERM both
#    mappings are gone (UNSET).
# 2. --portmap with no rpcbind: krpc serves program 100000 v2 on port 111
#    itself; `rpcinfo -p` (PMAPPROC_DUMP) lists the portmapper, NFS v3 and
#    MOUNT v3 at krpc's ports; `rpcinfo -T tcp|udp 127.0.0.1 100003 3` finds krpc
#    (libtirpc's rpcbind v4/v3 queries get PROG_MISMATCH 2..2, then it falls
#    back to GETPORT); `rpcinfo -p` keeps working after rpcinfo's mismatched
#    versions.
. "$(dirname "$0")/rpclib.sh"

if [ "${KSF_RPC_NS:-}" != 1 ]; then
	have rpcbind && have rpcinfo || skip "rpcbind/rpcinfo not installed (apt-get install rpcbind)"
	have unshare && have ip || skip "unshare (util-linux) or ip (iproute2) missing"
	userns=""
	if [ "$(id -u)" != 0 ]; then
		unshare -r -n -m true 2>/dev/null ||
			skip "not root and no user namespaces: cannot make a private network namespace"
		userns=-r
	fi
	unshare $userns -n -m true 2>/dev/null || skip "unshare -n -m not permitted here"
	# Not exec: this shell's exit trap removes its temporary directory.
	KSF_RPC_NS=1 unshare $userns -n -m sh "$0"
	exit $?
fi

# --- inside the namespace ---
ip link set lo up || fail "ip link set lo up failed"
mount -t tmpfs tmpfs /run || fail "cannot mount a tmpfs on /run in the namespace"
mkdir -p /run/rpcbind
ss -Hltn 2>/dev/null | grep -q . && fail "the namespace has listeners: not private"

# start_rpcbind: Debian's rpcbind in the foreground (-f), warm start (-w)
# from the (empty) state in our /run; wait for it to answer.
start_rpcbind() {
	rpcbind -f -w > "$T/rpcbind.log" 2>&1 &
	RBPID=$!; track $RBPID
	wait_for 10 sh -c 'rpcinfo -p 127.0.0.1 >/dev/null 2>&1' || {
		cat "$T/rpcbind.log" >&2; fail "rpcbind did not answer within 10 s"; }
}

# pmap_lines: `rpcinfo -p 127.0.0.1` without its header, as
# "PROG VERS PROTO PORT" lines.
pmap_lines() {
	timeout 30 rpcinfo -p 127.0.0.1 > "$T/pmap.raw" 2>&1 ||
		{ cat "$T/pmap.raw" >&2; fail "rpcinfo -p 127.0.0.1 failed"; }
	awk 'NR > 1 { print $1, $2, $3, $4 }' "$T/pmap.raw"
}

# ping_via_pmap PROTO: rpcinfo looks krpc up via the portmapper, then pings.
ping_via_pmap() {
	timeout 30 rpcinfo -T "$1" 127.0.0.1 100003 3 > "$T/ping.$1" 2>&1 ||
		{ cat "$T/ping.$1" >&2; fail "rpcinfo -T $1 127.0.0.1 100003 3 failed"; }
	expect_line "$T/ping.$1" "program 100003 version 3 ready and waiting"
}

# --- 1. --register with rpcbind ---
start_rpcbind
pmap_lines | grep -q '^100003 ' && fail "rpcbind already lists NFS before krpc started"
start_krpc --register
pmap_lines > "$T/reg"
sed 's/^/# rpcinfo -p: /' "$T/reg"
expect_line "$T/reg" "100003 3 tcp $PORT"
expect_line "$T/reg" "100003 3 udp $PORT"
expect_line "$T/reg" "100005 3 tcp $PORT"
expect_line "$T/reg" "100005 3 udp $PORT"
ping_via_pmap tcp
ping_via_pmap udp
stop_krpc_ok
pmap_lines > "$T/unreg"
grep -q '^10000[35] ' "$T/unreg" && { cat "$T/unreg" >&2; fail "krpc's mappings are still registered after SIGTERM (no UNSET)"; }
grep -q '^100000 2 tcp 111$' "$T/unreg" || fail "rpcbind lost its own mapping: $(cat "$T/unreg")"
expect_rstat success -ge 2
note "registered, found, pinged and unregistered"

# --register without a running rpcbind must fail, not hang.
kill -TERM $RBPID; wait_exit $RBPID 10
SN=$((SN + 1)); KERR=$T/krpc$SN.err
timeout 60 "$BIN/krpc" -p 0 --backend "$KSF_BACKEND" -a 127.0.0.1 --register \
	> "$T/krpc$SN.out" 2> "$KERR" < /dev/null; rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] ||
	fail "krpc --register without rpcbind exited $rc (expected a failure, not 0 or a hang)"
note "without rpcbind, --register fails: $(head -n 1 "$KERR")"

# --- 2. --portmap: krpc is the portmapper ---
start_krpc --portmap
grep -q '^listening on portmapper port 111$' "$KOUT" ||
	fail "no 'listening on portmapper port 111' line: $(cat "$KOUT")"
pmap_lines > "$T/pm"
sed 's/^/# rpcinfo -p: /' "$T/pm"
for l in "100000 2 tcp 111" "100000 2 udp 111" "100003 3 tcp $PORT" "100003 3 udp $PORT" \
	 "100005 3 tcp $PORT" "100005 3 udp $PORT"; do
	expect_line "$T/pm" "$l"
done
[ "$(wc -l < "$T/pm")" = 6 ] || fail "krpc's portmapper lists more than its 6 mappings"
ping_via_pmap tcp
ping_via_pmap udp
timeout 30 rpcinfo -T tcp 127.0.0.1 100000 2 > "$T/pmping" 2>&1 ||
	{ cat "$T/pmping" >&2; fail "rpcinfo could not ping the portmapper (100000 v2)"; }
expect_line "$T/pmping" "program 100000 version 2 ready and waiting"
pmap_lines > "$T/pm2"
cmp -s "$T/pm" "$T/pm2" || fail "the portmapper's DUMP changed: $(cat "$T/pm2")"
stop_krpc_ok
check_rpc_sums
expect_rstat success -ge 6
expect_rstat garbage -eq 0
expect_rstat system_err -eq 0
exit 0
