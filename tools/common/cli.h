/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the load generators (echotest, rpctest) share on their command line
 * and in their reports:
 *
 *  - strict number parsing with suffixes. Counts take decimal suffixes
 *    (K = 10^3, M = 10^6, G = 10^9: "3M" is 3000000, "1.5K" is 1500), sizes
 *    take binary ones (K = KiB = 2^10, M = MiB = 2^20, G = GiB = 2^30, each
 *    also written Ki/KiB etc., and a bare trailing B is allowed: "64B").
 *    No sign, no spaces, no hex, no silent truncation: a value that is not an
 *    exact integer in range is an error. Durations are seconds with an
 *    optional fraction and an optional unit s, ms or us ("10", "0.5",
 *    "250ms").
 *  - the clocks a run is measured with.
 *  - JSON string literals, and the error messages of the parsers here and
 *    in report.c and target.c.
 *
 * The table and JSON report themselves are report.h's.
 *
 * Parsers return 0 or a negative errno (-EINVAL for bad text, -ERANGE for a
 * number out of range) and then write a one-line message (no newline) into
 * err[errlen] when err is not NULL. Nothing here exits.
 */
#ifndef KSF_TOOLS_CLI_H
#define KSF_TOOLS_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cli_unit {
	CLI_COUNT,	/* K, M, G = 10^3, 10^6, 10^9 */
	CLI_SIZE,	/* K, M, G = 2^10, 2^20, 2^30 (also Ki, KiB, ...) */
};

/* Parse s as an unsigned integer with an optional suffix of the given unit
 * and check min <= value <= max. A fraction is allowed only when the suffix
 * makes the value whole ("1.5M" but not "1.5"). */
int cli_parse_u64(const char *s, enum cli_unit unit, uint64_t min, uint64_t max,
		  uint64_t *out, char *err, size_t errlen);

/* Parse a duration (seconds; see above) into nanoseconds, checking it is at
 * most max_ns. */
int cli_parse_duration(const char *s, uint64_t max_ns, uint64_t *out_ns,
		       char *err, size_t errlen);

/* CLOCK_MONOTONIC in ns, and the CPU time (user + system) of the whole
 * process so far in ns (getrusage(RUSAGE_SELF)). */
uint64_t cli_now_ns(void);
uint64_t cli_cpu_ns(void);

/* Write s as a JSON string literal, quoted and escaped. */
void cli_json_string(FILE *f, const char *s);

/* Format a message into err[errlen] (when err is not NULL and errlen > 0)
 * and return rc: the one way the parsers of tools/common report why. */
int cli_err(int rc, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
