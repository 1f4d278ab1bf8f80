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
	char what[64];
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
	snprintf(what, sizeof(what), "msgs of %llu bytes", (unsigned long long)o->len);
	if (!rc && o->l.verbose)
		load_verbose(e, &o->l, what, e->tgt.user[0] ? " (ignoring the user)" : "");
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
	if (et_pattern_init(&ctx.pat, (size_t)o.len)) {
		fputs("echotest: out of memory\n", stderr);
		return 1;
	}
	rc = et_runs(&ctx);
	et_pattern_free(&ctx.pat);
	return rc;
}
