// SPDX-License-Identifier: BSD-2-Clause
/*
 * The runs of a load generator and their report (see runs.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ksf.h>
#include "plot.h"
#include "runs.h"

static void verbose_threads(const struct runs_tool *rt)
{
	char extra[128] = "";

	for (unsigned i = 0; i < rt->e->threads; i++) {
		const struct eng_worker *w = eng_worker(rt->e, i);

		if (rt->thread)
			rt->thread(rt->tool, i, extra, sizeof(extra));
		fprintf(stderr, "%s:   thread %u: %llu %s, p50 %.1f us, %.3f s%s\n", rt->e->prog,
			i, (unsigned long long)w->done, rt->unit,
			(double)hist_quantile(&w->hist, 0.5) / 1e3,
			(double)(w->end_ns - w->start_ns) / 1e9, extra);
	}
}

int runs_init(struct runs *r, const struct runs_tool *rt)
{
	memset(r, 0, sizeof(*r));
	r->rt = rt;
	report_init(&r->rep);
	r->c_run = rt->columns(rt->tool, &r->rep);
	r->rows = calloc(rt->l->runs, sizeof(*r->rows));
	r->t = malloc(rt->totals_size);	/* holds a hist: not on the stack */
	return r->c_run < 0 || !r->rows || !r->t ? -1 : 0;
}

void runs_free(struct runs *r)
{
	free(r->rows);
	free(r->t);
	r->rows = NULL;
	r->t = NULL;
}

void runs_header(const struct runs *r)
{
	if (!r->rt->l->json && !r->rt->l->no_header)
		report_header(stdout, &r->rep);
}

const struct report_row *runs_row(struct runs *r, const struct eng_totals *t)
{
	const struct runs_tool *rt = r->rt;
	unsigned n = r->nrows;
	struct report_row *row = &r->rows[r->nrows++];
	double secs = (double)t->elapsed_ns / 1e9;
	char label[16], tail[256];

	rt->fill(rt->tool, &r->rep, row, t);
	snprintf(label, sizeof(label), "%u", n + 1);
	report_set_text(&r->rep, row, r->c_run, label);
	if (!rt->l->json) {
		report_row(stdout, &r->rep, row);
		fflush(stdout);
	}
	if (!rt->l->quiet) {
		rt->progress(rt->tool, t, tail, sizeof(tail));
		fprintf(stderr, "%s: run %u/%u: %llu %s in %.3f s, %.0f %s\n", rt->e->prog,
			n + 1, rt->l->runs, (unsigned long long)t->done, rt->unit, secs,
			secs > 0 ? (double)t->done / secs : 0.0, tail);
	}
	if (rt->l->verbose)
		verbose_threads(rt);
	return row;
}

/* Every run. NULL, or why the test failed (in why). */
static const char *do_runs(struct runs *r, char *why, size_t whylen)
{
	const struct runs_tool *rt = r->rt;
	const char *dir = rt->l->dir;
	int sig = 0;

	runs_header(r);
	for (unsigned n = 0; n < rt->l->runs; n++) {
		int rc = rt->run ? rt->run(rt->tool, r->t) : eng_run_once(rt->e, r->t);

		sig = rt->signalled ? rt->signalled() : 0;
		if (sig) {
			snprintf(why, whylen, "run %u: interrupted by %s", n + 1, strsignal(sig));
			return why;
		}
		if (rc) {
			snprintf(why, whylen, "run %u: %s%s", n + 1, r->t->why,
				 r->t->nfailed > 1 ? " (and more threads failed)" : "");
			return why;
		}
		runs_row(r, r->t);
		if (dir && plot_run(dir, n + 1, &r->t->hist, why, whylen))
			return why;
	}
	return NULL;
}

int runs_end(struct runs *r, const char *why)
{
	const struct runs_tool *rt = r->rt;
	struct report_row med;

	if (report_median(&r->rep, r->rows, r->nrows, &med)) {
		fprintf(stderr, "%s: out of memory\n", rt->e->prog);
		return -1;
	}
	report_set_text(&r->rep, &med, r->c_run, "med");
	if (rt->l->json) {
		report_json_open(stdout, rt->e->prog, KSF_VERSION);
		report_json_member(stdout, "config");
		rt->json_config(rt->tool, stdout);
		report_json_member(stdout, "ok");
		fputs(why ? "false" : "true", stdout);
		if (why) {
			report_json_member(stdout, "error");
			cli_json_string(stdout, why);
		}
		report_json_close(stdout, &r->rep, r->rows, r->nrows, &med);
	} else if (!why && r->nrows) {
		report_row(stdout, &r->rep, &med);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: writing the report: %s\n", rt->e->prog, strerror(errno));
		return -1;
	}
	return 0;
}

int runs_main(const struct runs_tool *rt)
{
	struct runs r;
	char err[ENG_ERR_MAX + 64];
	const char *why = NULL, *prog = rt->e->prog;
	int rc = 1;

	if (runs_init(&r, rt))
		snprintf(err, sizeof(err), "out of memory");
	else if (!rt->l->dir || !plot_dir(rt->l->dir, err, sizeof(err)))
		rc = eng_create(rt->e, err, sizeof(err)) ? 1 : 0;
	if (rc) {
		fprintf(stderr, "%s: %s\n", prog, err);
		goto out;
	}
	why = do_runs(&r, err, sizeof(err));
	if (why)
		fprintf(stderr, "%s: %s\n", prog, why);
	rc = runs_end(&r, why) || why ? 1 : 0;
out:
	eng_destroy(rt->e);
	if (rt->l->dir && r.nrows &&
	    plot_finish(rt->l->dir, prog, rt->plot_title, rt->unit, r.nrows, rt->l->quiet,
			err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = 1;
	}
	runs_free(&r);
	return rc;
}
