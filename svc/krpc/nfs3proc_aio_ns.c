// SPDX-License-Identifier: BSD-2-Clause
/*
 * REMOVE, RMDIR and RENAME (RFC 1813 §3.3.12-14) without leaving the
 * event loop, as READ and WRITE (nfs3proc_aio.c): the handler, on the
 * worker, holds the directories (store dir_get with KRPC_IO_NOWAIT: their
 * descriptors cached; their attributes before, for the wcc data), finds
 * the handle of the name that goes away in the kernel's dentry cache only
 * (store name_fh), starts an unlinkat or a renameat as a file operation
 * of the worker (IORING_OP_UNLINKAT, RENAMEAT on the worker's ring, run
 * by the kernel's io-wq; on epoll, a job on the worker's helper threads)
 * and defers the reply; the completion, back on the worker, drops the
 * cached descriptors of the object whose name went away (store forget),
 * takes the directories' attributes after and sends the reply. Anything
 * that cannot start this way (a directory not in the store's cache, a
 * name not in the dentry cache, no memory, no personality) returns
 * -EAGAIN and the call runs on a helper thread as before, which also
 * gives the error replies (a directory that is none, a read-only store,
 * two exports).
 *
 * Identity: the operation is issued as the caller (the kernel checks
 * write and search permission on the directories, and the sticky bit): on
 * the ring with the worker's cached personality of the caller
 * (nfs3_aio_persona), on a helper by switching the helper thread first
 * (store io_creds).
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
	struct krpc_io dir[2];	/* REMOVE, RMDIR: [0]; RENAME: from, to */
	int ndirs;		/* held */
	struct krpc_sfh victim;
	bool known;		/* victim holds the handle of the name */
	union {
		struct nfs3_wcc_res wcc;
		struct nfs3_rename_res rename;
	} res;
	char nm[2][KRPC_NAME_MAX + 1];
};

static void ns_creds(struct ksf_fileop *op)
{
	struct nfs3_aio_ns *a = (struct nfs3_aio_ns *)op;

	if (a->e->ops->io_creds)
		a->e->ops->io_creds(a->e->store, &a->cr);
}

static void wcc_pre(struct krpc_wcc *w, const struct krpc_attr *a)
{
	w->pre_valid = true;
	w->pre_size = a->size;
	w->pre_mtime = a->mtime;
	w->pre_ctime = a->ctime;
}

/* Release what is held; the wcc data of each directory into wcc[i]
 * (NULL: none). */
static void ns_release(struct nfs3_aio_ns *a, struct krpc_wcc *wcc[2])
{
	const struct krpc_store_ops *so = a->e->ops;

	for (int i = a->ndirs - 1; i >= 0; i--) {
		if (wcc && wcc[i])
			wcc_pre(wcc[i], &a->dir[i].attr);
		so->io_put(a->e->store, &a->dir[i], wcc && wcc[i] ? &wcc[i]->post : NULL);
	}
	a->ndirs = 0;
}

static void ns_forget(struct nfs3_aio_ns *a)
{
	if (a->op.res == 0 && a->known)
		a->e->ops->forget(a->e->store, &a->victim);
}

static void unlink_done(struct ksf_fileop *op)
{
	struct nfs3_aio_ns *a = (struct nfs3_aio_ns *)op;
	struct nfs3_wcc_res *r = &a->res.wcc;
	struct krpc_wcc *wcc[2] = { &r->wcc, NULL };

	ns_forget(a);
	ns_release(a, wcc);
	r->status = nfs3_status(op->res < 0 ? op->res : 0);
	ksf_rpc_defer_reply(a->d, nfs3_enc_wcc, r);
	free(a);
}

static void rename_done(struct ksf_fileop *op)
{
	struct nfs3_aio_ns *a = (struct nfs3_aio_ns *)op;
	struct nfs3_rename_res *r = &a->res.rename;
	struct krpc_wcc *wcc[2] = { &r->from_wcc, &r->to_wcc };

	ns_forget(a);
	ns_release(a, wcc);
	r->status = nfs3_status(op->res < 0 ? op->res : 0);
	ksf_rpc_defer_reply(a->d, nfs3_enc_rename, r);
	free(a);
}

/* Hold directory op's object as a->dir[a->ndirs], and copy name into
 * a->nm[a->ndirs]: 0, or -EAGAIN (not cached, not a directory, ...). */
