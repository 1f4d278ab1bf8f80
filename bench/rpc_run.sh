#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The RPC half of `make bench`: krpc (epoll and io_uring backends) side by
# side with its peers, all loaded by rpctest with NFS v3 NULL calls in one
# run on this machine, over loopback and across a veth pair between two
# network namespaces (as two hosts: MTU 1500; bench/lib.sh veth_up):
#
#   rpc_floor   bench/rpc_floor.c: one epoll thread that only splits records
#               and answers each with a fixed reply (the floor)
#   rpc_floor-2w  rpc_floor -w 2: two such threads, connections handed out
#               round robin; measured at -j2 -a128 only, where it is the
#               best any two-worker server can do on this machine (the
#               clients share the same CPUs): the "1.5x the single-threaded
#               floor" target is reachable here only if this row reaches it
#   tirpc_null  bench/tirpc_null.c: libtirpc's svc_run serving NULL
#   ganesha     nfs-ganesha 4 (Debian nfs-ganesha + nfs-ganesha-mem), NFSv3
#               only, bench/ganesha/ganesha.conf
#
#   sh bench/rpc_run.sh BUILD_DIR
#
# Loads (rpctest flags; RPC_BENCH_LOADS, the spaces as colons): -j1 -a1,
# -j1 -a128, -j2 -a128, -j1 -a128 -b
# (batched), -u -j1 -a1, -u -j2 -a32 (UDP, the floor is TCP only).
# krpc runs three times: --backend epoll, --backend uring, and (row
# krpc-uring-bw, not in the pinned rounds) --backend uring --batch-wait
# RPC_BENCH_BATCH_WAIT us (default 20): io_uring completion batching of
# every busy wait (the other krpc rows run the default, adaptive batching).
# Across the veth pair (rows "veth"): krpc on both backends, the floor and
# libtirpc, in the servers' namespace, rpctest in the clients'; they take
# their turns in the same rounds as the loopback rows. BENCH_VETH=0 leaves
# them out; where namespaces cannot be made they are skipped with the
# reason. BENCH_QUICK=1: 2 rounds of 0.5 s (noisier) unless set below.
#
# A small VM can change speed several times over within minutes, so servers
# are only ever compared within the same moments: all servers run at once,
# and each load is measured in RPC_BENCH_RUNS rounds (default 5); in a round
# every server takes one `rpctest -c 0 -t RPC_BENCH_SECONDS -i 1` (default
# 1 s), one after the other, the order rotated by one each round. For each
# invocation we record RPC/s, p50, p90, p99, p99.9, calls, the server's
# utime+stime (/proc/PID/stat, all threads) around it and rpctest's own
# (it runs under bench/cpu_of: its whole life, wait4's rusage). A row's
# RPC/s, percentiles, and server and client CPU per RPC (that round's CPU
# time / that round's calls) are medians over the rounds; the ratio columns ("vs floor", "vs libtirpc",
# "vs ganesha") and the targets are medians over the rounds of the
# per-round ratio (server vs reference measured in the same round), which
# cancels a change of phase between rounds.
#
# On a machine with few CPUs the round trip of one call in flight depends
# mostly on whether client and server share a CPU (same CPU: a context
# switch; two CPUs: a cross-CPU wakeup), which the scheduler decides. So the
# latency targets are judged on extra "pinned" rows where every server
# serves from CPU 0 (rpc_floor under taskset, krpc with -C 0) and rpctest
# runs on CPU 1 (-P 1), with and without busy-polling (--busy-poll
# RPC_BENCH_BUSY_POLL us, default 50, on krpc and rpctest). The pinned
# servers also run at once on their own ports and are interleaved round by
# round, in two groups so that no busy-polling krpc is up while the others
# are measured: first the floor (plain, and with rpctest busy-polling) and
# krpc -C 0 on both backends; then, those krpc stopped, krpc -C 0
# --busy-poll on both backends, with the same pinned floor measured again in
# each of their rounds, and the floor spinning (rpc_floor -s under taskset:
# it never sleeps) with rpctest --busy-poll as the reference for their
# ratios (issue 9 §7). The spinning floor is stopped (SIGSTOP) except while
# it is measured, so that it does not take CPU 0 from the others.
#
# nfs-ganesha will not start without rpcbind, so it runs with its own
# rpcbind in a private network and mount namespace (unshare -n -m, lo up,
# tmpfs on /run and /var/lib/nfs/ganesha) on port 2049, and rpctest joins
# that network namespace with nsenter. It is installed with apt-get when
# missing and we are root; otherwise its rows are skipped with the reason.
#
# Prints a markdown table, the issue's targets (issue 9 §7) as met / not
# met, and writes both to BUILD_DIR/rpc-bench.md, and draws the table
# (bench/plot.sh: BUILD_DIR/rpc-bench-rate.png, rpc-bench-latency.png) when
# gnuplot is installed. Speed is reported, never asserted: the exit status
# is non-zero only when something failed to run. About eight minutes with
# the defaults (the expected time is printed at the start).
set -u

