#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# echotest against kecho at several shapes of load: 1-byte and 1 MiB
# messages, 4 threads with 32 in flight, blocking mode, batched sends,
# --nodelay with --busy-poll, -d DIR whose files must parse as documented,
# and --json output that must parse. echotest checks every echoed byte; each run
# must exit 0. At SIGTERM kecho must have echoed every byte it read.
. "$(dirname "$0")/lib.sh"

[ -x "$BIN/echotest" ] || fail "$BIN/echotest not built"
start_kecho

# et ARGS...: run echotest against kecho; it must exit 0. Runs are bounded
# by count, and by -t as a backstop on a slow (sanitizer) build.
et() {
	note "echotest $*"
	"$BIN/echotest" -q -t 60 -p "$PORT" "$@" 127.0.0.1 > "$T/et.out" 2>"$T/et.err"
	rc=$?
	cat "$T/et.out"
	[ $rc = 0 ] || { cat "$T/et.err" >&2; fail "echotest $* exited $rc"; }
}

et -l 1 -c 2000
et -l 1048576 -c 20
et -j 4 -a 32 -c 5000
et -a 0 -c 2000
et -b -a 32 -c 5000
et --nodelay --busy-poll 50 -a 8 -c 5000
et -j 2 -a 8 -l 100000 -c 200 -i 2

# -d DIR: every run's RTT distribution, one line per histogram bucket
# whose counts add up to the run's messages (2 threads x 3000), and the
# gnuplot script; a -d that is not a directory is an error (exit 1).
et -d "$T/plot" -j 2 -a 8 -c 3000 -i 2
check_plot_dir "$T/plot" echotest 2 6000
[ ! -f "$T/plot/run-3.dat" ] || fail "-d wrote a third run of two"
: > "$T/notdir"
"$BIN/echotest" -q -p "$PORT" -d "$T/notdir" -c 10 127.0.0.1 >/dev/null 2>"$T/et.err" &&
	fail "echotest -d on a file succeeded"
grep -q "not a writable directory" "$T/et.err" || fail "echotest -d on a file: $(cat "$T/et.err")"

# --json: one object with runs and summary.
et --json -j 2 -a 4 -c 1000 -i 2
if have python3; then
	python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert isinstance(o.get("runs"), list) and len(o["runs"]) == 2, "runs: %r" % o.get("runs")
s = o.get("summary")
assert isinstance(s, dict), "no summary object"
for r in o["runs"]:
    assert r.get("msgs") == 2000, "run msgs %r, expected 2 threads x 1000" % r.get("msgs")
for k in ("msgs_per_s", "rtt_p50_us", "rtt_p99_us"):
    assert isinstance(s.get(k), (int, float)) and s[k] > 0, "summary %s: %r" % (k, s.get(k))
' "$T/et.out" || fail "echotest --json output does not parse as expected"
elif have jq; then
	jq -e '(.runs | length == 2) and all(.runs[]; .msgs == 2000) and
	       (.summary.msgs_per_s > 0) and (.summary.rtt_p50_us > 0)' "$T/et.out" >/dev/null ||
		fail "echotest --json output does not parse as expected"
else
	grep -q '^{' "$T/et.out" || fail "echotest --json output is not a JSON object"
	note "neither python3 nor jq: --json checked only for its leading brace"
fi

stop_kecho_ok
kerr_clean
in=$(kstat bytes_in); out=$(kstat bytes_out)
[ "$in" = "$out" ] || fail "kecho read $in bytes but echoed $out"
[ "$in" -gt 20971520 ] || fail "kecho read only $in bytes (expected > 20 MiB)"
[ "$(kstat conns_accepted)" = "$(kstat conns_closed)" ] ||
	fail "connections accepted and closed differ at exit"
exit 0
