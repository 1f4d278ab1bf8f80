// SPDX-License-Identifier: BSD-2-Clause
/*
 * NFS version 3 handlers that remove, move or add names of existing
 * objects: REMOVE, RMDIR, RENAME and LINK (RFC 1813 §3.3.12-15). A name
 * that goes away may not be "." or ".." (NFS3ERR_INVAL); RENAME and LINK
 * work within one export: handles of two exports give NFS3ERR_XDEV. Every
 * reply carries the directories' wcc data. REMOVE, RMDIR and RENAME
 * start on the event loop (nfs3proc_aio_ns.c), LINK too
 * (nfs3proc_aio_new.c), and come here on a helper when they cannot.
 */
#include <errno.h>
#include "nfs3proc.h"

/* REMOVE and RMDIR: the same checks, then the store's remove or rmdir. */
typedef int (*unlink_fn)(struct krpc_store *s, const struct krpc_cred *cr,
			 const struct krpc_sfh *dir, const char *name, uint32_t namelen,
			 struct krpc_wcc *dir_wcc);

static int unlink_name(const struct ksf_rpc_call *call, const void *args, void *res,
		       void *ctx, bool dir)
{
	const struct nfs3_diropargs *a = args;
	struct nfs3_wcc_res *r = res;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->dir);

	if (!err)
		err = nfs3_op_writable(&op);
	if (!err)
		err = nfs3_name_ok(&a->name, NFS3_NAME_OLD);
	if (op.req->nowait)	/* on the event loop: start it, else on a helper */
		return err ? -EAGAIN : nfs3_aio_unlink(&op, call, &a->name, dir);
	if (!err) {
		unlink_fn fn = dir ? op.e->ops->rmdir : op.e->ops->remove;
		err = fn(op.e->store, &op.cr, &op.fh, a->name.s, a->name.len, &r->wcc);
	}
	nfs3_op_post_attr(&op, &r->wcc.post);
	r->status = nfs3_status(err);
	return 0;
}

NFS3_HANDLER(remove)
{
	return unlink_name(call, args, res, ctx, false);
}

NFS3_HANDLER(rmdir)
{
	return unlink_name(call, args, res, ctx, true);
}

/* The checks of RENAME before the store: both directories in one
 * writable export, a source name that is no dot, a plain target name. */
static int rename_ok(const struct nfs3_rename_args *a, const struct ksf_rpc_call *call,
		     void *ctx, struct nfs3_op *from, struct nfs3_op *to)
{
	int err = nfs3_op_start(from, call, ctx, &a->from.dir);

	if (!err)
		err = nfs3_op_start2(to, from, call, ctx, &a->to.dir);
	if (!err)
		err = nfs3_op_writable(from);
	if (!err)
		err = nfs3_name_ok(&a->from.name, NFS3_NAME_OLD);
	if (!err)
		err = nfs3_name_ok(&a->to.name, NFS3_NAME_NEW);
	return err;
}

NFS3_HANDLER(rename)
{
	const struct nfs3_rename_args *a = args;
	struct nfs3_rename_res *r = res;
	struct nfs3_op from, to;
	int err;

	to.e = NULL;
	err = rename_ok(a, call, ctx, &from, &to);
	if (from.req->nowait)	/* on the event loop: start it, else on a helper */
		return err ? -EAGAIN : nfs3_aio_rename(&from, &to, call, &a->from.name,
							&a->to.name);
	if (!err)
		err = from.e->ops->rename(from.e->store, &from.cr, &from.fh, a->from.name.s,
					  a->from.name.len, &to.fh, a->to.name.s, a->to.name.len,
					  &r->from_wcc, &r->to_wcc);
	nfs3_op_post_attr(&from, &r->from_wcc.post);
	nfs3_op_post_attr(&to, &r->to_wcc.post);
	r->status = nfs3_status(err);
	return 0;
}

/* §3.3.15: a new name link.name in link.dir for the object fh. */
NFS3_HANDLER(link)
{
	const struct nfs3_link_args *a = args;
	struct nfs3_link_res *r = res;
	struct nfs3_op obj, dir;
	int err;

	dir.e = NULL;
	err = nfs3_op_start(&obj, call, ctx, &a->fh);
	if (!err)
		err = nfs3_op_start2(&dir, &obj, call, ctx, &a->link.dir);
	if (!err)
		err = nfs3_op_writable(&obj);
	if (!err)
		err = nfs3_name_ok(&a->link.name, NFS3_NAME_NEW);
	if (obj.req->nowait)	/* on the event loop: start it, else on a helper */
		return err ? -EAGAIN : nfs3_aio_link(&obj, &dir, call, &a->link.name);
	if (!err)
		err = obj.e->ops->link(obj.e->store, &obj.cr, &obj.fh, &dir.fh, a->link.name.s,
				       a->link.name.len, &r->attr, &r->dir_wcc);
	nfs3_op_post_attr(&obj, &r->attr);
	nfs3_op_post_attr(&dir, &r->dir_wcc.post);
	r->status = nfs3_status(err);
	return 0;
}
