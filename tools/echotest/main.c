// SPDX-License-Identifier: BSD-2-Clause
/*
 * echotest's main(): read the options, resolve the target, and do the runs
 * (report.c, tools/common/runs.h). Exit status: 0 success,
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
	if (et_pattern_init(&ctx.pat, (size_t)o.len)) {
		fputs("echotest: out of memory\n", stderr);
		return 1;
	}
	rc = et_runs(&ctx);
	et_pattern_free(&ctx.pat);
	return rc;
}
