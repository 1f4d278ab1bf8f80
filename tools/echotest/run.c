// SPDX-License-Identifier: BSD-2-Clause
/*
 * echotest's threads: every connection is opened before any timing starts,
 * then one worker thread per connection (pinned with -P) waits at a start
 * barrier for each run, runs it (client.c) and meets the others at an end
 * barrier. A run lasts from the earliest worker leaving the start barrier to
 * the last one finishing. The connections live across runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "cli.h"
#include "pin.h"
#include "echotest.h"

#define RBUF_LEN (64 * 1024)

/* Wait for a nonblocking connect() to finish, at most timeout_ns. 0 or -errno. */
static int connect_wait(int fd, uint64_t timeout_ns)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	uint64_t end = cli_now_ns() + timeout_ns, now;
	socklen_t len = sizeof(int);
	int err = 0, n;

	do {	/* bounded by the timeout; repeats only on EINTR */
		now = cli_now_ns();
		if (now >= end)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, (int)((end - now + 999999) / 1000000));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return -err;
}

/* For -a 0: a blocking socket, with --stall as its receive timeout so that
 * a silent server cannot hold recv() for ever. */
static int make_blocking(int fd, uint64_t stall_ns)
{
	struct timeval tv = { .tv_sec = (time_t)(stall_ns / 1000000000),
			      .tv_usec = (suseconds_t)(stall_ns % 1000000000 / 1000) };
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK))
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

/* Open w's connection to addrs[i] of the target: TCP_NODELAY, so that one
 * message per send() really is one segment, and connected before timing
 * starts. 0 or -errno; w->fd is -1 after a failure. */