B=$(cd "${1:-build}" && pwd) || exit 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
BIN=$B/bin
if [ "${BENCH_QUICK:-0}" = 1 ]; then SECS=${RPC_BENCH_SECONDS:-0.5} RUNS=${RPC_BENCH_RUNS:-2}
else SECS=${RPC_BENCH_SECONDS:-1} RUNS=${RPC_BENCH_RUNS:-5}; fi
BP=${RPC_BENCH_BUSY_POLL:-50}
BW=${RPC_BENCH_BATCH_WAIT:-20}
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)
SCPU=0 CCPU=1
[ "$NCPU" -ge 2 ] || CCPU=0
case $RUNS in ''|*[!0-9]*|0) echo "rpc bench: RPC_BENCH_RUNS must be a positive integer" >&2; exit 2 ;; esac

CPUOF=$B/bench/cpu_of
for f in "$BIN/krpc" "$BIN/rpctest" "$B/bench/rpc_floor" "$B/bench/tirpc_null" "$CPUOF"; do
	[ -x "$f" ] || { echo "rpc bench: $f not built (run make)" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/ksf-rpcbench.XXXXXX") || exit 1
SERVERS=""	# names of running servers; $T/NAME.pid holds each pid
cleanup() {
	for s in $SERVERS; do kill -KILL "$(cat "$T/$s.pid")" 2>/dev/null; done
	stop_ganesha
	veth_down
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
errors=0
say() { echo "rpc bench: $*" >&2; }

start() { srv_start "$@"; }
stop() { srv_stop "$@"; }

# run1 SRV LABEL REF ROUND SERVER [rpctest args...]: one rpctest invocation
# (one round of one row) against SERVER (a name given to start; v-NAME: that
# server across the veth pair; or ganesha), appended to $T/raw as SRV NET
# LABEL REF ROUND ok|fail RPC/s p50 p99 calls ticks lost p90 p99.9
# client-us; REF is the label of the rows this one is compared with in the
# ratio columns and targets (same net, same round).
run1() {
	srv=$1 label=$2 ref=$3 round=$4 server=$5; shift 5
	net=loopback addr=127.0.0.1
	case $server in
	ganesha) spid=$GPID sport=2049 pfx="nsenter -t $NSPID -n" ;;
	v-*)	spid=$(cat "$T/$server.pid") sport=$(cat "$T/$server.port") pfx=$VCLIX
		net=veth addr=$VSADDR ;;
	*)	spid=$(cat "$T/$server.pid") sport=$(cat "$T/$server.port") pfx="" ;;
	esac
	rm -f "$T/cc"
	c0=$(cpu_ticks "$spid")
	# shellcheck disable=SC2086 # $pfx is a command prefix
	if $pfx "$CPUOF" "$T/cc" "$BIN/rpctest" --json --quiet -c 0 -t "$SECS" -i 1 "$@" \
	    -p "$sport" "$addr" > "$T/rt.json" 2> "$T/rt.err" < /dev/null; then
		c1=$(cpu_ticks "$spid")
		read -r rate p50 p90 p99 p999 calls lost <<-EOF
		$(json_vals "$T/rt.json" rpc_per_s rtt_p50_us rtt_p90_us rtt_p99_us rtt_p999_us calls lost)
		EOF
		ticks=-; [ -n "$c0" ] && [ -n "$c1" ] && ticks=$((c1 - c0))
		st=ok cus=$(client_us "$T/cc")
		progress="$progress, $server${ptag:-} $(printf '%.0f' "$rate")/s p50 $p50"
	else
		errors=$((errors + 1))
		say "rpctest $label (round $round) against $server failed:"; tail -n 5 "$T/rt.err" >&2
		st=fail rate=- p50=- p90=- p99=- p999=- calls=0 ticks=- lost=0 cus=-
		progress="$progress, $server${ptag:-} failed"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$srv" "$net" \
		"$label" "$ref" "$round" "$st" "$rate" "$p50" "$p99" "$calls" "$ticks" "$lost" \
		"${p90:--}" "${p999:--}" "${cus:--}" >> "$T/raw"
}


