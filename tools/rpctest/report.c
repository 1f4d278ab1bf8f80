// SPDX-License-Identifier: BSD-2-Clause
/*
 * rpctest's runs and output, on tools/common/runs.h: the seed's table (date,
 * threads, in flight, RPC/s, median RTT, Mbit/s, min, the -q quantiles,
 * max; one row per run and a 'med' row of medians over runs), or the same
 * fields as one JSON object.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "rpctest.h"

/* The columns: table ones in the seed's order, then JSON-only ones. */
static int columns(void *tool, struct report *p)
{
	struct rt_ctx *ctx = tool;
	const struct rt_opts *o = ctx->o;
	struct rt_report *r = &ctx->rep;
	int run;

	r->c_date = report_add_text(p, "date", "date", 19);
	run = report_add_text(p, "run", NULL, 3);
	r->c_threads = report_add_num(p, "threads", "threads", 7, 0, 0);
	r->c_inflight = report_add_num(p, "inflight", "inflight", 8, 0, 0);
	r->c_rate = report_add_num(p, "RPC/s", "rpc_per_s", 10, 0, 1);
	r->c_rtt = report_add_num(p, "RTT_us", "rtt_us", 8, 1, 3);
	r->c_mbit = report_add_num(p, "Mbit/s", "mbit_per_s", 8, 2, 3);
	r->c_mbyte = o->op == RT_OP_READ || o->op == RT_OP_WRITE ?
		     report_add_num(p, "MB/s", "mb_per_s", 8, 1, 3) : -1;
	r->c_min = report_add_num(p, "min_us", "rtt_min_us", 9, 1, 3);
	r->c_q0 = report_add_quantiles(p, o->q, o->nq);
	if (r->c_q0 < 0)
		return -1;
	r->c_max = report_add_num(p, "max_us", "rtt_max_us", 9, 1, 3);
	r->c_mean = report_add_num(p, NULL, "rtt_mean_us", 0, 0, 3);
	r->c_calls = report_add_num(p, NULL, "calls", 0, 0, 0);
	r->c_lost = report_add_num(p, NULL, "lost", 0, 0, 0);
	r->c_late = report_add_num(p, NULL, "late", 0, 0, 0);
	r->c_secs = report_add_num(p, NULL, "elapsed_s", 0, 0, 6);
	r->c_txb = report_add_num(p, NULL, "bytes_sent", 0, 0, 0);
	r->c_rxb = report_add_num(p, NULL, "bytes_received", 0, 0, 0);
	r->c_cpu = report_add_num(p, "cpu_us/rpc", "cpu_us_per_rpc", 10, 2, 3);
	return r->c_cpu < 0 ? -1 : run;
}

