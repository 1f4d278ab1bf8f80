// SPDX-License-Identifier: BSD-2-Clause
/*
 * Helper threads per worker for blocking work (ksf/offload.h). Each worker
 * has a queue (mutex + condition variable: helpers sleep while it is empty)
 * and a completion list; the first completion to land on an empty list
 * posts one task to the worker, which takes the whole list at once, so a
 * burst of completions costs one wake-up. A helper idle for the pool's
 * idle_trim_ms after some work runs the idle hooks (the per-thread buffers
 * of whoever gave it jobs) and gives its free heap back.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <malloc.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "ksf_int.h"

#define IDLE_HOOKS	4

struct off_worker {
	struct ksf_offload *o;
	int idx;
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct ksf_offload_job *head, *tail;	/* queued jobs, FIFO */
	bool stop;
	pthread_mutex_t done_lock;
	struct ksf_offload_job *done;		/* finished jobs, LIFO */
	pthread_t *thr;
	int nthr;
};

struct ksf_offload {
	struct ksf_pool *pool;
	void (*idle[IDLE_HOOKS])(void);
	int nidle;
	int nworkers;
	atomic_ulong pending;
	struct off_worker *w;
};

/* On the worker: run the done callbacks of everything finished so far, in
 * the order the jobs finished. */
static void run_done(void *arg)
{
	struct off_worker *ow = arg;
	struct ksf_offload_job *list, *rev = NULL;

	pthread_mutex_lock(&ow->done_lock);
	list = ow->done;
	ow->done = NULL;
	pthread_mutex_unlock(&ow->done_lock);
	while (list) {
		struct ksf_offload_job *next = list->next;
		list->next = rev;
		rev = list;
		list = next;
	}
	while (rev) {
		struct ksf_offload_job *next = rev->next;
		rev->done(rev);
		atomic_fetch_sub(&ow->o->pending, 1);
		rev = next;
	}
}

static void finish(struct off_worker *ow, struct ksf_offload_job *j)
{
	bool first;

	pthread_mutex_lock(&ow->done_lock);
	first = ow->done == NULL;
	j->next = ow->done;
	ow->done = j;
	pthread_mutex_unlock(&ow->done_lock);
	if (first)	/* the task takes this job and any that land before it runs */
		ksf__task_post_wait(ow->o->pool, ow->idx, run_done, ow);
}

/* Under AddressSanitizer glibc's malloc is not the allocator (worker.c). */
#if defined(__SANITIZE_ADDRESS__)
#define OFF_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OFF_ASAN 1
#endif
#endif
#ifndef OFF_ASAN
#define OFF_ASAN 0
#endif

/* Wait for a job (lock held); false on an idle timeout (deadline *until,
 * 0: none). */
static bool wait_job(struct off_worker *ow, const struct timespec *until)
{
	while (!ow->head && !ow->stop) {
		if (!until) {
			pthread_cond_wait(&ow->more, &ow->lock);
		} else if (pthread_cond_timedwait(&ow->more, &ow->lock, until) == ETIMEDOUT) {
			return ow->head || ow->stop;
		}
	}
	return true;
}

static void idle_trim(struct ksf_offload *o)
{
	for (int i = 0; i < o->nidle; i++)
		o->idle[i]();
#if defined(__GLIBC__) && !OFF_ASAN
	malloc_trim(0);
#endif
}

static void *helper_main(void *arg)
{
	struct off_worker *ow = arg;
	unsigned idle_ms = ow->o->pool->o.idle_trim_ms;
	bool worked = false;	/* since the last idle trim */

	for (;;) {
		struct timespec until, *up = NULL;

		if (worked && idle_ms && ow->o->nidle) {
			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_sec += idle_ms / 1000;
			until.tv_nsec += (long)(idle_ms % 1000) * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			up = &until;
		}
		pthread_mutex_lock(&ow->lock);
		if (!wait_job(ow, up)) {
			pthread_mutex_unlock(&ow->lock);
			idle_trim(ow->o);
			worked = false;
			continue;
		}
		struct ksf_offload_job *j = ow->head;
		if (!j) {
			pthread_mutex_unlock(&ow->lock);
			return NULL;
		}
		if (!(ow->head = j->next))
			ow->tail = NULL;
		pthread_mutex_unlock(&ow->lock);
		j->run(j);
		worked = true;
		finish(ow, j);
	}
}

