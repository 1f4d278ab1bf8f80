#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# `make bench`: kecho side by side with a plain single-threaded epoll echo
# server (bench/epoll_echo.c), all driven by echotest in one run, over
# loopback and across a veth pair between two network namespaces (as two
# hosts would be: MTU 1500; bench/lib.sh veth_up), plus sockperf ping-pong
# where it can be used.
#
#   sh bench/run.sh BUILD_DIR
#
# BENCH_PARTS (default "echo rpc nfs") chooses the halves to run.
# BENCH_QUICK=1 (also read by the RPC and NFS halves) is a quick run for
# trying the bench out: 2 rounds of 0.5 s instead of 5 of 1 s, fewer NFS
# groups; its numbers are noisier. BENCH_VETH=0 leaves out the veth rows
# (they are skipped, with the reason, where namespaces cannot be made).
#
# Loads (echotest flags, BENCH_LOADS): -j1 -a1 -l64, -j1 -a32 -l64,
# -j2 -a32 -l64, -j1 -a32 -l16384.
#
# A small VM can change speed several times over within minutes, so servers
# are only ever compared within the same moments: kecho --backend epoll,
# kecho --backend uring (when built with io_uring) and epoll_echo all run at
# once, each on an ephemeral 127.0.0.1 port, and each load is measured in
# BENCH_RUNS rounds (default 5); in a round every server takes one
# `echotest -c BENCH_COUNT -t BENCH_SECONDS -i 1` (at most BENCH_COUNT
# messages per thread, default 200000, or BENCH_SECONDS seconds, default 1),
# one after the other, the order rotated by one each round. For each
# invocation we record msgs/s, p50, p90, p99, p99.9, messages, the server's
# utime+stime (/proc/PID/stat, all threads) around it and the client's
# (echotest runs under bench/cpu_of: its whole life, wait4's rusage). A
# row's msgs/s, percentiles, and server and client CPU per message (that
# round's CPU time / that round's messages) are medians over the rounds;
# "msgs/s vs epoll_echo" is the median over the rounds of the per-round
# ratio (server vs epoll_echo over the same net, measured in the same
# round), which cancels a change of phase between rounds. The veth rows'
# servers (a second kecho per backend and a second epoll_echo) run in the
# servers' namespace, echotest in the clients'; they take their turns in
# the same rounds as the loopback rows.
#
# Prints a markdown table and writes it to BUILD_DIR/bench.md, draws it
# (bench/plot.sh: BUILD_DIR/bench-echo-rate.png, bench-echo-latency.png,
# when gnuplot is installed: `sh scripts/deps.sh bench`), then runs the
# RPC half (bench/rpc_run.sh, BUILD_DIR/rpc-bench.md) and the NFS half
# (bench/nfs_run.sh, BUILD_DIR/nfs-bench.md). Speed is reported here, never
# asserted: the exit status is non-zero only when something failed to run.
# The echo half took 3.5 min with the defaults on a busy 2-CPU VM (the expected time is
# printed at the start).
set -u

B=$(cd "${1:-build}" && pwd) || exit 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
BIN=$B/bin
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then SECS=${BENCH_SECONDS:-0.5} RUNS=${BENCH_RUNS:-2}
else SECS=${BENCH_SECONDS:-1} RUNS=${BENCH_RUNS:-5}; fi
export BENCH_QUICK="$QUICK"
PARTS=${BENCH_PARTS:-echo rpc nfs}
COUNT=${BENCH_COUNT:-200000}
LOADS=${BENCH_LOADS:-"-j1:-a1:-l64 -j1:-a32:-l64 -j2:-a32:-l64 -j1:-a32:-l16384"}
HZ=$(getconf CLK_TCK)
case $RUNS in ''|*[!0-9]*|0) echo "bench: BENCH_RUNS must be a positive integer" >&2; exit 2 ;; esac

