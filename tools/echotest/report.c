// SPDX-License-Identifier: BSD-2-Clause
/*
 * echotest's output (see man/echotest.1), on tools/common/runs.h: a table
 * with one row per run and a 'med' row of medians over runs, or the same
 * columns as one JSON object. The table and the JSON keys are what
 * scripts and tests parse, so they change only with the man page.
 */
#include <stdio.h>
#include "echotest.h"

/* The columns: table ones in order, with bytes in JSON only. */
static int columns(void *tool, struct report *p)
{
	struct et_ctx *ctx = tool;
	struct et_report *r = &ctx->rep;
	char err[64];
	int run;

	r->nq = report_quantiles_parse(ET_QUANTILES, r->q, ET_NQUANTILES, err, sizeof(err));
	run = report_add_label(p, "run", NULL, 4);
	r->c_msgs = report_add_num(p, "msgs", "msgs", 10, 0, 0);
	r->c_bytes = report_add_num(p, NULL, "bytes", 0, 0, 0);
	r->c_secs = report_add_num(p, "secs", "elapsed_s", 8, 3, 6);
	r->c_rate = report_add_num(p, "msg/s", "msgs_per_s", 10, 0, 1);
	r->c_mbit = report_add_num(p, "Mbit/s", "mbit_per_s", 9, 2, 3);
	r->c_min = report_add_num(p, "min_us", "rtt_min_us", 9, 1, 3);
	r->c_q0 = report_add_quantiles(p, r->q, r->nq);
	r->c_max = report_add_num(p, "max_us", "rtt_max_us", 9, 1, 3);
	r->c_mean = report_add_num(p, "mean_us", "rtt_mean_us", 9, 1, 3);
	r->c_cpu = report_add_num(p, "cpu_us/msg", "cpu_us_per_msg", 10, 2, 3);
	return r->nq < 0 || r->c_q0 < 0 || r->c_cpu < 0 ? -1 : run;
}

/* Rates are 0 for an empty run, never NaN. */
static void fill(void *tool, const struct report *rep, struct report_row *row,
		 const struct eng_totals *t)
{
	const struct et_ctx *ctx = tool;
	const struct et_report *r = &ctx->rep;
	double secs = (double)t->elapsed_ns / 1e9, bytes = (double)t->done * (double)ctx->o->len;

	(void)rep;
	row->v[r->c_msgs] = (double)t->done;
	row->v[r->c_bytes] = bytes;
	row->v[r->c_secs] = secs;
	row->v[r->c_rate] = t->elapsed_ns ? (double)t->done / secs : 0;
	row->v[r->c_mbit] = t->elapsed_ns ? bytes * 8.0 / secs / 1e6 : 0;
	row->v[r->c_min] = (double)hist_min(&t->hist) / 1e3;
	for (int i = 0; i < r->nq; i++)
		row->v[r->c_q0 + i] = (double)hist_quantile(&t->hist, r->q[i].q) / 1e3;
	row->v[r->c_max] = (double)hist_max(&t->hist) / 1e3;
	row->v[r->c_mean] = hist_mean(&t->hist) / 1e3;
	row->v[r->c_cpu] = t->done ? (double)t->cpu_ns / 1e3 / (double)t->done : 0;
}

static void progress(void *tool, const struct eng_totals *t, char *buf, size_t len)
{
	(void)tool;
	snprintf(buf, len, "msg/s, p50 %.1f us", (double)hist_quantile(&t->hist, 0.5) / 1e3);
}

static void json_config(void *tool, FILE *f)
{
	const struct et_ctx *ctx = tool;

	load_json_config(f, &ctx->eng, &ctx->o->l, "tcp");
	fprintf(f, ", \"length\": %llu", (unsigned long long)ctx->o->len);
	load_json_runs(f, &ctx->o->l);
	load_json_end(f, &ctx->o->l);
}

/* echotest's side of the runs; title holds the plot's. */
static void et_tool(struct runs_tool *rt, struct et_ctx *ctx, char *title, size_t len)
{
	const struct load_opts *l = &ctx->o->l;
	char addr[TARGET_ADDRSTR_MAX];

	snprintf(title, len, "%llu-byte messages over tcp to %s, %u thread%s, %u in flight",
		 (unsigned long long)ctx->o->len,
		 target_addr_str((const struct sockaddr *)&ctx->eng.tgt.addr, addr, sizeof(addr)),
		 l->threads, l->threads == 1 ? "" : "s", l->inflight);
	*rt = (struct runs_tool){
		.l = l, .e = &ctx->eng, .tool = ctx, .unit = "msgs", .plot_title = title,
		.totals_size = sizeof(struct eng_totals), .columns = columns, .fill = fill,
		.progress = progress, .json_config = json_config,
	};
}

int et_runs(struct et_ctx *ctx)
{
	struct runs_tool rt;
	char title[160];

	et_tool(&rt, ctx, title, sizeof(title));
	return runs_main(&rt);
}
