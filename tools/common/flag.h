/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Command-line flags of the load generators (echotest, rpctest): the
 * getopt_long() loop, the checks of flag values that both tools have, and
 * the flags of the load both take with the same meaning (struct
 * load_opts: the target, -p -j -a -c -i -t --stall -b --nodelay
 * --busy-poll -P --json -H -v --quiet -d). A tool's option struct holds a
 * struct load_opts; its one() hands every option to load_opt() first.
 * Values are parsed as cli.h says. A bad value prints
 * "PROG: invalid FLAG value: why" on stderr and makes the helper return -1;
 * the program then prints its usage line and exits with 2. Nothing here
 * exits.
 */
#ifndef KSF_TOOLS_FLAG_H
#define KSF_TOOLS_FLAG_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include "cli.h"
#include "engine.h"

/* Print "prog: invalid flag value: why" on stderr; returns -1. */
int flag_bad(const char *prog, const char *flag, const char *why);

/* A number with the suffixes of unit, min <= value <= max. 0 or -1. */
int flag_u64(const char *prog, const char *flag, const char *arg, enum cli_unit unit,
	     uint64_t min, uint64_t max, uint64_t *out);

/* A count (CLI_COUNT) that fits an unsigned or a uint32_t. 0 or -1. */
int flag_uint(const char *prog, const char *flag, const char *arg, uint64_t min,
	      uint64_t max, unsigned *out);
int flag_u32(const char *prog, const char *flag, const char *arg, uint32_t *out);

/* A duration of at least min_ns and at most a day, in ns. 0 or -1. */
int flag_duration(const char *prog, const char *flag, const char *arg, uint64_t min_ns,
		  uint64_t *out);

/* A port number (1..65535); sets *set to 1. 0 or -1. */
int flag_port(const char *prog, const char *flag, const char *arg, uint16_t *port, int *set);

/* The getopt_long() loop (with opterr set): one(o, c, optarg) for every
 * option, which returns 0 to go on, 1 when it did all there is to do
 * (--help, --version) and -1 for a usage error (getopt_long() returns '?'
 * for an unknown flag or a missing value, and has then said so). Returns
 * 0 when every option was taken (the operands start at optind), 1 or -1
 * as one() did. */
int flag_parse(int argc, char **argv, const char *shortopts, const struct option *longopts,
	       int (*one)(void *o, int c, const char *arg), void *o);

/* ------------------------------------------------------------------------
 * The load flags.
 */
#define LOAD_MAX_INFLIGHT	65536
#define LOAD_MAX_RUNS		100000

/* Times are in ns. */
struct load_opts {
	const char *spec;		/* the target argument */
	uint16_t port;			/* -p, else the tool's default */
	int port_set;
	unsigned threads;		/* -j */
	unsigned inflight;		/* -a; 0 = blocking send, then receive */
	uint64_t count;			/* -c per thread per run; 0 = only -t */
	unsigned runs;			/* -i */
	uint64_t time_ns;		/* -t per run; 0 = none */
	uint64_t stall_ns;		/* --stall */
	uint64_t busy_poll_ns;		/* --busy-poll */
	int batch, nodelay;		/* -b --nodelay */
	int json, no_header, verbose, quiet;	/* --json -H -v --quiet */
	const char *dir;		/* -d: plot.h */
	int ncpus;			/* -P: thread i runs on cpus[i % ncpus] */
	int pin_auto;			/* the tool pins -j 2 and more by default */
	int cpus[ENG_MAX_THREADS];
};

/* The long options' values that have no short letter; a tool numbers its
 * own from LOAD_OPT_TOOL. */
enum {
	LOAD_OPT_JSON = 256, LOAD_OPT_STALL, LOAD_OPT_NODELAY, LOAD_OPT_BUSY_POLL,
	LOAD_OPT_QUIET, LOAD_OPT_TOOL
};

/* The short options of load_opt(), for a tool's getopt string. */
#define LOAD_SHORTOPTS "j:a:c:i:t:p:bP:Hvd:"

