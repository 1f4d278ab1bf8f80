// SPDX-License-Identifier: BSD-2-Clause
/*
 * Command-line numbers and result reporting shared by the load generators
 * (see cli.h): strict suffix-aware parsers, the run clocks, result rows,
 * medians over runs, and the table and JSON writers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "cli.h"

#define FRAC_DIGITS_MAX 9	/* keeps frac * multiplier inside 64 bits */

static int fail(int rc, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(int rc, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* A decimal number "123" or "1.25" at the start of s: integer part, fraction
 * digits as an integer and 10^(number of fraction digits). */
struct decimal {
	uint64_t ip, frac, scale;
	const char *end;
};

static int parse_decimal(const char *s, struct decimal *d, char *err, size_t errlen)
{
	const char *p = s;

	d->ip = d->frac = 0;
	d->scale = 1;
	if (!s || !*s)
		return fail(-EINVAL, err, errlen, "empty number");
	if (*p < '0' || *p > '9')
		return fail(-EINVAL, err, errlen, "'%s' is not a non-negative number", s);
	for (; *p >= '0' && *p <= '9'; p++)
		if (__builtin_mul_overflow(d->ip, 10, &d->ip) ||
		    __builtin_add_overflow(d->ip, (uint64_t)(*p - '0'), &d->ip))
			return fail(-ERANGE, err, errlen, "'%s' is too large", s);
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return fail(-EINVAL, err, errlen, "'%s': digits must follow '.'", s);
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (d->scale == 1000000000)
				return fail(-EINVAL, err, errlen,
					    "'%s': more than %d digits after '.'", s,
					    FRAC_DIGITS_MAX);
			d->frac = d->frac * 10 + (uint64_t)(*p - '0');
			d->scale *= 10;
		}
	}
	d->end = p;
	return 0;
}

/* The multiplier of a count or size suffix, or 0 when it is not one. */
static uint64_t suffix_mult(const char *sfx, enum cli_unit unit)
{
	static const char letters[] = "kmg";
	const char *l;
	uint64_t m = 1;
	size_t n = strlen(sfx);

	if (unit == CLI_SIZE && n && sfx[n - 1] == 'B')
		n--;			/* "64B", "4KiB" */
	if (n == 0)
		return 1;
	l = *sfx ? strchr(letters, sfx[0] | 0x20) : NULL;
	if (!l)
		return 0;
	if (unit == CLI_SIZE && n == 2 && sfx[1] == 'i')
		n--;			/* "Ki", "MiB" */
	if (n != 1)
		return 0;
	for (long i = 0; i <= l - letters; i++)
		m *= unit == CLI_SIZE ? 1024 : 1000;
	return m;
}

int cli_parse_u64(const char *s, enum cli_unit unit, uint64_t min, uint64_t max,
		  uint64_t *out, char *err, size_t errlen)
{
	struct decimal d;
	uint64_t mult, v, part;
	int rc = parse_decimal(s, &d, err, errlen);

	if (rc)
		return rc;
	mult = suffix_mult(d.end, unit);
	if (!mult)
		return fail(-EINVAL, err, errlen, "'%s': unknown suffix '%s' (%s)", s, d.end,
			    unit == CLI_SIZE ? "sizes take K, M, G = KiB, MiB, GiB"
					     : "counts take K, M, G = 10^3, 10^6, 10^9");
	if ((d.frac * mult) % d.scale)
		return fail(-EINVAL, err, errlen, "'%s' is not a whole number", s);
	part = d.frac * mult / d.scale;
	if (__builtin_mul_overflow(d.ip, mult, &v) || __builtin_add_overflow(v, part, &v))
		return fail(-ERANGE, err, errlen, "'%s' is too large", s);
	if (v < min || v > max)
		return fail(-ERANGE, err, errlen, "'%s' is out of range (%llu..%llu)", s,
			    (unsigned long long)min, (unsigned long long)max);
	*out = v;
	return 0;
}

int cli_parse_duration(const char *s, uint64_t max_ns, uint64_t *out_ns,
		       char *err, size_t errlen)
{
	struct decimal d;
	uint64_t unit, v;
	int rc = parse_decimal(s, &d, err, errlen);

	if (rc)
		return rc;
	if (!strcmp(d.end, "") || !strcmp(d.end, "s"))
		unit = 1000000000;
	else if (!strcmp(d.end, "ms"))
		unit = 1000000;
	else if (!strcmp(d.end, "us"))
		unit = 1000;
	else
		return fail(-EINVAL, err, errlen,
			    "'%s': unknown unit '%s' (use s, ms or us; default s)", s, d.end);
	if (__builtin_mul_overflow(d.ip, unit, &v) ||
	    __builtin_add_overflow(v, d.frac * unit / d.scale, &v) || v > max_ns)
		return fail(-ERANGE, err, errlen, "'%s' is out of range (at most %.3f s)", s,
			    (double)max_ns / 1e9);
	*out_ns = v;
	return 0;
}

uint64_t cli_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t cli_cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000u +
	       ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000u;
}

