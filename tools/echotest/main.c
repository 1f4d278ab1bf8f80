// SPDX-License-Identifier: BSD-2-Clause
/*
 * echotest's main(): read the options, resolve the target, connect every
 * thread, then do -i runs over the same connections and report each run and
 * the median over runs, as a table or as JSON. Exit status: 0 success,
 * 1 any error (connect, I/O, corrupt echo, stall), 2 usage error.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "echotest.h"

/* Parse and resolve the target. 0, or the exit status (1 or 2). */
static int resolve(const struct et_opts *o, struct target *t)
{
	char err[TARGET_HOST_MAX + 160], addr[TARGET_ADDRSTR_MAX];

	if (target_parse(t, o->spec, o->port, err, sizeof(err))) {
		fprintf(stderr, "echotest: bad target %s\n", err);
		return 2;
	}
	if (t->port_given && o->port_set && t->port != o->port) {
		fprintf(stderr, "echotest: two ports given: -p %u and '%s'\n",
			(unsigned)o->port, o->spec);
		return 2;
	}
	if (target_resolve(t, SOCK_STREAM, err, sizeof(err))) {
		fprintf(stderr, "echotest: %s\n", err);
		return 1;
	}
	if (o->verbose)
		fprintf(stderr, "echotest: target %s%s%s\n",
			target_addr_str((const struct sockaddr *)&t->addr, addr, sizeof(addr)),
			t->user[0] ? ", ignoring user " : "", t->user);
	return 0;
}

static void verbose_setup(const struct et_opts *o)
{
	fprintf(stderr, "echotest: %u thread%s, %u in flight%s, %llu msgs of %llu bytes "
		"per thread per run, %u run%s, time limit %.3f s, stall %.3f s%s\n",
		o->threads, o->threads == 1 ? "" : "s", o->inflight,
		o->inflight ? "" : " (blocking)", (unsigned long long)o->count,
		(unsigned long long)o->len, o->runs, o->runs == 1 ? "" : "s",
		(double)o->time_ns / 1e9, (double)o->stall_ns / 1e9,
		o->batch ? ", batched sends" : "");
}

static void verbose_threads(const struct et_ctx *ctx)
{
	for (unsigned i = 0; i < ctx->o->threads; i++) {
		const struct et_worker *w = &ctx->ws[i];

		fprintf(stderr, "echotest:   thread %u: %llu msgs, p50 %.1f us, %.3f s\n",
			i, (unsigned long long)w->msgs,
			(double)hist_quantile(&w->hist, 0.5) / 1e3,
			(double)(w->end_ns - w->start_ns) / 1e9);
	}
}

/* After a run: the progress line, the per-thread lines and the table row. */
static void print_run(struct et_report *rep, const struct et_ctx *ctx, unsigned r,
		      const struct et_totals *t)
{
	const struct et_opts *o = ctx->o;
	double secs = (double)t->elapsed_ns / 1e9;

	if (!o->quiet)
		fprintf(stderr, "echotest: run %u/%u: %llu msgs in %.3f s, %.0f msg/s, "
			"p50 %.1f us\n", r + 1, o->runs, (unsigned long long)t->msgs, secs,
			secs > 0 ? (double)t->msgs / secs : 0.0,
			(double)hist_quantile(&t->hist, 0.5) / 1e3);
	if (o->verbose)
		verbose_threads(ctx);
	et_report_run(rep, o, t);
}

/* Do every run, printing table rows as they complete. 0 or 1. */
static int do_runs(struct et_ctx *ctx, struct et_report *rep)
{
	const struct et_opts *o = ctx->o;
	struct et_totals *t = malloc(sizeof(*t));	/* holds a hist: not on the stack */
	int rc = 0;

	if (!t) {
		fputs("echotest: out of memory\n", stderr);
		return 1;
	}
	et_report_header(rep, o);
	for (unsigned r = 0; r < o->runs; r++) {
		if (et_run_once(ctx, t)) {
			fprintf(stderr, "echotest: run %u: %s\n", r + 1, t->why);
			if (t->nfailed > 1)
				fprintf(stderr, "echotest: run %u: %u more threads failed\n",
					r + 1, t->nfailed - 1);
			rc = 1;
			break;
		}
		print_run(rep, ctx, r, t);
	}
	free(t);
	return rc;
}

static int run_test(struct et_ctx *ctx)
{
	struct et_report rep;
	char err[ET_ERR_MAX];
	int rc = 1;

	if (et_report_init(&rep, ctx->o) || et_pattern_init(&ctx->pat, (size_t)ctx->o->len)) {
		fputs("echotest: out of memory\n", stderr);
		goto out;
	}
	if (et_workers_create(ctx, err, sizeof(err))) {
		fprintf(stderr, "echotest: %s\n", err);
		goto out;
	}
	rc = do_runs(ctx, &rep);
	if (!rc && et_report_end(&rep, ctx))
		rc = 1;
out:
	et_workers_destroy(ctx);
	et_pattern_free(&ctx->pat);
	et_report_free(&rep);
	return rc;
}

int main(int argc, char **argv)
{
	static struct et_opts o;
	static struct et_ctx ctx;
	int rc = et_opts_parse(&o, argc, argv);

	if (rc)
		return rc == 1 ? 0 : 2;
	signal(SIGPIPE, SIG_IGN);	/* a closed connection is an error, not a kill */
	ctx.o = &o;
	atomic_init(&ctx.failed, 0);
	rc = resolve(&o, &ctx.tgt);
	if (rc)
		return rc;
	if (o.verbose)
		verbose_setup(&o);
	return run_test(&ctx);
}
