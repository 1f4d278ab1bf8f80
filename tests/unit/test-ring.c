// SPDX-License-Identifier: BSD-2-Clause
/*
 * SPSC ring: order and completeness under two-thread stress (a producer and
 * a consumer on different CPUs pushing sequence numbers through a small ring
 * so it is full and empty often), plus the full/empty edge cases.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include "ring.h"
#include "check.h"

#define N 2000000ul

static void nop(void *arg) { (void)arg; }

static void *producer(void *arg)
{
	struct ksf__ring *r = arg;

	for (uintptr_t i = 1; i <= N; i++)
		while (ksf__ring_push(r, nop, (void *)i) == -EAGAIN)
			sched_yield();	/* the consumer may share our CPU */
	return NULL;
}

static void stress(size_t size)
{
	struct ksf__ring *r = ksf__ring_new(size);
	struct ksf__task t;
	pthread_t thr;
	uintptr_t expect = 1;

	pthread_create(&thr, NULL, producer, r);
	while (expect <= N) {
		if (!ksf__ring_pop(r, &t)) {
			sched_yield();
			continue;
		}
		if ((uintptr_t)t.arg != expect || t.fn != nop) {
			CHECK_EQ((uintptr_t)t.arg, expect);
			break;
		}
		expect++;
	}
	pthread_join(thr, NULL);
	CHECK_EQ(expect, N + 1);
	CHECK(!ksf__ring_pop(r, &t));
	ksf__ring_free(r);
}

static void edges(void)
{
	struct ksf__ring *r = ksf__ring_new(4);
	struct ksf__task t;

	CHECK(ksf__ring_new(3) == NULL);
	CHECK(!ksf__ring_pending(r));
	for (uintptr_t i = 0; i < 4; i++)
		CHECK_EQ(ksf__ring_push(r, nop, (void *)i), 0);
	CHECK_EQ(ksf__ring_push(r, nop, NULL), -EAGAIN);
	CHECK(ksf__ring_pending(r));
	CHECK(ksf__ring_pop(r, &t));
	CHECK_EQ((uintptr_t)t.arg, 0);
	CHECK_EQ(ksf__ring_push(r, nop, (void *)4), 0);
	for (uintptr_t i = 1; i <= 4; i++) {
		CHECK(ksf__ring_pop(r, &t));
		CHECK_EQ((uintptr_t)t.arg, i);
	}
	CHECK(!ksf__ring_pop(r, &t));
	ksf__ring_free(r);
}

int main(void)
{
	edges();
	stress(8);
	stress(1024);
	return CHECK_DONE();
}
