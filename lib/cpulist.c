// SPDX-License-Identifier: BSD-2-Clause
/* Parsing of CPU lists ("0-3,6") and backend names, shared by every program. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ksf/pool.h>

static int parse_uint(const char **p, int *out)
{
	char *end;
	long v;

	if (**p < '0' || **p > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(*p, &end, 10);
	if (errno || v >= 4096)
		return -ERANGE;
	*p = end;
	*out = (int)v;
	return 0;
}

int ksf_cpulist_parse(const char *s, int *cpus, int max)
{
	int n = 0, lo, hi, err;

	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		if ((err = parse_uint(&s, &lo)))
			return err;
		hi = lo;
		if (*s == '-') {
			s++;
			if ((err = parse_uint(&s, &hi)))
				return err;
			if (hi < lo)
				return -EINVAL;
		}
		for (int c = lo; c <= hi; c++) {
			if (n == max)
				return -E2BIG;
			cpus[n++] = c;
		}
		if (*s == '\0')
			return n;
		if (*s++ != ',')
			return -EINVAL;
	}
}

int ksf_backend_parse(const char *s)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "epoll"))
		return KSF_BACKEND_EPOLL;
	if (!strcmp(s, "uring") || !strcmp(s, "io_uring"))
		return KSF_BACKEND_URING;
	if (!strcmp(s, "auto"))
		return KSF_BACKEND_AUTO;
	return -EINVAL;
}

const char *ksf_backend_name(enum ksf_backend b)
{
	switch (b) {
	case KSF_BACKEND_EPOLL: return "epoll";
	case KSF_BACKEND_URING: return "uring";
	default: return "auto";
	}
}
