// SPDX-License-Identifier: BSD-2-Clause
/*
 * Removing what an NFS workload made, whether the runs passed, failed or
 * were interrupted: the files the CREATE workload made (the names each
 * thread used, RT_NFS_CREATE_WINDOW at most, REMOVEd a batch at a time),
 * the test file, the scratch directory (RMDIR), then UMNT of the export
 * (RFC 1813 §3.3.12, §3.3.13, Appendix I §5.2.3). The cleanup is best
 * effort over a fresh connection (the workers' may be broken): a name
 * already gone is fine; anything left behind is reported with its path.
 *
 * SIGINT and SIGTERM during a test with --export set the workers' failed
 * flag (a lock-free atomic, safe in a handler), so every thread stops, and
 * the cleanup runs before the process ends with that signal.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rpctest.h"
#include "nfs_data.h"

#define REMOVE_BATCH	32	/* REMOVEs in flight during the cleanup */
#define NAME_MAX_LEN	32

static atomic_int *stop_flag;
static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
	if (stop_flag)
		atomic_store(stop_flag, 1);
}

void rt_nfs_catch_signals(struct rt_ctx *ctx)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	stop_flag = &ctx->eng.failed;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

int rt_nfs_signal(void)
{
	return caught;
}

void rt_nfs_reraise(void)
{
	int sig = caught;

	if (!sig)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}

void rt_nfs_note_calls(struct rt_ctx *ctx, unsigned id, uint64_t calls)
{
	if (ctx->data && id < ctx->data->nthreads)
		ctx->data->calls[id] = calls;
}

/* The replies of n queued REMOVEs: NFS3_OK or NFS3ERR_NOENT. 0 or -1
 * with d->err. */
static int removed(struct rt_nfs_data *d, unsigned n)
{
	struct rt_nfs_res r;
	const uint8_t *res;
	size_t len;
	int rc = 0;

	for (unsigned i = 0; i < n; i++) {
		if (rt_sess_reply(&d->sess, &res, &len))
			return -1;
		if (rt_nfs_res_decode(NFSPROC3_REMOVE, res, len, 0, &r)) {
			snprintf(d->err, sizeof(d->err), "REMOVE: a malformed reply");
			rc = -1;
		} else if (r.status != NFS3_OK && r.status != NFS3ERR_NOENT && !rc) {
			snprintf(d->err, sizeof(d->err), "REMOVE: NFS3ERR_%s (%u)",
				 rt_stat_name(r.status), r.status);
			rc = -1;
		}
	}
	return rc;
}

/* The names CREATE calls of thread id used: c<id>-0 .. c<id>-<n-1>. */
static int remove_created(struct rt_ctx *ctx, struct rt_nfs_data *d, unsigned id)
{
	uint64_t n = d->calls[id] < RT_NFS_CREATE_WINDOW ? d->calls[id] : RT_NFS_CREATE_WINDOW;
	char name[NAME_MAX_LEN];
	struct ksf_xdr x;
	unsigned queued = 0;

	for (uint64_t seq = 0; seq < n; seq++) {
		rt_nfs_create_name(id, seq, name, sizeof(name));
		rt_sess_begin(&d->sess, &x, NFS_PROGRAM, NFS_V3, NFSPROC3_REMOVE);
		rt_put_diropargs(&x, &ctx->nfs.dir, name);
		if (rt_sess_queue(&d->sess, &x))
			return -1;
		if (++queued < REMOVE_BATCH && seq + 1 < n)
			continue;
		if (rt_sess_flush(&d->sess) || removed(d, queued))
			return -1;
		queued = 0;
	}
	return 0;
}

/* REMOVE or RMDIR of name in dir; a name already gone is fine. */
static int remove_name(struct rt_nfs_data *d, const struct rt_fh *dir, const char *name,
		       uint32_t proc)
{
	struct rt_nfs_res r;
	struct ksf_xdr x;

	rt_sess_begin(&d->sess, &x, NFS_PROGRAM, NFS_V3, proc);
	rt_put_diropargs(&x, dir, name);
	if (!rt_nfs_rpc(d, &x, proc, proc == NFSPROC3_RMDIR ? "RMDIR" : "REMOVE", &r))
		return 0;
	return r.status == NFS3ERR_NOENT ? 0 : -1;
}

/* The scratch directory and everything in it. 0 or -1 with d->err. */
static int remove_data(struct rt_ctx *ctx, struct rt_nfs_data *d)
{
	if (d->sess_open)
		rt_sess_close(&d->sess);
	d->sess_open = 1;	/* rt_sess_close() is due even if it fails */
	if (rt_sess_open(&d->sess, &ctx->eng.tgt, ctx->eng.tgt.port, ctx->o->l.stall_ns, d->cred,
			 d->err, sizeof(d->err)))
		return -1;
	for (unsigned i = 0; ctx->nfs.op == RT_OP_CREATE && i < d->nthreads; i++)
		if (remove_created(ctx, d, i))
			return -1;
	if (d->have_file && remove_name(d, &ctx->nfs.dir, ctx->nfs.file_name, NFSPROC3_REMOVE))
		return -1;
	return remove_name(d, &d->root, d->dir_name, NFSPROC3_RMDIR);
}

/* UMNT (its result is void; the mount list is advisory): best effort. */
static void unmount(struct rt_ctx *ctx, struct rt_nfs_data *d)
{
	const struct rt_opts *o = ctx->o;
	uint16_t port = o->mount_port_set ? o->mount_port : ctx->eng.tgt.port;
	char err[RT_ERR_MAX];
	const uint8_t *res;
	struct rt_sess s;
	struct ksf_xdr x;
	size_t len;

	if (!rt_sess_open(&s, &ctx->eng.tgt, port, o->l.stall_ns, d->cred, err, sizeof(err))) {
		rt_sess_begin(&s, &x, MOUNT_PROGRAM, MOUNT_V3, MOUNTPROC3_UMNT);
		rt_put_dirpath(&x, o->export);
		if (rt_sess_call(&s, &x, &res, &len) && o->l.verbose)
			fprintf(stderr, "rpctest: UMNT of %s: %s\n", o->export, err);
	}
	rt_sess_close(&s);
}

int rt_nfs_cleanup(struct rt_ctx *ctx)
{
	struct rt_nfs_data *d = ctx->data;
	int rc = 0;

	if (!d)
		return 0;
	if (d->have_dir && remove_data(ctx, d)) {
		fprintf(stderr, "rpctest: cleanup: %s; remove %s/%s by hand\n", d->err,
			ctx->o->export, d->dir_name);
		rc = -1;
	}
	if (d->sess_open)
		rt_sess_close(&d->sess);
	if (d->mounted)
		unmount(ctx, d);
	free(d->calls);
	free(d);
	ctx->data = NULL;
	return rc;
}
