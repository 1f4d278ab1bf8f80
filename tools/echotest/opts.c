// SPDX-License-Identifier: BSD-2-Clause
/*
 * echotest's command line: flags compatible with the seed's echotest
 * (-j -a -c -l -i -p -u -H -v -V) plus -t, --stall, --json, -b, -P and -q.
 * Every number is checked strictly (tools/common/cli.h); a bad flag or value
 * prints a message and the usage line and makes the program exit with 2.
 */
#include <stdio.h>
#include <string.h>
#include <ksf.h>
#include "flag.h"
#include "echotest.h"

#define PROG "echotest"

static const char usage_text[] =
"usage: echotest [options] host[:port]\n"
"Load an echo server: each thread opens one TCP connection, keeps messages\n"
"in flight on it, checks every echoed byte and times every message.\n"
"host may be a name, an IPv4 address, [IPv6] or a bare IPv6 address, with an\n"
"optional user@ prefix (ignored). Default port 60007.\n"
"\n"
"  -j, --threads N     threads, one connection each (default 1)\n"
"  -a, --inflight N    messages in flight per thread (default 1); 0 = blocking\n"
"                      send() of one message, then recv() until it is back\n"
"  -c, --count N       messages per thread per run (default 100000);\n"
"                      0 = no limit (needs -t)\n"
"  -l, --length LEN    message length in bytes (default 64, at most 1G)\n"
"  -i, --runs N        runs over the same connections (default 1)\n"
"  -t, --time SECS     end a run after SECS (default 0 = only -c ends it)\n"
"      --stall SECS    fail when no byte moves for SECS (default 10)\n"
"  -p, --port PORT     port when host has none (default 60007)\n"
"  -b, --batch         send every ready message in one send() (default: one\n"
"                      message per send())\n"
"      --nodelay       TCP_NODELAY on every connection (default: only with\n"
"                      -a 0 or 1, as in the seed's echotest)\n"
"      --busy-poll USEC  spin on nonblocking recv() this long before sleeping\n"
"                      in a blocking one (default 0)\n"
"  -P, --pin CPULIST   pin thread i to the i-th CPU of CPULIST (e.g. 0-3,6)\n"
"  -u, --udp           use UDP (not supported yet)\n"
"      --json          print one JSON object instead of the table\n"
"  -H, --no-header     no header line in the table\n"
"  -q, --quiet         no progress lines on stderr\n"
"  -v, --verbose       print the setup and per-thread counts on stderr\n"
"  -V, --version       print the version and exit\n"
"  -h, --help          print this help and exit\n"
"\n"
"Counts (-c) take decimal suffixes K, M, G = 10^3, 10^6, 10^9 (3M = 3000000,\n"
"1.5K = 1500). Sizes (-l) take binary suffixes K, M, G = KiB, MiB, GiB (also\n"
"written Ki, KiB, ...; 1M = 1048576). Times take s (default), ms or us.\n"
"\n"
"Output: a header line, one line per run and a line 'med' with the median\n"
"over runs of every column: msgs, secs, msg/s, Mbit/s (payload echoed back,\n"
"one direction), RTT min/p50/p90/p99/p99.9/max/mean in microseconds, and\n"
"client CPU microseconds per message. Exit status 0 on success, 1 on any\n"
"error or corrupt echo, 2 on a usage error.\n";

enum { OPT_JSON = 256, OPT_STALL, OPT_NODELAY, OPT_BUSY_POLL };

