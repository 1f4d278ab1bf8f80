// SPDX-License-Identifier: BSD-2-Clause
/*
 * Tasks posted to workers, and the sleep/wake protocol that cannot lose a
 * wake-up (seed 001's lost-wakeup race). Each worker has one SPSC ring per
 * producing worker plus one for all other threads (producers serialised by
 * a mutex). The protocol is Dekker's:
 *
 *   consumer (before blocking)           producer (after pushing)
 *   sleeping = 1                         tail = t + 1        (release)
 *   fence(seq_cst)                       fence(seq_cst)
 *   if any ring non-empty: don't block   if sleeping: write eventfd
 *
 * With both fences, at least one side sees the other's store: either the
 * consumer sees the task and does not block, or the producer sees the flag
 * and wakes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include "ksf_int.h"

static __thread int self_worker = -1;
static __thread struct ksf_pool *self_pool;

int ksf_worker_self(void)
{
	return self_worker;
}

struct ksf__worker *ksf__worker_current(void)
{
	return self_pool && self_worker >= 0 ? &self_pool->w[self_worker] : NULL;
}

int ksf__tasks_init(struct ksf__worker *w)
{
	int n = w->pool->nworkers + 1;

	w->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->evfd < 0)
		return -errno;
	w->rings = calloc((size_t)n, sizeof(*w->rings));
	if (!w->rings)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		if (!(w->rings[i] = ksf__ring_new(KSF_TASK_RING)))
			return -ENOMEM;
	pthread_mutex_init(&w->ext_lock, NULL);
	atomic_init(&w->sleeping, 0);
	return 0;
}

void ksf__tasks_fini(struct ksf__worker *w)
{
	if (w->rings)
		for (int i = 0; i <= w->pool->nworkers; i++)
			ksf__ring_free(w->rings[i]);
	free(w->rings);
	w->rings = NULL;
	if (w->evfd >= 0)
		close(w->evfd);
	w->evfd = -1;
	pthread_mutex_destroy(&w->ext_lock);
}

/* Mark the calling thread as worker idx of pool p (worker.c). */
void ksf__task_set_self(struct ksf_pool *p, int idx);
void ksf__task_set_self(struct ksf_pool *p, int idx)
{
	self_pool = p;
	self_worker = idx;
}

/* Wake w if it sleeps (or is about to). */
void ksf__worker_wake(struct ksf__worker *w)
{
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&w->sleeping, memory_order_relaxed) &&
	    atomic_exchange(&w->sleeping, 0)) {
		uint64_t one = 1;
		/* EAGAIN means the counter is already non-zero: awake anyway. */
		(void)!write(w->evfd, &one, sizeof(one));
	}
}

int ksf_task_post_worker(struct ksf_pool *p, int worker, ksf_task_fn fn, void *arg)
{
	struct ksf__worker *w;
	int err;

	if (!p || !fn || worker < 0 || worker >= p->nworkers)
		return -ENOENT;
	w = &p->w[worker];
	if (self_pool == p && self_worker >= 0) {
		err = ksf__ring_push(w->rings[self_worker], fn, arg);
	} else {
		pthread_mutex_lock(&w->ext_lock);
		err = ksf__ring_push(w->rings[p->nworkers], fn, arg);
		pthread_mutex_unlock(&w->ext_lock);
	}
	if (err)
		return err;
	ksf__worker_wake(w);
	return 0;
}

int ksf_task_post(struct ksf_pool *p, int cpu, ksf_task_fn fn, void *arg)
{
	if (!p)
		return -EINVAL;
	for (int i = 0; i < p->nworkers; i++)
		if (p->w[i].cpu == cpu)
			return ksf_task_post_worker(p, i, fn, arg);
	return -ENOENT;
}

void ksf__task_post_wait(struct ksf_pool *p, int worker, ksf_task_fn fn, void *arg)
{
	while (ksf_task_post_worker(p, worker, fn, arg) == -EAGAIN)
		usleep(100);
}

int ksf__tasks_run(struct ksf__worker *w)
{
	struct ksf__task t;
	int ran = 0;

	for (int i = 0; i <= w->pool->nworkers; i++)
		for (int k = 0; k < KSF_TASK_BUDGET && ksf__ring_pop(w->rings[i], &t); k++) {
			t.fn(t.arg);
			ran++;
		}
	return ran;
}

bool ksf__tasks_pending(struct ksf__worker *w)
{
	for (int i = 0; i <= w->pool->nworkers; i++)
		if (ksf__ring_pending(w->rings[i]))
			return true;
	return false;
}

bool ksf__worker_prepare_sleep(struct ksf__worker *w)
{
	atomic_store(&w->sleeping, 1);
	atomic_thread_fence(memory_order_seq_cst);
	if (ksf__tasks_pending(w) || atomic_load(&w->stop)) {
		atomic_store_explicit(&w->sleeping, 0, memory_order_relaxed);
		return false;
	}
	return true;
}

void ksf__worker_after_sleep(struct ksf__worker *w)
{
	atomic_store_explicit(&w->sleeping, 0, memory_order_relaxed);
}

void ksf__worker_drain_evfd(struct ksf__worker *w)
{
	uint64_t v;

	(void)!read(w->evfd, &v, sizeof(v));
}
