// SPDX-License-Identifier: BSD-2-Clause
/*
 * READ, WRITE and COMMIT (RFC 1813 §3.3.6, §3.3.7, §3.3.21) without
 * leaving the event loop: the handler, run on the worker (TRY_INLINE),
 * holds the file open for I/O as the caller (store io_get with
 * KRPC_IO_NOWAIT: the permission check, a cached descriptor), starts the
 * read, write or fsync as a file operation of the worker (ksf/fileop.h:
 * an SQE on the worker's own io_uring ring; on epoll, a job on the
 * worker's helper threads) and defers its reply (ksf_rpc_defer); the
 * completion, back on the worker, takes the attributes after, encodes the
 * reply and queues it for the worker's batched flush. A READ reads into
 * the call's reply buffer (ksf_rpc_reply_buf), which the deferral keeps
 * and the reply sends as it is, without a copy. Anything that
 * cannot start this way (a handle not in the store's cache, whose decode
 * may read the disk; no memory; no credentials personality) returns
 * -EAGAIN and the call runs on a helper thread as before, which also
 * gives the error replies.
 *
 * Identity: the read, write or fsync works on a descriptor checked for
 * the caller, so it needs no credentials of its own, except that a write
 * clears a set-user-ID or set-group-ID bit unless its writer may keep it.
 * So a WRITE is issued as the caller: on the ring with an io_uring
 * personality of the caller's identity (registered on the worker's ring
 * while the worker thread has that identity; a small per-worker cache,
 * the oldest dropped first), on a helper by switching the helper thread
 * (store io_creds) first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <ksf/fileop.h>
#include "nfs3proc.h"

#define PERSONAS	32	/* identities with a ring personality, per worker */

struct nfs3_aio {
	struct ksf_fileop op;
	struct ksf_rpc_defer *d;
	const struct krpc_export *e;
	struct krpc_cred cr;
	struct krpc_io io;
	uint64_t off;
	uint32_t count, stable;
	uint8_t verf[NFS3_WRITEVERFSIZE];
	union {
		struct nfs3_read_res read;
		struct nfs3_write_res write;
		struct nfs3_commit_res commit;
	} res;
	uint8_t *rdata;			/* READ: where it reads */
	_Alignas(16) uint8_t data[];	/* READ without a reply buffer: what is
					 * read; WRITE: a copy of the data */
};

/* ---- the per-worker cache of ring personalities ---- */

struct persona {
	struct krpc_cred cr;
	int id;			/* 0: empty */
};
static __thread struct persona personas[PERSONAS];
static __thread unsigned persona_next;

static bool same_cred(const struct krpc_cred *a, const struct krpc_cred *b)
{
	return a->uid == b->uid && a->gid == b->gid && a->ngids == b->ngids &&
	       memcmp(a->gids, b->gids, a->ngids * sizeof(a->gids[0])) == 0;
}

/* The ring personality of cr, registered now if needed: the calling
 * worker thread has cr's identity (io_get left it so). 0 on the epoll
 * backend (helpers switch identity themselves), > 0, or -errno. */
int nfs3_aio_persona(const struct krpc_cred *cr)
{
	struct persona *p;
	int id;

	for (unsigned i = 0; i < PERSONAS; i++)
		if (personas[i].id && same_cred(&personas[i].cr, cr))
			return personas[i].id;
	id = ksf_fileop_creds_register();
	if (id == -EOPNOTSUPP)
		return 0;
	if (id < 0)
		return id;
	p = &personas[persona_next++ % PERSONAS];
	if (p->id)
		ksf_fileop_creds_unregister(p->id);
	p->cr = *cr;
	p->id = id;
	return id;
}

/* ---- start and finish ---- */

static void wcc_pre(struct krpc_wcc *w, const struct krpc_attr *a)
{
	w->pre_valid = true;
	w->pre_size = a->size;
	w->pre_mtime = a->mtime;
	w->pre_ctime = a->ctime;
}

/* A deferral and a held file for op's call; NULL: run it on a helper. */
static struct nfs3_aio *aio_new(const struct nfs3_op *op, const struct ksf_rpc_call *call,
				unsigned mode, size_t datalen)
{
	const struct krpc_store_ops *so = op->e->ops;
	struct nfs3_aio *a;

	/* on a failure below the handler returns -EAGAIN, and the
	 * transport drops the deferral */
	if (!so->io_get || !op->req->nowait || !(a = malloc(sizeof(*a) + datalen)))
		return NULL;
	memset(a, 0, sizeof(*a));
	a->e = op->e;
	a->cr = op->cr;
	memcpy(a->verf, op->k->exports.write_verf, NFS3_WRITEVERFSIZE);
	if (!(a->d = ksf_rpc_defer(op->req, call)) ||
	    so->io_get(op->e->store, &op->cr, &op->fh, mode, KRPC_IO_NOWAIT, &a->io) < 0) {
		free(a);
		return NULL;
	}
	return a;
}

