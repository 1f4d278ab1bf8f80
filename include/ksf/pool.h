/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The worker pool: one thread per chosen CPU, pinned, each with its own event
 * loop (epoll or io_uring) and its own connections. Nothing on the data path
 * is shared between workers (seeds 001 and 003); they talk only through
 * single-producer/single-consumer task rings (see task.h).
 */
#ifndef KSF_POOL_H
#define KSF_POOL_H

#include <stdint.h>
#include <stdarg.h>

#define KSF_MAX_WORKERS 256

enum ksf_backend {
	KSF_BACKEND_AUTO = 0,	/* io_uring when it works, else epoll */
	KSF_BACKEND_EPOLL,
	KSF_BACKEND_URING,
};

enum ksf_log_level { KSF_LOG_ERR, KSF_LOG_WARN, KSF_LOG_INFO };

/* The library never prints; it hands log lines to this callback (may be NULL).
 * Called from worker threads: must be thread-safe. */
typedef void (*ksf_log_cb)(enum ksf_log_level lvl, const char *msg, void *arg);

struct ksf_pool_opts {
	int nworkers;		/* 0: one per CPU in cpus[], or all online CPUs */
	const int *cpus;	/* CPUs to pin worker i to; NULL: the CPUs this process may run on */
	int ncpus;		/* entries in cpus[] */
	int pin;		/* pin workers to their CPU (default 1 via ksf_pool_opts_init) */
	enum ksf_backend backend;
	unsigned busy_poll_us;	/* spin on the event source this long before sleeping; 0 = off */
	/* io_uring completion batching (kernel >= 6.12, IORING_FEAT_MIN_TIMEOUT):
	 * when the last wait brought 2 or more completions, the next one waits
	 * for batch_cqes completions, or batch_wait_us at most and then for any
	 * one, so that a busy worker handles more per loop turn. Up to
	 * batch_wait_us more latency for a request that arrives soon after a
	 * wait starts when fewer than batch_cqes follow, which with few
	 * requests in flight (a closed loop of 8, say) costs throughput.
	 * batch_adaptive (the default, 1): each worker measures, in short
	 * epochs with and without batching, its input rate and its CPU time
	 * per byte, and batches only while that costs no rate and saves CPU
	 * (docs/architecture.md); silently off on epoll or an older kernel.
	 * batch_adaptive 0: batch whenever busy (ignored, with a warning, on
	 * epoll or an older kernel). batch_wait_us 0 = never batch. Defaults
	 * via ksf_pool_opts_init: 20 us, batch_cqes 8, adaptive. */
	unsigned batch_wait_us;
	unsigned batch_cqes;
	int batch_adaptive;
	unsigned buf_size;	/* receive buffer size (bytes), default 16384 */
	unsigned nbufs;		/* receive buffers per worker (io_uring ring), default 256 */
	ksf_log_cb log_cb;
	void *log_arg;
	/* A worker that has had no event for this long gives memory back
	 * once: its output chunk cache down to 8 chunks, the pages of its
	 * io_uring receive buffers, and malloc_trim(0). 0 = never; default
	 * 2000 via ksf_pool_opts_init. */
	unsigned idle_trim_ms;
};

struct ksf_pool;

/* Fill *o with defaults. */
void ksf_pool_opts_init(struct ksf_pool_opts *o);

/* Create and start the workers. If io_uring cannot be used (backend AUTO or
 * URING) the pool falls back to epoll and logs it once (KSF_LOG_WARN); a
 * worker whose ring setup fails after that probe passed fails the call.
 * Returns 0 and sets *poolp, or -errno. */
int ksf_pool_create(struct ksf_pool **poolp, const struct ksf_pool_opts *o);

/* Stop the workers (after every service on the pool was stopped) and free
 * the pool. */
void ksf_pool_destroy(struct ksf_pool *pool);

/* Number of workers, the CPU a worker runs on, and the backend in use. */
int ksf_pool_nworkers(const struct ksf_pool *pool);
int ksf_pool_worker_cpu(const struct ksf_pool *pool, int worker);
enum ksf_backend ksf_pool_backend(const struct ksf_pool *pool);
const char *ksf_backend_name(enum ksf_backend b);

/* Parse "epoll", "uring" (or "io_uring"), "auto". Returns the backend or -EINVAL. */
int ksf_backend_parse(const char *s);

/* Parse a CPU list such as "0-3,6" into cpus[max]. Returns the count or -errno. */
int ksf_cpulist_parse(const char *s, int *cpus, int max);

#endif
