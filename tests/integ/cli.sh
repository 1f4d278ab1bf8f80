#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The command lines: kecho --help exits 0 and names every flag; unknown
# flags and bad values exit 2 with a message; a port already in use (by
# another program, or by another kecho) is a clear error; echotest --help
# likewise; echotest against a closed port exits 1 with a connect error.
. "$(dirname "$0")/lib.sh"

# expect_exit CODE WHAT CMD...: run CMD, its exit status must be CODE (or,
# with CODE "nz", any non-zero); it must print something on stderr if it
# fails, and end within EXPECT_TIMEOUT (30) seconds.
expect_exit() {
	code=$1 what=$2; shift 2
	timeout -k 5 "${EXPECT_TIMEOUT:-30}" "$@" > "$T/out" 2> "$T/err" </dev/null; rc=$?
	[ $rc = 124 ] && fail "$what: still running after ${EXPECT_TIMEOUT:-30} s"
	case $code in
	nz) [ $rc != 0 ] ;;
	*) [ $rc = "$code" ] ;;
	esac || { cat "$T/out" "$T/err" >&2; fail "$what: exit $rc, expected $code"; }
	if [ $rc != 0 ] && ! [ -s "$T/err" ]; then
		fail "$what: exit $rc without a message on stderr"
	fi
	note "$what: exit $rc: $(head -n 1 "$T/err")$([ -s "$T/err" ] || head -n 1 "$T/out")"
}

# mentions FLAG: the help text in $T/out names FLAG as a whole word.
mentions() { grep -Eq -- "(^|[^A-Za-z-])$1([^A-Za-z-]|\$)" "$T/out"; }

K=$BIN/kecho
expect_exit 0 "kecho --help" "$K" --help
for f in -p -a -w -C --backend --busy-poll --steer --max-conns --outq-high \
    --outq-low --outq-max --max-msg --idle-timeout --drain-ms -v -V -h; do
	mentions "$f" || fail "kecho --help does not mention $f"
done
expect_exit 0 "kecho -h" "$K" -h
expect_exit 0 "kecho -V" "$K" -V
[ -s "$T/out" ] || fail "kecho -V printed nothing"
expect_exit 2 "kecho --bogus" "$K" --bogus
expect_exit 2 "kecho -p 99999" "$K" -p 99999
expect_exit 2 "kecho -p abc" "$K" -p abc
expect_exit 2 "kecho --backend nosuch" "$K" --backend nosuch
expect_exit 2 "kecho --max-conns -1" "$K" --max-conns -1
expect_exit 2 "kecho -w abc" "$K" -w abc
expect_exit 2 "kecho extra argument" "$K" extra
for v in auto: autox -1 auto:0; do
	expect_exit 2 "kecho --batch-wait $v" "$K" --batch-wait "$v"
done

# A port held by another program (a plain listener, no SO_REUSEPORT).
"$TESTS/conncheck" listen 127.0.0.1 > "$T/listen.out" 2>&1 &
LPID=$!; track $LPID
wait_for 10 grep -q '^listening on ' "$T/listen.out" || fail "conncheck listen did not start"
busy=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$T/listen.out")
EXPECT_TIMEOUT=10 expect_exit nz "kecho on a port in use" "$K" --backend "$KSF_BACKEND" -a 127.0.0.1 -p "$busy"
grep -qi 'in use' "$T/err" || fail "kecho on a port in use: message does not say so: $(cat "$T/err")"
kill $LPID

# A port held by another kecho: SO_REUSEPORT must not let a second server
# silently share it.
start_kecho
EXPECT_TIMEOUT=10 expect_exit nz "second kecho on kecho's port" "$K" --backend "$KSF_BACKEND" -a 127.0.0.1 -p "$PORT"
grep -qi 'in use' "$T/err" || fail "second kecho: message does not say the port is in use: $(cat "$T/err")"
stop_kecho_ok

# echotest.
E=$BIN/echotest
[ -x "$E" ] || fail "$E not built"
expect_exit 0 "echotest --help" "$E" --help
for f in -j -a -c -l -i -p -t -b -H -q --json -v -V -h --busy-poll --nodelay; do
	mentions "$f" || fail "echotest --help does not mention $f"
done
expect_exit 2 "echotest --busy-poll x" "$E" --busy-poll x 127.0.0.1
expect_exit 2 "echotest --bogus" "$E" --bogus 127.0.0.1
expect_exit 2 "echotest -j 0" "$E" -j 0 127.0.0.1
expect_exit 2 "echotest -l 0" "$E" -l 0 127.0.0.1
expect_exit 2 "echotest -p 99999" "$E" -p 99999 127.0.0.1
expect_exit 2 "echotest without host" "$E"
# A closed port: the listener above is gone, so nothing listens on $busy.
wait_exit $LPID 10 >/dev/null 2>&1
expect_exit 1 "echotest to a closed port" "$E" -q -c 10 -p "$busy" 127.0.0.1
grep -qiE 'connect|refused' "$T/err" || fail "echotest to a closed port: no connect error: $(cat "$T/err")"
exit 0