/* Table heading (NULL: not in the table), JSON key, width and precisions. */
static const struct col {
	const char *head, *key;
	int width, prec, json_prec;
} cols[CLI_NCOLS] = {
	[CLI_MSGS]     = { "msgs",       "msgs",           10, 0, 0 },
	[CLI_BYTES]    = { NULL,         "bytes",           0, 0, 0 },
	[CLI_SECS]     = { "secs",       "elapsed_s",       8, 3, 6 },
	[CLI_RATE]     = { "msg/s",      "msgs_per_s",     10, 0, 1 },
	[CLI_MBIT]     = { "Mbit/s",     "mbit_per_s",      9, 2, 3 },
	[CLI_RTT_MIN]  = { "min_us",     "rtt_min_us",      9, 1, 3 },
	[CLI_RTT_P50]  = { "p50_us",     "rtt_p50_us",      9, 1, 3 },
	[CLI_RTT_P90]  = { "p90_us",     "rtt_p90_us",      9, 1, 3 },
	[CLI_RTT_P99]  = { "p99_us",     "rtt_p99_us",      9, 1, 3 },
	[CLI_RTT_P999] = { "p99.9_us",   "rtt_p999_us",     9, 1, 3 },
	[CLI_RTT_MAX]  = { "max_us",     "rtt_max_us",      9, 1, 3 },
	[CLI_RTT_MEAN] = { "mean_us",    "rtt_mean_us",     9, 1, 3 },
	[CLI_CPU]      = { "cpu_us/msg", "cpu_us_per_msg", 10, 2, 3 },
};

const char *cli_col_head(enum cli_col c)
{
	return c < CLI_NCOLS ? cols[c].head : NULL;
}

const char *cli_col_key(enum cli_col c)
{
	return c < CLI_NCOLS ? cols[c].key : NULL;
}

void cli_result_fill(struct cli_result *r, uint64_t msgs, uint64_t bytes,
		     uint64_t elapsed_ns, uint64_t cpu_ns, const struct hist *rtt)
{
	double secs = (double)elapsed_ns / 1e9;

	memset(r, 0, sizeof(*r));
	r->v[CLI_MSGS] = (double)msgs;
	r->v[CLI_BYTES] = (double)bytes;
	r->v[CLI_SECS] = secs;
	if (elapsed_ns) {
		r->v[CLI_RATE] = (double)msgs / secs;
		r->v[CLI_MBIT] = (double)bytes * 8.0 / secs / 1e6;
	}
	r->v[CLI_RTT_MIN] = (double)hist_min(rtt) / 1e3;
	r->v[CLI_RTT_P50] = (double)hist_quantile(rtt, 0.50) / 1e3;
	r->v[CLI_RTT_P90] = (double)hist_quantile(rtt, 0.90) / 1e3;
	r->v[CLI_RTT_P99] = (double)hist_quantile(rtt, 0.99) / 1e3;
	r->v[CLI_RTT_P999] = (double)hist_quantile(rtt, 0.999) / 1e3;
	r->v[CLI_RTT_MAX] = (double)hist_max(rtt) / 1e3;
	r->v[CLI_RTT_MEAN] = hist_mean(rtt) / 1e3;
	if (msgs)
		r->v[CLI_CPU] = (double)cpu_ns / 1e3 / (double)msgs;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int cli_result_median(struct cli_result *med, const struct cli_result *runs,
		      unsigned n)
{
	double *col;

	memset(med, 0, sizeof(*med));
	if (n == 0)
		return 0;
	col = malloc(n * sizeof(*col));
	if (!col)
		return -ENOMEM;
	for (int c = 0; c < CLI_NCOLS; c++) {
		for (unsigned i = 0; i < n; i++)
			col[i] = runs[i].v[c];
		qsort(col, n, sizeof(*col), cmp_double);
		med->v[c] = n % 2 ? col[n / 2] : (col[n / 2 - 1] + col[n / 2]) / 2;
	}
	free(col);
	return 0;
}

void cli_table_header(FILE *f)
{
	fprintf(f, "%4s", "run");
	for (int c = 0; c < CLI_NCOLS; c++)
		if (cols[c].head)
			fprintf(f, " %*s", cols[c].width, cols[c].head);
	fputc('\n', f);
}

void cli_table_row(FILE *f, const char *label, const struct cli_result *r)
{
	fprintf(f, "%4s", label);
	for (int c = 0; c < CLI_NCOLS; c++)
		if (cols[c].head)
			fprintf(f, " %*.*f", cols[c].width, cols[c].prec, r->v[c]);
	fputc('\n', f);
}

void cli_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void json_columns(FILE *f, const struct cli_result *r)
{
	for (int c = 0; c < CLI_NCOLS; c++)
		fprintf(f, ", \"%s\": %.*f", cols[c].key, cols[c].json_prec, r->v[c]);
}

void cli_json_report(FILE *f, const char *tool, const char *version,
		     void (*config_cb)(FILE *f, void *arg), void *arg,
		     const struct cli_result *runs, unsigned n,
		     const struct cli_result *summary)
{
	fputs("{\n  \"tool\": ", f);
	cli_json_string(f, tool);
	fputs(",\n  \"version\": ", f);
	cli_json_string(f, version);
	if (config_cb) {
		fputs(",\n  \"config\": ", f);
		config_cb(f, arg);
	}
	fputs(",\n  \"runs\": [", f);
	for (unsigned i = 0; i < n; i++) {
		fprintf(f, "%s\n    {\"run\": %u", i ? "," : "", i + 1);
		json_columns(f, &runs[i]);
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"summary\": {\"runs\": %u", n);
	json_columns(f, summary);
	fputs("}\n}\n", f);
}
