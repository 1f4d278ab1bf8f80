// SPDX-License-Identifier: BSD-2-Clause
/*
 * Idle trim. A load leaves memory behind that an idle worker does not
 * need: up to 512 cached output chunks (8 MiB), the receive buffers the
 * kernel filled (io_uring: 256 x 16 KiB by default), and free memory in
 * the worker's malloc arena that glibc keeps (its trim threshold rises
 * with the sizes freed, and only the top of a heap is ever released on
 * free). Once a worker has had no event, task or close for the pool's
 * idle_trim_ms, it frees the chunk cache down to a floor, lets the
 * backend drop its buffers' pages, and calls malloc_trim(0), which returns
 * the free pages of every arena. Once per idle period.
 *
 * Who notices the idle period: one ticker thread per pool, waking every
 * idle_trim_ms / 2, marks a worker idle that long as due and wakes it; the
 * worker trims in its next turn. A worker therefore sleeps without a
 * timeout when nothing else needs one. It used to sleep with the trim's
 * deadline as its timeout, which armed and cancelled a kernel timer at
 * every sleep: at one call in flight over UDP (a sleep per call) that was
 * 1.5-2% of the rate and ~1% of krpc's CPU per call here. A worker is
 * trimmed between idle_trim_ms and 1.5 x idle_trim_ms after its last
 * activity.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <time.h>
#include "ksf_int.h"

#define TRIM_KEEP_CHUNKS 8	/* output chunks (128 KiB) an idle trim keeps */

/* Under AddressSanitizer glibc's malloc is not the allocator: its
 * malloc_trim would only set up an arena for this thread behind glibc's
 * back, which glibc then trips over at thread exit ("malloc assertion
 * failure in __malloc_arena_thread_freeres", seen once in make asan). */
#if defined(__SANITIZE_ADDRESS__)
#define KSF_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KSF_ASAN 1
#endif
#endif
#ifndef KSF_ASAN
#define KSF_ASAN 0
#endif

/* On the worker: trim if the ticker found it idle long enough. */
void ksf__worker_trim_if_due(struct ksf__worker *w)
{
	if (!__atomic_exchange_n(&w->trim_due, 0, __ATOMIC_RELAXED))
		return;
	ksf__bufpool_trim(w, TRIM_KEEP_CHUNKS);
	if (w->be->trim)
		w->be->trim(w);
#if defined(__GLIBC__) && !KSF_ASAN
	malloc_trim(0);
#endif
	__atomic_store_n(&w->trimmed, true, __ATOMIC_RELAXED);
}

/* On the worker, after a turn with events or tasks. */
void ksf__worker_active(struct ksf__worker *w)
{
	__atomic_store_n(&w->active_ns, w->now_ns, __ATOMIC_RELAXED);
	if (w->trimmed)
		__atomic_store_n(&w->trimmed, false, __ATOMIC_RELAXED);
}

static void tick(struct ksf_pool *p, uint64_t after)
{
	uint64_t now = ksf__now_ns();

	for (int i = 0; i < p->nworkers; i++) {
		struct ksf__worker *w = &p->w[i];

		if (__atomic_load_n(&w->trimmed, __ATOMIC_RELAXED) ||
		    now - __atomic_load_n(&w->active_ns, __ATOMIC_RELAXED) < after)
			continue;
		__atomic_store_n(&w->trim_due, 1, __ATOMIC_RELAXED);
		ksf__worker_wake(w);
	}
}

static void *ticker_main(void *arg)
{
	struct ksf_pool *p = arg;
	uint64_t after = (uint64_t)p->o.idle_trim_ms * 1000000u;
	uint64_t every = after / 2 > 1000000u ? after / 2 : 1000000u;
	struct timespec at;

	pthread_mutex_lock(&p->tick_lock);
	clock_gettime(CLOCK_MONOTONIC, &at);
	while (!p->tick_stop) {
		uint64_t ns = (uint64_t)at.tv_nsec + every;

		at.tv_sec += (time_t)(ns / 1000000000u);
		at.tv_nsec = (long)(ns % 1000000000u);
		while (!p->tick_stop &&
		       pthread_cond_timedwait(&p->tick_cond, &p->tick_lock, &at) != ETIMEDOUT)
			;
		if (!p->tick_stop)
			tick(p, after);
	}
	pthread_mutex_unlock(&p->tick_lock);
	return NULL;
}

/* Start the pool's ticker (none when idle_trim_ms is 0). */
int ksf__ticker_start(struct ksf_pool *p)
{
	pthread_condattr_t ca;
	int err;

	if (!p->o.idle_trim_ms)
		return 0;
	pthread_mutex_init(&p->tick_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->tick_cond, &ca);
	pthread_condattr_destroy(&ca);
	p->tick_stop = false;
	err = -pthread_create(&p->ticker, NULL, ticker_main, p);
	if (err) {
		pthread_cond_destroy(&p->tick_cond);
		pthread_mutex_destroy(&p->tick_lock);
		return err;
	}
	p->ticker_on = true;
	return 0;
}

void ksf__ticker_stop(struct ksf_pool *p)
{
	if (!p->ticker_on)
		return;
	pthread_mutex_lock(&p->tick_lock);
	p->tick_stop = true;
	pthread_cond_signal(&p->tick_cond);
	pthread_mutex_unlock(&p->tick_lock);
	pthread_join(p->ticker, NULL);
	pthread_cond_destroy(&p->tick_cond);
	pthread_mutex_destroy(&p->tick_lock);
	p->ticker_on = false;
}
