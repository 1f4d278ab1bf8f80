// SPDX-License-Identifier: BSD-2-Clause
/*
 * CREATE, MKDIR, SYMLINK and LINK (RFC 1813 §3.3.8-10, §3.3.15) without
 * leaving the event loop, as REMOVE and RENAME (nfs3proc_aio_ns.c): the
 * handler, on the worker, holds the directory (store dir_get with
 * KRPC_IO_NOWAIT; LINK's object too, KRPC_IO_ANYTYPE), asks the store
 * for the system call the synchronous operation makes (store mk_prep: an
 * openat with O_CREAT | O_EXCL, a mkdirat, symlinkat or linkat),
 * starts it as a file operation of the worker (on io_uring an SQE of the
 * worker's ring, issued with the worker's personality of the caller; on
 * epoll a job on its helper threads) and defers the reply.
 *
 * The completion, back on the worker, finishes the new object (store
 * mk_done with KRPC_IO_NOWAIT: its handle and attributes, read only from
 * what is in memory). What is not an io_uring operation and may wait on
 * the file system's journal (a chmod where the umask cut the asked mode,
 * an owner, times, a size, EXCLUSIVE's verifier) makes mk_done answer
 * -EAGAIN: a second stage then runs mk_done on one of the worker's helper
 * threads, and the reply follows its completion. A CREATE that found the
 * name taken in UNCHECKED or EXCLUSIVE mode takes the file on the worker
 * when that only reads what is in memory (mk_done with no descriptor: an
 * UNCHECKED CREATE with no size, an EXCLUSIVE retry whose verifier
 * matches, which keeps it idempotent), else the whole synchronous create
 * runs on the helper, as before. The directory stays held until the
 * reply, whose wcc data are its attributes at the hold and at the end.
 *
 * Anything that cannot start this way (a handle not in the store's
 * cache, a directory that is none, LINK of a directory, no memory, no
 * personality) returns -EAGAIN and the call runs on a helper as before,
 * which also gives the error replies. The duplicate request cache sees
 * the deferred reply as any other (ksf_rpc_defer_reply).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ksf/fileop.h>
#include "nfs3proc.h"

struct nfs3_aio_new {
	struct ksf_fileop op;
	struct ksf_offload_job job;	/* the second stage, on a helper */
	struct ksf_rpc_defer *d;
	const struct krpc_export *e;
	struct krpc_ctx *k;
	struct krpc_cred cr;
	struct krpc_sfh dirfh;		/* CREATE of a taken name: the whole create */
	struct krpc_io dir, obj;
	bool held_obj;			/* LINK */
	bool whole;			/* the second stage is the synchronous create */
	uint32_t how;			/* CREATE */
	uint8_t verf[NFS3_CREATEVERFSIZE];
	struct krpc_mk mk;
	struct krpc_sattr sa;
	int fd, err;
	struct krpc_sfh sfh;
	union {
		struct nfs3_newobj_res newobj;
		struct nfs3_link_res link;
	} res;
	char nm[KRPC_NAME_MAX + 1];
	char target[KRPC_PATH_MAX + 1];
};

static struct nfs3_aio_new *of_job(struct ksf_offload_job *j)
{
	return (struct nfs3_aio_new *)((char *)j - offsetof(struct nfs3_aio_new, job));
}

static void new_creds(struct ksf_fileop *op)
{
	struct nfs3_aio_new *a = (struct nfs3_aio_new *)op;

	if (a->e->ops->io_creds)
		a->e->ops->io_creds(a->e->store, &a->cr);
}

static void new_free(struct nfs3_aio_new *a)
{
	if (a->fd >= 0)
		close(a->fd);
	free(a);
}

/* The reply of CREATE, MKDIR or SYMLINK: the directory released with its
 * wcc data (unless the whole create filled them), the handle wrapped. */
static void newobj_reply(struct nfs3_aio_new *a)
{
	struct nfs3_newobj_res *r = &a->res.newobj;
	struct nfs3_op op = { .k = a->k, .e = a->e };

	if (!a->whole) {
		nfs3_wcc_pre(&r->dir_wcc, &a->dir.attr);
		a->e->ops->io_put(a->e->store, &a->dir, &r->dir_wcc.post);
	}
	if (!a->err)
		r->fh_valid = nfs3_op_wrap(&op, &a->sfh, &r->fh) == 0;
	r->status = nfs3_status(a->err);
	ksf_rpc_defer_reply(a->d, nfs3_enc_newobj, r);
	new_free(a);
}

