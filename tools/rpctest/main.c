// SPDX-License-Identifier: BSD-2-Clause
/*
 * rpctest's main(): read the options, resolve the target, build the call
 * (with --export: mount and prepare the NFS workload's data), connect
 * every thread, then do -i runs over the same connections and report each
 * run and the median over runs, as a table or as JSON; at the end remove
 * the NFS data, also after a failure or SIGINT/SIGTERM.
 * Exit status: 0 success, 1 any error (connect, I/O, bad or missing reply,
 * stall, UDP losses over the limit), 2 usage error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ksf.h>
#include "cli.h"
#include "rpctest.h"

/* Parse and resolve the target, and fix the call. 0 or the exit status. */
static int setup(const struct rt_opts *o, struct rt_ctx *ctx)
{
	char err[TARGET_HOST_MAX + 160];
	struct eng *e = &ctx->eng;
	struct target *t = &e->tgt;
	uint64_t tmo = o->udp && o->udp_timeout_ns < o->l.stall_ns ? o->udp_timeout_ns
								 : o->l.stall_ns;

	e->p = &rt_proto;
	e->tool = ctx;
	if (load_engine(e, "rpctest", &o->l))
		return 2;
	/* TCP sleeps in recv(); UDP -a N polls, -a 0 blocks (--udp-timeout). */
	e->block_ns = o->udp && o->l.inflight ? 0 : tmo;
	e->socktype = o->udp ? SOCK_DGRAM : SOCK_STREAM;
	e->nodelay = o->l.nodelay || (o->op == RT_OP_WRITE && o->size > 1024);
	if (t->user[0] && o->auth != RT_AUTH_SYS)
		fprintf(stderr, "rpctest: user '%s' is only used with -A sys: ignored\n",
			t->user);
	if (rt_call_init(&ctx->call, o, t->user, err, sizeof(err))) {
		fprintf(stderr, "rpctest: %s\n", err);
		return 2;
	}
	if (eng_lookup(e))
		return 1;
	ctx->call_max = RT_CALL_MAX;
	ctx->reply_max = RT_REPLY_MAX;
	return 0;
}

/* --export: mount, prepare the workload, and size the buffers for it.
 * 0 or the exit status. */
static int setup_nfs(struct rt_ctx *ctx)
{
	uint8_t *buf;
	int rc;

	rt_nfs_catch_signals(ctx);
	rc = rt_nfs_prepare(ctx);
	if (rc || ctx->nfs.op == RT_OP_NULL)
		return rc;
	ctx->call_max = rt_nfs_call_max(&ctx->nfs);
	ctx->reply_max = rt_nfs_reply_max(&ctx->nfs);
	buf = malloc(ctx->call_max);	/* one call, to know it encodes */
	rc = buf && rt_nfs_call_build(&ctx->nfs, 0, 0, 0, buf) ? 0 : 1;
	free(buf);
	if (rc)
		fputs("rpctest: cannot encode the NFS call\n", stderr);
	return rc;
}

static void verbose_setup(const struct rt_ctx *ctx)
{
	const struct rt_opts *o = ctx->o;

	load_verbose(&ctx->eng, &o->l, "calls", o->frag ? ", 3 fragments per call" : "");
	if (o->op != RT_OP_NULL)
		fprintf(stderr, "rpctest: call: NFS v3 %s%s, up to %zu bytes on the wire; "
			"expecting NFS3_OK\n", rt_op_name(o->op),
			o->op == RT_OP_WRITE ? " (-l, --stable)" : o->op == RT_OP_READ ?
			" (-l)" : "", ctx->call_max);
	else
		fprintf(stderr, "rpctest: call: prog %u vers %u proc %u, rpcvers %u, %zu bytes "
			"of arguments, %zu bytes on the wire; expecting %s\n", o->prog, o->vers,
			o->proc, o->rpcvers, o->argslen, ctx->call.len,
			rt_expect_name(o->expect));
	if (o->auth == RT_AUTH_SYS)
		fprintf(stderr, "rpctest: AUTH_SYS: uid %u, gid %u, %u groups, machine %s\n",
			ctx->call.sys.uid, ctx->call.sys.gid, ctx->call.sys.ngids,
			ctx->call.machine);
	else
		fprintf(stderr, "rpctest: credential flavor %u%s\n",
			o->auth == RT_AUTH_RAW ? o->flavor : 0,
			o->auth == RT_AUTH_RAW ? " with an empty body" : " (AUTH_NONE)");
}

int main(int argc, char **argv)
{
	static struct rt_opts o;
	static struct rt_ctx ctx;
	int rc = rt_opts_parse(&o, argc, argv);

	if (rc)
		return rc == 1 ? 0 : 2;
	signal(SIGPIPE, SIG_IGN);	/* a closed connection is an error, not a kill */
	ctx.o = &o;
	atomic_init(&ctx.eng.failed, 0);
	rc = setup(&o, &ctx);
	if (rc)
		return rc;
	if (o.export)
		rc = setup_nfs(&ctx);
	if (!rc && o.l.verbose)
		verbose_setup(&ctx);
	if (!rc) {
		rt_wire(&ctx);
		rc = rt_runs(&ctx);
	}
	if (rt_nfs_cleanup(&ctx) && !rc)
		rc = 1;
	rt_nfs_reraise();
	return rc;
}
