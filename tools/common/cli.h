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
 *  - the per-run result row (messages, bytes, elapsed time, RTT quantiles
 *    from a hist, client CPU per message), the median over runs of each
 *    column, and the two output forms: an aligned text table (a header line,
 *    one line per run, one summary line) and one JSON object.
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
#include "hist.h"

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

/* The columns of a result row, in table order. */
enum cli_col {
	CLI_MSGS,	/* messages (or RPCs) completed, all threads */
	CLI_BYTES,	/* payload bytes echoed back (one direction); JSON only */
	CLI_SECS,	/* elapsed wall-clock seconds */
	CLI_RATE,	/* messages per second */
	CLI_MBIT,	/* payload megabits (10^6) per second, one direction */
	CLI_RTT_MIN,	/* round-trip times in microseconds */
	CLI_RTT_P50,
	CLI_RTT_P90,
	CLI_RTT_P99,
	CLI_RTT_P999,
	CLI_RTT_MAX,
	CLI_RTT_MEAN,
	CLI_CPU,	/* client CPU microseconds per message */
	CLI_NCOLS
};

struct cli_result {
	double v[CLI_NCOLS];
};

/* Compute a result row from what a run measured: msgs and bytes completed,
 * its wall-clock time, the process CPU time it used and the histogram of
 * its round-trip times (ns). Rates are 0 when elapsed_ns or msgs is 0. */
void cli_result_fill(struct cli_result *r, uint64_t msgs, uint64_t bytes,
		     uint64_t elapsed_ns, uint64_t cpu_ns, const struct hist *rtt);

/* Each column of *med is the median of that column over runs[0..n-1] (the
 * mean of the two middle values when n is even). n == 0 gives all zeros.
 * Returns 0 or -ENOMEM. */
int cli_result_median(struct cli_result *med, const struct cli_result *runs,
		      unsigned n);

/* The header line of the table, and one row. label is the first column:
 * the run number, or "med" for the summary. */
void cli_table_header(FILE *f);
void cli_table_row(FILE *f, const char *label, const struct cli_result *r);

/* Write the JSON report as one object:
 *   {"tool": tool, "version": version, "config": <config_cb output>,
 *    "runs": [{"run": 1, <columns>}, ...], "summary": {"runs": n, <columns>}}
 * config_cb (may be NULL, then "config" is omitted) must write one JSON
 * value, normally an object; cli_json_string() helps with strings. The
 * column keys are those listed by cli_col_key(). Ends with a newline. */
void cli_json_report(FILE *f, const char *tool, const char *version,
		     void (*config_cb)(FILE *f, void *arg), void *arg,
		     const struct cli_result *runs, unsigned n,
		     const struct cli_result *summary);

/* Write s as a JSON string literal, quoted and escaped. */
void cli_json_string(FILE *f, const char *s);

/* The table heading and the JSON key of a column. */
const char *cli_col_head(enum cli_col c);
const char *cli_col_key(enum cli_col c);

#endif