static int aio_start(const struct nfs3_op *op, struct nfs3_aio *a,
		     void (*done)(struct ksf_fileop *))
{
	a->op.done = done;
	if (ksf_fileop_submit(op->req->helpers, &a->op) < 0) {
		/* the deferral is dropped by the transport on -EAGAIN */
		a->e->ops->io_put(a->e->store, &a->io, NULL);
		free(a);
		return -EAGAIN;
	}
	return -EINPROGRESS;
}

static void aio_finish(struct nfs3_aio *a, int (*enc)(struct ksf_xdr *, const void *),
		       const void *res)
{
	ksf_rpc_defer_reply(a->d, enc, res);
	free(a);
}

/* ---- READ ---- */

static void read_done(struct ksf_fileop *op)
{
	struct nfs3_aio *a = (struct nfs3_aio *)op;
	struct nfs3_read_res *r = &a->res.read;
	int err = op->res < 0 ? op->res : 0;

	a->e->ops->io_put(a->e->store, &a->io, &r->attr);
	if (!r->attr.valid)
		r->attr = (struct krpc_pattr){ true, a->io.attr };
	if (!err) {
		r->count = (uint32_t)op->res;
		r->data = a->rdata;	/* the reply sends it from there */
		/* a short read met the end; a full one may end exactly on it */
		r->eof = r->count < a->count || a->off + r->count >= r->attr.a.size;
	}
	r->status = nfs3_status(err);
	aio_finish(a, nfs3_enc_read, r);
}

int nfs3_aio_read(const struct nfs3_op *op, const struct ksf_rpc_call *call, uint64_t off,
		  uint32_t count, void *buf)
{
	struct nfs3_aio *a;

	if (off > INT64_MAX || !(a = aio_new(op, call, KRPC_IO_RD, buf ? 0 : count)))
		return -EAGAIN;
	a->off = off;
	a->count = count;
	a->rdata = buf ? buf : a->data;
	ksf_fileop_read(&a->op, a->io.fd, a->rdata, count, off);
	return aio_start(op, a, read_done);
}

/* ---- WRITE ---- */

static void write_reply(struct nfs3_aio *a, int err)
{
	struct nfs3_write_res *r = &a->res.write;

	wcc_pre(&r->wcc, &a->io.attr);
	a->e->ops->io_put(a->e->store, &a->io, &r->wcc.post);
	if (!err)
		r->committed = a->stable > KRPC_FILE_SYNC ? KRPC_FILE_SYNC : a->stable;
	else
		r->count = 0;
	memcpy(r->verf, a->verf, NFS3_WRITEVERFSIZE);
	r->status = nfs3_status(err);
	aio_finish(a, nfs3_enc_write, r);
}

static void write_done(struct ksf_fileop *op)
{
	struct nfs3_aio *a = (struct nfs3_aio *)op;
	int err = op->res < 0 ? op->res : op->res == 0 && a->count ? -EIO : 0;

	if (!err)
		a->res.write.count = (uint32_t)op->res;
	write_reply(a, err);
}

static void write_creds(struct ksf_fileop *op)
{
	struct nfs3_aio *a = (struct nfs3_aio *)op;

	if (a->e->ops->io_creds)
		a->e->ops->io_creds(a->e->store, &a->cr);
}

int nfs3_aio_write(const struct nfs3_op *op, const struct ksf_rpc_call *call, uint64_t off,
		   const void *data, uint32_t count, uint32_t stable)
{
	struct nfs3_aio *a;
	int id;

	if (off > INT64_MAX || count > INT64_MAX - off ||
	    !(a = aio_new(op, call, KRPC_IO_WR, count)))
		return -EAGAIN;
	if ((id = nfs3_aio_persona(&op->cr)) < 0) {
		a->e->ops->io_put(a->e->store, &a->io, NULL);
		free(a);
		return -EAGAIN;
	}
	a->off = off;
	a->count = count;
	a->stable = stable;
	memcpy(a->data, data, count);	/* the call's buffer is reused after this */
	/* durable: on the ring a write, then an fsync of its range (fileop.c) */
	ksf_fileop_write(&a->op, a->io.fd, a->data, count, off,
			 stable == KRPC_FILE_SYNC ? RWF_SYNC : stable == KRPC_DATA_SYNC ? RWF_DSYNC : 0);
	a->op.personality = id;
	a->op.creds_cb = write_creds;
	return aio_start(op, a, write_done);
}

/* ---- COMMIT ---- */

static void commit_done(struct ksf_fileop *op)
{
	struct nfs3_aio *a = (struct nfs3_aio *)op;
	struct nfs3_commit_res *r = &a->res.commit;

	wcc_pre(&r->wcc, &a->io.attr);
	a->e->ops->io_put(a->e->store, &a->io, &r->wcc.post);
	memcpy(r->verf, a->verf, NFS3_WRITEVERFSIZE);
	r->status = nfs3_status(op->res < 0 ? op->res : 0);
	aio_finish(a, nfs3_enc_commit, r);
}

int nfs3_aio_commit(const struct nfs3_op *op, const struct ksf_rpc_call *call)
{
	struct nfs3_aio *a = aio_new(op, call, KRPC_IO_ANY, 0);

	if (!a)
		return -EAGAIN;
	ksf_fileop_fsync(&a->op, a->io.fd, 0);
	return aio_start(op, a, commit_done);
}
