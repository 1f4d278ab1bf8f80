#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A backend that cannot start a connection after open_cb ran (issue 8,
# item 3): with KSF_FAULT_CONN_START=3 (tests only, lib/fault.c) every third
# new connection fails to start, as when EPOLL_CTL_ADD hits
# fs.epoll.max_user_watches or io_uring has no SQE. greetsrv's open_cb has
# queued a greeting by then, so the connection sits on the flush list: it
# must be closed (the client sees it closed, not hanging), close_cb must
# still be called for it (greetsrv exits 1 if opens != closes), and nothing
# may touch its memory after it is freed (ASan in `make asan`).
. "$(dirname "$0")/lib.sh"
SERVER=greetsrv

start_server greetsrv '^listening on ' 1 \
	env KSF_FAULT_CONN_START=3 "$TESTS/greetsrv" -b "$KSF_BACKEND" -w 2 -g 1000
PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$KOUT")
for i in 1 2 3; do
	"$TESTS/conncheck" hold 127.0.0.1 "$PORT" 12 0.2 > "$T/hold.out" 2>&1 ||
		fail "connections left hanging: $(cat "$T/hold.out")"
	note "round $i: $(head -n 1 "$T/hold.out")"
	grep -q 'refused=[1-9]' "$T/hold.out" || fail "no connection failed to start: fault injection off?"
done
KSTOPPING=1
kill -TERM "$KPID"
wait_exit "$KPID" 20; rc=$?
note "$(grep opens= "$KERR")"
[ "$rc" = 0 ] || { show_kerr "exit $rc"; fail "greetsrv exited $rc (opens != closes, or a crash)"; }
kerr_clean
exit 0
