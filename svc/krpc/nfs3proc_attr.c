// SPDX-License-Identifier: BSD-2-Clause
/*
 * NFS version 3 handlers for attributes and file system information:
 * GETATTR, SETATTR, ACCESS (RFC 1813 §3.3.1, 3.3.2, 3.3.4) and FSSTAT,
 * FSINFO, PATHCONF (§3.3.18-20). All but SETATTR and FSSTAT are cheap and
 * run on the event loop (their table entries are not BLOCKING); a
 * SETATTR of a size starts there (nfs3proc_aio_attr.c).
 */
#include <errno.h>
#include "nfs3proc.h"

/* FSINFO rtmult and wtmult (§3.3.19): the page size. */
#define NFS3_XFER_MULT	4096u

/* Access bits that change the object: none on a read-only export. */
#define ACCESS_CHANGE	(KRPC_ACCESS_MODIFY | KRPC_ACCESS_EXTEND | KRPC_ACCESS_DELETE)

NFS3_HANDLER(getattr)
{
	const struct nfs3_fh_args *a = args;
	struct nfs3_getattr_res *r = res;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->fh);

	if (!err)
		err = op.e->ops->getattr(op.e->store, &op.fh, &r->attr);
	r->status = nfs3_status(err);
	return 0;
}

/* §3.3.2: the guard, when set, is the ctime the object must still have. */
NFS3_HANDLER(setattr)
{
	const struct nfs3_setattr_args *a = args;
	struct nfs3_wcc_res *r = res;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->fh);

	if (!err)
		err = nfs3_op_writable(&op);
	if (op.req->nowait)	/* on the event loop: start it, else on a helper */
		return err ? -EAGAIN : nfs3_aio_truncate(&op, call, &a->sa,
							 a->guard ? &a->guard_ctime : NULL);
	if (!err)
		err = op.e->ops->setattr(op.e->store, &op.cr, &op.fh, &a->sa,
					 a->guard ? &a->guard_ctime : NULL, &r->wcc);
	nfs3_op_post_attr(&op, &r->wcc.post);
	r->status = nfs3_status(err);
	return 0;
}

/* §3.3.4: the store grants what the caller may do; a read-only export
 * takes away the rights to change. */
NFS3_HANDLER(access)
{
	const struct nfs3_access_args *a = args;
	struct nfs3_access_res *r = res;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->fh);

	if (!err)
		err = op.e->ops->access(op.e->store, &op.cr, &op.fh, a->access, &r->access,
					&r->attr);
	if (!err && op.e->ro)
		r->access &= ~ACCESS_CHANGE;
	r->access &= a->access;
	nfs3_op_post_attr(&op, &r->attr);
	r->status = nfs3_status(err);
	return 0;
}

NFS3_HANDLER(fsstat)
{
	const struct nfs3_fh_args *a = args;
	struct nfs3_fsstat_res *r = res;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->fh);

	if (!err)
		err = op.e->ops->fsstat(op.e->store, &op.cr, &op.fh, &r->st, &r->attr);
	nfs3_op_post_attr(&op, &r->attr);
	r->status = nfs3_status(err);
	return 0;
}

/* §3.3.19: transfer sizes from the service, the rest from the store. The
 * attributes are always sent: with them the Linux client skips a GETATTR
 * at mount. */
NFS3_HANDLER(fsinfo)
{
	const struct nfs3_fh_args *a = args;
	struct nfs3_fsinfo_res *r = res;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->fh);

	if (!err)
		err = op.e->ops->fsinfo(op.e->store, &op.fh, &r->fi, &r->attr);
	if (!err) {
		r->rtmax = r->rtpref = nfs3_rtmax(&op);
		r->wtmax = r->wtpref = nfs3_wtmax(&op);
		r->rtmult = r->wtmult = NFS3_XFER_MULT;
		r->dtpref = op.k->dtpref ? op.k->dtpref : KRPC_XFER_MIN;
	}
	nfs3_op_post_attr(&op, &r->attr);
	r->status = nfs3_status(err);
	return 0;
}

NFS3_HANDLER(pathconf)
{
	const struct nfs3_fh_args *a = args;
	struct nfs3_pathconf_res *r = res;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->fh);

	if (!err)
		err = op.e->ops->pathconf(op.e->store, &op.fh, &r->pc, &r->attr);
	nfs3_op_post_attr(&op, &r->attr);
	r->status = nfs3_status(err);
	return 0;
}