# ---- nfs-ganesha (FSAL_MEM) in its own namespace (bench/lib.sh) ----
start_ganesha() { ganesha_start "$ROOT/bench/ganesha/ganesha.conf" nfs-ganesha-mem; }
stop_ganesha() { ganesha_stop; }

# ---- the run ----
LOADS=${RPC_BENCH_LOADS:-"-j1:-a1 -j1:-a128 -j2:-a128 -j1:-a128:-b -u:-j1:-a1 -u:-j2:-a32"}
PL="-j1 -a1 pinned"
PLREF="-j1 -a1 pinned (busy-poll rounds)"
PLBP="-j1 -a1 pinned, busy-poll both"
KRPC=krpc-epoll
KBW=""	# krpc-uring with completion batching (--batch-wait), unpinned rounds only
if grep -q 'KSF_HAVE_URING 1' "$B/config.h" 2>/dev/null; then
	KRPC="$KRPC krpc-uring"
	KBW=krpc-uring-bw
fi
NK=$(echo "$KRPC" | wc -w)

# expect NSERVERS: the expected time of the rounds with NSERVERS servers
# (krpc, the floor, libtirpc, ganesha) in the unpinned rounds.
expect() {
	awk -v n="$1" -v k="$NK" -v r="$RUNS" -v t="$SECS" 'BEGIN {
		inv = r * (4 * (n - 1) + 1 + 2 * (n - 2) + (2 + k) + (2 + k))
		s = inv * (t + 0.02) + 5
		printf "about %d min %02d s (%d rpctest runs of %s s)", s / 60, s % 60, inv, t }'
}
n=$((NK + 3)); [ "$(id -u)" = 0 ] && n=$((n + 1)); [ -n "$KBW" ] && n=$((n + 1))
say "$RUNS rounds of ${SECS}s per server and load; expected $(expect $n)$([ "$(id -u)" = 0 ] && echo ", with ganesha")"

: > "$T/raw"
progress=""
for kb in $KRPC; do start "$kb" "$BIN/krpc" -a 127.0.0.1 --backend "${kb#krpc-}"; done
[ -n "$KBW" ] && start "$KBW" "$BIN/krpc" -a 127.0.0.1 --backend uring --batch-wait "$BW"
start rpc_floor "$B/bench/rpc_floor"
start rpc_floor-2w "$B/bench/rpc_floor" -w 2
start tirpc_null "$B/bench/tirpc_null"
start_ganesha || say "ganesha skipped: $GSKIP"
ROUND="$SERVERS${NSPID:+ ganesha}"
# the same servers (but krpc-uring-bw) in the veth servers' namespace
VNOTE=""
if [ "${BENCH_VETH:-1}" = 0 ]; then
	VNOTE="veth rows: left out (BENCH_VETH=0)."
