// SPDX-License-Identifier: BSD-2-Clause
/*
 * Tasks and the wake-up protocol. A lost wake-up shows up as a task that
 * never runs: every phase waits with a deadline and fails instead of
 * hanging. Phases: (1) ping-pong between an outside thread and a worker,
 * one task at a time, so the worker goes to sleep between almost every post
 * (the race window of seed 001's lost wake-up); (2) workers posting to each
 * other (the SPSC worker rings); (3) several outside threads at once (the
 * shared outside ring); (4) ring full returns -EAGAIN and the task is not run.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include <ksf.h>
#include "check.h"

static struct ksf_pool *pool;
static atomic_ulong ran;

static void count_task(void *arg) { (void)arg; atomic_fetch_add(&ran, 1); }

static int wait_for(unsigned long want, int secs)
{
	struct timespec end, now;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += secs;
	while (atomic_load(&ran) < want) {
		sched_yield();	/* let the workers run on a busy machine */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec > end.tv_nsec))
			return -ETIMEDOUT;
	}
	return 0;
}

static void pingpong(void)
{
	atomic_store(&ran, 0);
	for (unsigned long i = 1; i <= 20000; i++) {
		CHECK_EQ(ksf_task_post_worker(pool, (int)(i % 2 % ksf_pool_nworkers(pool)),
					      count_task, NULL), 0);
		if (wait_for(i, 10)) {
			CHECK_EQ(atomic_load(&ran), i);	/* lost wake-up */
			return;
		}
	}
}

/* Runs on a worker: posts its remaining tasks to the next worker until that
 * ring is full, then re-posts itself to its own worker to go on next turn
 * (spinning instead would deadlock two workers filling each other's rings). */
static unsigned long remaining[2];

static void fan_task(void *arg)
{
	unsigned long *left = arg;
	int me = ksf_worker_self(), to = (me + 1) % ksf_pool_nworkers(pool);

	while (*left && ksf_task_post_worker(pool, to, count_task, NULL) == 0)
		(*left)--;
	if (*left)
		CHECK_EQ(ksf_task_post_worker(pool, me, fan_task, left), 0);
}

static void worker_to_worker(void)
{
	atomic_store(&ran, 0);
	CHECK_EQ(ksf_worker_self(), -1);
	for (int i = 0; i < ksf_pool_nworkers(pool); i++) {
		remaining[i] = 100000ul;
		CHECK_EQ(ksf_task_post_worker(pool, i, fan_task, &remaining[i]), 0);
	}
	CHECK_EQ(wait_for(100000ul * (unsigned long)ksf_pool_nworkers(pool), 30), 0);
}

static void *outside_poster(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100000; i++)
		while (ksf_task_post_worker(pool, i % ksf_pool_nworkers(pool), count_task, NULL) == -EAGAIN)
			sched_yield();
	return NULL;
}

static void many_outside(void)
{
	pthread_t t[4];

	atomic_store(&ran, 0);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, outside_poster, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(wait_for(400000, 30), 0);
}

static atomic_int gate;
static void block_task(void *arg) { (void)arg; while (!atomic_load(&gate)) usleep(100); }

static void ring_full(void)
{
	int err = 0;
	unsigned long posted = 0;

	atomic_store(&ran, 0);
	atomic_store(&gate, 0);
	CHECK_EQ(ksf_task_post_worker(pool, 0, block_task, NULL), 0);
	usleep(10000);
	while (posted < 100000 && !(err = ksf_task_post_worker(pool, 0, count_task, NULL)))
		posted++;
	CHECK_EQ(err, -EAGAIN);
	atomic_store(&gate, 1);
	CHECK_EQ(wait_for(posted, 10), 0);
	usleep(10000);
	CHECK_EQ(atomic_load(&ran), posted);	/* refused tasks never run */
	CHECK_EQ(ksf_task_post_worker(pool, 99, count_task, NULL), -ENOENT);
	CHECK_EQ(ksf_task_post(pool, 4095, count_task, NULL), -ENOENT);
}

int main(void)
{
	struct ksf_pool_opts o;
	int cpus[2] = { 0, 0 };

	ksf_pool_opts_init(&o);
	o.backend = KSF_BACKEND_EPOLL;
	o.nworkers = 2;		/* two workers even on one CPU */
	o.cpus = cpus;
	o.ncpus = 1;
	o.pin = 0;
	for (int b = 0; b < 2; b++) {
		o.backend = b ? KSF_BACKEND_URING : KSF_BACKEND_EPOLL;
		if (ksf_pool_create(&pool, &o)) {
			fprintf(stderr, "pool create failed\n");
			return 1;
		}
		pingpong();
		worker_to_worker();
		many_outside();
		ring_full();
		ksf_pool_destroy(pool);
	}
	return CHECK_DONE();
}
