// SPDX-License-Identifier: BSD-2-Clause
/*
 * SPSC task ring (see ring.h). Memory ordering: the producer writes the slot
 * then publishes it with a release store of tail; the consumer reads tail
 * with acquire before reading the slot, and releases the slot back with a
 * release store of head, which the producer acquires before reusing it.
 */
#include <errno.h>
#include <stdlib.h>
#include "ring.h"

struct ksf__ring *ksf__ring_new(size_t size)
{
	struct ksf__ring *r;

	if (size < 2 || (size & (size - 1)))
		return NULL;
	if (posix_memalign((void **)&r, 64, sizeof(*r) + size * sizeof(r->slot[0])))
		return NULL;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	r->tail_cache = 0;
	r->head_cache = 0;
	r->mask = size - 1;
	return r;
}

void ksf__ring_free(struct ksf__ring *r)
{
	free(r);
}

int ksf__ring_push(struct ksf__ring *r, ksf_task_fn fn, void *arg)
{
	size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);

	if (t - r->head_cache > r->mask) {
		r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
		if (t - r->head_cache > r->mask)
			return -EAGAIN;
	}
	r->slot[t & r->mask].fn = fn;
	r->slot[t & r->mask].arg = arg;
	atomic_store_explicit(&r->tail, t + 1, memory_order_release);
	return 0;
}

bool ksf__ring_pop(struct ksf__ring *r, struct ksf__task *out)
{
	size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (h == r->tail_cache) {
		r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (h == r->tail_cache)
			return false;
	}
	*out = r->slot[h & r->mask];
	atomic_store_explicit(&r->head, h + 1, memory_order_release);
	return true;
}

bool ksf__ring_pending(struct ksf__ring *r)
{
	size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);

	return h != atomic_load_explicit(&r->tail, memory_order_acquire);
}