static int ns_hold(struct nfs3_aio_ns *a, const struct nfs3_op *op, const struct nfs3_str *name)
{
	const struct krpc_store_ops *so = op->e->ops;
	int i = a->ndirs;

	if (name->len > KRPC_NAME_MAX ||
	    so->dir_get(op->e->store, &op->cr, &op->fh, KRPC_IO_NOWAIT, &a->dir[i]) < 0)
		return -EAGAIN;
	memcpy(a->nm[i], name->s, name->len);
	a->nm[i][name->len] = '\0';
	a->ndirs++;
	return 0;
}

/* The handle of name i in a->dir[i] into *fh from the dentry cache:
 * 0, -EAGAIN (it is not there), or another error (no such name, ...). */
static int ns_name_fh(struct nfs3_aio_ns *a, int i, struct krpc_sfh *fh)
{
	return a->e->ops->name_fh(a->e->store, &a->dir[i], a->nm[i], KRPC_IO_NOWAIT, fh);
}

/* A deferral for op's call with the caller's personality; NULL: run it
 * on a helper. */
static struct nfs3_aio_ns *ns_new(const struct nfs3_op *op, const struct ksf_rpc_call *call)
{
	const struct krpc_store_ops *so = op->e->ops;
	struct nfs3_aio_ns *a;

	/* on a failure the handler returns -EAGAIN, and the transport
	 * drops the deferral */
	if (!so->dir_get || !so->name_fh || !so->forget || !op->req->nowait ||
	    !(a = calloc(1, sizeof(*a))))
		return NULL;
	a->e = op->e;
	a->cr = op->cr;
	if (!(a->d = ksf_rpc_defer(op->req, call))) {
		free(a);
		return NULL;
	}
	a->op.creds_cb = ns_creds;
	return a;
}

/* Submit a's prepared operation once the directories are held (the
 * thread is the caller then: dir_get): -EINPROGRESS, or -EAGAIN with
 * everything released. */
static int ns_start(const struct nfs3_op *op, struct nfs3_aio_ns *a, int err,
		    void (*done)(struct ksf_fileop *))
{
	int id = err ? err : nfs3_aio_persona(&op->cr);

	if (id >= 0) {
		a->op.personality = id;
		a->op.done = done;
		if (ksf_fileop_submit(op->req->helpers, &a->op) == 0)
			return -EINPROGRESS;
	}
	ns_release(a, NULL);
	free(a);
	return -EAGAIN;
}

int nfs3_aio_unlink(const struct nfs3_op *op, const struct ksf_rpc_call *call,
		    const struct nfs3_str *name, bool dir)
{
	struct nfs3_aio_ns *a = ns_new(op, call);
	int err;

	if (!a)
		return -EAGAIN;
	if (!(err = ns_hold(a, op, name))) {
		err = ns_name_fh(a, 0, &a->victim);
		a->known = err == 0;	/* else unlinkat gives the error */
		err = err == -EAGAIN ? err : 0;
	}
	ksf_fileop_unlinkat(&a->op, a->dir[0].fd, a->nm[0], dir ? AT_REMOVEDIR : 0);
	return ns_start(op, a, err, unlink_done);
}

/* The name replaced (if any) loses its cached descriptors, unless it is
 * the very object moved (two links of one file). */
static int rename_victim(struct nfs3_aio_ns *a)
{
	struct krpc_sfh moved;
	int err = ns_name_fh(a, 1, &a->victim), merr;

	if (err < 0)	/* -EAGAIN, or no name replaced */
		return err == -EAGAIN ? err : 0;
	if ((merr = ns_name_fh(a, 0, &moved)) == -EAGAIN)
		return merr;
	a->known = !(merr == 0 && moved.len == a->victim.len &&
		     memcmp(moved.data, a->victim.data, moved.len) == 0);
	return 0;
}

int nfs3_aio_rename(const struct nfs3_op *from, const struct nfs3_op *to,
		    const struct ksf_rpc_call *call, const struct nfs3_str *fname,
		    const struct nfs3_str *tname)
{
	struct nfs3_aio_ns *a = ns_new(from, call);
	int err;

	if (!a)
		return -EAGAIN;
	if (!(err = ns_hold(a, from, fname)) && !(err = ns_hold(a, to, tname)))
		err = rename_victim(a);
	ksf_fileop_renameat(&a->op, a->dir[0].fd, a->nm[0], a->dir[1].fd, a->nm[1], 0);
	return ns_start(from, a, err, rename_done);
}
