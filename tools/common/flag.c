// SPDX-License-Identifier: BSD-2-Clause
/*
 * Flags shared by the load generators (see flag.h).
 */
#include <stdio.h>
#include <string.h>
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

static int flag_pin(const char *prog, const char *flag, const char *arg, int *cpus, int max,
	     int *ncpus)
{
	char err[200];
	int n;

	if (!strcmp(arg, "none")) {	/* no pinning, whatever the default */
		*ncpus = -1;
		return 0;
	}
	n = pin_parse(arg, cpus, max, err, sizeof(err));

	if (n > 0) {
		*ncpus = n;
		return 0;
	}
	return flag_bad(prog, flag, err);
}

static int flag_busy_poll(const char *prog, const char *arg, uint64_t *ns)
{
	uint64_t us;

	if (flag_u64(prog, "--busy-poll", arg, CLI_COUNT, 0, 10000000, &us))
		return -1;
	*ns = us * 1000;
	return 0;
}

void load_defaults(struct load_opts *l, uint16_t port)
{
	memset(l, 0, sizeof(*l));
	l->port = port;
	l->threads = 1;
	l->inflight = 1;
	l->count = 100000;
	l->runs = 1;
	l->stall_ns = 10 * 1000000000ULL;
}

int load_opt(const char *prog, struct load_opts *l, int c, const char *arg)
{
	switch (c) {
	case 'j': return flag_uint(prog, "-j", arg, 1, ENG_MAX_THREADS, &l->threads);
	case 'a': return flag_uint(prog, "-a", arg, 0, LOAD_MAX_INFLIGHT, &l->inflight);
	case 'c': return flag_u64(prog, "-c", arg, CLI_COUNT, 0, 1000000000000000ULL,
				  &l->count);
	case 'i': return flag_uint(prog, "-i", arg, 1, LOAD_MAX_RUNS, &l->runs);
	case 't': return flag_duration(prog, "-t", arg, 0, &l->time_ns);
	case LOAD_OPT_STALL: return flag_duration(prog, "--stall", arg, 1000000, &l->stall_ns);
	case 'p': return flag_port(prog, "-p", arg, &l->port, &l->port_set);
	case 'P': return flag_pin(prog, "-P", arg, l->cpus, ENG_MAX_THREADS, &l->ncpus);
	case LOAD_OPT_BUSY_POLL: return flag_busy_poll(prog, arg, &l->busy_poll_ns);
	case 'b': l->batch = 1; return 0;
	case LOAD_OPT_NODELAY: l->nodelay = 1; return 0;
	case LOAD_OPT_JSON: l->json = 1; return 0;
	case 'H': l->no_header = 1; return 0;
	case LOAD_OPT_QUIET: l->quiet = 1; return 0;
	case 'v': l->verbose = 1; return 0;
	case 'd': l->dir = arg; return 0;
	default: return 1;
	}
}

int load_check(const char *prog, struct load_opts *l, int nargs, char **operands)
{
	if (nargs != 1) {
		fprintf(stderr, "%s: %s\n", prog,
			nargs ? "more than one target given" : "no target given");
		return -1;
	}
	if (l->count == 0 && l->time_ns == 0) {
		fprintf(stderr, "%s: -c 0 needs a time limit (-t)\n", prog);
		return -1;
	}
	if (l->dir && !*l->dir) {
		fprintf(stderr, "%s: -d needs a directory name\n", prog);
		return -1;
	}
	l->spec = operands[0];
	if (l->ncpus == 0 && l->pin_auto && l->threads >= 2)
		l->ncpus = pin_default(l->cpus, ENG_MAX_THREADS, l->threads);
	if (l->ncpus < 0)
		l->ncpus = 0;
	return 0;
}

int load_engine(struct eng *e, const char *prog, const struct load_opts *l)
{
	char err[TARGET_HOST_MAX + 160];

	e->prog = prog;
	e->threads = l->threads;
	e->inflight = l->inflight;
	e->count = l->count;
	e->time_ns = l->time_ns;
	e->stall_ns = l->stall_ns;
	e->busy_poll_ns = l->busy_poll_ns;
	e->block_ns = l->stall_ns;
	e->nodelay = l->nodelay;
	e->batch = l->batch;
	e->socktype = SOCK_STREAM;
	e->cpus = l->cpus;
	e->ncpus = l->ncpus;
	if (target_parse(&e->tgt, l->spec, l->port, err, sizeof(err))) {
		fprintf(stderr, "%s: bad target %s\n", prog, err);
		return 2;
	}
	if (e->tgt.port_given && l->port_set && e->tgt.port != l->port) {
		fprintf(stderr, "%s: two ports given: -p %u and '%s'\n", prog,
			(unsigned)l->port, l->spec);
		return 2;
	}
	return 0;
}

void load_json_config(FILE *f, const struct eng *e, const struct load_opts *l,
		      const char *proto)
{
	char addr[TARGET_ADDRSTR_MAX];

	fputs("{\"target\": ", f);
	cli_json_string(f, l->spec);
	fputs(", \"address\": ", f);
	cli_json_string(f, target_addr_str((const struct sockaddr *)&e->tgt.addr, addr,
					   sizeof(addr)));
	fprintf(f, ", \"proto\": \"%s\", \"threads\": %u, \"inflight\": %u, \"count\": %llu",
		proto, l->threads, l->inflight, (unsigned long long)l->count);
}

void load_json_runs(FILE *f, const struct load_opts *l)
{
	fprintf(f, ", \"runs\": %u, \"time_s\": %.3f, \"stall_s\": %.3f, \"batch\": %s",
		l->runs, (double)l->time_ns / 1e9, (double)l->stall_ns / 1e9,
		l->batch ? "true" : "false");
}

void load_json_end(FILE *f, const struct load_opts *l)
{
	fputs(", \"pin\": [", f);
	for (int i = 0; i < l->ncpus; i++)
		fprintf(f, "%s%d", i ? ", " : "", l->cpus[i]);
	fputs("]}", f);
}

void load_verbose(const struct eng *e, const struct load_opts *l, const char *what,
		  const char *extra)
{
	char addr[TARGET_ADDRSTR_MAX];

	fprintf(stderr, "%s: target %s%s\n", e->prog,
		target_addr_str((const struct sockaddr *)&e->tgt.addr, addr, sizeof(addr)),
		e->socktype == SOCK_DGRAM ? " (udp)" : "");
	fprintf(stderr, "%s: %u thread%s, %u in flight%s, %llu %s per thread per run, %u run%s, "
		"time limit %.3f s, stall %.3f s%s%s\n", e->prog, l->threads,
		l->threads == 1 ? "" : "s", l->inflight, l->inflight ? "" : " (blocking)",
		(unsigned long long)l->count, what, l->runs, l->runs == 1 ? "" : "s",
		(double)l->time_ns / 1e9, (double)l->stall_ns / 1e9, l->batch ? ", batched" : "",
		extra);
}
