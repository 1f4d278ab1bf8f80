#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A client half-closes (SHUT_WR) right after sending 24 calls, most of them
# READ, WRITE and COMMIT, which run on krpc's helper threads: every call is
# still answered (the connection waits for them: ksf_conn_hold), then krpc
# closes with an orderly EOF. Also with --helpers 0 (all on the worker).
. "$(dirname "$0")/rpclib.sh"

have python3 || skip "python3 not installed"
[ "$(id -u)" = 0 ] || skip "krpc needs CAP_DAC_READ_SEARCH: run as root"
EXP=$T/export
mkdir -p "$EXP" "$T/state"
for helpers in 4 0; do
	start_krpc --export "$EXP" --state-dir "$T/state" --no-root-squash --helpers $helpers
	for round in 1 2 3; do
		timeout 60 python3 "$(dirname "$0")/nfs_halfclose.py" "$PORT" "$EXP" > "$T/py.out" 2>&1 ||
			{ cat "$T/py.out"; fail "--helpers $helpers, round $round: a call went unanswered"; }
	done
	note "--helpers $helpers: $(cat "$T/py.out")"
	stop_krpc_ok
	expect_rstat system_err -eq 0
	# WRITE, COMMIT (a cached READ may run inline): offloaded to a
	# helper, or deferred to their file operation's completion
	[ "$helpers" = 0 ] || [ $(($(rstat offloaded) + $(rstat deferred))) -ge 36 ] ||
		fail "offloaded + deferred < 36: $RSTATS"
done
