#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Restart at once after kill -9 (issue 8, item 6): a supervisor restarting a
# crashed kecho or krpc on the same port must not get EADDRINUSE. On
# io_uring the dead process's ring teardown can hold its listeners for a few
# milliseconds after the process is gone; the new server waits for them
# (bounded, logged) instead of failing. First that wait, made
# deterministic: a plain listener that goes away 0.3 s after the new kecho
# is started. Then five kill-and-restart rounds each of kecho and krpc.
. "$(dirname "$0")/lib.sh"

"$TESTS/conncheck" listen 127.0.0.1 0 20 > "$T/holder.out" 2>&1 &
HP=$!; track "$HP"
wait_for 10 grep -q '^listening on ' "$T/holder.out" || fail "conncheck listen did not start"
P=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$T/holder.out")
(sleep 0.3; kill "$HP") &	# the port frees up while kecho starts
start_server kecho '^listening on 127' 1 "$BIN/kecho" -p "$P" --backend "$KSF_BACKEND" -a 127.0.0.1
note "$(grep -i 'in use' "$KERR" || echo "kecho found port $P free at once (slow start)")"
stop_kecho_ok

# restart_rounds PROG [args]: PROG on a fixed port, killed and restarted.
restart_rounds() {
	prog=$1; shift
	SERVER=$prog
	start_server "$prog" '^listening on 127' 1 "$BIN/$prog" -p 0 --backend "$KSF_BACKEND" \
		-a 127.0.0.1 "$@"
	P=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$KOUT" | head -n 1)
	for i in 1 2 3 4 5; do
		# clients connected at the kill (krpc does not echo: it only holds one)
		if [ "$prog" = kecho ]; then
			"$TESTS/conncheck" maxconns 127.0.0.1 "$P" 4 > /dev/null 2>&1 || true
		else
			"$TESTS/noread" -n 1000 -s 0.1 -h 2 127.0.0.1 "$P" > /dev/null 2>&1 &
			track $!
			sleep 0.2
		fi
		kill -KILL "$KPID"
		wait "$KPID" 2>/dev/null
		start_server "$prog" '^listening on 127' 1 "$BIN/$prog" -p "$P" \
			--backend "$KSF_BACKEND" -a 127.0.0.1 "$@"
		grep -i 'in use' "$KERR" | head -n 1
	done
	[ "$prog" = kecho ] || return 0
	"$TESTS/conncheck" maxconns 127.0.0.1 "$P" 2 > "$T/last.out" ||
		fail "the last kecho did not serve: $(cat "$T/last.out")"
	stop_kecho_ok
	kerr_clean
}

restart_rounds kecho
note "kecho: 5 restarts after kill -9 on port $P"
restart_rounds krpc --no-udp
note "krpc: 5 restarts after kill -9 on port $P"
KSTOPPING=1
kill -TERM "$KPID"
wait_exit "$KPID" 20 || { show_kerr "exit $?"; fail "krpc did not exit 0 after SIGTERM"; }
kerr_clean
exit 0
