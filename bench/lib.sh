# SPDX-License-Identifier: BSD-2-Clause
# shellcheck shell=sh disable=SC2034 # GSKIP, GPID, NSPID, VSKIP... are for the scripts that source this
# Shell helpers shared by bench/run.sh, bench/rpc_run.sh and bench/nfs_run.sh
# (sourced).

# cpu_ticks PID: utime + stime of the process (all threads), in clock ticks.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null; }

# The client's CPU time: every echotest/rpctest runs under bench/cpu_of
# (built from bench/cpu_of.c), which writes the client's utime + stime (all
# threads, wait4's rusage) in microseconds to a file. CPUOF FILE CMD...
# (set CPUOF=$B/bench/cpu_of first); client_us FILE: that number, or "-".
client_us() { c=$(cat "$1" 2>/dev/null); echo "${c:--}"; }

# json_vals FILE KEY...: the numbers of the "summary" object of
# echotest's or rpctest's --json output, in the order of the keys, on one
# line separated by spaces ("-" for a key not there). One process for all
# keys: the shell's forks add up between the measured runs on a loaded
# machine.
json_vals() {
	f=$1; shift
	awk -v keys="$*" 'BEGIN { RS = "\001" }
		{
			sub(/.*"summary"/, "")
			n = split(keys, k, " "); out = ""
			for (i = 1; i <= n; i++) {
				v = "-"
				if (match($0, "\"" k[i] "\": *[-0-9.eE+]+")) {
					v = substr($0, RSTART, RLENGTH); sub(/^[^:]*: */, "", v)
				}
				out = out (i > 1 ? " " : "") v
			}
			print out
		}' "$f"
}

