/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Command-line options every ksf service shares (addresses, port, workers,
 * CPUs, backend, busy-poll, steering, limits), their --help text, the
 * listening lines, the log callback, and the signal-driven run loop.
 */
#ifndef KSF_SVCOPT_H
#define KSF_SVCOPT_H

#include <getopt.h>
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

/* A service's own long options, beside the shared ones. */
struct svcopt_extra {
	const struct option *opts;	/* ends with a zero entry; each val >= 512 */
	const char *help;		/* its lines of --help */
	int (*parse)(int val, const char *arg, void *ctx); /* 0, or -EINVAL (printed) */
	void *ctx;
};

/* Parse argv (extra may be NULL). Returns 0 to run, 1 when --help or
 * --version was printed (exit 0), or -EINVAL after printing a message to
 * stderr (exit 2). */
int svcopt_parse(struct svcopt *o, int argc, char **argv, const char *summary,
		 const struct svcopt_extra *extra);

/* Create the pool and service, listen on every address and print
 * "listening on ADDR:PORT" lines; then wait for SIGINT/SIGTERM, stop
 * gracefully and print the counters. Returns the exit status. */
int svcopt_run(struct svcopt *o, const struct ksf_svc_ops *ops, void *udata);

/* The steps of svcopt_run, for services that build their ksf_svc another
 * way (krpc). Each prints its own error and returns 0 or -errno. */
int svcopt_pool(struct svcopt *o, struct ksf_pool **pool);	/* blocks signals too */
int svcopt_listen(struct svcopt *o, struct ksf_svc *svc, int *port);
int svcopt_wait_signal(const struct svcopt *o);			/* returns the signal */
void svcopt_print_stats(const struct svcopt *o, struct ksf_svc *svc, struct ksf_pool *pool);

#endif
