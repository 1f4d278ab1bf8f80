# SPDX-License-Identifier: BSD-2-Clause
# Helpers for the integration tests, in the manner of redis' start_server and
# memcached's new_memcached: start the real kecho on an ephemeral loopback
# port, find its port from its "listening on" line, stop it with SIGTERM and
# read its counters line. Sourced (POSIX sh) by tests/integ/*.sh, which
# tests/run.sh runs with B, BIN, TESTS and KSF_BACKEND set.
#
# Exit codes: 0 pass, 1 fail, 77 skip. Every wait polls with a deadline, so a
# slow or noisy machine makes a test slower, never wrong.

set -u

: "${B:=build}"
: "${BIN:=$B/bin}"
: "${TESTS:=$B/tests}"
: "${KSF_BACKEND:=epoll}"

T=$(mktemp -d "${TMPDIR:-/tmp}/ksf-integ.XXXXXX") || exit 1
BGPIDS=""	# every process started in the background, killed at exit
SN=0		# servers started so far (names their output files)

cleanup() {
	for p in $BGPIDS; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

KPID="" KSTOPPING=0
SERVER=kecho	# the server under test, as messages name it (rpclib.sh: krpc)
# fail MSG: end the test as failed; if the server died on its own
# meanwhile, its stderr (a crash report) is the likely reason: shown first.
fail() {
	if [ -n "$KPID" ] && [ "$KSTOPPING" = 0 ] && pid_gone "$KPID"; then
		show_kerr "$SERVER died during the test"
	fi
	echo "FAIL: $*" >&2
	exit 1
}
skip() { echo "SKIP: $*" >&2; exit 77; }
note() { echo "# $*"; }

# track PID: kill PID (if still alive) when the test exits.
track() { BGPIDS="$BGPIDS $1"; }

# Is PID gone (exited, zombie or reaped)?
pid_gone() {
	st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}

# wait_exit PID SECONDS: wait up to SECONDS for PID (a child of this shell)
# to exit and return its exit status. At the deadline a watchdog kills it;
# then WAIT_TIMEDOUT=1 and the status is 124.
wait_exit() {
	WAIT_TIMEDOUT=0
	rm -f "$T/watchdog.fired"
	(
		n=$(($2 * 10))
		while [ "$n" -gt 0 ]; do
			sleep 0.1; n=$((n - 1))
			kill -0 "$1" 2>/dev/null || exit 0
		done
		: > "$T/watchdog.fired"
		kill -KILL "$1" 2>/dev/null
	) &
	wd=$!
	wait "$1"; wrc=$?
	kill "$wd" 2>/dev/null; wait "$wd" 2>/dev/null
	if [ -f "$T/watchdog.fired" ]; then
		WAIT_TIMEDOUT=1
		return 124
	fi
	return "$wrc"
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_for() {
	n=$(($1 * 10)); shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1; n=$((n - 1))
	done
	"$@"
}

rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }
hwm_kb() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }
nfds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

# Was this binary built with AddressSanitizer (make asan)?
is_asan() { grep -qa __asan_init "${1:-$BIN/kecho}"; }

have() { command -v "$1" >/dev/null 2>&1; }

# Is ::1 usable on this machine?
have_ipv6_lo() {
	grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null
}

# The io_uring backend needs io_uring at run time as well as in the build.
if [ "$KSF_BACKEND" = uring ]; then
	d=$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)
	[ "$d" = 0 ] || skip "io_uring disabled (kernel.io_uring_disabled=$d)"
fi

[ -x "$BIN/kecho" ] || fail "$BIN/kecho not built"

# start_server NAME PATTERN COUNT CMD...: start CMD (kecho or krpc and its
# arguments) in the background, output in $T/NAME<n>.out and .err; wait up
# to 10 s for COUNT lines of its stdout matching the grep PATTERN. Sets
# KPID, KOUT, KERR. Fails if it exits first; skips when it fell back from
# io_uring while the uring backend is under test (then this is not a test
# of the uring backend).
start_server() {
	name=$1 pat=$2 want=$3; shift 3
	SN=$((SN + 1))
	KOUT=$T/$name$SN.out; KERR=$T/$name$SN.err
	: > "$KOUT"; : > "$KERR"	# exist before the background child opens them
	"$@" >"$KOUT" 2>"$KERR" </dev/null &
	KPID=$! KSTOPPING=0
	track "$KPID"
	n=100
	while [ "$(grep -c "$pat" "$KOUT")" -lt "$want" ]; do
		if pid_gone "$KPID"; then
			wait "$KPID"; rc=$?
			cat "$KERR" >&2
			fail "$name exited ($rc) before listening: $*"
		fi
		n=$((n - 1))
		if [ "$n" -le 0 ]; then
			cat "$KOUT" "$KERR" >&2
			fail "$name did not print its 'listening on' lines within 10 s"
		fi
		sleep 0.1
	done
	if [ "$KSF_BACKEND" = uring ] && grep -q 'io_uring unavailable' "$KERR"; then
		skip "$(grep -m1 'io_uring unavailable' "$KERR")"
	fi
}

