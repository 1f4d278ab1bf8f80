#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# `make bench`: kecho side by side with a plain single-threaded epoll echo
# server (bench/epoll_echo.c), all driven by echotest over loopback in one
# run, plus sockperf ping-pong where it can be used.
#
#   sh bench/run.sh BUILD_DIR
#
# Starts kecho --backend epoll, kecho --backend uring (when built with
# io_uring) and epoll_echo, each on an ephemeral 127.0.0.1 port, then for
# each load runs echotest against each server in turn (-i BENCH_RUNS runs of
# at most BENCH_COUNT messages per thread or BENCH_SECONDS seconds each) and
# reads the server's CPU time (utime + stime from /proc/PID/stat) around it.
# Prints a markdown table (median msgs/s and RTT over runs, server CPU per
# message, throughput relative to epoll_echo) and writes it to
# BUILD_DIR/bench.md. Speed is reported here, never asserted. Takes about
# two minutes with the defaults.
set -u

B=$(cd "${1:-build}" && pwd) || exit 2
BIN=$B/bin
SECS=${BENCH_SECONDS:-3}
RUNS=${BENCH_RUNS:-3}
COUNT=${BENCH_COUNT:-200000}
LOADS=${BENCH_LOADS:-"-j1:-a1:-l64 -j1:-a32:-l64 -j2:-a32:-l64 -j1:-a32:-l16384"}
HZ=$(getconf CLK_TCK)

for f in "$BIN/kecho" "$BIN/echotest" "$B/bench/epoll_echo"; do
	[ -x "$f" ] || { echo "bench: $f not built (run make)" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/ksf-bench.XXXXXX") || exit 1
SERVERS=""
cleanup() {
	for s in $SERVERS; do
		kill -KILL "$(cat "$T/$s.pid")" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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
# CPU time of a process (all threads), in clock ticks.
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# json_get FILE KEY: a number from the "summary" object of echotest --json.
json_get() {
	tr -d '\n' < "$1" | sed 's/.*"summary"//' |
		sed -n "s/.*\"$2\": *\([-0-9.eE+]*\).*/\1/p"
}
# json_total_msgs FILE: messages summed over all runs.
json_total_msgs() {
	tr -d '\n' < "$1" | sed 's/"summary".*//' | grep -o '"msgs": *[0-9]*' |
		awk -F: '{ s += $2 } END { print s + 0 }'
}

start kecho-epoll "$BIN/kecho" -a 127.0.0.1 --backend epoll
if grep -q 'KSF_HAVE_URING 1' "$B/config.h" 2>/dev/null; then
	start kecho-uring "$BIN/kecho" -a 127.0.0.1 --backend uring
	if grep -qi 'fall' "$T/kecho-uring.err"; then
		echo "bench: kecho --backend uring fell back to epoll: $(cat "$T/kecho-uring.err")" >&2
	fi
fi
start epoll_echo "$B/bench/epoll_echo" -a 127.0.0.1

echo "bench: servers:$SERVERS; loads: $LOADS; $RUNS runs of <= $COUNT msgs/thread or ${SECS}s each" >&2
: > "$T/results"
errors=0 note_sp=""
for load in $LOADS; do
	args=$(echo "$load" | tr ':' ' ')
	for s in $SERVERS; do
		c0=$(cpu_ticks "$(pid "$s")")
		# shellcheck disable=SC2086 # $args is a list of flags
		if "$BIN/echotest" --json -q $args -c "$COUNT" -t "$SECS" -i "$RUNS" \
		    -p "$(port "$s")" 127.0.0.1 > "$T/et.json" 2> "$T/et.err"; then
			c1=$(cpu_ticks "$(pid "$s")")
			rate=$(json_get "$T/et.json" msgs_per_s)
			p50=$(json_get "$T/et.json" rtt_p50_us)
			p99=$(json_get "$T/et.json" rtt_p99_us)
			msgs=$(json_total_msgs "$T/et.json")
			cpu=$(awk -v d=$((c1 - c0)) -v hz="$HZ" -v m="$msgs" \
				'BEGIN { if (m > 0) printf "%.2f", d * 1e6 / hz / m; else print "-" }')
			echo "bench: $s $args: $rate msg/s, p50 $p50 us, p99 $p99 us, $cpu us CPU/msg" >&2
		else
			errors=$((errors + 1))
			echo "bench: echotest $args against $s failed:" >&2
			cat "$T/et.err" >&2
			rate=- p50=- p99=- cpu=-
		fi
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$args" "$rate" "$p50" "$p99" "$cpu" >> "$T/results"
	done
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
	for s in $SERVERS; do
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

# The report.
{
	echo "## ksf bench: kecho vs epoll_echo over loopback"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)); Linux $(uname -r)."
	echo "Each row: \`echotest -c $COUNT -t $SECS -i $RUNS <load> 127.0.0.1\`; msgs/s and RTT are medians"
	echo "over the $RUNS runs; server CPU is utime+stime of the server process over all runs"
	echo "divided by the messages echoed. The client shares the same $(nproc) CPUs."
	echo
	echo "| server | load | msgs/s | p50 µs | p99 µs | server CPU µs/msg | msgs/s vs epoll_echo |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
	awk -F'\t' '
		function num(v, fmt) { return v == "-" ? "-" : sprintf(fmt, v) }
		{ srv[NR] = $1; load[NR] = $2; rate[NR] = $3; p50[NR] = $4; p99[NR] = $5; cpu[NR] = $6
		  if ($1 == "epoll_echo") base[$2] = $3 }
		END {
			for (i = 1; i <= NR; i++) {
				b = base[load[i]]
				r = "-"
				if (rate[i] != "-" && b != "" && b != "-" && b > 0)
					r = sprintf("%.2f", rate[i] / b)
				printf "| %s | %s | %s | %s | %s | %s | %s |\n", srv[i], load[i],
					num(rate[i], "%.0f"), num(p50[i], "%.1f"), num(p99[i], "%.1f"), cpu[i], r
			}
		}' "$T/results"
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
cat "$B/bench.md"
sh "$(dirname "$0")/rpc_run.sh" "$B" || errors=$((errors + 1))
[ $errors = 0 ] || { echo "bench: $errors errors" >&2; exit 1; }
exit 0
