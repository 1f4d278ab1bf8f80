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
 *                (trim.c: the pool's ticker finds it idle and wakes it)
 *   6. wait      busy-poll then block (epoll_wait / io_uring submit+wait),
 *                dispatching events: accepts, input to recv_cb, completions
 *
 * Output produced while handling a batch of input therefore leaves in one
 * call per connection per turn (PASTE's batching, seed 002).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "ksf_int.h"

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
		ksf__worker_trim_if_due(w);	/* trim.c */
	if (w->be->wait(w, timeout) > 0 || busy)
		ksf__worker_active(w);
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
