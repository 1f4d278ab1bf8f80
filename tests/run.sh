#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The test runner behind `make test` and `make asan`:
#
#   sh tests/run.sh BUILD_DIR [PATTERN]
#
# Runs every unit test binary BUILD_DIR/tests/test-* (timeout
# KSF_UNIT_TIMEOUT, default 120 s), then every tests/integ/*.sh once per
# backend (epoll, uring) with KSF_BACKEND, B, BIN and TESTS set (timeout
# KSF_TEST_TIMEOUT, default 180 s). PATTERN, if given, keeps only tests
# whose name contains it. Exit status 77 from a test means SKIP.
#
# Each test runs in its own session and process group, which is killed
# afterwards, so a failed test cannot leave a server behind. Prints
# PASS/FAIL/SKIP per test (the last 30 lines of output of a failure), then
# "N skipped" and, as the very last line, "N passed, N failed". Exits
# non-zero iff a test failed.
set -u

[ $# -ge 1 ] || { echo "usage: sh tests/run.sh BUILD_DIR [PATTERN]" >&2; exit 2; }
[ -d "$1" ] || { echo "tests/run.sh: no build directory $1" >&2; exit 2; }
B=$(cd "$1" && pwd)
PAT=${2:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
UNIT_TIMEOUT=${KSF_UNIT_TIMEOUT:-120}
TEST_TIMEOUT=${KSF_TEST_TIMEOUT:-180}
BACKENDS=${KSF_BACKENDS:-epoll uring}

export B BIN="$B/bin" TESTS="$B/tests"
# Sanitizer builds: fail on the first report, with stacks.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

LOGS=$(mktemp -d "${TMPDIR:-/tmp}/ksf-run.XXXXXX") || exit 1
pid=""	# process group of the test running now
trap 'rm -rf "$LOGS"' EXIT
trap '[ -n "$pid" ] && kill_group "$pid"; exit 130' INT TERM

passed=0 failed=0 skipped=0 failures=""

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

matches() { [ -z "$PAT" ] && return 0; case $1 in *"$PAT"*) return 0;; esac; return 1; }

# kill_group PGID: end whatever the test left running.
kill_group() {
	kill -TERM "-$1" 2>/dev/null || return 0
	sleep 0.2
	kill -KILL "-$1" 2>/dev/null
	return 0
}

# run_one LABEL TIMEOUT CMD...: run CMD with a timeout in its own process
# group, with its output in a log, and report the outcome.
run_one() {
	label=$1 tmo=$2; shift 2
	log="$LOGS/$(echo "$label" | tr -c 'A-Za-z0-9_.-' '_').log"
	t0=$(now); s0=$(date +%s)
	# setsid: new session and process group (pid == pgid), so the whole
	# group can be killed; timeout -k signals that group when time is up.
	setsid timeout -k 10 "$tmo" "$@" >"$log" 2>&1 </dev/null &
	pid=$!
	wait "$pid"; rc=$?
	t=$(elapsed "$t0")
	kill_group "$pid"
	pid=""
	case $rc in
	0)	passed=$((passed + 1)); echo "PASS $label ($t)" ;;
	77)	skipped=$((skipped + 1))
		why=$(grep -m1 '^SKIP' "$log" | sed 's/^SKIP:* *//')
		echo "SKIP $label${why:+ ($why)}" ;;
	*)	failed=$((failed + 1)); failures="$failures
  $label"
		if { [ "$rc" = 124 ] || [ "$rc" = 137 ]; } && [ $(($(date +%s) - s0)) -ge "$tmo" ]; then
			echo "FAIL $label (timed out after ${tmo}s)"
		else
			echo "FAIL $label (exit $rc, $t)"
		fi
		tail -n 30 "$log" | sed 's/^/    | /' ;;
	esac
}

# Unit tests.
for u in "$B"/tests/test-*; do
	[ -x "$u" ] && [ -f "$u" ] || continue
	case $u in *.d|*.o) continue;; esac
	name=$(basename "$u")
	matches "$name" || continue
	run_one "$name" "$UNIT_TIMEOUT" "$u"
done

# Integration tests, once per backend.
have_uring=0
grep -q 'KSF_HAVE_URING 1' "$B/config.h" 2>/dev/null && have_uring=1
for s in "$ROOT"/tests/integ/*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	case $name in *lib) continue ;; esac	# helpers sourced by tests, not tests
	matches "$name" || continue
	for be in $BACKENDS; do
		if [ "$be" = uring ] && [ $have_uring = 0 ]; then
			skipped=$((skipped + 1))
			echo "SKIP $name [uring] (built without io_uring: KSF_HAVE_URING 0 in $B/config.h)"
			continue
		fi
		run_one "$name [$be]" "$TEST_TIMEOUT" env KSF_BACKEND="$be" sh "$s"
	done
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
