#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# SIGTERM under load: echotest -j 4 -a 32 drives kecho; once its four
# connections are open and traffic flows, SIGTERM kecho. kecho must exit 0
# within the deadline and print its stats line. echotest may fail when the
# server goes away (expected), but must not hang. Then the same with a
# client that has 1 MiB messages in flight.
. "$(dirname "$0")/lib.sh"

[ -x "$BIN/echotest" ] || fail "$BIN/echotest not built"

# under_load ECHOTEST-ARGS...: start kecho, start echotest, SIGTERM kecho
# while it is busy, check both ends.
under_load() {
	start_kecho
	fds0=$(nfds "$KPID")
	"$BIN/echotest" -q -t 30 -c 0 -p "$PORT" "$@" 127.0.0.1 > "$T/et.out" 2>&1 &
	EPID=$!; track $EPID
	# Wait for echotest's connections to be open in kecho (one fd each).
	wait_for 20 sh -c "[ \$(ls /proc/$KPID/fd | wc -l) -ge $((fds0 + 4)) ]" ||
		fail "echotest's connections never showed up in kecho"
	# Let traffic flow for a moment (bytes_in > 0 is checked below).
	sleep 1
	stop_kecho_ok
	kerr_clean
	[ "$(kstat bytes_in)" -gt 0 ] || fail "kecho read nothing before SIGTERM"
	wait_exit $EPID 30; rc=$?
	[ "$WAIT_TIMEDOUT" = 1 ] && { cat "$T/et.out" >&2; fail "echotest hung after kecho exited"; }
	note "echotest exited $rc after the server went away (non-zero is expected)"
	[ "$(kstat conns_accepted)" = "$(kstat conns_closed)" ] ||
		fail "connections accepted and closed differ at exit"
}

under_load -j 4 -a 32 -l 64
under_load -j 4 -a 2 -l 1048576
exit 0