static int connect_addr(struct et_ctx *ctx, struct et_worker *w, int i)
{
	const struct target *t = &ctx->tgt;
	int one = 1, rc;

	w->fd = socket(t->addrs[i].ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (w->fd < 0)
		return -errno;
	rc = setsockopt(w->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ? -errno : 0;
	if (!rc)
		rc = connect(w->fd, (const struct sockaddr *)&t->addrs[i], t->addrlens[i])
		     ? -errno : 0;
	if (rc == -EINPROGRESS)
		rc = connect_wait(w->fd, ctx->o->stall_ns);
	if (!rc && !ctx->o->inflight)
		rc = make_blocking(w->fd, ctx->o->stall_ns);
	if (rc) {
		close(w->fd);
		w->fd = -1;
	}
	return rc;
}

/* Connect w. The first thread tries each address of the target in turn;
 * the others use the one that worked (ctx->addr_ok). */
static int connect_one(struct et_ctx *ctx, struct et_worker *w, char *err, size_t errlen)
{
	const struct target *t = &ctx->tgt;
	int first = w->id ? ctx->addr_ok : 0, end = w->id ? first + 1 : t->naddrs, rc;
	char addr[TARGET_ADDRSTR_MAX];
	size_t len = 0;

	for (int k = first; k < end; k++) {
		rc = connect_addr(ctx, w, k);
		if (!rc) {
			ctx->addr_ok = k;
			return 0;
		}
		target_addr_str((const struct sockaddr *)&t->addrs[k], addr, sizeof(addr));
		len += (size_t)snprintf(err + len, len < errlen ? errlen - len : 0,
					"%sconnect to %s (thread %u): %s", k > first ? "; " : "",
					addr, w->id, strerror(-rc));
		if (len >= errlen)
			len = errlen - 1;
	}
	return -1;
}

/* Buffers of one worker: O(inflight) slots, a 64 KiB receive buffer and the
 * iovecs of one sendmsg() (two per message; -b fills up to IOV_MAX). */
static int worker_init(struct et_ctx *ctx, struct et_worker *w, unsigned id)
{
	unsigned a = ctx->o->inflight ? ctx->o->inflight : 1;
	long iov_max = sysconf(_SC_IOV_MAX);

	if (iov_max < 2)
		iov_max = 16;
	w->ctx = ctx;
	w->id = id;
	w->nslots = a;
	w->niov = ctx->o->batch ? (int)(2ULL * a < (unsigned long)iov_max ? 2ULL * a
									   : (unsigned long)iov_max) : 2;
	w->rbuf_len = RBUF_LEN;
	w->slots = calloc(a, sizeof(*w->slots));
	w->rbuf = malloc(w->rbuf_len);
	w->iov = calloc((size_t)w->niov, sizeof(*w->iov));
	hist_init(&w->hist);
	return w->slots && w->rbuf && w->iov ? 0 : -ENOMEM;
}

static void *worker_main(void *arg)
{
	struct et_worker *w = arg;
	struct et_ctx *ctx = w->ctx;

	/* Wait until main has created every thread (or given up). */
	pthread_mutex_lock(&ctx->gate);
	pthread_mutex_unlock(&ctx->gate);
	if (!ctx->running)
		return NULL;	/* startup failed: the barriers are not used */
	for (;;) {	/* one pass per run; main ends it with ctx->stop */
		pthread_barrier_wait(&ctx->start);
		if (ctx->stop)
			break;
		et_client_run(w);
		pthread_barrier_wait(&ctx->end);
	}
	return NULL;
}

static int start_thread(struct et_ctx *ctx, struct et_worker *w, char *err, size_t errlen)
{
	const struct et_opts *o = ctx->o;
	pthread_attr_t attr;
	int rc = -pthread_attr_init(&attr);

	if (!rc && o->ncpus)
		rc = pin_attr(&attr, o->cpus[w->id % (unsigned)o->ncpus]);
	if (!rc)
		rc = -pthread_create(&w->tid, &attr, worker_main, w);
	pthread_attr_destroy(&attr);
	if (!rc) {
		w->started = 1;
		return 0;
	}
	snprintf(err, errlen, "cannot start thread %u%s: %s", w->id,
		 o->ncpus ? " on its CPU" : "", strerror(-rc));
	return -1;
}

/* Start every worker thread. They are held at ctx->gate until all exist:
 * if one cannot start, the others leave without ever waiting at a barrier
 * that could no longer fill up. */
static int start_threads(struct et_ctx *ctx, struct et_worker *ws, char *err, size_t errlen)
{
	unsigned n = ctx->o->threads, i;
	int rc = 0;

	if (pthread_barrier_init(&ctx->start, NULL, n + 1) ||
	    pthread_barrier_init(&ctx->end, NULL, n + 1)) {
		snprintf(err, errlen, "cannot create barriers");
		return -1;
	}
	pthread_mutex_lock(&ctx->gate);
	for (i = 0; i < n && !rc; i++)
		rc = start_thread(ctx, &ws[i], err, errlen);
	ctx->running = rc == 0;	/* the threads read it once past the gate */
	pthread_mutex_unlock(&ctx->gate);
	return rc;
}

int et_workers_create(struct et_ctx *ctx, struct et_worker **wsp, char *err, size_t errlen)
{
	unsigned n = ctx->o->threads;
	struct et_worker *ws = calloc(n, sizeof(*ws));

	*wsp = ws;
	if (!ws) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < n; i++)
		ws[i].fd = -1;
	for (unsigned i = 0; i < n; i++) {
		if (worker_init(ctx, &ws[i], i)) {
			snprintf(err, errlen, "out of memory for thread %u", i);
			return -1;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (connect_one(ctx, &ws[i], err, errlen))
			return -1;
		target_use(&ctx->tgt, ctx->addr_ok);
	}
	return start_threads(ctx, ws, err, errlen);
}

void et_workers_destroy(struct et_ctx *ctx, struct et_worker *ws)
{
	unsigned n = ctx->o->threads;

	if (!ws)
		return;
	if (ctx->running) {	/* every worker waits at start: release them */
		ctx->stop = 1;
		pthread_barrier_wait(&ctx->start);
		ctx->running = 0;
	}
	for (unsigned i = 0; i < n; i++) {
		if (ws[i].started)
			pthread_join(ws[i].tid, NULL);
		if (ws[i].fd >= 0)
			close(ws[i].fd);
		free(ws[i].slots);
		free(ws[i].rbuf);
		free(ws[i].iov);
	}
	free(ws);
}

/* Add worker w's run to the totals. */
static void add_worker(struct et_totals *t, const struct et_worker *w, uint64_t *first,
		       uint64_t *last)
{
	hist_merge(&t->hist, &w->hist);
	t->msgs += w->msgs;
	t->bytes += w->bytes;
	if (w->start_ns < *first)
		*first = w->start_ns;
	if (w->end_ns > *last)
		*last = w->end_ns;
	if (w->err[0] && !w->quit && !t->nfailed++)
		t->why = w->err;
}

int et_run_once(struct et_ctx *ctx, struct et_worker *ws, struct et_totals *t)
{
	uint64_t first = UINT64_MAX, last = 0, cpu0 = cli_cpu_ns();

	hist_reset(&t->hist);
	t->msgs = t->bytes = 0;
	t->why = NULL;
	t->nfailed = 0;
	pthread_barrier_wait(&ctx->start);
	pthread_barrier_wait(&ctx->end);
	t->cpu_ns = cli_cpu_ns() - cpu0;
	for (unsigned i = 0; i < ctx->o->threads; i++)
		add_worker(t, &ws[i], &first, &last);
	t->elapsed_ns = last > first ? last - first : 0;
	return t->why ? -1 : 0;
}