elif veth_up; then
	LADDR=$VSADDR
	# shellcheck disable=SC2086 # $VSRVX is a command prefix
	for kb in $KRPC; do start "v-$kb" $VSRVX "$BIN/krpc" -a "$VSADDR" --backend "${kb#krpc-}"; done
	# shellcheck disable=SC2086
	start v-rpc_floor $VSRVX "$B/bench/rpc_floor" -a "$VSADDR"
	# shellcheck disable=SC2086
	start v-rpc_floor-2w $VSRVX "$B/bench/rpc_floor" -w 2 -a "$VSADDR"
	# shellcheck disable=SC2086
	start v-tirpc_null $VSRVX "$B/bench/tirpc_null" -a "$VSADDR"
	LADDR=127.0.0.1
	for kb in $KRPC rpc_floor rpc_floor-2w tirpc_null; do ROUND="$ROUND v-$kb"; done
else
	VNOTE="veth rows: skipped: $VSKIP."
	say "$VNOTE"
fi
say "servers:$ROUND; $NCPU CPUs; from now $(expect "$(echo "$ROUND" | wc -w)")"

# Every load: RUNS rounds, each server once per round, the order rotated.
for ld in $LOADS; do
	largs=$(echo "$ld" | tr ':' ' ')
	case $largs in -u*) largs="$largs --udp-loss 1%" ;; esac
	llabel=$(echo "$ld" | tr ':' ' ')
	rnd=1
	while [ $rnd -le "$RUNS" ]; do
		progress=""
		# shellcheck disable=SC2086 # a list of names
		for s in $(rotate $((rnd - 1)) $ROUND); do
			case "$s $llabel" in "rpc_floor -u"*|"v-rpc_floor -u"*) continue ;; esac
			case "$s $llabel" in "rpc_floor-2w -j2 -a128"|"v-rpc_floor-2w -j2 -a128") ;;
			rpc_floor-2w*|v-rpc_floor-2w*) continue ;; esac
			# shellcheck disable=SC2086
			run1 "${s#v-}" "$llabel" "$llabel" $rnd "$s" $largs
		done
		say "$llabel round $rnd/$RUNS: ${progress#, }"
		rnd=$((rnd + 1))
	done
done
stop_ganesha
for s in $SERVERS; do stop "$s"; done
veth_down

# Pinned one-in-flight rows: servers on CPU $SCPU, rpctest on CPU $CCPU.
# pinned_job JOB ROUND: one round of one pinned row.
pinned_job() {
	case $1 in
	floor)	run1 rpc_floor "$PL" "$PL" "$2" floor-pin -j1 -a1 -P "$CCPU" ;;
	floor-cbp)
		ptag=" (client busy-poll)"
		run1 rpc_floor "$PL, client busy-poll" "$PL" "$2" floor-pin \
			-j1 -a1 -P "$CCPU" --busy-poll "$BP"
		ptag="" ;;
	floor-ref) run1 rpc_floor "$PLREF" "$PLREF" "$2" floor-pin -j1 -a1 -P "$CCPU" ;;
	pin-*)	run1 "krpc-${1#pin-}" "$PL" "$PL" "$2" "$1" -j1 -a1 -P "$CCPU" ;;
	bp-*)	run1 "krpc-${1#bp-}" "$PLBP" "$PLBP" "$2" "$1" \
			-j1 -a1 -P "$CCPU" --busy-poll "$BP" ;;
	floor-spin)
		kill -CONT "$(cat "$T/floor-spin.pid")"
		run1 rpc_floor-spin "$PLBP" "$PLBP" "$2" floor-spin \
			-j1 -a1 -P "$CCPU" --busy-poll "$BP"
		kill -STOP "$(cat "$T/floor-spin.pid")" ;;
	esac
}
# pinned_rounds TITLE JOB...: RUNS rounds of the jobs, the order rotated.
pinned_rounds() {
	title=$1; shift
	prnd=1
	while [ $prnd -le "$RUNS" ]; do
		progress=""
		for j in $(rotate $((prnd - 1)) "$@"); do pinned_job "$j" $prnd; done
		say "$title round $prnd/$RUNS: ${progress#, }"
		prnd=$((prnd + 1))
	done
}
# First the servers that sleep when idle, all up at once ...
start floor-pin taskset -c "$SCPU" "$B/bench/rpc_floor"
JOBS="floor floor-cbp"
for kb in $KRPC; do
	start "pin-${kb#krpc-}" "$BIN/krpc" -a 127.0.0.1 --backend "${kb#krpc-}" -C "$SCPU"
	JOBS="$JOBS pin-${kb#krpc-}"