static const struct option long_opts[] = {
	{ "threads",	required_argument, NULL, 'j' },
	{ "inflight",	required_argument, NULL, 'a' },
	{ "count",	required_argument, NULL, 'c' },
	{ "length",	required_argument, NULL, 'l' },
	{ "runs",	required_argument, NULL, 'i' },
	{ "time",	required_argument, NULL, 't' },
	{ "stall",	required_argument, NULL, OPT_STALL },
	{ "port",	required_argument, NULL, 'p' },
	{ "batch",	no_argument,	   NULL, 'b' },
	{ "nodelay",	no_argument,	   NULL, OPT_NODELAY },
	{ "busy-poll",	required_argument, NULL, OPT_BUSY_POLL },
	{ "pin",	required_argument, NULL, 'P' },
	{ "udp",	no_argument,	   NULL, 'u' },
	{ "json",	no_argument,	   NULL, OPT_JSON },
	{ "no-header",	no_argument,	   NULL, 'H' },
	{ "quiet",	no_argument,	   NULL, 'q' },
	{ "verbose",	no_argument,	   NULL, 'v' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int usage_error(void)
{
	fputs("usage: echotest [options] host[:port]  (echotest --help for more)\n",
	      stderr);
	return 2;
}

static void defaults(struct et_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->port = ET_DEFAULT_PORT;
	o->threads = 1;
	o->inflight = 1;
	o->count = 100000;
	o->len = 64;
	o->runs = 1;
	o->stall_ns = 10 * 1000000000ULL;
}

/* One option; 0 to go on, 1 for help/version done, -1 for a usage error. */
static int one_opt(void *arg_o, int c, const char *arg)
{
	struct et_opts *o = arg_o;

	switch (c) {
	case 'j': return flag_uint(PROG, "-j", arg, 1, ET_MAX_THREADS, &o->threads);
	case 'a': return flag_uint(PROG, "-a", arg, 0, ET_MAX_INFLIGHT, &o->inflight);
	case 'c': return flag_u64(PROG, "-c", arg, CLI_COUNT, 0, 1000000000000000ULL,
				  &o->count);
	case 'l': return flag_u64(PROG, "-l", arg, CLI_SIZE, 1, ET_MAX_LEN, &o->len);
	case 'i': return flag_uint(PROG, "-i", arg, 1, ET_MAX_RUNS, &o->runs);
	case 't': return flag_duration(PROG, "-t", arg, 0, &o->time_ns);
	case OPT_STALL: return flag_duration(PROG, "--stall", arg, 1000000, &o->stall_ns);
	case 'p': return flag_port(PROG, "-p", arg, &o->port, &o->port_set);
	case 'P': return flag_pin(PROG, "-P", arg, o->cpus, ET_MAX_THREADS, &o->ncpus);
	case 'b': o->batch = 1; return 0;
	case OPT_NODELAY: o->nodelay = 1; return 0;
	case OPT_BUSY_POLL: return flag_busy_poll(PROG, arg, &o->busy_poll_ns);
	case 'u': o->udp = 1; return 0;
	case OPT_JSON: o->json = 1; return 0;
	case 'H': o->no_header = 1; return 0;
	case 'q': o->quiet = 1; return 0;
	case 'v': o->verbose = 1; return 0;
	case 'V': printf("echotest (ksf) %s\n", KSF_VERSION); return 1;
	case 'h': fputs(usage_text, stdout); return 1;
	default: return -1;	/* getopt_long already said what is wrong */
	}
}

/* Checks that involve more than one flag. */
static int check(const struct et_opts *o, int nargs)
{
	if (o->udp) {
		fputs("echotest: UDP is not supported yet\n", stderr);
		return -1;
	}
	if (nargs != 1) {
		fputs(nargs ? "echotest: more than one target given\n"
			    : "echotest: no target given\n", stderr);
		return -1;
	}
	if (o->count == 0 && o->time_ns == 0) {
		fputs("echotest: -c 0 needs a time limit (-t)\n", stderr);
		return -1;
	}
	return 0;
}

int et_opts_parse(struct et_opts *o, int argc, char **argv)
{
	int rc;

	defaults(o);
	rc = flag_parse(argc, argv, "j:a:c:l:i:t:p:bP:uHqvVh", long_opts, one_opt, o);
	if (rc > 0)
		return 1;
	if (rc < 0 || check(o, argc - optind))
		return usage_error();
	o->spec = argv[optind];
	return 0;
}
