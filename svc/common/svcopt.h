/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Command-line options every ksf service shares (addresses, port, workers,
 * CPUs, backend, busy-poll, steering, limits), their --help text, the
 * listening lines, the log callback, and the signal-driven run loop.
 */
#ifndef KSF_SVCOPT_H
#define KSF_SVCOPT_H

#include <stdio.h>
#include <ksf.h>

struct svcopt {
	const char *prog;
	const char *addrs[16];
	int naddrs;
	unsigned port;
	int cpus[KSF_MAX_WORKERS];
	int verbose;
	int udp;		/* also serve UDP on the same port */
	struct ksf_pool_opts pool;
	struct ksf_svc_opts svc;
};

/* Defaults; port is the service's well-known port. */
void svcopt_init(struct svcopt *o, const char *prog, unsigned port);

/* Parse argv. Returns 0 to run, 1 when --help or --version was printed
 * (exit 0), or -EINVAL after printing a message to stderr (exit 2). */
int svcopt_parse(struct svcopt *o, int argc, char **argv, const char *summary);

/* Create the pool and service, listen on every address and print
 * "listening on ADDR:PORT" lines; then wait for SIGINT/SIGTERM, stop
 * gracefully and print the counters. Returns the exit status. */
int svcopt_run(struct svcopt *o, const struct ksf_svc_ops *ops, void *udata);

#endif
