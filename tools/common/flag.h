/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Command-line flags of the load generators (echotest, rpctest): the
 * getopt_long() loop and the checks of flag values that both tools have.
 * Values are parsed as cli.h says. A bad value prints
 * "PROG: invalid FLAG value: why" on stderr and makes the helper return -1;
 * the program then prints its usage line and exits with 2. Nothing here
 * exits.
 */
#ifndef KSF_TOOLS_FLAG_H
#define KSF_TOOLS_FLAG_H

#include <getopt.h>
#include <stdint.h>
#include "cli.h"

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

/* --busy-poll USEC (at most 10 s) into ns. 0 or -1. */
int flag_busy_poll(const char *prog, const char *arg, uint64_t *ns);

/* A port number (1..65535); sets *set to 1. 0 or -1. */
int flag_port(const char *prog, const char *flag, const char *arg, uint16_t *port, int *set);

/* A CPU list (pin.h) of at most max CPUs into cpus[], its length in *ncpus.
 * 0 or -1. */
int flag_pin(const char *prog, const char *flag, const char *arg, int *cpus, int max,
	     int *ncpus);

/* The getopt_long() loop (with opterr set): one(o, c, optarg) for every
 * option, which returns 0 to go on, 1 when it did all there is to do
 * (--help, --version) and -1 for a usage error (getopt_long() returns '?'
 * for an unknown flag or a missing value, and has then said so). Returns
 * 0 when every option was taken (the operands start at optind), 1 or -1
 * as one() did. */
int flag_parse(int argc, char **argv, const char *shortopts, const struct option *longopts,
	       int (*one)(void *o, int c, const char *arg), void *o);

#endif
