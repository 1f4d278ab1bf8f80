// SPDX-License-Identifier: BSD-2-Clause
/*
 * rpctest's threads: every connection is opened (every UDP socket
 * connected) before any timing starts, then one worker thread per
 * connection (pinned with -P) does each run in lock step with the others
 * (tools/common/crew.h). A run lasts from the earliest worker starting to
 * the last one finishing; the connections live across runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "cli.h"
#include "rpctest.h"

/* UDP: room in the socket buffers for the replies (and calls) of a whole
 * window, so that a burst of replies is not dropped by our own socket:
 * about 2 KiB of buffer per small datagram, at least the default, at most
 * 16 MiB (the kernel caps it at net.core.rmem_max / wmem_max). Best effort. */
static void udp_buffers(int fd, unsigned inflight)
{
	uint64_t want = (uint64_t)(inflight ? inflight : 1) * 2048;
	int v = (int)(want < 256 * 1024 ? 256 * 1024 : want > 16 << 20 ? 16 << 20 : want);

	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
}

/* Connect w (target_connect_thread(): every thread to the address the
 * first one could connect to); make a TCP socket (and for -a 0 a UDP one)
 * blocking, with
 * --stall (UDP: --udp-timeout, if shorter) as its timeouts. 0, or -1 with
 * a message in err. */
static int connect_one(void *arg, void *wp, char *err, size_t errlen)
{
	struct rt_ctx *ctx = arg;
	struct rt_worker *w = wp;
	const struct rt_opts *o = ctx->o;
	uint64_t tmo = o->udp && o->udp_timeout_ns < o->stall_ns ? o->udp_timeout_ns
								 : o->stall_ns;

	w->fd = target_connect_worker(&ctx->tgt, w->id, o->udp ? SOCK_DGRAM : SOCK_STREAM,
				      o->stall_ns, o->inflight && o->udp ? 0 : tmo, err, errlen);
	if (w->fd < 0)
		return -1;
	if (o->udp)
		udp_buffers(w->fd, o->inflight);
	return 0;
}

static void work(void *arg, unsigned i)
{
	struct rt_ctx *ctx = arg;

	rt_worker_run(&ctx->ws[i]);
}

static void clear(void *w)
{
	((struct rt_worker *)w)->fd = -1;
}

static int init(void *ctx, void *w, unsigned i)
{
	return rt_worker_init(ctx, w, i);
}

int rt_workers_create(struct rt_ctx *ctx, char *err, size_t errlen)
{
	static const struct crew_workers cw = {
		sizeof(struct rt_worker), clear, init, connect_one, work,
	};
	const struct rt_opts *o = ctx->o;
	void *ws = NULL;
	int rc = crew_create(&ctx->crew, &ws, o->threads, &cw, o->cpus, o->ncpus, ctx,
			     err, errlen);

	ctx->ws = ws;
	return rc;
}

void rt_workers_destroy(struct rt_ctx *ctx)
{
	crew_stop(&ctx->crew);
	for (unsigned i = 0; ctx->ws && i < ctx->o->threads; i++) {
		rt_nfs_note_calls(ctx, i, ctx->ws[i].next_seq);
		rt_worker_free(&ctx->ws[i]);
	}
	free(ctx->ws);
	ctx->ws = NULL;
}

/* Add worker w's run to the totals. */
static void add_worker(struct rt_totals *t, const struct rt_worker *w, uint64_t *first,
		       uint64_t *last)
{
	hist_merge(&t->hist, &w->hist);
	t->calls += w->calls;
	t->lost += w->lost;
	t->late += w->late;
	t->started += w->started;
	t->tx_bytes += w->tx_bytes;
	t->rx_bytes += w->rx_bytes;
	if (w->start_ns < *first)
		*first = w->start_ns;
	if (w->end_ns > *last)
		*last = w->end_ns;
	if (w->err[0] && !w->quit && !t->nfailed++)
		t->why = w->err;
}

/* The seed's RTT: the median over threads of each thread's median. */
static double thread_median_us(const struct rt_ctx *ctx)
{
	double v[RT_MAX_THREADS];
	size_t n = 0;

	for (unsigned i = 0; i < ctx->o->threads; i++)
		if (hist_count(&ctx->ws[i].hist))
			v[n++] = (double)hist_quantile(&ctx->ws[i].hist, 0.5) / 1e3;
	return report_median_of(v, n);
}

/* --udp-loss: the losses of the whole run against the limit. */
static void check_loss(const struct rt_opts *o, struct rt_totals *t)
{
	int over = o->udp_loss_pct >= 0 ?
		   (double)t->lost * 100.0 > o->udp_loss_pct * (double)t->started :
		   t->lost > o->udp_loss;

	if (!o->udp || !over || t->why)
		return;
	if (o->udp_loss_pct >= 0)
		snprintf(t->why_buf, sizeof(t->why_buf), "%llu of %llu calls lost (%.3f%%; "
			 "--udp-loss allows %g%%)", (unsigned long long)t->lost,
			 (unsigned long long)t->started,
			 t->started ? (double)t->lost * 100.0 / (double)t->started : 0.0,
			 o->udp_loss_pct);
	else
		snprintf(t->why_buf, sizeof(t->why_buf), "%llu calls lost (--udp-loss allows "
			 "%llu)", (unsigned long long)t->lost, (unsigned long long)o->udp_loss);
	t->why = t->why_buf;
	t->nfailed++;
}

int rt_run_once(struct rt_ctx *ctx, struct rt_totals *t)
{
	uint64_t first = UINT64_MAX, last = 0, cpu0;

	hist_reset(&t->hist);
	t->calls = t->lost = t->late = t->started = t->tx_bytes = t->rx_bytes = 0;
	t->why = NULL;
	t->nfailed = 0;
	t->date = time(NULL);
	cpu0 = cli_cpu_ns();
	crew_run(&ctx->crew);
	t->cpu_ns = cli_cpu_ns() - cpu0;
	for (unsigned i = 0; i < ctx->o->threads; i++)
		add_worker(t, &ctx->ws[i], &first, &last);
	t->elapsed_ns = last > first ? last - first : 0;
	t->rtt_med_us = thread_median_us(ctx);
	check_loss(ctx->o, t);
	return t->why ? -1 : 0;
}
