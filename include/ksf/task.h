/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tasks: short functions run on a chosen worker (the seed's thread pool).
 * Each (producer, worker) pair has its own lock-free single-producer,
 * single-consumer ring (Lamport/FastForward, seed 001); a worker that is
 * about to sleep is woken through an eventfd with a protocol that cannot
 * lose a wake-up. Threads that are not workers share one ring per worker,
 * serialised on the producer side by a mutex.
 */
#ifndef KSF_TASK_H
#define KSF_TASK_H

struct ksf_pool;

typedef void (*ksf_task_fn)(void *arg);

/* Run fn(arg) on the worker pinned to `cpu` (or, if no worker is pinned
 * there, worker number cpu % nworkers is NOT chosen: -ENOENT is returned).
 * Returns 0, -EINVAL (no pool), -ENOENT (no worker on that CPU), or -EAGAIN (its ring is full:
 * the caller decides whether to retry). fn runs exactly once if 0 is returned;
 * never if an error is returned. */
int ksf_task_post(struct ksf_pool *pool, int cpu, ksf_task_fn fn, void *arg);

/* Same, addressed by worker index (0..nworkers-1). */
int ksf_task_post_worker(struct ksf_pool *pool, int worker, ksf_task_fn fn, void *arg);

/* Index of the worker running the calling thread, or -1 outside workers. */
int ksf_worker_self(void);

#endif
