// SPDX-License-Identifier: BSD-2-Clause
/*
 * echotest's command line: flags compatible with the seed's echotest
 * (-j -a -c -l -i -p -u -H -v -V) plus -t, --stall, --json, -b, -P, -d and -q.
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
LOAD_HELP
"  -q                    the same as --quiet\n"
"\nMessages:\n"
"  -l, --length LEN      message length in bytes (default 64, at most 1G)\n"
"  -p, --port PORT       port when host has none (default 60007)\n"
"  -u, --udp             use UDP (not supported yet)\n"
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

static const struct option long_opts[] = {
	LOAD_LONGOPTS,
	{ "length",	required_argument, NULL, 'l' },
	{ "udp",	no_argument,	   NULL, 'u' },
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

/* One option; 0 to go on, 1 for help/version done, -1 for a usage error. */
static int one_opt(void *arg_o, int c, const char *arg)
{
	struct et_opts *o = arg_o;
	int rc = load_opt(PROG, &o->l, c == 'q' ? LOAD_OPT_QUIET : c, arg);

	if (rc <= 0)
		return rc;
	switch (c) {
	case 'l': return flag_u64(PROG, "-l", arg, CLI_SIZE, 1, ET_MAX_LEN, &o->len);
	case 'u': o->udp = 1; return 0;
	case 'V': printf("echotest (ksf) %s\n", KSF_VERSION); return 1;
	case 'h': fputs(usage_text, stdout); return 1;
	default: return -1;	/* getopt_long already said what is wrong */
	}
}

int et_opts_parse(struct et_opts *o, int argc, char **argv)
{
	int rc;

	memset(o, 0, sizeof(*o));
	load_defaults(&o->l, ET_DEFAULT_PORT);
	o->len = 64;
	rc = flag_parse(argc, argv, LOAD_SHORTOPTS "l:quVh", long_opts, one_opt, o);
	if (rc > 0)
		return 1;
	if (rc < 0)
		return usage_error();
	if (o->udp) {
		fputs("echotest: UDP is not supported yet\n", stderr);
		return usage_error();
	}
	if (load_check(PROG, &o->l, argc - optind, argv + optind))
		return usage_error();
	return 0;
}