static int start_worker(struct ksf_offload *o, int idx, int threads)
{
	struct off_worker *ow = &o->w[idx];

	ow->o = o;
	ow->idx = idx;
	pthread_condattr_t ca;

	pthread_mutex_init(&ow->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);	/* idle deadlines */
	pthread_cond_init(&ow->more, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&ow->done_lock, NULL);
	if (!(ow->thr = calloc((size_t)threads, sizeof(*ow->thr))))
		return -ENOMEM;
	for (; ow->nthr < threads; ow->nthr++) {
		int err = pthread_create(&ow->thr[ow->nthr], NULL, helper_main, ow);
		if (err)
			return -err;
	}
	return 0;
}

static void stop_worker(struct off_worker *ow)
{
	pthread_mutex_lock(&ow->lock);
	ow->stop = true;
	pthread_cond_broadcast(&ow->more);
	pthread_mutex_unlock(&ow->lock);
	for (int i = 0; i < ow->nthr; i++)
		pthread_join(ow->thr[i], NULL);
	free(ow->thr);
	pthread_mutex_destroy(&ow->lock);
	pthread_cond_destroy(&ow->more);
	pthread_mutex_destroy(&ow->done_lock);
}

int ksf_offload_create(struct ksf_offload **op, struct ksf_pool *pool, int threads)
{
	struct ksf_offload *o;
	int err = 0;

	if (!pool || threads < 1 || threads > 64)
		return -EINVAL;
	if (!(o = calloc(1, sizeof(*o))))
		return -ENOMEM;
	o->pool = pool;
	o->nworkers = 0;
	if (!(o->w = calloc((size_t)pool->nworkers, sizeof(*o->w)))) {
		free(o);
		return -ENOMEM;
	}
	for (; o->nworkers < pool->nworkers && !err; o->nworkers++)
		err = start_worker(o, o->nworkers, threads);
	if (err) {
		ksf_offload_destroy(o);
		return err;
	}
	*op = o;
	return 0;
}

int ksf_offload_submit(struct ksf_offload *o, struct ksf_offload_job *j)
{
	int self = ksf_worker_self();
	struct off_worker *ow;

	if (!o || !j || !j->run || !j->done || self < 0 || self >= o->nworkers ||
	    o->pool->w[self].thr != pthread_self())
		return -EINVAL;
	ow = &o->w[self];
	j->worker = self;
	j->next = NULL;
	atomic_fetch_add(&o->pending, 1);
	pthread_mutex_lock(&ow->lock);
	if (ow->tail)
		ow->tail->next = j;
	else
		ow->head = j;
	ow->tail = j;
	pthread_cond_signal(&ow->more);
	pthread_mutex_unlock(&ow->lock);
	return 0;
}

int ksf_offload_on_idle(struct ksf_offload *o, void (*fn)(void))
{
	if (!o || !fn)
		return -EINVAL;
	if (o->nidle >= IDLE_HOOKS)
		return -ENOSPC;
	o->idle[o->nidle++] = fn;	/* helpers read it after their next wake-up */
	return 0;
}

unsigned long ksf_offload_pending(const struct ksf_offload *o)
{
	return atomic_load(&((struct ksf_offload *)o)->pending);
}

void ksf_offload_destroy(struct ksf_offload *o)
{
	if (!o)
		return;
	while (atomic_load(&o->pending))	/* done callbacks run on the workers */
		usleep(1000);
	for (int i = 0; i < o->nworkers; i++)
		stop_worker(&o->w[i]);
	free(o->w);
	free(o);
}
