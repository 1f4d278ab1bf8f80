/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Offload: blocking work (disk I/O, fsync, big directories) off the event
 * loop. Each worker gets a small bounded pool of helper threads of its own
 * (nothing shared between workers). A job submitted by a worker runs on one
 * of its helpers, then its completion runs back on that worker, from a task
 * (ksf/task.h), so replies still leave in the worker's batched flush.
 */
#ifndef KSF_OFFLOAD_H
#define KSF_OFFLOAD_H

struct ksf_pool;
struct ksf_offload;

/* A job: embed it in your own struct. run and done are the caller's; the
 * other fields are the library's. */
struct ksf_offload_job {
	void (*run)(struct ksf_offload_job *j);		/* on a helper thread: may block */
	void (*done)(struct ksf_offload_job *j);	/* then on the submitting worker */
	struct ksf_offload_job *next;
	int worker;
};

/* Start `threads` helper threads per worker of pool (1..64). Returns 0 or
 * -errno. The pool must outlive the offload. */
int ksf_offload_create(struct ksf_offload **op, struct ksf_pool *pool, int threads);

/* From a worker thread: queue j for that worker's helpers. j->run runs
 * once on a helper, then j->done once on this worker. Returns 0, or
 * -EINVAL when not called on a worker of the pool (nothing runs). */
int ksf_offload_submit(struct ksf_offload *o, struct ksf_offload_job *j);

/* Idle trim of helper threads: fn runs on each helper thread of o that
 * has run jobs and then none for the pool's idle_trim_ms (once per idle
 * period), to free what the thread keeps between jobs (per-thread
 * buffers); the thread then gives free heap back (malloc_trim). At most 4
 * hooks, run in the order added. Call before submitting jobs. Returns 0,
 * -EINVAL or -ENOSPC. */
int ksf_offload_on_idle(struct ksf_offload *o, void (*fn)(void));

/* Jobs submitted and not yet done (any thread; a snapshot). */
unsigned long ksf_offload_pending(const struct ksf_offload *o);

/* Wait until every submitted job's done has run (the workers must still be
 * running), stop the helpers and free. Call from a thread that is not a
 * worker. */
void ksf_offload_destroy(struct ksf_offload *o);

#endif