CPUOF=$B/bench/cpu_of
for f in "$BIN/kecho" "$BIN/echotest" "$B/bench/epoll_echo" "$CPUOF"; do
	[ -x "$f" ] || { echo "bench: $f not built (run make)" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/ksf-bench.XXXXXX") || exit 1
SERVERS=""
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	for s in $SERVERS; do
		kill -KILL "$(cat "$T/$s.pid")" 2>/dev/null
	done
	veth_down
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# gnuplot (pictures) and iproute2 (veth rows): Debian packages for the bench
# only, so that `make test` does not need them.
sh "$ROOT/scripts/deps.sh" bench >&2 ||
	echo "bench: continuing without them: no pictures or no veth rows" >&2

# other_halves: the RPC and NFS halves (as BENCH_PARTS says), then exit.
other_halves() {
	case " $PARTS " in *" rpc "*) sh "$ROOT/bench/rpc_run.sh" "$B" || errors=$((errors + 1)) ;; esac
	case " $PARTS " in *" nfs "*) sh "$ROOT/bench/nfs_run.sh" "$B" || errors=$((errors + 1)) ;; esac
	[ $errors = 0 ] || { echo "bench: $errors errors" >&2; exit 1; }
	exit 0
}
errors=0
case " $PARTS " in *" echo "*) ;; *) other_halves ;; esac

# start NAME CMD...: start a server, wait (10 s) for its "listening on" line.
start() {
	name=$1; shift
	"$@" -p 0 > "$T/$name.out" 2> "$T/$name.err" </dev/null &
	echo $! > "$T/$name.pid"
	SERVERS="$SERVERS $name"
	n=100
	until grep -q '^listening on ' "$T/$name.out"; do
		n=$((n - 1))
		if [ $n = 0 ] || ! kill -0 "$(cat "$T/$name.pid")" 2>/dev/null; then
			echo "bench: $name did not start:" >&2
			cat "$T/$name.err" >&2
			exit 1
		fi
		sleep 0.1
	done
	sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$T/$name.out" | head -n 1 > "$T/$name.port"
}

port() { cat "$T/$1.port"; }
pid() { cat "$T/$1.pid"; }

# run1 JOB LOAD ROUND: one echotest invocation (one round of one row)
# against JOB (a server's name; v-NAME: that server across the veth pair),
# appended to $T/raw as SERVER NET LOAD ROUND ok|fail msgs/s p50 p90 p99
# p99.9 msgs server-ticks client-us.
run1() {
	job=$1 load=$2 round=$3 label=${4:-$2}
	case $job in
	v-*) srv=${job#v-} net=veth addr=$VSADDR pfx=$VCLIX ;;
	p-*) srv=${job#p-} net=loopback addr=127.0.0.1 pfx="" ;;
	*)   srv=$job net=loopback addr=127.0.0.1 pfx="" ;;
	esac
	spid=$(pid "$job")
	rm -f "$T/cc"
	c0=$(cpu_ticks "$spid")
	# shellcheck disable=SC2086 # $pfx is a command prefix, $load a list of flags
	if $pfx "$CPUOF" "$T/cc" "$BIN/echotest" --json -q $load -c "$COUNT" -t "$SECS" -i 1 \
	    -p "$(port "$job")" "$addr" > "$T/et.json" 2> "$T/et.err" < /dev/null; then
		c1=$(cpu_ticks "$spid")
		read -r rate p50 p90 p99 p999 msgs <<-EOF
		$(json_vals "$T/et.json" msgs_per_s rtt_p50_us rtt_p90_us rtt_p99_us rtt_p999_us msgs)
		EOF
		ticks=-; [ -n "$c0" ] && [ -n "$c1" ] && ticks=$((c1 - c0))
		st=ok cus=$(client_us "$T/cc")
		progress="$progress, $job $(printf '%.0f/s p50 %.1f us' "${rate:-0}" "${p50:-0}")"
	else
		errors=$((errors + 1))
		echo "bench: echotest $load (round $round) against $job failed:" >&2
		tail -n 5 "$T/et.err" >&2
		st=fail rate=- p50=- p90=- p99=- p999=- msgs=0 ticks=- cus=-
		progress="$progress, $job failed"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$srv" "$net" "$label" \
		"$round" "$st" "${rate:--}" "${p50:--}" "${p90:--}" "${p99:--}" "${p999:--}" \
		"${msgs:-0}" "$ticks" "${cus:--}" >> "$T/raw"
}

