# SPDX-License-Identifier: BSD-2-Clause
# Helpers for the krpc integration tests (tests/integ/rpc-*.sh), on top of
# lib.sh: start the real krpc on an ephemeral loopback port with the backend
# under test, find its TCP and UDP ports from its "listening on" lines, stop
# it with SIGTERM and read its two counters lines:
#
#   krpc: stats conns_accepted=N ... dgrams_in=N ...      (kstat NAME)
#   krpc: rpc calls=N replies=N ... success=N ...         (rstat NAME)
#
# Sourced (POSIX sh) by tests/integ/rpc-*.sh, which tests/run.sh runs with
# B, BIN, TESTS and KSF_BACKEND set. Exit codes: 0 pass, 1 fail, 77 skip.

# tests/run.sh runs every tests/integ/*.sh but lib.sh; run on its own, this
# file is no test.
case $0 in
*rpclib.sh) echo "SKIP: rpclib.sh holds the helpers of the rpc-*.sh tests"; exit 77 ;;
esac

. "$(dirname "$0")/lib.sh"

[ -x "$BIN/krpc" ] || fail "$BIN/krpc not built"

SERVER=krpc	# lib.sh's fail and show_kerr name it

# start_krpc [args...]: krpc -p 0 --backend $KSF_BACKEND -a 127.0.0.1 args
# (run under $KRPC_WRAP, if set). Waits up to 10 s for its TCP and (unless
# --no-udp) UDP listening lines. Sets KPID, PORT (TCP), UPORT (UDP, empty
# with --no-udp), KOUT, KERR.
start_krpc() {
	want=2
	for a in "$@"; do [ "$a" = --no-udp ] && want=1; done
	# shellcheck disable=SC2086 # KRPC_WRAP is a command prefix
	start_server krpc '^listening on \(udp \)\{0,1\}127\.0\.0\.1:' "$want" \
		${KRPC_WRAP:-} "$BIN/krpc" -p 0 --backend "$KSF_BACKEND" -a 127.0.0.1 "$@"
	PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$KOUT" | head -n 1)
	UPORT=$(sed -n 's/^listening on udp 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$KOUT" | head -n 1)
	[ -n "$PORT" ] && [ "$PORT" -gt 0 ] || fail "cannot parse the TCP port from: $(cat "$KOUT")"
	[ "$want" = 1 ] || [ "$UPORT" = "$PORT" ] ||
		fail "UDP port '$UPORT' is not the TCP port $PORT: $(cat "$KOUT")"
}

# stop_krpc: SIGTERM, wait up to 20 s; returns krpc's exit status (124 if
# it had to be killed). Sets KSTATS (the stats line) and RSTATS (the rpc
# line).
stop_krpc() {
	KSTOPPING=1
	kill -TERM "$KPID" 2>/dev/null
	wait_exit "$KPID" 20; rc=$?
	[ "$WAIT_TIMEDOUT" = 1 ] &&
		echo "krpc (pid $KPID) still running 20 s after SIGTERM: killed it" >&2
	KSTATS=$(grep 'krpc: stats ' "$KERR" | tail -n 1)
	RSTATS=$(grep 'krpc: rpc ' "$KERR" | tail -n 1)
	[ "$rc" != 0 ] && show_kerr "krpc exited $rc"
	return "$rc"
}

# stop_krpc_ok: stop_krpc, and fail unless it exited 0 with both lines;
# then fail if its stderr shows a sanitizer report or a crash.
stop_krpc_ok() {
	stop_krpc || fail "krpc exited $rc after SIGTERM"
	[ -n "$KSTATS" ] || { cat "$KERR" >&2; fail "krpc printed no stats line"; }
	[ -n "$RSTATS" ] || { cat "$KERR" >&2; fail "krpc printed no rpc counters line"; }
	note "$KSTATS"
	note "$RSTATS"
	kerr_clean
}

# rstat NAME: a counter from the rpc line (after stop_krpc).
rstat() {
	v=$(printf '%s\n' "$RSTATS" | sed -n "s/.* $1=\([0-9][0-9]*\).*/\1/p")
	[ -n "$v" ] || fail "no counter $1 in rpc line: $RSTATS"
	echo "$v"
}

# expect_rstat NAME OP VALUE, expect_kstat NAME OP VALUE: assert a counter
# of the rpc line or of the stats line, e.g. expect_rstat success -eq 3.
expect_rstat() {
	v=$(rstat "$1")
	test "$v" "$2" "$3" || fail "rpc counter $1=$v, expected $2 $3 ($RSTATS)"
}
expect_kstat() {
	v=$(kstat "$1")
	test "$v" "$2" "$3" || fail "counter $1=$v, expected $2 $3 ($KSTATS)"
}

# The identities lib/rpc promises: every call is answered, refused for
# lack of room, dropped as not a CALL, or dropped as undecodable; and the
# replies are the sum of the outcome counters.
check_rpc_sums() {
	c=$(rstat calls); r=$(rstat replies)
	[ "$c" = $((r + $(rstat nospace) + $(rstat dropped_not_call) + $(rstat garbage))) ] ||
		fail "calls != replies + nospace + dropped_not_call + garbage: $RSTATS"
	s=0
	for k in rpc_mismatch auth_err prog_unavail prog_mismatch proc_unavail \
	    garbage_args system_err success; do
		s=$((s + $(rstat $k)))
	done
	[ "$r" = "$s" ] || fail "replies $r != sum of outcomes $s: $RSTATS"
}

# uaddr PORT: the universal address 127.0.0.1.P1.P2 (RFC 5665 §5.2.3.3).
uaddr() { echo "127.0.0.1.$(($1 / 256)).$(($1 % 256))"; }

# expect_line FILE LINE: FILE has exactly this line.
expect_line() {
	grep -qxF "$2" "$1" || { echo "--- $1:" >&2; cat "$1" >&2; fail "expected the line: $2"; }
}

# tirpc_client ARGS...: tests/integ/tirpc_client.c. Under ASan, without
# the leak check: libtirpc itself leaks a few bytes in clnt_create_vers,
# which is not ours to find.
tirpc_client() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$TESTS/tirpc_client" "$@"
}