done
# shellcheck disable=SC2086
pinned_rounds "$PL" $JOBS
# ... then krpc busy-polling (krpc -C 0 stopped), with the pinned floor
# measured again in each round, and the spinning floor (stopped but while
# it is measured) as their reference.
start floor-spin taskset -c "$SCPU" "$B/bench/rpc_floor" -s
kill -STOP "$(cat "$T/floor-spin.pid")"
JOBS="floor-ref floor-spin"
for kb in $KRPC; do
	stop "pin-${kb#krpc-}"
	start "bp-${kb#krpc-}" "$BIN/krpc" -a 127.0.0.1 --backend "${kb#krpc-}" -C "$SCPU" \
		--busy-poll "$BP"
	JOBS="$JOBS bp-${kb#krpc-}"
done
# shellcheck disable=SC2086
pinned_rounds "$PL, busy-poll" $JOBS
kill -CONT "$(cat "$T/floor-spin.pid")"
for s in $SERVERS; do stop "$s"; done

# ---- the report ----
{
	echo "## ksf RPC bench: krpc vs the floor, libtirpc and nfs-ganesha over loopback and a veth pair"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $NCPU CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)); Linux $(uname -r)."
	echo "Servers are compared within the same moments: all run at once and each load is measured in"
	echo "$RUNS rounds; in a round every server takes one \`rpctest -c 0 -t $SECS -i 1 <load>\` (NFS v3"
	echo "NULL, AUTH_NONE), the order rotated each round. net \"loopback\": 127.0.0.1; \"veth\": rpctest and"
	echo "the servers in two network namespaces joined by a veth pair (MTU 1500), as two hosts, in the"
	echo "same rounds. RPC/s, p50, p99, server CPU per RPC (the server's utime+stime over the invocation"
	echo "divided by its calls) and client CPU per RPC (rpctest's utime+stime over its whole run, start-up"
	echo "and connects included, divided the same way) are medians over the rounds; \"vs floor\","
	echo "\"vs libtirpc\", \"vs ganesha\" and the targets are medians of the per-round ratios (server vs"
	echo "reference over the same net, measured in the same round), which cancels the machine's changes"
	echo "of speed between rounds. krpc runs one worker per CPU (krpc-uring-bw: --batch-wait $BW); the"
	echo "floor and libtirpc one thread; rpc_floor-2w (\`rpc_floor -w 2\`, -j2 -a128 only) is the floor with"
	echo "two threads, the best any two-worker server can do here. Pinned rows: server on CPU $SCPU (krpc -C $SCPU, the floor under"
	echo "taskset), rpctest -P $CCPU, interleaved the same way; busy-poll: --busy-poll $BP on krpc and/or"
	echo "rpctest. The rows \"$PLBP\" have rounds of their own after the other pinned rows"
	echo "(krpc -C $SCPU stopped): krpc --busy-poll $BP and rpc_floor-spin (\`rpc_floor -s\`: never"
	echo "sleeps), all with rpctest --busy-poll $BP; their \"vs floor\" is against rpc_floor-spin. The"
	echo "plain floor is measured again in those rounds (\"$PLREF\"). UDP rows allow 1% loss."
	[ -n "$GSKIP" ] && echo "nfs-ganesha: skipped: $GSKIP"
	[ -n "$VNOTE" ] && echo "$VNOTE"
	echo
	echo "| net | server | load | RPC/s | p50 µs | p99 µs | server CPU µs/RPC | client CPU µs/RPC | vs floor | vs libtirpc | vs ganesha | note |"
	echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
	awk -F'\t' -v runs="$RUNS" -v hz="$HZ" -v plbp="$PLBP" -v bw="$BW" \
	    -v dat="$B/rpc-bench.tsv" "$(cat "$ROOT/bench/rounds.awk")"'
		# $T/raw: srv net label ref round ok|fail rate p50 p99 calls ticks lost p90 p99.9 client-us
		{
			k = $1 SUBSEP $2 SUBSEP $3
			if (!(k in seen)) { seen[k] = ++nrow; key[nrow] = k; srv[nrow] = $1; net[nrow] = $2
				lab[nrow] = $3; ref[nrow] = $4 }
			if ($6 != "ok") { failed[k]++; next }
			r = $5
			v["rate", k, r] = $7 + 0; v["p50", k, r] = $8 + 0; v["p99", k, r] = $9 + 0
			v["p90", k, r] = $13 + 0; v["p999", k, r] = $14 + 0
			if ($10 > 0 && $11 != "-") v["cpu", k, r] = $11 * 1e6 / hz / $10
			if ($10 > 0 && $15 != "-") v["ccpu", k, r] = $15 / $10
			lost[k] += $12
		}
		# ratio(I, REFSERVER): row I vs REFSERVER at its reference label, same net
		function ratio(i, rs,   rk) {
			if (rs == "rpc_floor" && ("rpc_floor-spin" SUBSEP net[i] SUBSEP ref[i]) in seen)
				rs = "rpc_floor-spin"
			rk = rs SUBSEP net[i] SUBSEP ref[i]
			return (rk in seen) ? fmt(rmed("rate", key[i], rk), "%.2f") : "-"
		}
		function line(name, what, k, rk, op, mult, unit,   r, ok, f) {
			if (!(k in seen) || !(rk in seen)) return
			r = rmed(what, k, rk)
			if (r == "-") { printf "- %s: n/a (missing measurement)\n", name; return }
			ok = (op == ">=") ? (r >= mult) : (r <= mult)
			f = unit == "" ? "%.0f" : "%.2f"
			printf "- %s: %s (median per-round ratio %.2fx over %d rounds, target %s %.2fx; medians " \
				f "%s vs " f "%s)\n", name, ok ? "**met**" : "**not met**", r, nr, op, mult,
				med(what, k), unit, med(what, rk), unit
		}
		END {
			printf "" > dat
			for (i = 1; i <= nrow; i++) {
				k = key[i]
				note = ""
				if (failed[k]) note = failed[k] " of " runs " rounds failed"
				if (lost[k]) note = note (note == "" ? "" : "; ") lost[k] " lost"
				printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", net[i], srv[i],
					lab[i], fmt(med("rate", k), "%.0f"), fmt(med("p50", k), "%.1f"),
					fmt(med("p99", k), "%.1f"), fmt(med("cpu", k), "%.2f"), fmt(med("ccpu", k), "%.2f"),
					ratio(i, "rpc_floor"), ratio(i, "tirpc_null"), ratio(i, "ganesha"), note
				printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", net[i], srv[i], lab[i],
					fmt(med("rate", k), "%.0f"), fmt(med("p50", k), "%.1f"), fmt(med("p90", k), "%.1f"),
					fmt(med("p99", k), "%.1f"), fmt(med("p999", k), "%.1f") > dat
			}
			print ""
			print "### Targets (issue 9 §7), as medians of per-round ratios from this run"
			print ""
			print "libtirpc and ganesha ratios are reported in the table, not targets. The -bw rows run"
			print "with --batch-wait " bw ", not the defaults."
			print ""
			n = split("krpc-epoll krpc-uring krpc-uring-bw", ks, " ")
			split("loopback veth", nets, " ")
			for (ni = 1; ni <= 2; ni++) {
				f = "rpc_floor" SUBSEP nets[ni] SUBSEP
				f2 = "rpc_floor-2w" SUBSEP nets[ni] SUBSEP
				if (!((f2 "-j2 -a128") in seen)) continue
				print "**rpc_floor-2w** (the floor with two threads), " nets[ni] ": is the 1.5x target reachable here?"
				line("-j2 -a128: the two-thread floor >= 1.5x the single-threaded floor", "rate",
				     f2 "-j2 -a128", f "-j2 -a128", ">=", 1.5, "")
				print ""
			}
			for (ni = 1; ni <= 2; ni++) for (i = 1; i <= n; i++) {
				s = ks[i] SUBSEP nets[ni] SUBSEP
				f = "rpc_floor" SUBSEP nets[ni] SUBSEP
				f2 = "rpc_floor-2w" SUBSEP nets[ni] SUBSEP
				t = "tirpc_null" SUBSEP nets[ni] SUBSEP
				if (!((s "-j1 -a1") in seen)) continue
				print "**" ks[i] "**, " nets[ni]
				line("-j1 -a1: RPC/s >= 0.95x the floor", "rate", s "-j1 -a1", f "-j1 -a1", ">=", 0.95, "")
				line("-j1 -a128: RPC/s >= 0.95x the floor", "rate", s "-j1 -a128", f "-j1 -a128", ">=", 0.95, "")
				line("-j1 -a128 -b (batched): RPC/s >= 0.95x the floor", "rate",
				     s "-j1 -a128 -b", f "-j1 -a128 -b", ">=", 0.95, "")
				line("-j2 -a128: RPC/s >= 1.5x the single-threaded floor", "rate",
				     s "-j2 -a128", f "-j2 -a128", ">=", 1.5, "")
				line("-j2 -a128: RPC/s >= 0.95x the two-thread floor (same constraint)", "rate",
				     s "-j2 -a128", f2 "-j2 -a128", ">=", 0.95, "")
				line("UDP -j1 -a1: p50 <= libtirpc", "p50", s "-u -j1 -a1", t "-u -j1 -a1", "<=", 1, " us")
				line("UDP -j2 -a32: RPC/s >= 1.5x libtirpc", "rate", s "-u -j2 -a32", t "-u -j2 -a32", ">=", 1.5, "")
				line("-j1 -a128: server CPU/RPC <= the floor", "cpu", s "-j1 -a128", f "-j1 -a128", "<=", 1, " us")
				line("spinning (pinned -j1 -a1, --busy-poll both sides): p50 <= 1.1x the spinning floor", "p50",
				     s plbp, "rpc_floor-spin" SUBSEP nets[ni] SUBSEP plbp, "<=", 1.1, " us")
				line("spinning (pinned -j1 -a1, --busy-poll both sides): RPC/s >= 0.9x the spinning floor", "rate",
				     s plbp, "rpc_floor-spin" SUBSEP nets[ni] SUBSEP plbp, ">=", 0.9, "")
				print ""
			}
		}' "$T/raw"
} > "$B/rpc-bench.md"
rm -f "$B/rpc-bench-rate.png" "$B/rpc-bench-latency.png"
sh "$ROOT/bench/plot.sh" "$B/rpc-bench.tsv" "$B/rpc-bench" RPC/s "krpc vs peers (NFS v3 NULL)" &&
	[ -f "$B/rpc-bench-rate.png" ] && { echo; echo "Pictures: rpc-bench-rate.png, rpc-bench-latency.png (beside this file)."; } >> "$B/rpc-bench.md"
cat "$B/rpc-bench.md"
[ $errors = 0 ] || { say "$errors measurements failed"; exit 1; }
exit 0
