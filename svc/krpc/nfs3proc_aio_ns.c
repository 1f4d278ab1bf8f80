// SPDX-License-Identifier: BSD-2-Clause
/*
 * REMOVE and RMDIR (RFC 1813 §3.3.12, §3.3.13) without leaving the event
 * loop, as READ and WRITE (nfs3proc_aio.c): the handler, on the worker,
 * holds the directory (store dir_get with KRPC_IO_NOWAIT: its descriptor
 * cached; its attributes before, for the wcc data), finds the victim's
 * handle in the kernel's dentry cache only (store name_fh), starts an
 * unlinkat as a file operation of the worker (an IORING_OP_UNLINKAT on
 * the worker's ring, run by the kernel's io-wq; on epoll, a job on the
 * worker's helper threads) and defers the reply; the completion, back on
 * the worker, drops the victim's cached descriptors (store forget), takes
 * the directory's attributes after and sends the reply. Anything that
 * cannot start this way (a directory not in the store's cache, a name not
 * in the dentry cache, no memory, no personality) returns -EAGAIN and the
 * call runs on a helper thread as before, which also gives the error
 * replies of a directory that is none or a read-only store.
 *
 * Identity: the unlinkat is issued as the caller (the kernel checks write
 * and search permission on the directory, and the sticky bit): on the
 * ring with the worker's cached personality of the caller (nfs3_aio_persona),
 * on a helper by switching the helper thread first (store io_creds).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <ksf/fileop.h>
#include "nfs3proc.h"

struct nfs3_aio_ns {
	struct ksf_fileop op;
	struct ksf_rpc_defer *d;
	const struct krpc_export *e;
	struct krpc_cred cr;
	struct krpc_io dir;
	struct krpc_sfh victim;
	bool known;		/* victim holds the handle of the name */
	struct nfs3_wcc_res res;
	char nm[KRPC_NAME_MAX + 1];
};

static void ns_creds(struct ksf_fileop *op)
{
	struct nfs3_aio_ns *a = (struct nfs3_aio_ns *)op;

	if (a->e->ops->io_creds)
		a->e->ops->io_creds(a->e->store, &a->cr);
}

static void unlink_done(struct ksf_fileop *op)
{
	struct nfs3_aio_ns *a = (struct nfs3_aio_ns *)op;
	const struct krpc_store_ops *so = a->e->ops;
	struct nfs3_wcc_res *r = &a->res;

	if (op->res == 0 && a->known)
		so->forget(a->e->store, &a->victim);
	r->wcc.pre_valid = true;
	r->wcc.pre_size = a->dir.attr.size;
	r->wcc.pre_mtime = a->dir.attr.mtime;
	r->wcc.pre_ctime = a->dir.attr.ctime;
	so->io_put(a->e->store, &a->dir, &r->wcc.post);
	r->status = nfs3_status(op->res < 0 ? op->res : 0);
	ksf_rpc_defer_reply(a->d, nfs3_enc_wcc, r);
	free(a);
}

/* The held directory, the victim's handle and the personality; -EAGAIN
 * (nothing held) when any needs what the loop must not wait for. */
static int unlink_prepare(const struct nfs3_op *op, const struct nfs3_str *name,
			  struct nfs3_aio_ns *a)
{
	const struct krpc_store_ops *so = op->e->ops;
	int err, id;

	if (so->dir_get(op->e->store, &op->cr, &op->fh, KRPC_IO_NOWAIT, &a->dir) < 0)
		return -EAGAIN;
	memcpy(a->nm, name->s, name->len);	/* nfs3_name_ok: at most KRPC_NAME_MAX */
	a->nm[name->len] = '\0';
	/* the thread is the caller now (dir_get) */
	if ((id = nfs3_aio_persona(&op->cr)) < 0 ||
	    (err = so->name_fh(op->e->store, &a->dir, a->nm, KRPC_IO_NOWAIT, &a->victim)) == -EAGAIN) {
		so->io_put(op->e->store, &a->dir, NULL);
		return -EAGAIN;
	}
	a->known = err == 0;	/* else unlinkat gives the error */
	a->op.personality = id;
	return 0;
}

int nfs3_aio_unlink(const struct nfs3_op *op, const struct ksf_rpc_call *call,
		    const struct nfs3_str *name, bool dir)
{
	const struct krpc_store_ops *so = op->e->ops;
	struct nfs3_aio_ns *a;

	/* on a failure below the handler returns -EAGAIN, and the
	 * transport drops the deferral */
	if (!so->dir_get || !so->name_fh || !so->forget || !op->req->nowait ||
	    name->len > KRPC_NAME_MAX || !(a = calloc(1, sizeof(*a))))
		return -EAGAIN;
	a->e = op->e;
	a->cr = op->cr;
	if (!(a->d = ksf_rpc_defer(op->req, call)) || unlink_prepare(op, name, a) < 0) {
		free(a);
		return -EAGAIN;
	}
	ksf_fileop_unlinkat(&a->op, a->dir.fd, a->nm, dir ? AT_REMOVEDIR : 0);
	a->op.creds_cb = ns_creds;
	a->op.done = unlink_done;
	if (ksf_fileop_submit(op->req->helpers, &a->op) < 0) {
		so->io_put(op->e->store, &a->dir, NULL);
		free(a);
		return -EAGAIN;
	}
	return -EINPROGRESS;
}
