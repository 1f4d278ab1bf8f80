#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Limits: with --max-conns 4, of 8 open connections exactly 4 are served and
# the others are closed at once (lim_conns counts them), and a new
# connection is served again once those close. With --idle-timeout 1, an
# idle connection is closed by the server (lim_idle) while an active one
# pinging every 200 ms is not. Deadlines only, no timing assertions.
. "$(dirname "$0")/lib.sh"

start_kecho --max-conns 4
"$TESTS/conncheck" maxconns 127.0.0.1 "$PORT" 8 > "$T/mc.out" || {
	cat "$T/mc.out"; fail "conncheck maxconns failed"; }
cat "$T/mc.out"
grep -q '^served=4 refused=4$' "$T/mc.out" ||
	fail "--max-conns 4 with 8 connections: $(head -n 1 "$T/mc.out"), expected served=4 refused=4"
stop_kecho_ok
kerr_clean
[ "$(kstat lim_conns)" -ge 4 ] || fail "lim_conns $(kstat lim_conns), expected >= 4"

start_kecho --idle-timeout 1
"$TESTS/conncheck" idle 127.0.0.1 "$PORT" 3 > "$T/idle.out" || {
	cat "$T/idle.out"; fail "conncheck idle failed"; }
cat "$T/idle.out"
stop_kecho_ok
kerr_clean
[ "$(kstat lim_idle)" -ge 1 ] || fail "lim_idle is 0 after an idle connection was closed"
exit 0
