#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# 1,000 concurrent connections: tests/integ/manyconn.c opens them all at
# once, sends a distinct message on each and verifies its echo, then does a
# second round on all of them while all are still open. kecho must have
# accepted and (after the client closes) closed every one.
. "$(dirname "$0")/lib.sh"

N=1000
# kecho needs a descriptor per connection, plus its listeners and rings.
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 4096 ] ||
	ulimit -n 4096 2>/dev/null || skip "cannot raise the open files limit to 4096"
start_kecho
"$TESTS/manyconn" -n $N -r 2 -t 120 127.0.0.1 "$PORT" || fail "manyconn failed"
stop_kecho_ok
kerr_clean
acc=$(kstat conns_accepted); cl=$(kstat conns_closed)
[ "$acc" -ge $N ] || fail "kecho accepted $acc connections, expected >= $N"
[ "$acc" = "$cl" ] || fail "kecho accepted $acc but closed $cl connections"
[ "$(kstat bytes_in)" = "$(kstat bytes_out)" ] || fail "bytes_in != bytes_out"
exit 0
