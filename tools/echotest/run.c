// SPDX-License-Identifier: BSD-2-Clause
/*
 * echotest's threads: every connection is opened before any timing starts,
 * then one worker thread per connection (pinned with -P) does each run in
 * lock step with the others (tools/common/crew.h). A run lasts from the
 * earliest worker starting to the last one finishing; the connections live
 * across runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "cli.h"
#include "echotest.h"

#define RBUF_LEN (64 * 1024)

/* Echoed bytes that wake a sleeping recv(): one message, up to this. */
#define RCVLOWAT_MAX (64 * 1024)

/* Connect w (target_connect_thread(): every thread to the same address,
 * with TCP_NODELAY, so that one message per send() really is one
 * segment) before timing starts. The socket is blocking, with --stall as
 * its timeouts so that a silent server cannot hold recv() for ever, and
 * its receive low-water mark is one message (best effort), so that a
 * thread asleep in recv() wakes once per message, not per segment.
 * 0, or -1 with a message in err. */
static int connect_one(void *arg, void *wp, char *err, size_t errlen)
{
	struct et_ctx *ctx = arg;
	struct et_worker *w = wp;
	const struct et_opts *o = ctx->o;
	int lowat = o->len <= RCVLOWAT_MAX ? (int)o->len : 1;

	w->fd = target_connect_worker(&ctx->tgt, w->id, SOCK_STREAM, o->stall_ns,
				      o->stall_ns, err, errlen);
	if (w->fd < 0)
		return -1;
	setsockopt(w->fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat));
	return 0;
}

/* Buffers of one worker: O(inflight) slots, a 64 KiB receive buffer and the
 * iovecs of one sendmsg() (two per message; -b fills up to IOV_MAX). */
static int worker_init(void *arg, void *wp, unsigned id)
{
	struct et_ctx *ctx = arg;
	struct et_worker *w = wp;
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

static void work(void *arg, unsigned i)
{
	struct et_ctx *ctx = arg;

	et_client_run(&ctx->ws[i]);
}

static void clear(void *w)
{
	((struct et_worker *)w)->fd = -1;
}

int et_workers_create(struct et_ctx *ctx, char *err, size_t errlen)
{
	static const struct crew_workers cw = {
		sizeof(struct et_worker), clear, worker_init, connect_one, work,
	};
	const struct et_opts *o = ctx->o;
	void *ws = NULL;
	int rc = crew_create(&ctx->crew, &ws, o->threads, &cw, o->cpus, o->ncpus, ctx,
			     err, errlen);

	ctx->ws = ws;
	return rc;
}

void et_workers_destroy(struct et_ctx *ctx)
{
	crew_stop(&ctx->crew);
	for (unsigned i = 0; ctx->ws && i < ctx->o->threads; i++) {
		struct et_worker *w = &ctx->ws[i];

		if (w->fd >= 0)
			close(w->fd);
		free(w->slots);
		free(w->rbuf);
		free(w->iov);
	}
	free(ctx->ws);
	ctx->ws = NULL;
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

int et_run_once(struct et_ctx *ctx, struct et_totals *t)
{
	uint64_t first = UINT64_MAX, last = 0, cpu0;

	hist_reset(&t->hist);
	t->msgs = t->bytes = 0;
	t->why = NULL;
	t->nfailed = 0;
	cpu0 = cli_cpu_ns();
	crew_run(&ctx->crew);
	t->cpu_ns = cli_cpu_ns() - cpu0;
	for (unsigned i = 0; i < ctx->o->threads; i++)
		add_worker(t, &ctx->ws[i], &first, &last);
	t->elapsed_ns = last > first ? last - first : 0;
	return t->why ? -1 : 0;
}
