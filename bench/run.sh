#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# `make bench`: kecho side by side with a plain single-threaded epoll echo
# server (bench/epoll_echo.c), all driven by echotest over loopback in one
# run, plus sockperf ping-pong where it can be used.
#
#   sh bench/run.sh BUILD_DIR
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
# invocation we record msgs/s, p50, p99, messages and the server's
# utime+stime (/proc/PID/stat, all threads) around it. A row's msgs/s, p50,
# p99 and server CPU per message (that round's CPU time / that round's
# messages) are medians over the rounds; "msgs/s vs epoll_echo" is the
# median over the rounds of the per-round ratio (server vs epoll_echo
# measured in the same round), which cancels a change of phase between
# rounds.
#
# Prints a markdown table and writes it to BUILD_DIR/bench.md, then runs the
# RPC half (bench/rpc_run.sh, BUILD_DIR/rpc-bench.md) and the NFS half
# (bench/nfs_run.sh, BUILD_DIR/nfs-bench.md). Speed is reported here, never
# asserted: the exit status is non-zero only when something failed to run.
# The echo half takes about 75 s with the defaults (the expected time is
# printed at the start).
set -u

B=$(cd "${1:-build}" && pwd) || exit 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"
BIN=$B/bin
SECS=${BENCH_SECONDS:-1}
RUNS=${BENCH_RUNS:-5}
COUNT=${BENCH_COUNT:-200000}
LOADS=${BENCH_LOADS:-"-j1:-a1:-l64 -j1:-a32:-l64 -j2:-a32:-l64 -j1:-a32:-l16384"}
HZ=$(getconf CLK_TCK)
case $RUNS in ''|*[!0-9]*|0) echo "bench: BENCH_RUNS must be a positive integer" >&2; exit 2 ;; esac

