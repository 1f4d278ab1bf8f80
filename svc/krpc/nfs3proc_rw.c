// SPDX-License-Identifier: BSD-2-Clause
/*
 * NFS version 3 handlers for file data: READLINK, READ, WRITE (RFC 1813
 * §3.3.5-7) and COMMIT (§3.3.21).
 *
 * READ on a worker over TCP reads into a reply buffer of the transport
 * (ksf_rpc_reply_buf: a chunk of the worker's buffer pool), which the
 * reply then sends as it is: the data go from the page cache to the
 * socket with no copy in user space (the result encoder leaves them out,
 * ksf_xdr_put_opaque_ref). Elsewhere (UDP, a helper thread) it reads
 * into this thread's buffer (rtmax bytes), from which the encoder copies
 * into the reply. READ, WRITE and COMMIT
 * are first run on the event loop (KSF_RPC_PROC_TRY_INLINE): cached READ
 * data are answered there, without two thread switches; a READ the disk
 * must serve, a WRITE and a COMMIT start as file operations of the worker
 * (its io_uring ring; nfs3proc_aio.c) and are answered from their
 * completion, or run on a helper when they cannot start so. On a helper,
 * WRITE hands the store the data where they lie in the call message. WRITE and COMMIT answer with the
 * server's write verifier, which changes at every start, so clients resend
 * what was not committed before a restart (§3.3.7).
 */
#include <errno.h>
#include <string.h>
#include "nfs3proc.h"

NFS3_HANDLER(readlink)
{
	const struct nfs3_fh_args *a = args;
	struct nfs3_readlink_res *r = res;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->fh);

	if (!err)
		err = op.e->ops->readlink(op.e->store, &op.cr, &op.fh, r->data,
					  sizeof(r->data), &r->len, &r->attr);
	if (!err && r->len > sizeof(r->data))
		err = -KRPC_ESERVERFAULT;
	nfs3_op_post_attr(&op, &r->attr);
	r->status = nfs3_status(err);
	return 0;
}

/* §3.3.6: count is capped at rtmax (the server may return less than
 * asked; eof tells the client whether the file ended). */
NFS3_HANDLER(read)
{
	const struct nfs3_read_args *a = args;
	struct nfs3_read_res *r = res;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->fh);
	uint32_t count = 0;
	void *buf = NULL, *rbuf = NULL;

	if (!err) {
		uint32_t max = nfs3_rtmax(&op);

		count = a->count < max ? a->count : max;
		if (!(buf = rbuf = ksf_rpc_reply_buf(op.req, count)))
			buf = nfs3_thread_buf(max);
		if (!buf)
			err = -KRPC_ESERVERFAULT;
	}
	if (!err)
		err = op.e->ops->read(op.e->store, &op.cr, &op.fh, a->offset, count,
				      op.req->nowait ? KRPC_IO_NOWAIT : 0, buf, &r->count,
				      &r->eof, &r->attr);
	if (err == -EAGAIN && op.req->nowait)	/* the disk must give the data */
		return nfs3_aio_read(&op, call, a->offset, count, rbuf);
	if (!err && r->count > count)
		err = -KRPC_ESERVERFAULT;
	r->data = buf;
	nfs3_op_post_attr(&op, &r->attr);
	r->status = nfs3_status(err);
	return 0;
}

/* §3.3.7: count must be the data's length (NFS3ERR_INVAL otherwise); at
 * most wtmax bytes are written, and the reply's count says how many. */
NFS3_HANDLER(write)
{
	const struct nfs3_write_args *a = args;
	struct nfs3_write_res *r = res;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->fh);
	uint32_t count;

	if (!err)
		err = nfs3_op_writable(&op);
	if (!err && a->count != a->len)
		err = -EINVAL;
	if (!err) {
		uint32_t max = nfs3_wtmax(&op);

		count = a->len < max ? a->len : max;
		if (op.req->nowait)	/* on the event loop: start it, or on a helper */
			return nfs3_aio_write(&op, call, a->offset, a->data, count, a->stable);
		err = op.e->ops->write(op.e->store, &op.cr, &op.fh, a->offset, a->data, count,
				       a->stable, &r->count, &r->committed, &r->wcc);
		memcpy(r->verf, op.k->exports.write_verf, NFS3_WRITEVERFSIZE);
	}
	nfs3_op_post_attr(&op, &r->wcc.post);
	r->status = nfs3_status(err);
	return 0;
}

/* §3.3.21: count 0 means to the end of the file. */
NFS3_HANDLER(commit)
{
	const struct nfs3_commit_args *a = args;
	struct nfs3_commit_res *r = res;
	struct nfs3_op op;
	int err = nfs3_op_start(&op, call, ctx, &a->fh);

	if (!err)
		err = nfs3_op_writable(&op);
	if (!err && op.req->nowait)	/* on the event loop: start it, or on a helper */
		return nfs3_aio_commit(&op, call);
	if (!err) {
		err = op.e->ops->commit(op.e->store, &op.cr, &op.fh, a->offset, a->count,
					&r->wcc);
		memcpy(r->verf, op.k->exports.write_verf, NFS3_WRITEVERFSIZE);
	}
	nfs3_op_post_attr(&op, &r->wcc.post);
	r->status = nfs3_status(err);
	return 0;
}
