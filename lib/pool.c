// SPDX-License-Identifier: BSD-2-Clause
/*
 * The worker pool: picks the CPUs and the backend, starts one pinned worker
 * per CPU, and stops them. Falls back from io_uring to epoll, once, with a
 * warning through the log callback when io_uring cannot be used.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "ksf_int.h"

int ksf__worker_start(struct ksf__worker *w);
void ksf__worker_stop(struct ksf__worker *w);

void ksf_pool_opts_init(struct ksf_pool_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->pin = 1;
	o->backend = KSF_BACKEND_AUTO;
	o->buf_size = 16384;
	o->nbufs = 256;
	o->batch_wait_us = 20;
	o->batch_cqes = 8;
	o->batch_adaptive = 1;
	o->idle_trim_ms = 2000;
}

/* CPUs the process may run on, in order, when the caller named none. */
static int default_cpus(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n ? n : -ENODEV;
}

static enum ksf_backend pick_backend(struct ksf_pool *p)
{
	int err;

	if (p->o.backend == KSF_BACKEND_EPOLL)
		return KSF_BACKEND_EPOLL;
#if KSF_HAVE_URING
	err = ksf__uring_probe();
#else
	err = -ENOSYS;
#endif
	if (!err)
		return KSF_BACKEND_URING;
	ksf__log(p, KSF_LOG_WARN, "io_uring unavailable (%s): using epoll",
		 KSF_HAVE_URING ? ksf_strerror(err) : "built without liburing");
	return KSF_BACKEND_EPOLL;
}

static int setup_workers(struct ksf_pool *p, const int *cpus, int n)
{
	p->w = calloc((size_t)n, sizeof(*p->w));
	if (!p->w)
		return -ENOMEM;
	p->nworkers = n;
	for (int i = 0; i < n; i++) {
		struct ksf__worker *w = &p->w[i];

		w->pool = p;
		w->idx = i;
		w->cpu = cpus[i];
		w->evfd = -1;
#if KSF_HAVE_URING
		w->be = p->backend == KSF_BACKEND_URING ? &ksf__backend_uring : &ksf__backend_epoll;
#else
		w->be = &ksf__backend_epoll;
#endif
	}
	return 0;
}

int ksf_pool_create(struct ksf_pool **poolp, const struct ksf_pool_opts *o)
{
	int cpus[KSF_MAX_WORKERS], n, err, started = 0;
	struct ksf_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	if (o)
		p->o = *o;
	else
		ksf_pool_opts_init(&p->o);
	if (p->o.ncpus > KSF_MAX_WORKERS || p->o.nworkers > KSF_MAX_WORKERS ||
	    p->o.nworkers < 0 || p->o.buf_size < 512 || !p->o.nbufs ||
	    (p->o.batch_wait_us && p->o.batch_cqes < 2)) {
		err = -EINVAL;
		goto fail;
	}
	if (p->o.cpus && p->o.ncpus > 0) {
		memcpy(cpus, p->o.cpus, (size_t)p->o.ncpus * sizeof(int));
		n = p->o.ncpus;
	} else if ((n = default_cpus(cpus, KSF_MAX_WORKERS)) < 0) {
		err = n;
		goto fail;
	}
	if (p->o.nworkers > 0) {	/* N workers over the CPU list, round robin */
		for (int i = n; i < p->o.nworkers; i++)
			cpus[i] = cpus[i % n];
		n = p->o.nworkers;
	}
	sem_init(&p->ready, 0, 0);
	pthread_mutex_init(&p->svcs_lock, NULL);
	p->backend = pick_backend(p);
	if (p->o.batch_wait_us && p->backend != KSF_BACKEND_URING) {
		if (!p->o.batch_adaptive)	/* asked for, not just the default */
			ksf__log(p, KSF_LOG_WARN, "batch wait needs the io_uring backend: off");
		p->o.batch_wait_us = 0;
	}
	if ((err = setup_workers(p, cpus, n)))
		goto fail;
	for (; started < n; started++)
		if ((err = ksf__worker_start(&p->w[started])))
			goto fail;
	if ((err = ksf__ticker_start(p)))
		goto fail;
	*poolp = p;
	return 0;
fail:
	if (p->w) {
		for (int i = 0; i < started; i++)
			ksf__worker_stop(&p->w[i]);
		for (int i = 0; i < p->nworkers; i++)
			ksf__tasks_fini(&p->w[i]);
		free(p->w);
	}
	free(p);
	return err;
}

void ksf_pool_destroy(struct ksf_pool *p)
{
	if (!p)
		return;
	ksf__ticker_stop(p);
	for (int i = 0; i < p->nworkers; i++)
		ksf__worker_stop(&p->w[i]);
	for (int i = 0; i < p->nworkers; i++)
		ksf__tasks_fini(&p->w[i]);
	sem_destroy(&p->ready);
	pthread_mutex_destroy(&p->svcs_lock);
	free(p->w);
	free(p);
}

int ksf_pool_nworkers(const struct ksf_pool *p)
{
	return p->nworkers;
}

int ksf_pool_worker_cpu(const struct ksf_pool *p, int worker)
{
	if (worker < 0 || worker >= p->nworkers)
		return -ENOENT;
	return p->w[worker].cpu;
}

enum ksf_backend ksf_pool_backend(const struct ksf_pool *p)
{
	return p->backend;
}
