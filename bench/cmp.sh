#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A quick A/B of a few RPC servers at one load, outside `make bench`: the
# servers run at once, and in each of ROUNDS rounds every server takes one
# `rpctest -c 0 -t SECS -i 1 LOAD` against 127.0.0.1, the order rotated by
# one each round. Per server it prints the median RPC/s, the median of the
# per-round ratios to the LAST server named (the reference, e.g. the
# floor), the server's CPU per call (ns: the sum over its threads of
# /proc/PID/task/*/schedstat's run time, around the client run, divided by
# the calls), that per-round ratio to the reference, context switches per
# call (voluntary + involuntary, all threads) and rpctest's own CPU per
# call (its --json cpu_us_per_rpc), then the per-round rate ratios.
# CPU per call is the steadier figure on a shared machine.
#
#   sh bench/cmp.sh ROUNDS SECS "LOAD" NAME=COMMAND...
#
# e.g. (old and new krpc side by side with the floor, at the batched load):
#   B=build; sh bench/cmp.sh 7 1 "-j1 -a128 -b" \
#     old="/tmp/old/build/bin/krpc -a 127.0.0.1 --backend uring" \
#     new="$B/bin/krpc -a 127.0.0.1 --backend uring" fl="$B/bench/rpc_floor"
#
# Each COMMAND must take -p 0 (appended) and print "listening on ADDR:PORT".
# RPCTEST (default build/bin/rpctest) is the client; RPCTEST=build/bin/echotest
# compares echo servers the same way (its msgs/s and CPU per message in the
# RPC/s and per-call columns). Bounded: a server has
# 5 s to start, a client run SECS + rpctest's own stall limit; every server
# is stopped (SIGTERM) on exit.
set -u
[ $# -ge 4 ] || { echo "usage: sh bench/cmp.sh ROUNDS SECS \"LOAD\" NAME=COMMAND..." >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RT=${RPCTEST:-$ROOT/build/bin/rpctest}
ROUNDS=$1 SECS=$2 LOAD=$3; shift 3
case $(basename "$RT") in
echotest*) RATE=msgs_per_s COUNT=msgs CCPU=cpu_us_per_msg ;;
*) RATE=rpc_per_s COUNT=calls CCPU=cpu_us_per_rpc ;;
esac
T=$(mktemp -d "${TMPDIR:-/tmp}/ksf-cmp.XXXXXX") || exit 1
NAMES=""
trap 'for n in $NAMES; do kill "$(cat "$T/$n.pid")" 2>/dev/null; done; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

for spec in "$@"; do
	n=${spec%%=*} cmd=${spec#*=}
	# shellcheck disable=SC2086 # cmd is a command line
	$cmd -p 0 > "$T/$n.out" 2> "$T/$n.err" < /dev/null &
	echo $! > "$T/$n.pid"
	NAMES="$NAMES $n"
	i=50
	until grep -q '^listening on' "$T/$n.out"; do
		i=$((i - 1))
		[ $i -gt 0 ] || { echo "cmp: $n did not start:" >&2; cat "$T/$n.err" >&2; exit 1; }
		sleep 0.1
	done
	sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$T/$n.out" | head -n 1 > "$T/$n.port"
done

# cpu_ns PID, csw PID: run time (ns) and context switches of all threads
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
csw() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { printf "%.0f\n", s }'; }
val() { sed -n "s/.*\"$1\": *\\([0-9.]*\\).*/\\1/p" "$T/rt.json" | tail -n 1; }

: > "$T/res"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	# rotate the order by r - 1
	k=$(((r - 1) % $(echo "$NAMES" | wc -w))) front="" back=""
	for n in $NAMES; do
		if [ "$k" -gt 0 ]; then front="$front $n"; k=$((k - 1)); else back="$back $n"; fi
	done
	for n in $back $front; do
		p=$(cat "$T/$n.pid")
		c0=$(cpu_ns "$p") x0=$(csw "$p")
		# shellcheck disable=SC2086 # LOAD is a list of flags
		if "$RT" --json --quiet -c 0 -t "$SECS" -i 1 $LOAD -p "$(cat "$T/$n.port")" 127.0.0.1 \
		    > "$T/rt.json" 2> "$T/rt.err" < /dev/null; then
			c1=$(cpu_ns "$p") x1=$(csw "$p")
			echo "$r $n $(val "$RATE") $(val "$COUNT") $((c1 - c0)) $((x1 - x0)) $(val "$CCPU")" >> "$T/res"
		else
			echo "cmp: round $r, $n: rpctest failed:" >&2; tail -n 3 "$T/rt.err" >&2
		fi
	done
	r=$((r + 1))
done

echo "load: $LOAD; $ROUNDS rounds of $SECS s; reference: the last server; medians"
awk -v names="$NAMES" -v R="$ROUNDS" '
	{ rate[$1, $2] = $3; cpc[$1, $2] = $4 > 0 ? $5 / $4 : 0
	  csc[$1, $2] = $4 > 0 ? $6 / $4 : 0; cli[$1, $2] = $7 }
	function med(a, n,   i, j, t) {
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	END {
		n = split(names, N, " "); ref = N[n]
		for (i = 1; i <= n; i++) {
			m = 0; split("", a); split("", b); split("", c); split("", d); split("", e); split("", f); pr = ""
			for (r = 1; r <= R; r++) {
				if (!((r, N[i]) in rate) || !((r, ref) in rate) || rate[r, ref] == 0) continue
				m++; a[m] = rate[r, N[i]]; b[m] = rate[r, N[i]] / rate[r, ref]
				c[m] = cpc[r, N[i]]; d[m] = cpc[r, ref] > 0 ? cpc[r, N[i]] / cpc[r, ref] : 0
				e[m] = csc[r, N[i]]; f[m] = cli[r, N[i]]; pr = pr sprintf(" %.2f", b[m])
			}
			if (!m) { printf "%-10s no measurement\n", N[i]; continue }
			printf "%-10s %9.0f RPC/s  %.3fx  cpu %6.0f ns/call %.3fx  csw/call %.3f  client %.2f us/call  rounds:%s\n",
				N[i], med(a, m), med(b, m), med(c, m), med(d, m), med(e, m), med(f, m), pr
		}
	}' "$T/res"
