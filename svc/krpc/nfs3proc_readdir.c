// SPDX-License-Identifier: BSD-2-Clause
/*
 * NFS version 3 handlers READDIR and READDIRPLUS (RFC 1813 §3.3.16-17).
 * The store lists the directory from the client's cookie and hands over
 * one entry at a time; each is encoded at once into this thread's buffer
 * (struct nfs3_dirbuf keeps the reply within count, dircount and
 * maxcount) until one does not fit, and the result encoder copies the
 * entries into the reply. READDIRPLUS entries carry their attributes and
 * a wrapped handle. The cookie verifier goes in and comes back as the
 * store says (store.h: a stale one is NFS3ERR_BAD_COOKIE).
 */
#include <string.h>
#include "nfs3proc.h"

struct listing {
	struct nfs3_dirbuf b;
	const struct nfs3_op *op;
};

/* krpc_dirent_fn: encode one entry, or 1 when it does not fit. */
static int take_entry(void *arg, const struct krpc_dirent *d)
{
	struct listing *l = arg;
	struct nfs3_fh fh;

	fh.len = 0;
	if (l->b.plus && d->fh_valid && nfs3_op_wrap(l->op, &d->fh, &fh))
		fh.len = 0;	/* post_op_fh3 FALSE: the client looks it up */
	return nfs3_dirbuf_add(&l->b, d, fh.len ? fh.data : NULL, fh.len);
}

/* List into the thread's buffer (at most rtmax bytes of entries). */
static int list_dir(const struct nfs3_op *op, const struct nfs3_readdir_args *a, bool plus,
		    struct nfs3_readdir_res *r)
{
	uint32_t cap = nfs3_rtmax(op);
	void *buf = nfs3_thread_buf(cap);
	struct listing l = { .op = op };
	int err;

	if (!buf)
		return -KRPC_ESERVERFAULT;
	err = nfs3_dirbuf_init(&l.b, buf, cap, a->count, a->dircount, plus);
	if (err)
		return err;
	memcpy(r->verf, a->verf, NFS3_COOKIEVERFSIZE);
	err = op->e->ops->readdir(op->e->store, &op->cr, &op->fh, a->cookie, r->verf, plus,
				  take_entry, &l, &r->eof, &r->dir_attr);
	if (!err)
		err = nfs3_dirbuf_finish(&l.b, r->eof);
	r->entries = buf;
	r->entries_len = (uint32_t)l.b.x.pos;
	return err;
}

static int readdir_any(const struct ksf_rpc_call *call, void *args, void *res, void *ctx,
		       bool plus)
{
	const struct nfs3_readdir_args *a = args;
	struct nfs3_readdir_res *r = res;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->dir);

	if (!err)
		err = list_dir(&op, a, plus, r);
	nfs3_op_post_attr(&op, &r->dir_attr);
	r->status = nfs3_status(err);
	return 0;
}

NFS3_HANDLER(readdir)
{
	return readdir_any(call, args, res, ctx, false);
}

NFS3_HANDLER(readdirplus)
{
	return readdir_any(call, args, res, ctx, true);
}