# rotate K WORD...: the words, starting with the K-th (from 0, cyclic), so
# that no server is always measured first in a round.
rotate() {
	k=$1; shift
	[ $# -gt 0 ] || return 0
	k=$((k % $#)) front="" back=""
	for w in "$@"; do
		if [ "$k" -gt 0 ]; then front="$front $w"; k=$((k - 1)); else back="$back $w"; fi
	done
	# shellcheck disable=SC2086 # split back into words
	echo $back $front
}

# ---- servers on an ephemeral port (bench/rpc_run.sh, bench/nfs_run.sh) ----
# Callers set T (their scratch directory) and SERVERS (names of the running
# servers, "" at first) and define say(). $T/NAME.pid, .port, .out, .err.
# LADDR is the address the servers listen on (127.0.0.1 unless set; the
# veth rows set it to $VSADDR around their starts).

# srv_start NAME CMD...: start a server with -p 0; wait (10 s) for its TCP
# "listening on $LADDR:PORT" line. Exits the script if it does not start.
srv_start() {
	name=$1; shift
	la=$(echo "${LADDR:-127.0.0.1}" | sed 's/\./\\./g')
	"$@" -p 0 > "$T/$name.out" 2> "$T/$name.err" < /dev/null &
	echo $! > "$T/$name.pid"
	SERVERS="$SERVERS $name"
	n=100
	until grep -q "^listening on $la:" "$T/$name.out" 2>/dev/null; do
		n=$((n - 1))
		if [ $n = 0 ] || ! kill -0 "$(cat "$T/$name.pid")" 2>/dev/null; then
			say "$name did not start:"; cat "$T/$name.err" >&2
			exit 1
		fi
		sleep 0.1
	done
	sed -n "s/^listening on $la:\([0-9]*\)\$/\1/p" "$T/$name.out" | head -n 1 > "$T/$name.port"
	if grep -qi 'unavailable\|fall' "$T/$name.err"; then
		say "$name: $(head -n 1 "$T/$name.err")"
	fi
}

# srv_stop NAME: SIGTERM, 20 s to exit, then SIGKILL; returns its exit status.
srv_stop() {
	p=$(cat "$T/$1.pid")
	kill -TERM "$p" 2>/dev/null
	n=200
	while kill -0 "$p" 2>/dev/null && [ $n -gt 0 ]; do
		st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$p/status" 2>/dev/null)
		[ "$st" = Z ] && break
		sleep 0.1; n=$((n - 1))
	done
	[ $n = 0 ] && { say "$1 still running 20 s after SIGTERM: killed"; kill -KILL "$p"; }
	wait "$p" 2>/dev/null; src=$?
	SERVERS=$(echo "$SERVERS" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
	return $src
}

# ---- two network namespaces joined by a veth pair (the "veth" rows) ----
# The seed measured client and server on two machines; loopback is a
# special case (one device, one namespace, a 64 KiB MTU). veth_up makes two
# network namespaces, ksfb<PID>s (servers) and ksfb<PID>c (clients), joined
# by a veth pair with MTU 1500: $VSADDR in the first, $VCADDR in the second
# (a private /24 that exists only inside them). Servers are started with
# VSRVX as a command prefix and listen on $VSADDR; clients run with VCLIX.
# Returns 1 with the reason in VSKIP where namespaces cannot be made (not
# root, no ip(8), no netns or veth support); veth_down removes both (their
# veth with them) and is safe to call twice. Callers call veth_down from
# their EXIT trap, after killing the servers inside.
VSADDR=10.199.0.1 VCADDR=10.199.0.2
VSRV="" VCLI="" VSRVX="" VCLIX="" VSKIP=""
veth_up() {
	[ "$(id -u)" = 0 ] || { VSKIP="not root: cannot make network namespaces"; return 1; }
	have ip || { VSKIP="ip (iproute2) not installed"; return 1; }
	VSRV=ksfb$$s VCLI=ksfb$$c
	if ! { ip netns add "$VSRV" && ip netns add "$VCLI" &&
	       ip link add "vb$$s" type veth peer name "vb$$c" &&
	       ip link set "vb$$s" netns "$VSRV" && ip link set "vb$$c" netns "$VCLI" &&
	       ip -n "$VSRV" link set lo up && ip -n "$VCLI" link set lo up &&
	       ip -n "$VSRV" link set "vb$$s" mtu 1500 up && ip -n "$VCLI" link set "vb$$c" mtu 1500 up &&
	       ip -n "$VSRV" addr add "$VSADDR/24" dev "vb$$s" &&
	       ip -n "$VCLI" addr add "$VCADDR/24" dev "vb$$c"; } > "$T/veth.log" 2>&1; then
		VSKIP="could not make the namespaces and veth pair: $(head -n 1 "$T/veth.log")"
		veth_down
		return 1
	fi
	VSRVX="ip netns exec $VSRV" VCLIX="ip netns exec $VCLI"
	# the link comes up in a moment: wait (5 s) for the address to be usable
	n=50
	until ip -n "$VCLI" route get "$VSADDR" 2>/dev/null | grep -q "vb$$c" &&
	      ip -n "$VSRV" -o addr show dev "vb$$s" | grep -qv tentative; do
		n=$((n - 1))
		[ $n = 0 ] && { VSKIP="veth pair did not come up in 5 s"; veth_down; return 1; }
		sleep 0.1
	done
	return 0
}
veth_down() {
	[ -n "$VSRV" ] && ip netns del "$VSRV" 2>/dev/null
	[ -n "$VCLI" ] && ip netns del "$VCLI" 2>/dev/null
	ip link del "vb$$s" 2>/dev/null
	VSRV="" VCLI="" VSRVX="" VCLIX=""
	return 0
}

# ---- nfs-ganesha in a private network and mount namespace ----
# nfs-ganesha will not start without rpcbind, so it runs with its own
# rpcbind in a private network and mount namespace (unshare -n -m, lo up,
# tmpfs on /run and /var/lib/nfs/ganesha) on port 2049; rpctest joins that
# network namespace with nsenter -t $NSPID -n. The rest of the file system
# is the host's (an export under /var/tmp is the host's disk).

have() { command -v "$1" >/dev/null 2>&1; }
pkg_ok() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }

# ganesha_start CONF FSALPKG: install nfs-ganesha, FSALPKG (nfs-ganesha-mem,
# nfs-ganesha-vfs) and rpcbind with apt-get when missing and root, then
# start ganesha.nfsd -f CONF in its namespace and wait (30 s) for NFS v3
# NULL on 127.0.0.1:2049 there. Sets NSPID (the namespace's first process)
# and GPID (ganesha.nfsd); returns 1 with the reason in GSKIP. Logs in $T.
NSPID="" GPID="" GSKIP=""
ganesha_start() {
	gconf=$1 gpkg=$2
	if ! { have ganesha.nfsd && have rpcbind && have rpcinfo && pkg_ok "$gpkg"; }; then
		if [ "$(id -u)" = 0 ] && have apt-get; then
			say "installing nfs-ganesha $gpkg rpcbind (apt-get)"
			DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
				nfs-ganesha "$gpkg" rpcbind > "$T/apt.log" 2>&1 ||
			{ apt-get update >> "$T/apt.log" 2>&1 &&
			  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
				nfs-ganesha "$gpkg" rpcbind >> "$T/apt.log" 2>&1; }
		fi
		have ganesha.nfsd && have rpcbind && have rpcinfo && pkg_ok "$gpkg" || {
			GSKIP="nfs-ganesha, $gpkg or rpcbind not installed (as root: apt-get install nfs-ganesha $gpkg rpcbind)"
			return 1; }
	fi
	[ "$(id -u)" = 0 ] || { GSKIP="not root: cannot make a namespace for ganesha and rpcbind"; return 1; }
	have unshare && have nsenter && have ip || { GSKIP="unshare, nsenter or ip missing"; return 1; }
	cat > "$T/gns.sh" <<GNS
ip link set lo up || exit 1
mount -t tmpfs tmpfs /run || exit 1
[ -d /var/lib/nfs/ganesha ] && mount -t tmpfs tmpfs /var/lib/nfs/ganesha
mkdir -p /run/ganesha /run/rpcbind
rpcbind -f -w > "$T/rpcbind.log" 2>&1 &
echo \$! > "$T/rpcbind.pid"
i=0
until rpcinfo -p 127.0.0.1 > /dev/null 2>&1; do
	i=\$((i + 1)); [ \$i -gt 100 ] && { echo "rpcbind did not start" >&2; exit 1; }
	sleep 0.1
done
ganesha.nfsd -F -L "$T/ganesha.log" -f "$gconf" \
	-p /run/ganesha/ganesha.pid -N NIV_WARN > "$T/ganesha.out" 2>&1 &
echo \$! > "$T/ganesha.pid"
wait
GNS
	unshare -n -m sh "$T/gns.sh" > "$T/gns.out" 2>&1 &
	NSPID=$!
	# NFS v3 NULL answered on 127.0.0.1:2049 (universal address .8.1)
	n=300
	until nsenter -t "$NSPID" -n rpcinfo -a 127.0.0.1.8.1 -T tcp 100003 3 > /dev/null 2>&1; do
		n=$((n - 1))
		if [ $n = 0 ] || ! kill -0 "$NSPID" 2>/dev/null; then
			GSKIP="ganesha did not answer NFS v3 NULL within 30 s: $(cat "$T/gns.out" 2>/dev/null; grep -m 3 'CRIT\|FATAL' "$T/ganesha.log" 2>/dev/null)"
			return 1
		fi
		sleep 0.1
	done
	GPID=$(cat "$T/ganesha.pid")
	say "ganesha $(ganesha.nfsd -v 2>/dev/null | head -n 1 | sed "s/^.*Release *= *//") ($gpkg) up in a private namespace (pid $GPID)"
	return 0
}

# ganesha_stop: stop ganesha.nfsd, its rpcbind and the namespace.
ganesha_stop() {
	[ -n "$NSPID" ] || return 0
	for f in ganesha rpcbind; do
		[ -f "$T/$f.pid" ] || continue
		p=$(cat "$T/$f.pid")
		kill -TERM "$p" 2>/dev/null
		n=100
		while kill -0 "$p" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
		kill -KILL "$p" 2>/dev/null
	done
	n=50
	while kill -0 "$NSPID" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	kill -KILL "$NSPID" 2>/dev/null
	wait "$NSPID" 2>/dev/null
	NSPID=""
}
