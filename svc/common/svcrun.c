// SPDX-License-Identifier: BSD-2-Clause
/*
 * Running a service from its parsed options: pool and service set-up,
 * "listening on" lines, waiting for SIGINT/SIGTERM, graceful stop, and the
 * counters line printed at exit.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "svcopt.h"

static void log_to_stderr(enum ksf_log_level lvl, const char *msg, void *arg)
{
	static const char *const lvls[] = { "error", "warning", "info" };
	const char *prog = arg;

	fprintf(stderr, "%s: %s: %s\n", prog, lvls[lvl], msg);
}

static void print_stats_line(const struct svcopt *o, const char *what,
			     const struct ksf_svc_stats *s)
{
	fprintf(stderr, "%s: %s conns_accepted=%lu conns_closed=%lu bytes_in=%lu "
		"bytes_out=%lu msgs_in=%lu sends=%lu flushes=%lu lim_conns=%lu lim_outq=%lu "
		"lim_outq_max=%lu lim_msg=%lu lim_idle=%lu errors=%lu dgrams_in=%lu dgrams_out=%lu "
		"dgram_drops=%lu zc_bytes=%lu zc_copied=%lu\n", o->prog, what,
		s->conns_accepted, s->conns_closed, s->bytes_in, s->bytes_out, s->msgs_in,
		s->sends, s->flushes, s->lim_conns, s->lim_outq, s->lim_outq_max, s->lim_msg,
		s->lim_idle, s->errors, s->dgrams_in, s->dgrams_out, s->dgram_drops,
		s->zc_bytes, s->zc_copied);
}

/* The totals line; with -v also one line per worker ("worker N cpu C"). */
void svcopt_print_stats(const struct svcopt *o, struct ksf_svc *svc, struct ksf_pool *pool)
{
	struct ksf_svc_stats st;
	char what[48];

	if (o->verbose)
		for (int i = 0; i < ksf_pool_nworkers(pool); i++) {
			ksf_svc_worker_stats(svc, i, &st);
			snprintf(what, sizeof(what), "worker %d cpu %d", i, ksf_pool_worker_cpu(pool, i));
			print_stats_line(o, what, &st);
		}
	ksf_svc_stats(svc, &st);
	print_stats_line(o, "stats", &st);
}

int svcopt_listen(struct svcopt *o, struct ksf_svc *svc, int *portp)
{
	char name[80];
	int port = o->port, err;

	if (!o->naddrs)
		o->addrs[o->naddrs++] = "";
	for (int i = 0; i < o->naddrs; i++) {
		/* with port 0, every address shares the port the first one got */
		if ((err = ksf_svc_listen(svc, o->addrs[i], (uint16_t)port)) < 0) {
			fprintf(stderr, "%s: cannot listen on %s port %d: %s\n", o->prog,
				*o->addrs[i] ? o->addrs[i] : "*", port, ksf_strerror(err));
			return err;
		}
		port = err;
		if (o->udp && (err = ksf_svc_listen_udp(svc, o->addrs[i], (uint16_t)port)) < 0) {
			fprintf(stderr, "%s: cannot listen on %s UDP port %d: %s\n", o->prog,
				*o->addrs[i] ? o->addrs[i] : "*", port, ksf_strerror(err));
			return err;
		}
	}
	/* TCP first, so scripts that take the first line get a TCP port */
	for (int proto = SOCK_STREAM; proto <= SOCK_DGRAM; proto++)
		for (int i = 0; i < ksf_svc_nlisteners(svc); i++) {
			if (ksf_svc_listener_proto(svc, i) != proto)
				continue;
			ksf_svc_listener_name(svc, i, name, sizeof(name));
			printf("listening on %s%s\n", proto == SOCK_DGRAM ? "udp " : "", name);
		}
	fflush(stdout);
	*portp = port;
	return 0;
}

int svcopt_wait_signal(const struct svcopt *o)
{
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	while (sigwait(&set, &sig))
		;
	if (o->verbose)
		fprintf(stderr, "%s: %s: stopping\n", o->prog, strsignal(sig));
	return sig;
}

int svcopt_pool(struct svcopt *o, struct ksf_pool **pool)
{
	sigset_t set;
	int err;

	/* Workers inherit this mask: signals reach only svcopt_wait_signal(). */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	o->pool.log_cb = log_to_stderr;
	o->pool.log_arg = (void *)o->prog;
	if ((err = ksf_pool_create(pool, &o->pool)))
		fprintf(stderr, "%s: cannot start workers: %s\n", o->prog, ksf_strerror(err));
	else if (o->verbose)
		fprintf(stderr, "%s: %d workers, backend %s\n", o->prog,
			ksf_pool_nworkers(*pool), ksf_backend_name(ksf_pool_backend(*pool)));
	return err;
}

int svcopt_run(struct svcopt *o, const struct ksf_svc_ops *ops, void *udata)
{
	struct ksf_pool *pool = NULL;
	struct ksf_svc *svc = NULL;
	int err, port;

	if (svcopt_pool(o, &pool))
		return 1;
	if ((err = ksf_svc_create(&svc, pool, ops, &o->svc, udata))) {
		fprintf(stderr, "%s: cannot create service: %s\n", o->prog, ksf_strerror(err));
		goto fail;
	}
	if ((err = svcopt_listen(o, svc, &port)))
		goto fail;
	if ((err = ksf_svc_start(svc))) {
		fprintf(stderr, "%s: cannot start: %s\n", o->prog, ksf_strerror(err));
		goto fail;
	}
	svcopt_wait_signal(o);
	ksf_svc_stop(svc);
	svcopt_print_stats(o, svc, pool);
	ksf_svc_destroy(svc);
	ksf_pool_destroy(pool);
	return 0;
fail:
	ksf_svc_destroy(svc);
	ksf_pool_destroy(pool);
	return 1;
}