/* The entries of a tool's struct option array for these flags. */
#define LOAD_LONGOPTS							\
	{ "threads",	required_argument, NULL, 'j' },			\
	{ "inflight",	required_argument, NULL, 'a' },			\
	{ "count",	required_argument, NULL, 'c' },			\
	{ "runs",	required_argument, NULL, 'i' },			\
	{ "time",	required_argument, NULL, 't' },			\
	{ "stall",	required_argument, NULL, LOAD_OPT_STALL },	\
	{ "port",	required_argument, NULL, 'p' },			\
	{ "batch",	no_argument,	   NULL, 'b' },			\
	{ "nodelay",	no_argument,	   NULL, LOAD_OPT_NODELAY },	\
	{ "busy-poll",	required_argument, NULL, LOAD_OPT_BUSY_POLL },	\
	{ "pin",	required_argument, NULL, 'P' },			\
	{ "json",	no_argument,	   NULL, LOAD_OPT_JSON },	\
	{ "no-header",	no_argument,	   NULL, 'H' },			\
	{ "quiet",	no_argument,	   NULL, LOAD_OPT_QUIET },	\
	{ "verbose",	no_argument,	   NULL, 'v' },			\
	{ "dir",	required_argument, NULL, 'd' }

/* The help lines of these flags (and -V, -h), for a tool's --help, which
 * calls a request what it is ("message", "call"). */
#define LOAD_HELP							\
"Load (a request is a message or a call):\n"				\
"  -j, --threads N       threads, one connection each (default 1)\n"	\
"  -a, --inflight N      requests in flight per thread (default 1); 0 =\n"	\
"                        blocking: send one, then recv() until it is back\n" \
"  -c, --count N         requests per thread per run (default 100000);\n"	\
"                        0 = no limit (needs -t)\n"			\
"  -i, --runs N          runs over the same connections (default 1)\n"	\
"  -t, --time SECS       start no request after SECS in a run (default:\n"	\
"                        only -c ends a run)\n"				\
"      --stall SECS      fail when nothing moves for SECS (default 10)\n"	\
"  -b, --batch           send every request that may start in one send()\n" \
"                        (default: one per send())\n"			\
"      --busy-poll USEC  spin on nonblocking recv() this long before\n"	\
"                        sleeping in a blocking one (default 0)\n"	\
"      --nodelay         TCP_NODELAY on every connection (default: only\n"	\
"                        with -a 0 or 1, as in the seed's tools)\n"	\
"  -P, --pin CPULIST     pin thread i to the i-th CPU of CPULIST (e.g. 0-3),\n" \
"                        or none\n"					\
"\nOutput:\n"								\
"  -d, --dir DIR         write each run's RTT distribution (run-N.dat) and\n" \
"                        a gnuplot script (PROG.gp) into DIR, and the plot\n" \
"                        (PROG.png) when gnuplot is installed\n"		\
"      --json            print one JSON object instead of the table\n"	\
"  -H, --no-header       no header line in the table\n"			\
"      --quiet           no progress lines on stderr\n"			\
"  -v, --verbose         print the setup and per-thread counts on stderr\n" \
"  -V, --version         print the version and exit\n"			\
"  -h, --help            print this help and exit\n"

/* The defaults: port, one thread, one in flight, 100000 per run, one run,
 * no time limit, a stall limit of 10 s. */
void load_defaults(struct load_opts *l, uint16_t port);

/* Option c (getopt) if it is one of these: 0 taken, -1 a bad value (said
 * on stderr as flag.h says), 1 not one of these. */
int load_opt(const char *prog, struct load_opts *l, int c, const char *arg);

/* The checks of the operands and of flags together: exactly one target
 * (nargs operands; spec = operand), -c 0 only with -t, -d not empty; and
 * without -P, with pin_auto and -j 2 or more, the default pinning
 * (pin_default()). -P none: no pinning. 0, or -1 with the
 * error said on stderr. */
int load_check(const char *prog, struct load_opts *l, int nargs, char **operands);

/* Set the engine's load from the flags (prog, threads, in flight, count,
 * times, --busy-poll, --nodelay, -P; block_ns = the stall limit) and parse
 * the target (-p must agree with a port in it). 0, or the exit status 2
 * with the error printed. */
int load_engine(struct eng *e, const char *prog, const struct load_opts *l);

/* -v: "PROG: target ADDR" and "PROG: N threads, ... WHAT per thread per
 * run, ...EXTRA" on stderr. */
void load_verbose(const struct eng *e, const struct load_opts *l, const char *what,
		  const char *extra);

/* The JSON config object's first members: "{\"target\": ..., \"address\":
 * ..., \"proto\": proto, \"threads\": ..., \"inflight\": ..., \"count\": ..."
 * (the tool goes on and closes the object with load_json_end()). */
void load_json_config(FILE *f, const struct eng *e, const struct load_opts *l,
		      const char *proto);
/* ", \"runs\": ..., \"time_s\": ..., \"stall_s\": ..., \"batch\": ...". */
void load_json_runs(FILE *f, const struct load_opts *l);
/* ", \"pin\": [...]}": the end of the config object. */
void load_json_end(FILE *f, const struct load_opts *l);

#endif