# start_kecho_on ADDR [args...]: start kecho on ADDR, port 0, the backend
# under test, plus args. Waits up to 10 s for one "listening on" line per
# -a given. Sets KPID, PORT (port of the first listener), KOUT, KERR.
start_kecho_on() {
	addr=$1; shift
	naddr=1
	for a in "$@"; do [ "$a" = -a ] && naddr=$((naddr + 1)); done
	start_server kecho '^listening on ' "$naddr" \
		"$BIN/kecho" -p 0 --backend "$KSF_BACKEND" -a "$addr" "$@"
	PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$KOUT" | head -n 1)
	[ -n "$PORT" ] && [ "$PORT" -gt 0 ] ||
		fail "cannot parse port from: $(head -n 1 "$KOUT")"
}

# start_kecho [args...]: kecho on 127.0.0.1 (see start_kecho_on).
start_kecho() { start_kecho_on 127.0.0.1 "$@"; }

# listener_port ADDR: the port kecho printed for ADDR ("127.0.0.1", "[::1]").
listener_port() {
	grep "^listening on $1:" "$KOUT" | sed 's/.*:\([0-9][0-9]*\)$/\1/' | head -n 1
}

# stop_kecho: SIGTERM, wait up to 20 s, return kecho's exit status (124 if
# it had to be killed). Prints kecho's stderr when it did not exit 0.
# Sets KSTATS to its counters line.
stop_kecho() {
	KSTOPPING=1
	kill -TERM "$KPID" 2>/dev/null
	wait_exit "$KPID" 20; rc=$?
	[ "$WAIT_TIMEDOUT" = 1 ] &&
		echo "kecho (pid $KPID) still running 20 s after SIGTERM: killed it" >&2
	KSTATS=$(grep 'kecho: stats ' "$KERR" | tail -n 1)
	[ "$rc" != 0 ] && show_kerr "kecho exited $rc"
	return "$rc"
}

# show_kerr WHY: the server's stderr, ending with the core of any sanitizer
# report (error line and stacks, without the shadow map), so that it is in
# the last lines the runner shows.
show_kerr() {
	echo "--- $SERVER stderr ($1) ---" >&2
	if grep -Eq 'ERROR: [A-Za-z]*Sanitizer|runtime error:' "$KERR"; then
		grep -Ev '^ *0x[0-9a-f]+: |^Shadow|^  [A-Z][A-Za-z ]*: *[0-9a-f ]*$' "$KERR" |
			sed -n '/ERROR: [A-Za-z]*Sanitizer\|runtime error:/,/^SUMMARY/p' | head -n 28 >&2
	else
		tail -n 25 "$KERR" >&2
	fi
}

# stop_kecho_ok: stop_kecho, and fail unless it exited 0 with a stats line.
stop_kecho_ok() {
	stop_kecho || fail "kecho exited $rc after SIGTERM"
	[ -n "$KSTATS" ] || { cat "$KERR" >&2; fail "kecho printed no stats line"; }
	note "$KSTATS"
}

# kstat NAME: a counter from the last stats line (after stop_kecho).
kstat() {
	v=$(printf '%s\n' "$KSTATS" | sed -n "s/.* $1=\([0-9][0-9]*\).*/\1/p")
	[ -n "$v" ] || fail "no counter $1 in stats line: $KSTATS"
	echo "$v"
}

# kerr_clean: kecho's stderr shows no sanitizer report or crash.
kerr_clean() {
	if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error:|Assertion|Segmentation' "$KERR"; then
		show_kerr "sanitizer report or crash"
		fail "kecho stderr shows a sanitizer report or crash"
	fi
}

# Under ASan, freed memory sits in a quarantine (256 MiB by default) that
# counts in RSS; keep it small so memory bounds still mean something.
if is_asan; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
	export ASAN_OPTIONS
fi

# check_plot_dir DIR PROG N COUNT: what -d DIR of echotest or rpctest wrote
# after N runs of COUNT requests each (man/echotest.1, FILES): run-1.dat ..
# run-N.dat, each a comment line "# rtt_us fraction_le count (COUNT
# samples)" and then lines of three numbers, RTTs rising, fractions
# non-decreasing and ending at 1, counts adding up to COUNT; and PROG.gp.
check_plot_dir() {
	[ -f "$1/$2.gp" ] || fail "-d $1: no $2.gp"
	i=1
	while [ "$i" -le "$3" ]; do
		f=$1/run-$i.dat
		[ -f "$f" ] || fail "-d $1: no run-$i.dat"
		awk -v want="$4" '
			NR == 1 { if ($0 != "# rtt_us fraction_le count (" want " samples)") bad = "header: " $0; next }
			NF != 3 || $1 !~ /^[0-9.]+$/ || $2 !~ /^[0-9.]+$/ || $3 !~ /^[0-9]+$/ { bad = "line " NR ": " $0; next }
			$1 + 0 <= last + 0 || $2 + 0 < frac + 0 { bad = "line " NR " out of order: " $0 }
			{ last = $1; frac = $2; sum += $3 }
			END {
				if (!bad && sum != want) bad = "counts add up to " sum ", not " want
				if (!bad && frac + 0 != 1) bad = "last fraction " frac ", not 1"
				if (bad) { print bad; exit 1 }
			}' "$f" || fail "-d $1: run-$i.dat does not parse as documented"
		i=$((i + 1))
	done
}