for f in "$BIN/kecho" "$BIN/echotest" "$B/bench/epoll_echo"; do
	[ -x "$f" ] || { echo "bench: $f not built (run make)" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/ksf-bench.XXXXXX") || exit 1
SERVERS=""
# shellcheck disable=SC2317 # run by the EXIT trap
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

# run1 SERVER LOAD ROUND: one echotest invocation (one round of one row),
# appended to $T/raw as SERVER LOAD ROUND ok|fail msgs/s p50 p99 msgs ticks.
run1() {
	srv=$1 load=$2 round=$3
	spid=$(pid "$srv")
	c0=$(cpu_ticks "$spid")
	# shellcheck disable=SC2086 # $load is a list of flags
	if "$BIN/echotest" --json -q $load -c "$COUNT" -t "$SECS" -i 1 \
	    -p "$(port "$srv")" 127.0.0.1 > "$T/et.json" 2> "$T/et.err" < /dev/null; then
		c1=$(cpu_ticks "$spid")
		rate=$(json_get "$T/et.json" msgs_per_s)
		p50=$(json_get "$T/et.json" rtt_p50_us)
		p99=$(json_get "$T/et.json" rtt_p99_us)
		msgs=$(json_get "$T/et.json" msgs)
		ticks=-; [ -n "$c0" ] && [ -n "$c1" ] && ticks=$((c1 - c0))
		st=ok
		progress="$progress, $srv $(printf '%.0f/s p50 %.1f us' "${rate:-0}" "${p50:-0}")"
	else
		errors=$((errors + 1))
		echo "bench: echotest $load (round $round) against $srv failed:" >&2
		tail -n 5 "$T/et.err" >&2
		st=fail rate=- p50=- p99=- msgs=0 ticks=-
		progress="$progress, $srv failed"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$srv" "$load" "$round" "$st" \
		"${rate:--}" "${p50:--}" "${p99:--}" "${msgs:-0}" "$ticks" >> "$T/raw"
}

start kecho-epoll "$BIN/kecho" -a 127.0.0.1 --backend epoll
if grep -q 'KSF_HAVE_URING 1' "$B/config.h" 2>/dev/null; then
	start kecho-uring "$BIN/kecho" -a 127.0.0.1 --backend uring
	if grep -qi 'fall' "$T/kecho-uring.err"; then
		echo "bench: kecho --backend uring fell back to epoll: $(cat "$T/kecho-uring.err")" >&2
	fi
fi
start epoll_echo "$B/bench/epoll_echo" -a 127.0.0.1

# The expected time: every invocation runs at most $SECS s (less when -c
# ends it first), plus its connects and start-up; sockperf adds about 10 s.
nl=$(echo "$LOADS" | wc -w) ns=$(echo "$SERVERS" | wc -w)
expected=$(awk -v n=$((nl * RUNS * ns)) -v t="$SECS" 'BEGIN {
	s = n * (t + 0.05) + 10
	printf "about %d min %02d s (%d echotest runs of <= %s s, then sockperf)", s / 60, s % 60, n, t }')
echo "bench: servers:$SERVERS; loads: $LOADS; $RUNS rounds of one echotest run per server" \
	"(<= $COUNT msgs/thread or ${SECS}s); expected $expected, then the RPC half" >&2

# Every load: RUNS rounds, each server once per round, the order rotated
# (round 1 in the order started, which is the order of the table's rows).
: > "$T/raw"
errors=0 note_sp=""
for ld in $LOADS; do
	args=$(echo "$ld" | tr ':' ' ')
	rnd=1
	while [ $rnd -le "$RUNS" ]; do
		progress=""
		# shellcheck disable=SC2086 # a list of names
		for s in $(rotate $((rnd - 1)) $SERVERS); do
			run1 "$s" "$args" $rnd
		done
		echo "bench: $args round $rnd/$RUNS: ${progress#, }" >&2
		rnd=$((rnd + 1))
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
	echo "Servers are compared within the same moments: all run at once and each load is measured in"
	echo "$RUNS rounds; in a round every server takes one \`echotest -c $COUNT -t $SECS -i 1 <load> 127.0.0.1\`,"
	echo "the order rotated each round. msgs/s, p50, p99 and server CPU per message (utime+stime of the"
	echo "server process over the invocation, in 1/$HZ s ticks, divided by the messages echoed) are"
	echo "medians over the rounds; \"msgs/s vs epoll_echo\" is the median of the per-round ratios (server"
	echo "vs epoll_echo measured in the same round), which cancels the machine's changes of speed"
	echo "between rounds. The client shares the same $(nproc) CPUs."
	echo
	echo "| server | load | msgs/s | p50 µs | p99 µs | server CPU µs/msg | msgs/s vs epoll_echo |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
	awk -F'\t' -v runs="$RUNS" -v hz="$HZ" "$(cat "$ROOT/bench/rounds.awk")"'
		# $T/raw: server load round ok|fail msgs/s p50 p99 msgs ticks
		{
			k = $1 SUBSEP $2
			if (!(k in seen)) { seen[k] = ++nrow; key[nrow] = k; srv[nrow] = $1; load[nrow] = $2 }
			if ($4 != "ok") { failed[k]++; next }
			r = $3
			v["rate", k, r] = $5 + 0; v["p50", k, r] = $6 + 0; v["p99", k, r] = $7 + 0
			if ($8 > 0 && $9 != "-") v["cpu", k, r] = $9 * 1e6 / hz / $8
		}
		END {
			for (i = 1; i <= nrow; i++) {
				k = key[i]
				printf "| %s | %s | %s | %s | %s | %s | %s |\n", srv[i], load[i],
					fmt(med("rate", k), "%.0f"), fmt(med("p50", k), "%.1f"),
					fmt(med("p99", k), "%.1f"), fmt(med("cpu", k), "%.2f"),
					fmt(rmed("rate", k, "epoll_echo" SUBSEP load[i]), "%.2f")
			}
			for (i = 1; i <= nrow; i++)
				if (failed[key[i]]) {
					if (!nf++) print ""
					printf "Failed: %s %s in %d of %d rounds (left out of its medians).\n",
						srv[i], load[i], failed[key[i]], runs
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
cat "$B/bench.md"
sh "$(dirname "$0")/rpc_run.sh" "$B" || errors=$((errors + 1))
sh "$(dirname "$0")/nfs_run.sh" "$B" || errors=$((errors + 1))
[ $errors = 0 ] || { echo "bench: $errors errors" >&2; exit 1; }
exit 0
