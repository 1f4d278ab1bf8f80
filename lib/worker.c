// SPDX-License-Identifier: BSD-2-Clause
/*
 * The worker thread: pinned to one CPU, it owns an event loop and every
 * connection accepted on its listeners. One loop turn has named phases:
 *
 *   1. tasks     run what other threads posted (bounded per ring)
 *   2. timers    idle timeouts, drain deadlines
 *   3. closes    deferred closes requested during the last turn
 *   4. flush     one writev / one sendmsg SQE per connection with output
 *   5. trim      once idle for the pool's idle_trim_ms: give memory back
 *   6. wait      busy-poll then block (epoll_wait / io_uring submit+wait),
 *                dispatching events: accepts, input to recv_cb, completions
 *
 * Output produced while handling a batch of input therefore leaves in one
 * call per connection per turn (PASTE's batching, seed 002).
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "ksf_int.h"

#define TRIM_KEEP_CHUNKS 8	/* output chunks (128 KiB) an idle trim keeps */

void ksf__task_set_self(struct ksf_pool *p, int idx);

static int pin_self(struct ksf__worker *w)
{
	cpu_set_t set;

	if (!w->pool->o.pin)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* Idle trim. A load leaves memory behind that an idle worker does not
 * need: up to 512 cached output chunks (8 MiB), the receive buffers the
 * kernel filled (io_uring: 256 x 16 KiB by default), and free memory in
 * this thread's malloc arena that glibc keeps (its trim threshold rises
 * with the sizes freed, and only the top of a heap is ever released on
 * free). Once a worker has had no event, task or close for idle_trim_ms,
 * free the chunk cache down to a floor, let the backend drop its buffers'
 * pages, and malloc_trim(0), which returns the free pages of every arena.
 * Once per idle period: an idle worker is not woken again for it. Returns
 * the timeout to wait with (ms, -1: none). */
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

static int idle_trim(struct ksf__worker *w, int timeout)
{
	uint64_t after = (uint64_t)w->pool->o.idle_trim_ms * 1000000u;
	uint64_t due = w->active_ns + after;

	if (!after || w->trimmed)
		return timeout;
	if (w->now_ns < due) {
		int ms = (int)((due - w->now_ns) / 1000000u) + 1;
		return timeout < 0 || ms < timeout ? ms : timeout;
	}
	ksf__bufpool_trim(w, TRIM_KEEP_CHUNKS);
	if (w->be->trim)
		w->be->trim(w);
#if defined(__GLIBC__) && !KSF_ASAN
	malloc_trim(0);
#endif
	w->trimmed = true;
	return timeout;
}

static void loop_turn(struct ksf__worker *w)
{
	int timeout, ran;
	bool busy;

	w->now_ns = ksf__now_ns();
	ran = ksf__tasks_run(w);
	timeout = ksf__svc_timers(w);
	busy = ran > 0 || w->closeq || w->flushq;
	ksf__worker_run_closes(w);
	ksf__worker_run_flushes(w);
	ksf__worker_run_closes(w);	/* flush errors */
	ksf__worker_reap(w);
	ksf__svc_post_done(w);
	if (w->flushq || w->closeq || ksf__tasks_pending(w))
		timeout = 0;
	if (!busy)
		timeout = idle_trim(w, timeout);
	if (w->be->wait(w, timeout) > 0 || busy) {
		w->active_ns = w->now_ns;
		w->trimmed = false;
	}
}

static void *worker_main(void *arg)
{
	struct ksf__worker *w = arg;
	int err;

	ksf__task_set_self(w->pool, w->idx);
	w->active_ns = ksf__now_ns();
	err = pin_self(w);
	if (!err)
		err = w->be->init(w);
	w->init_err = err;
	sem_post(&w->pool->ready);
	if (err)
		return NULL;
	while (!atomic_load_explicit(&w->stop, memory_order_relaxed))
		loop_turn(w);
	w->be->fini(w);
	return NULL;
}

int ksf__worker_start(struct ksf__worker *w);
int ksf__worker_start(struct ksf__worker *w)
{
	int err = ksf__tasks_init(w);

	if (err)
		return err;
	w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	err = -pthread_create(&w->thr, NULL, worker_main, w);
	if (err)
		return err;
	sem_wait(&w->pool->ready);
	if (w->init_err) {
		pthread_join(w->thr, NULL);
		return w->init_err;
	}
	return 0;
}

void ksf__worker_stop(struct ksf__worker *w);
void ksf__worker_stop(struct ksf__worker *w)
{
	uint64_t one = 1;

	atomic_store(&w->stop, 1);
	(void)!write(w->evfd, &one, sizeof(one));
	pthread_join(w->thr, NULL);
	if (w->spare_fd >= 0)
		close(w->spare_fd);
	ksf__bufpool_fini(w);
}
