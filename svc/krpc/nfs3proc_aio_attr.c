// SPDX-License-Identifier: BSD-2-Clause
/*
 * SETATTR of a size (RFC 1813 §3.3.2: a truncate or an extension) without
 * leaving the event loop, as WRITE (nfs3proc_aio.c): the handler, on the
 * worker, holds the file open for writing as the caller (store io_get
 * with KRPC_IO_NOWAIT: the same permission check as the synchronous
 * SETATTR's reopen for writing, owner override included), checks the
 * guard against the attributes it holds, starts an ftruncate as a file
 * operation of the worker (IORING_OP_FTRUNCATE on its ring from Linux
 * 6.9, issued with the worker's personality of the caller, so that a
 * non-owner's truncate clears set-user-ID bits as it must; on epoll or an
 * older kernel a job on the worker's helper threads) and defers the reply.
 *
 * Only a size with nothing else, or with mtime set to the server's time
 * (what the Linux client sends for a truncate): ftruncate(2) sets mtime
 * and ctime to now itself. Any other attribute (mode, owner, client
 * times, atime) has no io_uring operation and goes through the file
 * system's journal: the whole SETATTR runs on a helper as before, as does
 * anything that cannot start here (a handle not in the store's cache, not
 * a regular file, no personality), which also gives the error replies.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ksf/fileop.h>
#include "nfs3proc.h"

struct nfs3_aio_trunc {
	struct ksf_fileop op;
	struct ksf_rpc_defer *d;
	const struct krpc_export *e;
	struct krpc_cred cr;
	struct krpc_io io;
	struct nfs3_wcc_res res;
};

static bool size_only(const struct krpc_sattr *sa)
{
	return sa->set_size && !sa->set_mode && !sa->set_uid && !sa->set_gid &&
	       sa->atime_how == KRPC_TIME_DONT &&
	       (sa->mtime_how == KRPC_TIME_DONT || sa->mtime_how == KRPC_TIME_SERVER) &&
	       sa->size <= INT64_MAX;
}

static void trunc_creds(struct ksf_fileop *op)
{
	struct nfs3_aio_trunc *a = (struct nfs3_aio_trunc *)op;

	if (a->e->ops->io_creds)
		a->e->ops->io_creds(a->e->store, &a->cr);
}

static void trunc_done(struct ksf_fileop *op)
{
	struct nfs3_aio_trunc *a = (struct nfs3_aio_trunc *)op;
	struct nfs3_wcc_res *r = &a->res;

	nfs3_wcc_pre(&r->wcc, &a->io.attr);
	a->e->ops->io_put(a->e->store, &a->io, &r->wcc.post);
	r->status = nfs3_status(op->res < 0 ? op->res : 0);
	ksf_rpc_defer_reply(a->d, nfs3_enc_wcc, r);
	free(a);
}

int nfs3_aio_truncate(const struct nfs3_op *op, const struct ksf_rpc_call *call,
		      const struct krpc_sattr *sa, const struct krpc_time *guard)
{
	const struct krpc_store_ops *so = op->e->ops;
	struct nfs3_aio_trunc *a;
	int id;

	if (!size_only(sa) || !so->io_get || !op->req->nowait || !(a = calloc(1, sizeof(*a))))
		return -EAGAIN;
	a->e = op->e;
	a->cr = op->cr;
	if (!(a->d = ksf_rpc_defer(op->req, call)) ||
	    so->io_get(op->e->store, &op->cr, &op->fh, KRPC_IO_WR, KRPC_IO_NOWAIT, &a->io) < 0) {
		free(a);	/* the transport drops the deferral on -EAGAIN */
		return -EAGAIN;
	}
	/* a guard that does not hold: the helper answers NFS3ERR_NOT_SYNC */
	if ((guard && (guard->sec != a->io.attr.ctime.sec || guard->nsec != a->io.attr.ctime.nsec)) ||
	    (id = nfs3_aio_persona(&op->cr)) < 0)
		goto again;
	ksf_fileop_ftruncate(&a->op, a->io.fd, sa->size);
	a->op.personality = id;
	a->op.creds_cb = trunc_creds;
	a->op.done = trunc_done;
	if (ksf_fileop_submit(op->req->helpers, &a->op) == 0)
		return -EINPROGRESS;
again:
	so->io_put(op->e->store, &a->io, NULL);
	free(a);
	return -EAGAIN;
}
