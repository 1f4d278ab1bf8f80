// SPDX-License-Identifier: BSD-2-Clause
/*
 * rpctest on the engine (tools/common/engine.h): its hooks (a UDP socket
 * gets room for a window of replies), and one run's totals with what only
 * rpctest counts: lost and late UDP replies, the seed's RTT (the median
 * over threads of each thread's median) and the --udp-loss limit.
 */
#include <stdio.h>
#include <sys/socket.h>
#include "rpctest.h"

/* UDP: room in the socket buffers for the replies (and calls) of a whole
 * window, so that a burst of replies is not dropped by our own socket:
 * about 2 KiB of buffer per small datagram, at least the default, at most
 * 16 MiB (the kernel caps it at net.core.rmem_max / wmem_max). Best effort. */
static int connected(struct eng_worker *e, char *err, size_t errlen)
{
	uint64_t want = (uint64_t)(e->eng->inflight ? e->eng->inflight : 1) * 2048;
	int v = (int)(want < 256 * 1024 ? 256 * 1024 : want > 16 << 20 ? 16 << 20 : want);

	(void)err;
	(void)errlen;
	if (e->eng->socktype != SOCK_DGRAM)
		return 0;
	setsockopt(e->fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	setsockopt(e->fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	return 0;
}

static int run_done(const struct eng_worker *e)
{
	return rt_run_done((const struct rt_worker *)e);
}

const struct eng_proto rt_proto = {
	.size = sizeof(struct rt_worker),
	.init = rt_worker_init,
	.free = rt_worker_free,
	.connected = connected,
	.run = rt_worker_run,
	.tx_ready = rt_tcp_tx_ready,
	.rx = rt_tcp_rx,
	.run_done = run_done,
	.stall = rt_fail_stall,
};

/* The seed's RTT: the median over threads of each thread's median. */
static double thread_median_us(const struct rt_ctx *ctx)
{
	double v[RT_MAX_THREADS];
	size_t n = 0;

	for (unsigned i = 0; i < ctx->o->l.threads; i++)
		if (hist_count(&rt_ws(ctx, i)->e.hist))
			v[n++] = (double)hist_quantile(&rt_ws(ctx, i)->e.hist, 0.5) / 1e3;
	return report_median_of(v, n);
}

/* --udp-loss: the losses of the whole run against the limit. */
static void check_loss(const struct rt_opts *o, struct rt_totals *t)
{
	int over = o->udp_loss_pct >= 0 ?
		   (double)t->lost * 100.0 > o->udp_loss_pct * (double)t->started :
		   t->lost > o->udp_loss;

	if (!o->udp || !over || t->e.why)
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
	t->e.why = t->why_buf;
	t->e.nfailed++;
}

int rt_run_once(struct rt_ctx *ctx, struct rt_totals *t)
{
	t->lost = t->late = t->started = 0;
	t->date = time(NULL);
	eng_run_once(&ctx->eng, &t->e);
	for (unsigned i = 0; i < ctx->o->l.threads; i++) {
		const struct rt_worker *w = rt_ws(ctx, i);

		t->lost += w->lost;
		t->late += w->late;
		t->started += w->started;
	}
	t->rtt_med_us = thread_median_us(ctx);
	check_loss(ctx->o, t);
	return t->e.why ? -1 : 0;
}
