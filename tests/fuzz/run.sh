#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# `make fuzz`: build and run every libFuzzer target tests/fuzz/fuzz-*.c.
#
#   sh tests/fuzz/run.sh BUILD_DIR [PATTERN]
#
# Each target's first line names the library sources it needs:
#
#   // fuzz-srcs: lib/foo.c lib/bar.c
#   // fuzz-libs: -lfoo            (optional second line: libraries to link)
#
# It is built with clang -fsanitize=fuzzer,address,undefined into
# BUILD_DIR/fuzz/NAME and run for FUZZ_SECONDS (default 20) with
# -max_total_time, starting from tests/fuzz/corpus/NAME/ if that exists (a
# scratch copy: the tree is never written). A crash, leak, sanitizer report
# or build failure fails the target; the crashing input is kept as
# BUILD_DIR/fuzz/NAME-crash-*. Everything is SKIPped if clang or its
# libFuzzer runtime is missing. Ends with "N passed, N failed".
set -u

B=${1:-build}
PAT=${2:-}
SECS=${FUZZ_SECONDS:-20}
CC=${FUZZ_CC:-clang}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
mkdir -p "$B/fuzz"
# config.h comes from the Makefile's probe; make sure it exists.
[ -f "$B/config.h" ] || sh scripts/configure.sh "$B" cc >/dev/null
URING_LIBS=$(sed -n 's/^URING_LIBS *:= *//p' "$B/config.mk" 2>/dev/null)

T=$(mktemp -d "${TMPDIR:-/tmp}/ksf-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

targets=$(ls tests/fuzz/fuzz-*.c 2>/dev/null)
if [ -z "$targets" ]; then
	echo "fuzz: no targets (tests/fuzz/fuzz-*.c)"
	exit 0
fi

# Does this clang have the libFuzzer runtime?
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
	> "$T/probe.c"
if ! command -v "$CC" >/dev/null 2>&1 ||
   ! "$CC" -fsanitize=fuzzer,address,undefined -o "$T/probe" "$T/probe.c" >/dev/null 2>&1; then
	n=$(echo "$targets" | wc -w)
	echo "SKIP fuzz: $CC with the libFuzzer runtime is not available (Debian: apt-get install clang libclang-rt-14-dev)"
	echo "$n skipped"
	echo "0 passed, 0 failed"
	exit 0
fi

passed=0 failed=0
CFLAGS="-g -O1 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -fno-omit-frame-pointer
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-Iinclude -Ilib -I$B"
for src in $targets; do
	name=$(basename "$src" .c)
	[ -n "$PAT" ] && case $name in *"$PAT"*) ;; *) continue;; esac
	srcs=$(head -n 1 "$src" | sed -n 's|^// *fuzz-srcs: *||p')
	libs=$(head -n 2 "$src" | sed -n 's|^// *fuzz-libs: *||p')
	bin=$B/fuzz/$name
	log=$T/$name.log
	# shellcheck disable=SC2086 # flag and source lists
	if ! $CC $CFLAGS -o "$bin" "$src" $srcs $libs $URING_LIBS -lpthread > "$log" 2>&1; then
		failed=$((failed + 1))
		echo "FAIL $name (build: $CC ... $src $srcs)"
		tail -n 30 "$log" | sed 's/^/    | /'
		continue
	fi
	corpus=$T/corpus-$name
	mkdir -p "$corpus"
	[ -d "tests/fuzz/corpus/$name" ] && cp -R "tests/fuzz/corpus/$name/." "$corpus/"
	t0=$(date +%s)
	# -max_total_time bounds the run; timeout is the backstop.
	timeout -k 10 $((SECS + 120)) "$bin" -max_total_time="$SECS" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$B/fuzz/$name-" "$corpus" > "$log" 2>&1
	rc=$?
	t=$(($(date +%s) - t0))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc = 0 ]; then
		passed=$((passed + 1))
		echo "PASS $name (${t}s, ${runs:-?} inputs)"
	else
		failed=$((failed + 1))
		echo "FAIL $name (exit $rc after ${t}s; artifacts: $B/fuzz/$name-*)"
		tail -n 30 "$log" | sed 's/^/    | /'
	fi
done
echo "0 skipped"
echo "$passed passed, $failed failed"
[ $failed = 0 ]