static void fill(void *tool, const struct report *rep, struct report_row *row,
		 const struct eng_totals *et)
{
	const struct rt_ctx *ctx = tool;
	const struct rt_report *r = &ctx->rep;
	const struct rt_totals *t = (const struct rt_totals *)et;
	const struct rt_opts *o = ctx->o;
	double secs = (double)t->e.elapsed_ns / 1e9;
	char date[32];
	struct tm tm;

	localtime_r(&t->date, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	report_set_text(rep, row, r->c_date, date);
	row->v[r->c_threads] = o->l.threads;
	row->v[r->c_inflight] = o->l.inflight;
	row->v[r->c_rate] = secs > 0 ? (double)t->e.done / secs : 0;
	row->v[r->c_rtt] = t->rtt_med_us;
	row->v[r->c_mbit] = secs > 0 ? (double)(t->e.tx_bytes + t->e.rx_bytes) * 8 / secs / 1e6 : 0;
	if (r->c_mbyte >= 0)	/* data bytes of READ or WRITE, 10^6 per s */
		row->v[r->c_mbyte] = secs > 0 ? (double)t->e.done * o->size / secs / 1e6 : 0;
	row->v[r->c_min] = (double)hist_min(&t->e.hist) / 1e3;
	for (int i = 0; i < o->nq; i++)
		row->v[r->c_q0 + i] = (double)hist_quantile(&t->e.hist, o->q[i].q) / 1e3;
	row->v[r->c_max] = (double)hist_max(&t->e.hist) / 1e3;
	row->v[r->c_mean] = hist_mean(&t->e.hist) / 1e3;
	row->v[r->c_calls] = (double)t->e.done;
	row->v[r->c_lost] = (double)t->lost;
	row->v[r->c_late] = (double)t->late;
	row->v[r->c_secs] = secs;
	row->v[r->c_txb] = (double)t->e.tx_bytes;
	row->v[r->c_rxb] = (double)t->e.rx_bytes;
	row->v[r->c_cpu] = t->e.done ? (double)t->e.cpu_ns / 1e3 / (double)t->e.done : 0;
}

static const char *auth_text(const struct rt_opts *o, char *buf, size_t len)
{
	if (o->auth == RT_AUTH_RAW)
		snprintf(buf, len, "%u", o->flavor);
	else
		snprintf(buf, len, "%s", o->auth == RT_AUTH_SYS ? "sys" : "none");
	return buf;
}

/* --export: the NFS workload's settings. */
static void json_nfs(FILE *f, const struct rt_ctx *ctx)
{
	const struct rt_opts *o = ctx->o;

	fputs(", \"export\": ", f);
	cli_json_string(f, o->export);
	fprintf(f, ", \"mount_port\": %u, \"op\": \"%s\"",
		(unsigned)(o->mount_port_set ? o->mount_port : ctx->eng.tgt.port), rt_op_name(o->op));
	if (o->op == RT_OP_READ || o->op == RT_OP_WRITE)
		fprintf(f, ", \"size\": %u", o->size);
	if (o->op == RT_OP_WRITE)
		fprintf(f, ", \"stable\": \"%s\"", rt_stable_name(o->stable));
}

static void json_config(void *tool, FILE *f)
{
	const struct rt_ctx *ctx = tool;
	const struct rt_opts *o = ctx->o;
	char auth[16];

	load_json_config(f, &ctx->eng, &o->l, o->udp ? "udp" : "tcp");
	load_json_runs(f, &o->l);
	fprintf(f, ", \"fragment\": %s, \"busy_poll_us\": %llu, \"prog\": %u, \"vers\": %u, "
		"\"proc\": %u, \"rpcvers\": %u, \"args_bytes\": %zu, \"auth\": \"%s\", "
		"\"expect\": \"%s\"", o->frag ? "true" : "false", (unsigned long long)(o->l.busy_poll_ns / 1000),
		o->prog, o->vers, o->proc, o->rpcvers, o->argslen,
		auth_text(o, auth, sizeof(auth)), rt_expect_name(o->expect));
	if (o->export)
		json_nfs(f, ctx);
	if (o->udp)
		fprintf(f, ", \"udp_timeout_s\": %.3f", (double)o->udp_timeout_ns / 1e9);
	if (o->udp && o->udp_loss_pct >= 0)
		fprintf(f, ", \"udp_loss_pct\": %g", o->udp_loss_pct);
	else if (o->udp)
		fprintf(f, ", \"udp_loss\": %llu", (unsigned long long)o->udp_loss);
	fputs(", \"quantiles\": [", f);
	for (int i = 0; i < o->nq; i++)
		fprintf(f, "%s%s", i ? ", " : "", o->q[i].name);
	fputc(']', f);
	load_json_end(f, &o->l);
}


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

/* One run with every worker and its totals: what only rpctest counts (lost
 * and late UDP replies, the seed's RTT), and the --udp-loss limit. */
static int run(void *tool, struct eng_totals *et)
{
	struct rt_ctx *ctx = tool;
	struct rt_totals *t = (struct rt_totals *)et;

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

static void progress(void *tool, const struct eng_totals *et, char *buf, size_t len)
{
	const struct rt_totals *t = (const struct rt_totals *)et;
	int n = snprintf(buf, len, "RPC/s, RTT %.1f us", t->rtt_med_us);

	if (((const struct rt_ctx *)tool)->o->udp && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", %llu lost, %llu late",
			 (unsigned long long)t->lost, (unsigned long long)t->late);
}

static void thread(void *tool, unsigned i, char *buf, size_t len)
{
	const struct rt_worker *w = rt_ws(tool, i);

	snprintf(buf, len, ", %llu lost, %llu late", (unsigned long long)w->lost,
		 (unsigned long long)w->late);
}

int rt_runs(struct rt_ctx *ctx)
{
	char title[200], addr[TARGET_ADDRSTR_MAX];
	const struct rt_opts *o = ctx->o;
	struct runs_tool rt = {
		.l = &o->l, .e = &ctx->eng, .tool = ctx, .unit = "calls", .plot_title = title,
		.totals_size = sizeof(struct rt_totals), .columns = columns, .run = run,
		.fill = fill, .progress = progress, .thread = thread,
		.json_config = json_config, .signalled = rt_nfs_signal,
	};

	snprintf(title, sizeof(title), "prog %u vers %u proc %u over %s to %s, %u thread%s, "
		 "%u in flight", o->prog, o->vers, o->proc, o->udp ? "udp" : "tcp",
		 target_addr_str((const struct sockaddr *)&ctx->eng.tgt.addr, addr, sizeof(addr)),
		 o->l.threads, o->l.threads == 1 ? "" : "s", o->l.inflight);
	return runs_main(&rt);
}
