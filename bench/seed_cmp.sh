#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Our load generators against the seed's (beckerg/ksf's bin/rpctest and
# bin/echotest, built from their source: SEED=DIR names its checkout), at
# the loads of issue 9 §1, against the same servers, in interleaved
# rounds: in every round each client makes one run of N requests per
# thread against the server, the order of the two swapped every round.
# The rate of a run is threads * N / wall time of the whole invocation
# (start-up and connects included, the same for both tools, so neither
# tool's own report is trusted), and its client CPU per request is the
# user + system time of the invocation (GNU time; "-" without it) over
# threads * N. Prints per load and server the rates of every round, the
# medians and the median of the per-round ratios ours/seed, then the
# median CPU per request of each tool and the median per-round ratio
# (CPU per request is the steadier figure when the placement of clients
# and servers on the CPUs changes from run to run). Not part of `make
# bench`: the seed's tools are not a Debian package and this machine has
# no network.
#
#   SEED=/path/to/ksf sh bench/seed_cmp.sh [BUILD_DIR] [ROUNDS]
#
# ONLY=TEXT keeps the rows whose "TOOL LOAD vs SERVER" contains TEXT
# (e.g. ONLY=-l16384, or ONLY="echotest -j1 -a1 ").
# REF_RPCTEST=PROGRAM (REF_ECHOTEST=PROGRAM) compares rpctest (echotest)
# with PROGRAM instead of the seed's tool: it must take the same command
# line (LOAD -c N -i 1 ADDR:PORT). With REF_RPCTEST the rpctest rows gain
# `-j1 -a128 -b` (the seed's rpctest has no -b); e.g. the client floor:
#   REF_RPCTEST=build/bench/rpc_floor_client ONLY=rpctest sh bench/seed_cmp.sh
# A kind of tool with neither a reference nor SEED is left out.
#
# Bounded: every run has a 60 s timeout; servers are stopped on exit.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-build} R=${2:-5}
SEED=${SEED:-} REF_RPCTEST=${REF_RPCTEST:-} REF_ECHOTEST=${REF_ECHOTEST:-}
if [ -n "$SEED" ]; then
	[ -f "$SEED/bin/rpctest/GNUmakefile" ] ||
		{ echo "seed_cmp: SEED=$SEED is not a checkout of the seed (beckerg/ksf)" >&2; exit 2; }
	for t in rpctest echotest; do
		[ -x "$SEED/bin/$t/$t" ] || make -s -C "$SEED/bin/$t" >/dev/null 2>&1 ||
			{ echo "seed_cmp: could not build $SEED/bin/$t" >&2; exit 2; }
	done
elif [ -z "$REF_RPCTEST$REF_ECHOTEST" ]; then
	echo "seed_cmp: set SEED to a checkout of the seed (beckerg/ksf), or REF_RPCTEST / REF_ECHOTEST" >&2
	exit 2
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/ksf-seedcmp.XXXXXX") || exit 1
PIDS=""
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

# serve NAME CMD...: start a server on a free port; its port in $T/NAME.
serve() {
	n=$1; shift
	"$@" -p 0 > "$T/$n.out" 2>&1 < /dev/null &
	PIDS="$PIDS $!"
	i=50
	until grep -q '^listening on' "$T/$n.out"; do
		i=$((i - 1)); [ $i -gt 0 ] || { echo "seed_cmp: $n did not start" >&2; exit 1; }
		sleep 0.1
	done
	sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$T/$n.out" | head -n 1 > "$T/$n"
}

# rate TOOL PORT LOAD N: "RATE CPU" of one run (requests per second and
# client CPU microseconds per request), or "fail fail"
rate() {
	j=$(echo "$3" | sed -n 's/.*-j *\([0-9]*\).*/\1/p')
	q=""; case $1 in "$B"/bin/*) q=--quiet ;; esac
	tm=""; [ -x /usr/bin/time ] && tm="/usr/bin/time -f %U:%S -o $T/cpu"
	echo - > "$T/cpu"
	s=$(date +%s.%N)
	# shellcheck disable=SC2086 # LOAD is a list of flags, tm a command
	$tm timeout 60 "$1" $3 -c "$4" -i 1 $q "127.0.0.1:$2" > "$T/run.out" 2>&1 ||
		{ echo fail fail; return; }
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" -v n="$4" -v j="${j:-1}" -v cpu="$(tail -n 1 "$T/cpu")" 'BEGIN {
		c = "-"; if (split(cpu, t, ":") == 2) c = sprintf("%.3f", (t[1] + t[2]) * 1e6 / (j * n))
		printf "%.0f %s\n", j * n / (e - s), c }'
}

# cmp KIND SERVER LOAD N: R rounds of the seed's and our tool
cmp() {
	case "$1 $3 vs $2" in *"${ONLY:-}"*) ;; *) return ;; esac
	case $1 in rpctest) seed=$REF_RPCTEST ;; *) seed=$REF_ECHOTEST ;; esac
	rn=$(basename "$seed")
	[ -n "$seed" ] || { [ -n "$SEED" ] && seed=$SEED/bin/$1/$1 rn=seed; } || return 0
	ours=$B/bin/$1
	: > "$T/res"
	r=1
	while [ $r -le "$R" ]; do
		if [ $((r % 2)) = 1 ]; then a=$(rate "$seed" "$(cat "$T/$2")" "$3" "$4"); b=$(rate "$ours" "$(cat "$T/$2")" "$3" "$4")
		else b=$(rate "$ours" "$(cat "$T/$2")" "$3" "$4"); a=$(rate "$seed" "$(cat "$T/$2")" "$3" "$4"); fi
		echo "$a $b" >> "$T/res"
		r=$((r + 1))
	done
	awk -v what="$1 $3 vs $2" -v rn="$rn" '
		function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		$1 != "fail" && $3 != "fail" { n++; s[n] = $1; o[n] = $3; q[n] = $3 / $1; ls = ls " " $1; lo = lo " " $3
			if ($2 != "-" && $4 != "-" && $2 > 0) { m++; cs[m] = $2; co[m] = $4; cq[m] = $4 / $2 } }
		END { if (!n) { print what ": failed"; exit }
			printf "%-44s %s %8.0f  ours %8.0f  ours/%s %.2f", what, rn, med(s, n), med(o, n), rn, med(q, n)
			if (m) printf "  cpu/req us %s %.2f ours %.2f ours/%s %.2f", rn, med(cs, m), med(co, m), rn, med(cq, m)
			printf "  (%s:%s; ours:%s)\n", rn, ls, lo }' "$T/res"
}

cd "$ROOT" || exit 1
serve floor "$B/bench/rpc_floor"
serve krpc "$B/bin/krpc" -a 127.0.0.1 --backend uring
serve epoll_echo "$B/bench/epoll_echo"
serve kecho "$B/bin/kecho" -a 127.0.0.1 --backend epoll
for srv in floor krpc; do
	cmp rpctest $srv "-j1 -a1" 30000
	cmp rpctest $srv "-j1 -a128" 300000
	cmp rpctest $srv "-j2 -a128" 300000
	[ -z "$REF_RPCTEST" ] || cmp rpctest $srv "-j1 -a128 -b" 3000000
done
for srv in epoll_echo kecho; do
	cmp echotest $srv "-j1 -a1 -l64" 30000
	cmp echotest $srv "-j1 -a32 -l64" 200000
	cmp echotest $srv "-j2 -a32 -l64" 200000
	cmp echotest $srv "-j1 -a32 -l16384" 60000
	cmp echotest $srv "-j2 -a32 -l16384" 60000
done
