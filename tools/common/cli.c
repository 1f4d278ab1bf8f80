// SPDX-License-Identifier: BSD-2-Clause
/*
 * Command-line numbers and the like, shared by the load generators (see
 * cli.h): strict suffix-aware parsers, the run clocks, JSON strings and
 * error messages.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include "cli.h"

#define FRAC_DIGITS_MAX 9	/* keeps frac * multiplier inside 64 bits */

int cli_err(int rc, char *err, size_t errlen, const char *fmt, ...)
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
		return cli_err(-EINVAL, err, errlen, "empty number");
	if (*p < '0' || *p > '9')
		return cli_err(-EINVAL, err, errlen, "'%s' is not a non-negative number", s);
	for (; *p >= '0' && *p <= '9'; p++)
		if (__builtin_mul_overflow(d->ip, 10, &d->ip) ||
		    __builtin_add_overflow(d->ip, (uint64_t)(*p - '0'), &d->ip))
			return cli_err(-ERANGE, err, errlen, "'%s' is too large", s);
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return cli_err(-EINVAL, err, errlen, "'%s': digits must follow '.'", s);
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (d->scale == 1000000000)
				return cli_err(-EINVAL, err, errlen,
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
		return cli_err(-EINVAL, err, errlen, "'%s': unknown suffix '%s' (%s)", s, d.end,
			       unit == CLI_SIZE ? "sizes take K, M, G = KiB, MiB, GiB"
					        : "counts take K, M, G = 10^3, 10^6, 10^9");
	if ((d.frac * mult) % d.scale)
		return cli_err(-EINVAL, err, errlen, "'%s' is not a whole number", s);
	part = d.frac * mult / d.scale;
	if (__builtin_mul_overflow(d.ip, mult, &v) || __builtin_add_overflow(v, part, &v))
		return cli_err(-ERANGE, err, errlen, "'%s' is too large", s);
	if (v < min || v > max)
		return cli_err(-ERANGE, err, errlen, "'%s' is out of range (%llu..%llu)", s,
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
		return cli_err(-EINVAL, err, errlen, "'%s': unknown unit '%s' "
			       "(use s, ms or us; default s)", s, d.end);
	if (__builtin_mul_overflow(d.ip, unit, &v) ||
	    __builtin_add_overflow(v, d.frac * unit / d.scale, &v) || v > max_ns)
		return cli_err(-ERANGE, err, errlen, "'%s' is out of range (at most %.3f s)", s,
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