# start_all PREFIX ADDR NAMEPFX: the servers (NAMEPFX: "" on loopback,
# "v-" in the veth servers' namespace, PREFIX entering it).
start_all() {
	# shellcheck disable=SC2086 # $1 is a command prefix
	start "${3}kecho-epoll" $1 "$BIN/kecho" -a "$2" --backend epoll
	if grep -q 'KSF_HAVE_URING 1' "$B/config.h" 2>/dev/null; then
		# shellcheck disable=SC2086
		start "${3}kecho-uring" $1 "$BIN/kecho" -a "$2" --backend uring
		if grep -qi 'fall' "$T/${3}kecho-uring.err"; then
			echo "bench: kecho --backend uring fell back to epoll: $(cat "$T/${3}kecho-uring.err")" >&2
		fi
	fi
	# shellcheck disable=SC2086
	start "${3}epoll_echo" $1 "$B/bench/epoll_echo" -a "$2"
}
start_all "" 127.0.0.1 ""
LOOP_SERVERS=$SERVERS
VNOTE=""
if [ "${BENCH_VETH:-1}" = 0 ]; then
	VNOTE="veth rows: left out (BENCH_VETH=0)."
elif veth_up; then
	start_all "$VSRVX" "$VSADDR" v-
else
	VNOTE="veth rows: skipped: $VSKIP."
	echo "bench: $VNOTE" >&2
fi