/* The second stage, on a helper thread: what may wait. */
static void stage2_run(struct ksf_offload_job *j)
{
	struct nfs3_aio_new *a = of_job(j);
	const struct krpc_store_ops *so = a->e->ops;
	struct nfs3_newobj_res *r = &a->res.newobj;
	const struct krpc_sattr *sa = a->mk.sa;

	if (a->whole)
		a->err = so->create(a->e->store, &a->cr, &a->dirfh, a->nm, (uint32_t)strlen(a->nm),
				    a->how, sa ? sa : &a->sa, a->verf, &a->sfh, &r->attr,
				    &r->dir_wcc);
	else
		a->err = so->mk_done(a->e->store, &a->cr, &a->dir, a->nm, &a->mk, a->fd,
				     a->how == KRPC_EXCLUSIVE ? a->verf : NULL, 0, &a->sfh, &r->attr);
}

static void stage2_done(struct ksf_offload_job *j)
{
	newobj_reply(of_job(j));
}

/* The rest, on a helper: -EAGAIN from the worker's try. */
static void stage2(struct nfs3_aio_new *a)
{
	a->job.run = stage2_run;
	a->job.done = stage2_done;
	if (ksf_offload_submit(a->op.helpers, &a->job) < 0) {
		a->err = -KRPC_ESERVERFAULT;
		if (a->whole)	/* the directory is released: no wcc data */
			a->res.newobj.dir_wcc.post.valid = false;
		newobj_reply(a);
	}
}

/* On the worker, the name made (or not): finish it here if that cannot
 * wait, else on a helper. A CREATE that found the name taken (UNCHECKED,
 * EXCLUSIVE) takes the file here too when it may (mk_done with fd -1);
 * when it cannot (a size to set, a name not in the dentry cache, a name
 * gone since), the whole synchronous create runs on a helper. */
static void newobj_done(struct ksf_fileop *op)
{
	struct nfs3_aio_new *a = (struct nfs3_aio_new *)op;
	const struct krpc_store_ops *so = a->e->ops;
	bool taken = op->res == -EEXIST && a->mk.type == KRPC_REG && a->how != KRPC_GUARDED;

	a->err = op->res < 0 ? op->res : 0;
	if (a->mk.type == KRPC_REG && op->res >= 0)
		a->fd = op->res;	/* CREATE's descriptor of the new file */
	if (a->err && !taken) {
		newobj_reply(a);
		return;
	}
	a->err = so->mk_done(a->e->store, &a->cr, &a->dir, a->nm, &a->mk, a->fd,
			     a->how == KRPC_EXCLUSIVE ? a->verf : NULL, KRPC_IO_NOWAIT, &a->sfh,
			     &a->res.newobj.attr);
	if (a->err != -EAGAIN) {
		newobj_reply(a);
		return;
	}
	if (taken) {
		so->io_put(a->e->store, &a->dir, NULL);
		a->whole = true;
	}
	stage2(a);
}

/* A deferral for the call with the directory op->fh held; NULL: run it on
 * a helper. */
static struct nfs3_aio_new *new_start(const struct nfs3_op *op, const struct ksf_rpc_call *call,
				      const struct nfs3_str *name)
{
	const struct krpc_store_ops *so = op->e->ops;
	struct nfs3_aio_new *a;

	if (!so->dir_get || !so->mk_prep || !so->mk_done || !op->req->nowait ||
	    name->len > KRPC_NAME_MAX || !(a = calloc(1, sizeof(*a))))
		return NULL;
	a->e = op->e;
	a->k = op->k;
	a->cr = op->cr;
	a->dirfh = op->fh;
	a->fd = -1;
	memcpy(a->nm, name->s, name->len);
	if (!(a->d = ksf_rpc_defer(op->req, call)) ||
	    so->dir_get(op->e->store, &op->cr, &op->fh, KRPC_IO_NOWAIT, &a->dir) < 0) {
		free(a);	/* the transport drops the deferral on -EAGAIN */
		return NULL;
	}
	return a;
}

/* The store's system call as a's file operation: 0 or -EAGAIN. */
static int new_prep(struct nfs3_aio_new *a)
{
	struct krpc_mkcall c;
	int err = a->e->ops->mk_prep(a->e->store, &a->dir, a->nm, &a->mk, &c);

	if (err < 0)
		return -EAGAIN;
	switch (c.call) {
	case KRPC_MK_OPENAT:
		ksf_fileop_openat(&a->op, c.dirfd, c.path, c.flags, c.mode);
		return 0;
	case KRPC_MK_MKDIRAT:
		ksf_fileop_mkdirat(&a->op, c.dirfd, c.path, c.mode);
		return 0;
	case KRPC_MK_SYMLINKAT:
		ksf_fileop_symlinkat(&a->op, c.path2, c.dirfd, c.path);
		return 0;
	case KRPC_MK_LINKAT:
		ksf_fileop_linkat(&a->op, c.dirfd, c.path, c.dirfd2, c.path2, c.flags);
		return 0;
	default:
		return -EAGAIN;
	}
}

