/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lock-free single-producer/single-consumer ring of tasks (Lamport's queue
 * with FastForward-style cached indices, seed 001): the producer and the
 * consumer each own one cache line and read the other's index only when
 * their cached copy says the ring looks full (or empty).
 */
#ifndef KSF_RING_H
#define KSF_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdbool.h>
#include <ksf/task.h>

struct ksf__task {
	ksf_task_fn fn;
	void *arg;
};

struct ksf__ring {
	/* consumer's line */
	_Alignas(64) atomic_size_t head;
	size_t tail_cache;
	/* producer's line */
	_Alignas(64) atomic_size_t tail;
	size_t head_cache;
	_Alignas(64) size_t mask;
	struct ksf__task slot[];
};

/* Allocate a ring of `size` entries (a power of two). NULL on failure. */
struct ksf__ring *ksf__ring_new(size_t size);
void ksf__ring_free(struct ksf__ring *r);

/* Producer side. Returns 0 or -EAGAIN when full. */
int ksf__ring_push(struct ksf__ring *r, ksf_task_fn fn, void *arg);

/* Consumer side. Returns true and fills *t, or false when empty. */
bool ksf__ring_pop(struct ksf__ring *r, struct ksf__task *t);

/* Consumer side: anything to pop? (reads the producer's index) */
bool ksf__ring_pending(struct ksf__ring *r);

#endif