# The pinned row (PIN_LOAD): the same servers again, each serving from CPU
# 0 only (kecho -C 0: one worker; epoll_echo under taskset), the client on
# CPU 1 (-P 1). Unpinned, where the scheduler puts the client against the
# server decides the rate at 16 KiB on this machine (two modes, about 60 k
# and 110 k msgs/s for every server, epoll_echo too): the pinned row puts
# every server in the same place. BENCH_PIN=0 leaves it out.
MAIN_SERVERS=$SERVERS PIN_SERVERS=""
PIN_LOAD="-j1 -a32 -l16384"
if [ "${BENCH_PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	start p-kecho-epoll "$BIN/kecho" -a 127.0.0.1 --backend epoll -C 0
	if grep -q 'KSF_HAVE_URING 1' "$B/config.h" 2>/dev/null; then
		start p-kecho-uring "$BIN/kecho" -a 127.0.0.1 --backend uring -C 0
	fi
	start p-epoll_echo taskset -c 0 "$B/bench/epoll_echo" -a 127.0.0.1
	PIN_SERVERS=${SERVERS#"$MAIN_SERVERS"}
fi

# The expected time: every invocation runs at most $SECS s (less when -c
# ends it first), plus its connects and start-up; sockperf adds about 10 s.
nl=$(echo "$LOADS" | wc -w) ns=$(echo "$MAIN_SERVERS" | wc -w) np=$(echo "$PIN_SERVERS" | wc -w)
expected=$(awk -v n=$(((nl * ns + np) * RUNS)) -v t="$SECS" 'BEGIN {
	s = n * (t + 0.05) + 10
	printf "about %d min %02d s (%d echotest runs of <= %s s, then sockperf)", s / 60, s % 60, n, t }')
echo "bench: servers:$MAIN_SERVERS (v-: across the veth pair), pinned:${PIN_SERVERS:- none}; loads: $LOADS; $RUNS rounds of one echotest run per server" \
	"(<= $COUNT msgs/thread or ${SECS}s); expected $expected, then the RPC half" >&2

# Every load: RUNS rounds, each server once per round, the order rotated
# (round 1 in the order started, which is the order of the table's rows).
: > "$T/raw"
note_sp=""
for ld in $LOADS; do
	args=$(echo "$ld" | tr ':' ' ')
	rnd=1
	while [ $rnd -le "$RUNS" ]; do
		progress=""
		# shellcheck disable=SC2086 # a list of names
		for s in $(rotate $((rnd - 1)) $MAIN_SERVERS); do
			run1 "$s" "$args" $rnd
		done
		echo "bench: $args round $rnd/$RUNS: ${progress#, }" >&2
		rnd=$((rnd + 1))
	done
done
rnd=1
while [ -n "$PIN_SERVERS" ] && [ $rnd -le "$RUNS" ]; do
	progress=""
	# shellcheck disable=SC2086 # a list of names
	for s in $(rotate $((rnd - 1)) $PIN_SERVERS); do
		run1 "$s" "$PIN_LOAD -P 1" $rnd "$PIN_LOAD pinned"
	done
	echo "bench: $PIN_LOAD pinned round $rnd/$RUNS: ${progress#, }" >&2
	rnd=$((rnd + 1))
done

# sockperf ping-pong, when it is installed or installable (Debian package).
have_sockperf() {
	command -v sockperf >/dev/null 2>&1 && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "bench: installing sockperf (apt-get install -y sockperf)" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y sockperf >/dev/null 2>&1 ||
			{ apt-get update >/dev/null 2>&1 &&
			  DEBIAN_FRONTEND=noninteractive apt-get install -y sockperf >/dev/null 2>&1; }
	fi
	command -v sockperf >/dev/null 2>&1
}
: > "$T/sockperf"
# sp_row LABEL PORT: one sockperf ping-pong run; a table row, or 1 if
# sockperf counted no replies.
sp_row() {
	timeout 30 sockperf ping-pong --tcp --full-rtt -i 127.0.0.1 -p "$2" -t 3 > "$T/sp.out" 2>&1
	grep -q 'No messages were received' "$T/sp.out" && return 1
	avg=$(sed -n 's/.*avg-rtt=\([0-9.]*\).*/\1/p' "$T/sp.out" | head -n 1)
	med=$(sed -n 's/.*percentile 50.000 = *\([0-9.]*\).*/\1/p' "$T/sp.out" | head -n 1)
	echo "| $1 | ${avg:--} | ${med:--} |" >> "$T/sockperf"
}
if have_sockperf; then
	echo "bench: sockperf ping-pong" >&2
	for s in $LOOP_SERVERS; do
		sp_row "$s" "$(port "$s")" && continue
		# sockperf's client drops replies that still carry its own
		# "client" header flag, which a byte-for-byte echo returns
		# unchanged: it only measures against sockperf's own server.
		echo "| $s | n/a | n/a |" >> "$T/sockperf"
		echo "| (others) | n/a | n/a |" >> "$T/sockperf"
		note_sp="n/a: sockperf's client ignores byte-for-byte echoes (its replies must come from sockperf's server)."
		break
	done
	# sockperf's own server as a reference for the loopback round trip.
	# It cannot pick a free port itself: borrow one from epoll_echo.
	start sp-port "$B/bench/epoll_echo" -a 127.0.0.1
	spp=$(port sp-port)
	kill -TERM "$(pid sp-port)"; wait "$(pid sp-port)"; SERVERS=${SERVERS% sp-port}
	sockperf server --tcp -i 127.0.0.1 -p "$spp" > "$T/sps.out" 2>&1 &
	sps=$!
	sleep 1
	sp_row "sockperf server (reference)" "$spp" ||
		echo "| sockperf server (reference) | failed | - |" >> "$T/sockperf"
	kill -TERM $sps 2>/dev/null; wait $sps 2>/dev/null
else
	note_sp="sockperf not installed (apt-get install sockperf, as root): skipped."
fi

# Stop the servers; each must exit 0 on SIGTERM.
for s in $SERVERS; do
	p=$(pid "$s")
	kill -TERM "$p"
	n=200
	while kill -0 "$p" 2>/dev/null && [ $n -gt 0 ]; do
		st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$p/status" 2>/dev/null)
		[ "$st" = Z ] && break
		sleep 0.1; n=$((n - 1))
	done
	if [ $n = 0 ]; then
		echo "bench: $s still running 20 s after SIGTERM: killing it" >&2
		kill -KILL "$p"
	fi
	wait "$p"; rc=$?
	[ $rc = 0 ] || { echo "bench: $s exited $rc on SIGTERM" >&2; errors=$((errors + 1)); }
done
SERVERS=""
veth_down

# The report.
{
	echo "## ksf bench: kecho vs epoll_echo over loopback and a veth pair"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)); Linux $(uname -r)."
	echo "Servers are compared within the same moments: all run at once and each load is measured in"
	echo "$RUNS rounds; in a round every server takes one \`echotest -c $COUNT -t $SECS -i 1 <load> ADDR\`,"
	echo "the order rotated each round. net \"loopback\": 127.0.0.1; \"veth\": client and servers in two"
	echo "network namespaces joined by a veth pair (MTU 1500), as two hosts, in the same rounds."
	echo "msgs/s, p50, p99, server CPU per message (utime+stime of the server process over the"
	echo "invocation, in 1/$HZ s ticks, divided by the messages echoed) and client CPU per message"
	echo "(echotest's utime+stime over its whole run, start-up and connects included, divided the same"
	echo "way) are medians over the rounds; \"msgs/s vs epoll_echo\" is the median of the per-round"
	echo "ratios (server vs epoll_echo over the same net, measured in the same round), which cancels the"
	echo "machine's changes of speed between rounds. Client and servers share the same $(nproc) CPUs."
	[ -n "$VNOTE" ] && echo "$VNOTE"
	[ -n "$PIN_SERVERS" ] && echo "Rows \"pinned\": every server serves from CPU 0 only (kecho -C 0, one worker; epoll_echo under" &&
		echo "taskset -c 0), echotest -P 1, in rounds of their own after the other loads. Unpinned, where the" &&
		echo "scheduler places the client against the server decides the 16 KiB rate here (two modes for every server)."
	echo
	echo "| net | server | load | msgs/s | p50 µs | p99 µs | server CPU µs/msg | client CPU µs/msg | msgs/s vs epoll_echo |"
	echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
	awk -F'\t' -v runs="$RUNS" -v hz="$HZ" -v dat="$B/bench-echo.tsv" "$(cat "$ROOT/bench/rounds.awk")"'
		# $T/raw: server net load round ok|fail msgs/s p50 p90 p99 p99.9 msgs ticks client-us
		{
			k = $1 SUBSEP $2 SUBSEP $3
			if (!(k in seen)) { seen[k] = ++nrow; key[nrow] = k; srv[nrow] = $1; net[nrow] = $2; load[nrow] = $3 }
			if ($5 != "ok") { failed[k]++; next }
			r = $4
			v["rate", k, r] = $6 + 0; v["p50", k, r] = $7 + 0; v["p90", k, r] = $8 + 0
			v["p99", k, r] = $9 + 0; v["p999", k, r] = $10 + 0
			if ($11 > 0 && $12 != "-") v["cpu", k, r] = $12 * 1e6 / hz / $11
			if ($11 > 0 && $13 != "-") v["ccpu", k, r] = $13 / $11
		}
		END {
			printf "" > dat
			for (i = 1; i <= nrow; i++) {
				k = key[i]
				printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", net[i], srv[i], load[i],
					fmt(med("rate", k), "%.0f"), fmt(med("p50", k), "%.1f"),
					fmt(med("p99", k), "%.1f"), fmt(med("cpu", k), "%.2f"),
					fmt(med("ccpu", k), "%.2f"),
					fmt(rmed("rate", k, "epoll_echo" SUBSEP net[i] SUBSEP load[i]), "%.2f")
				printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", net[i], srv[i], load[i],
					fmt(med("rate", k), "%.0f"), fmt(med("p50", k), "%.1f"), fmt(med("p90", k), "%.1f"),
					fmt(med("p99", k), "%.1f"), fmt(med("p999", k), "%.1f") > dat
			}
			for (i = 1; i <= nrow; i++)
				if (failed[key[i]]) {
					if (!nf++) print ""
					printf "Failed: %s %s %s in %d of %d rounds (left out of its medians).\n",
						srv[i], net[i], load[i], failed[key[i]], runs
				}
		}' "$T/raw"
	echo
	if [ -s "$T/sockperf" ]; then
		echo "\`sockperf ping-pong --tcp --full-rtt -t 3\` (round trip, µs):"
		echo
		echo "| server | avg | p50 |"
		echo "| --- | ---: | ---: |"
		cat "$T/sockperf"
		echo
	fi
	[ -n "${note_sp:-}" ] && echo "sockperf: $note_sp"
} > "$B/bench.md"
rm -f "$B/bench-echo-rate.png" "$B/bench-echo-latency.png"
sh "$ROOT/bench/plot.sh" "$B/bench-echo.tsv" "$B/bench-echo" msgs/s "kecho vs epoll_echo" &&
	[ -f "$B/bench-echo-rate.png" ] && { echo; echo "Pictures: bench-echo-rate.png, bench-echo-latency.png (beside this file)."; } >> "$B/bench.md"
cat "$B/bench.md"
other_halves
