// SPDX-License-Identifier: BSD-2-Clause
/*
 * NFS version 3 handlers that look up or make a name in a directory:
 * LOOKUP (RFC 1813 §3.3.3), CREATE, MKDIR, SYMLINK and MKNOD (§3.3.8-11).
 * Names are checked (krpc_name_check) before the store sees them; the
 * object made comes back as a wrapped handle with its attributes, and the
 * directory's wcc data are in every reply, failed or not. CREATE, MKDIR
 * and SYMLINK start on the event loop (nfs3proc_aio_new.c) and come here
 * on a helper when they cannot; MKNOD always runs here (io_uring has no
 * mknodat). LOOKUP is answered on the event loop when the store finds the
 * name without reading the disk (KRPC_IO_NOWAIT), else here on a helper.
 */
#include <errno.h>
#include <string.h>
#include "nfs3proc.h"

/* LOOKUP on the event loop: answered here when the directory is in the
 * store's cache and the name in the kernel's dentry cache; anything else
 * (not cached, and every error: a missing name, no search permission)
 * -EAGAIN, having written nothing, and the call runs on a helper. */
static int lookup_inline(const struct nfs3_op *op, const struct nfs3_str *name,
			 struct nfs3_lookup_res *r)
{
	struct nfs3_lookup_res q = { .status = NFS3_OK };
	struct krpc_sfh sfh;

	if (op->e->ops->lookup(op->e->store, &op->cr, &op->fh, name->s, name->len,
			       KRPC_IO_NOWAIT, &sfh, &q.attr, &q.dir_attr) < 0 ||
	    nfs3_op_wrap(op, &sfh, &q.fh) < 0)
		return -EAGAIN;
	*r = q;
	return 0;
}

/* §3.3.3: "." and ".." may be looked up; ".." of an export's root is the
 * root (the store sees to it). */
NFS3_HANDLER(lookup)
{
	const struct nfs3_diropargs *a = args;
	struct nfs3_lookup_res *r = res;
	struct krpc_sfh sfh;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->dir);

	if (!err)
		err = nfs3_name_ok(&a->name, NFS3_NAME_LOOKUP);
	if (op.req->nowait)	/* on the event loop: here if cached, else on a helper */
		return err ? -EAGAIN : lookup_inline(&op, &a->name, r);
	if (!err)
		err = op.e->ops->lookup(op.e->store, &op.cr, &op.fh, a->name.s, a->name.len, 0,
					&sfh, &r->attr, &r->dir_attr);
	if (!err)
		err = nfs3_op_wrap(&op, &sfh, &r->fh);
	nfs3_op_post_attr(&op, &r->dir_attr);
	r->status = nfs3_status(err);
	return 0;
}

/* Before a new name is made in op's directory: writable export, and a
 * name that is one component. */
static int new_name_ok(const struct nfs3_op *op, const struct nfs3_str *name)
{
	int err = nfs3_op_writable(op);

	return err ? err : nfs3_name_ok(name, NFS3_NAME_NEW);
}

/* The end of CREATE, MKDIR, SYMLINK and MKNOD: the new object's handle
 * (post_op_fh3: left out if it cannot be wrapped, which the client then
 * looks up), the directory's attributes, the status. */
static int newobj_done(const struct nfs3_op *op, int err, const struct krpc_sfh *sfh,
		       struct nfs3_newobj_res *r)
{
	if (!err)
		r->fh_valid = nfs3_op_wrap(op, sfh, &r->fh) == 0;
	nfs3_op_post_attr(op, &r->dir_wcc.post);
	r->status = nfs3_status(err);
	return 0;
}

/* §3.3.8: UNCHECKED and GUARDED with attributes, EXCLUSIVE with the
 * client's verifier, which the store keeps so a retry is idempotent. */
NFS3_HANDLER(create)
{
	const struct nfs3_create_args *a = args;
	struct nfs3_newobj_res *r = res;
	struct krpc_sfh sfh;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->where.dir);

	if (!err)
		err = new_name_ok(&op, &a->where.name);
	if (op.req->nowait)	/* on the event loop: start it, else on a helper */
		return err ? -EAGAIN : nfs3_aio_create(&op, call, &a->where.name, a->how, &a->sa,
						       a->verf);
	if (!err)
		err = op.e->ops->create(op.e->store, &op.cr, &op.fh, a->where.name.s,
					a->where.name.len, a->how, &a->sa, a->verf, &sfh,
					&r->attr, &r->dir_wcc);
	return newobj_done(&op, err, &sfh, r);
}

NFS3_HANDLER(mkdir)
{
	const struct nfs3_mkdir_args *a = args;
	struct nfs3_newobj_res *r = res;
	struct krpc_sfh sfh;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->where.dir);

	if (!err)
		err = new_name_ok(&op, &a->where.name);
	if (op.req->nowait)
		return err ? -EAGAIN : nfs3_aio_mkdir(&op, call, &a->where.name, &a->sa);
	if (!err)
		err = op.e->ops->mkdir(op.e->store, &op.cr, &op.fh, a->where.name.s,
				       a->where.name.len, &a->sa, &sfh, &r->attr, &r->dir_wcc);
	return newobj_done(&op, err, &sfh, r);
}

/* A symlink target: at most KRPC_PATH_MAX bytes, no NUL (the store makes
 * it a C string). Its contents are the client's business (§3.3.10). */
static int target_ok(const struct nfs3_str *t)
{
	if (t->len > KRPC_PATH_MAX)
		return -ENAMETOOLONG;
	return memchr(t->s, 0, t->len) ? -EINVAL : 0;
}

NFS3_HANDLER(symlink)
{
	const struct nfs3_symlink_args *a = args;
	struct nfs3_newobj_res *r = res;
	struct krpc_sfh sfh;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->where.dir);

	if (!err)
		err = new_name_ok(&op, &a->where.name);
	if (!err)
		err = target_ok(&a->target);
	if (op.req->nowait)
		return err ? -EAGAIN : nfs3_aio_symlink(&op, call, &a->where.name, &a->target,
							&a->sa);
	if (!err)
		err = op.e->ops->symlink(op.e->store, &op.cr, &op.fh, a->where.name.s,
					 a->where.name.len, a->target.s, a->target.len, &a->sa,
					 &sfh, &r->attr, &r->dir_wcc);
	return newobj_done(&op, err, &sfh, r);
}

/* §3.3.11: devices, sockets and FIFOs; the other file types are made by
 * other procedures: NFS3ERR_BADTYPE. */
NFS3_HANDLER(mknod)
{
	const struct nfs3_mknod_args *a = args;
	struct nfs3_newobj_res *r = res;
	struct krpc_sfh sfh;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->where.dir);

	if (!err)
		err = new_name_ok(&op, &a->where.name);
	if (!err && a->type != NF3CHR && a->type != NF3BLK && a->type != NF3SOCK &&
	    a->type != NF3FIFO)
		err = -KRPC_EBADTYPE;
	if (!err)
		err = op.e->ops->mknod(op.e->store, &op.cr, &op.fh, a->where.name.s,
				       a->where.name.len, a->type, &a->sa, a->major, a->minor,
				       &sfh, &r->attr, &r->dir_wcc);
	return newobj_done(&op, err, &sfh, r);
}
