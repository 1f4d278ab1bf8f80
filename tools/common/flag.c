// SPDX-License-Identifier: BSD-2-Clause
/*
 * Flags shared by the load generators (see flag.h).
 */
#include <stdio.h>
#include "pin.h"
#include "target.h"
#include "flag.h"

#define DAY_NS (86400ULL * 1000000000ULL)

int flag_bad(const char *prog, const char *flag, const char *why)
{
	fprintf(stderr, "%s: invalid %s value: %s\n", prog, flag, why);
	return -1;
}

int flag_u64(const char *prog, const char *flag, const char *arg, enum cli_unit unit,
	     uint64_t min, uint64_t max, uint64_t *out)
{
	char err[200];

	if (!cli_parse_u64(arg, unit, min, max, out, err, sizeof(err)))
		return 0;
	return flag_bad(prog, flag, err);
}

int flag_uint(const char *prog, const char *flag, const char *arg, uint64_t min,
	      uint64_t max, unsigned *out)
{
	uint64_t v;

	if (flag_u64(prog, flag, arg, CLI_COUNT, min, max, &v))
		return -1;
	*out = (unsigned)v;
	return 0;
}

int flag_u32(const char *prog, const char *flag, const char *arg, uint32_t *out)
{
	uint64_t v;

	if (flag_u64(prog, flag, arg, CLI_COUNT, 0, UINT32_MAX, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int flag_duration(const char *prog, const char *flag, const char *arg, uint64_t min_ns,
		  uint64_t *out)
{
	char err[200];

	if (cli_parse_duration(arg, DAY_NS, out, err, sizeof(err)))
		return flag_bad(prog, flag, err);
	if (*out >= min_ns)
		return 0;
	snprintf(err, sizeof(err), "'%s' is too short (at least %.3f s)", arg,
		 (double)min_ns / 1e9);
	return flag_bad(prog, flag, err);
}

int flag_port(const char *prog, const char *flag, const char *arg, uint16_t *port, int *set)
{
	char err[200];

	if (!target_parse_port(arg, port)) {
		*set = 1;
		return 0;
	}
	snprintf(err, sizeof(err), "'%s' is not a port (1..65535)", arg);
	return flag_bad(prog, flag, err);
}

int flag_pin(const char *prog, const char *flag, const char *arg, int *cpus, int max,
	     int *ncpus)
{
	char err[200];
	int n = pin_parse(arg, cpus, max, err, sizeof(err));

	if (n > 0) {
		*ncpus = n;
		return 0;
	}
	return flag_bad(prog, flag, err);
}

int flag_parse(int argc, char **argv, const char *shortopts, const struct option *longopts,
	       int (*one)(void *o, int c, const char *arg), void *o)
{
	int c, rc;

	opterr = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		rc = one(o, c, optarg);
		if (rc)
			return rc;
	}
	return 0;
}

int flag_busy_poll(const char *prog, const char *arg, uint64_t *ns)
{
	uint64_t us;

	if (flag_u64(prog, "--busy-poll", arg, CLI_COUNT, 0, 10000000, &us))
		return -1;
	*ns = us * 1000;
	return 0;
}
