// SPDX-License-Identifier: BSD-2-Clause
/*
 * echotest's output (see man/echotest.1): a table with one row per run and
 * a 'med' row of medians over runs, or the same columns as one JSON object.
 * The columns are a report (tools/common/report.h); the table and the JSON
 * keys are what scripts and tests parse, so they change only with the man
 * page.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ksf.h>
#include "cli.h"
#include "echotest.h"

/* The columns: table ones in order, with bytes in JSON only. */
static int add_columns(struct et_report *r)
{
	struct report *p = &r->rep;
	char err[64];

	r->nq = report_quantiles_parse(ET_QUANTILES, r->q, ET_NQUANTILES, err, sizeof(err));
	r->c_run = report_add_label(p, "run", NULL, 4);
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
	return r->nq < 0 || r->c_q0 < 0 || r->c_cpu < 0 ? -EINVAL : 0;
}

int et_report_init(struct et_report *r, const struct et_opts *o)
{
	int rc;

	memset(r, 0, sizeof(*r));
	report_init(&r->rep);
	rc = add_columns(r);
	if (rc)
		return rc;
	r->rows = calloc(o->l.runs, sizeof(*r->rows));
	return r->rows ? 0 : -ENOMEM;
}

void et_report_free(struct et_report *r)
{
	free(r->rows);
	r->rows = NULL;
}

void et_report_header(const struct et_report *r, const struct et_opts *o)
{
	if (!o->l.json && !o->l.no_header)
		report_header(stdout, &r->rep);
}

/* Rates are 0 for an empty run, never NaN. */
static void fill_row(struct et_report *r, struct report_row *row, const struct eng_totals *t,
		     uint64_t len)
{
	double secs = (double)t->elapsed_ns / 1e9, bytes = (double)t->done * (double)len;
	char run[16];

	snprintf(run, sizeof(run), "%u", r->nrows + 1);
	report_set_text(&r->rep, row, r->c_run, run);
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

const struct report_row *et_report_run(struct et_report *r, const struct et_opts *o,
				       const struct eng_totals *t)
{
	struct report_row *row = &r->rows[r->nrows];

	fill_row(r, row, t, o->len);
	r->nrows++;
	if (!o->l.json) {
		report_row(stdout, &r->rep, row);
		fflush(stdout);
	}
	return row;
}

static void json_config(FILE *f, const struct et_ctx *ctx)
{
	load_json_config(f, &ctx->eng, &ctx->o->l, "tcp");
	fprintf(f, ", \"length\": %llu", (unsigned long long)ctx->o->len);
	load_json_runs(f, &ctx->o->l);
	load_json_end(f, &ctx->o->l);
}

int et_report_end(struct et_report *r, const struct et_ctx *ctx)
{
	struct report_row med;

	if (report_median(&r->rep, r->rows, r->nrows, &med)) {
		fputs("echotest: out of memory\n", stderr);
		return -1;
	}
	report_set_text(&r->rep, &med, r->c_run, "med");
	if (ctx->o->l.json) {
		report_json_open(stdout, "echotest", KSF_VERSION);
		report_json_member(stdout, "config");
		json_config(stdout, ctx);
		report_json_close(stdout, &r->rep, r->rows, r->nrows, &med);
	} else {
		report_row(stdout, &r->rep, &med);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "echotest: writing the report: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}
