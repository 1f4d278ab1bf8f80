// SPDX-License-Identifier: BSD-2-Clause
/* Strict number parsing for command lines (see include/ksf/parse.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ksf/parse.h>

static int parse_with_suffix(const char *s, uint64_t min, uint64_t max, uint64_t *out,
			     uint64_t unit)
{
	unsigned long long v;
	uint64_t mul = 1;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (unit > 1) {
		switch (*end) {
		case 'k': case 'K': mul = unit; end++; break;
		case 'm': case 'M': mul = unit * unit; end++; break;
		case 'g': case 'G': mul = unit * unit * unit; end++; break;
		}
	}
	if (mul > 1 && unit == 1024 && (!strcasecmp(end, "i") || !strcasecmp(end, "iB") ||
					!strcasecmp(end, "B")))
		end += strlen(end);
	if (*end)
		return -EINVAL;
	if (v > UINT64_MAX / mul)
		return -ERANGE;
	v *= mul;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int ksf_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return parse_with_suffix(s, min, max, out, 1);
}

int ksf_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return parse_with_suffix(s, min, max, out, 1024);
}

int ksf_parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return parse_with_suffix(s, min, max, out, 1000);
}
