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

/* Parse and resolve the target, and set the engine up. 0, or the exit
 * status (1 or 2). */
static int setup(const struct et_opts *o, struct et_ctx *ctx)
{
	struct eng *e = &ctx->eng;
	char addr[TARGET_ADDRSTR_MAX];
	int rc;

	e->p = &et_proto;
	e->tool = ctx;
	rc = load_engine(e, "echotest", &o->l);
	/* Nagle coalesces small messages; messages over 1 KiB (fewer, and
	 * below loopback's MSS at 16 KiB) only cost CPU waiting for it. */
	e->nodelay = o->l.nodelay || o->len > ET_NAGLE_MAX;
	et_wire(e);
	if (!rc)
		rc = eng_lookup(e);
	if (!rc && o->l.verbose)
		fprintf(stderr, "echotest: target %s%s%s\n",
			target_addr_str((const struct sockaddr *)&e->tgt.addr, addr, sizeof(addr)),
			e->tgt.user[0] ? ", ignoring user " : "", e->tgt.user);
	return rc;
}

static void verbose_setup(const struct et_opts *o)
{
	fprintf(stderr, "echotest: %u thread%s, %u in flight%s, %llu msgs of %llu bytes "
		"per thread per run, %u run%s, time limit %.3f s, stall %.3f s%s\n",
		o->l.threads, o->l.threads == 1 ? "" : "s", o->l.inflight,
		o->l.inflight ? "" : " (blocking)", (unsigned long long)o->l.count,
		(unsigned long long)o->len, o->l.runs, o->l.runs == 1 ? "" : "s",
		(double)o->l.time_ns / 1e9, (double)o->l.stall_ns / 1e9,
		o->l.batch ? ", batched sends" : "");
}

static void verbose_threads(const struct et_ctx *ctx)
{
	for (unsigned i = 0; i < ctx->o->l.threads; i++) {
		const struct eng_worker *w = eng_worker(&ctx->eng, i);

		fprintf(stderr, "echotest:   thread %u: %llu msgs, p50 %.1f us, %.3f s\n",
			i, (unsigned long long)w->done,
			(double)hist_quantile(&w->hist, 0.5) / 1e3,
			(double)(w->end_ns - w->start_ns) / 1e9);
	}
}

/* After a run: the progress line, the per-thread lines and the table row. */
static void print_run(struct et_report *rep, const struct et_ctx *ctx, unsigned r,
		      const struct eng_totals *t)
{
	const struct et_opts *o = ctx->o;
	double secs = (double)t->elapsed_ns / 1e9;

	if (!o->l.quiet)
		fprintf(stderr, "echotest: run %u/%u: %llu msgs in %.3f s, %.0f msg/s, "
			"p50 %.1f us\n", r + 1, o->l.runs, (unsigned long long)t->done, secs,
			secs > 0 ? (double)t->done / secs : 0.0,
			(double)hist_quantile(&t->hist, 0.5) / 1e3);
	if (o->l.verbose)
		verbose_threads(ctx);
	et_report_run(rep, o, t);
}

/* Do every run, printing table rows as they complete. 0 or 1. */
static int do_runs(struct et_ctx *ctx, struct et_report *rep)
{
	const struct et_opts *o = ctx->o;
	struct eng_totals *t = malloc(sizeof(*t));	/* holds a hist: not on the stack */
	int rc = 0;

	if (!t) {
		fputs("echotest: out of memory\n", stderr);
		return 1;
	}
	et_report_header(rep, o);
	for (unsigned r = 0; r < o->l.runs; r++) {
		if (eng_run_once(&ctx->eng, t)) {
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
	if (eng_create(&ctx->eng, err, sizeof(err))) {
		fprintf(stderr, "echotest: %s\n", err);
		goto out;
	}
	rc = do_runs(ctx, &rep);
	if (!rc && et_report_end(&rep, ctx))
		rc = 1;
out:
	eng_destroy(&ctx->eng);
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
	atomic_init(&ctx.eng.failed, 0);
	rc = setup(&o, &ctx);
	if (rc)
		return rc;
	if (o.l.verbose)
		verbose_setup(&o);
	return run_test(&ctx);
}