/* Prepare and submit, as the caller: -EINPROGRESS, or -EAGAIN with
 * everything released. */
static int new_submit(const struct nfs3_op *op, struct nfs3_aio_new *a,
		      void (*done)(struct ksf_fileop *))
{
	const struct krpc_store_ops *so = a->e->ops;
	int id = new_prep(a);

	if (id == 0)
		id = nfs3_aio_persona(&op->cr);
	if (id >= 0) {
		a->op.personality = id;
		a->op.creds_cb = new_creds;
		a->op.done = done;
		if (ksf_fileop_submit(op->req->helpers, &a->op) == 0)
			return -EINPROGRESS;
	}
	if (a->held_obj)
		so->io_put(a->e->store, &a->obj, NULL);
	so->io_put(a->e->store, &a->dir, NULL);
	new_free(a);
	return -EAGAIN;
}

int nfs3_aio_create(const struct nfs3_op *op, const struct ksf_rpc_call *call,
		    const struct nfs3_str *name, uint32_t how, const struct krpc_sattr *sa,
		    const uint8_t verf[NFS3_CREATEVERFSIZE])
{
	struct nfs3_aio_new *a;

	if (how > KRPC_EXCLUSIVE || !(a = new_start(op, call, name)))
		return -EAGAIN;
	a->how = how;
	a->sa = *sa;
	memcpy(a->verf, verf, NFS3_CREATEVERFSIZE);
	a->mk.type = KRPC_REG;
	a->mk.how = how;
	a->mk.sa = how == KRPC_EXCLUSIVE ? NULL : &a->sa;	/* as the store's create */
	return new_submit(op, a, newobj_done);
}

int nfs3_aio_mkdir(const struct nfs3_op *op, const struct ksf_rpc_call *call,
		   const struct nfs3_str *name, const struct krpc_sattr *sa)
{
	struct nfs3_aio_new *a = new_start(op, call, name);

	if (!a)
		return -EAGAIN;
	a->sa = *sa;
	a->mk.type = KRPC_DIR;
	a->mk.sa = &a->sa;
	return new_submit(op, a, newobj_done);
}

int nfs3_aio_symlink(const struct nfs3_op *op, const struct ksf_rpc_call *call,
		     const struct nfs3_str *name, const struct nfs3_str *target,
		     const struct krpc_sattr *sa)
{
	struct nfs3_aio_new *a;

	if (target->len == 0 || target->len > KRPC_PATH_MAX || !(a = new_start(op, call, name)))
		return -EAGAIN;
	memcpy(a->target, target->s, target->len);
	a->sa = *sa;
	a->mk.type = KRPC_LNK;
	a->mk.sa = &a->sa;
	a->mk.target = a->target;
	return new_submit(op, a, newobj_done);
}

/* LINK: no new object to finish; the object's attributes after and the
 * directory's wcc data. */
static void link_done(struct ksf_fileop *op)
{
	struct nfs3_aio_new *a = (struct nfs3_aio_new *)op;
	const struct krpc_store_ops *so = a->e->ops;
	struct nfs3_link_res *r = &a->res.link;

	nfs3_wcc_pre(&r->dir_wcc, &a->dir.attr);
	so->io_put(a->e->store, &a->dir, &r->dir_wcc.post);
	so->io_put(a->e->store, &a->obj, &r->attr);
	if (!r->attr.valid)
		r->attr = (struct krpc_pattr){ true, a->obj.attr };
	r->status = nfs3_status(op->res < 0 ? op->res : 0);
	ksf_rpc_defer_reply(a->d, nfs3_enc_link, r);
	new_free(a);
}

int nfs3_aio_link(const struct nfs3_op *obj, const struct nfs3_op *dir,
		  const struct ksf_rpc_call *call, const struct nfs3_str *name)
{
	const struct krpc_store_ops *so = obj->e->ops;
	struct nfs3_aio_new *a = new_start(dir, call, name);

	if (!a)
		return -EAGAIN;
	if (so->dir_get(obj->e->store, &obj->cr, &obj->fh, KRPC_IO_NOWAIT | KRPC_IO_ANYTYPE,
			&a->obj) < 0) {
		so->io_put(a->e->store, &a->dir, NULL);
		free(a);
		return -EAGAIN;
	}
	a->held_obj = true;
	a->mk.type = 0;
	a->mk.obj = &a->obj;	/* mk_prep: -EAGAIN for a directory (EISDIR on a helper) */
	return new_submit(obj, a, link_done);
}
