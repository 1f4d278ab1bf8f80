// SPDX-License-Identifier: BSD-2-Clause
/*
 * One rpctest run on the engine (tools/common/engine.h) and its totals,
 * with what only rpctest counts: lost and late UDP replies, the seed's RTT (the median
 * over threads of each thread's median) and the --udp-loss limit.
 */
#include <stdio.h>
#include "rpctest.h"

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
	for (unsigned i = 0; i < ctx->o->l.threads; i++)
		rt_ws(ctx, i)->lost = rt_ws(ctx, i)->late = 0;
	eng_run_once(&ctx->eng, &t->e);
	for (unsigned i = 0; i < ctx->o->l.threads; i++) {
		const struct rt_worker *w = rt_ws(ctx, i);

		t->lost += w->lost;
		t->late += w->late;
		t->started += w->e.seq - w->e.seq0;
	}
	t->rtt_med_us = thread_median_us(ctx);
	check_loss(ctx->o, t);
	return t->e.why ? -1 : 0;
}
