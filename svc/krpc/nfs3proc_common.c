// SPDX-License-Identifier: BSD-2-Clause
/*
 * What krpc's NFS version 3 handlers share: turning a wire handle into an
 * export and store handle with the caller's identity, the read-only and
 * name checks, post-operation attributes for failed replies (RFC 1813
 * §2.6), and the per-thread buffer READ and READDIR build their data in.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "nfs3proc.h"

int nfs3_op_start(struct nfs3_op *op, const struct ksf_rpc_call *call, void *ctx,
		  const struct nfs3_fh *fh)
{
	const struct krpc_export *e;
	int err;

	memset(op, 0, sizeof(*op));
	op->req = ctx;
	op->k = krpc_ctx_of(ctx);
	err = krpc_fh_unwrap(&op->k->exports, fh->data, fh->len, &e, &op->fh);
	if (err)
		return err;
	op->e = e;
	krpc_cred_of_call(&op->k->exports, call, &op->cr);
	return 0;
}

int nfs3_op_start2(struct nfs3_op *op, const struct nfs3_op *first,
		   const struct ksf_rpc_call *call, void *ctx, const struct nfs3_fh *fh)
{
	int err = nfs3_op_start(op, call, ctx, fh);

	if (err)
		return err;
	return op->e == first->e ? 0 : -EXDEV;
}

int nfs3_op_writable(const struct nfs3_op *op)
{
	return op->e->ro ? -EROFS : 0;
}

int nfs3_name_ok(const struct nfs3_str *n, enum nfs3_name_use use)
{
	int err = krpc_name_check(n->s, n->len, use == NFS3_NAME_LOOKUP);

	/* Removing or renaming "." or ".." is invalid, not "exists"
	 * (store.h, as Linux nfsd). */
	if (err == -EEXIST && use == NFS3_NAME_OLD)
		return -EINVAL;
	return err;
}

void nfs3_op_post_attr(const struct nfs3_op *op, struct krpc_pattr *pa)
{
	if (pa->valid || !op->e)
		return;
	pa->valid = op->e->ops->getattr(op->e->store, &op->fh, &pa->a) == 0;
}

void nfs3_wcc_pre(struct krpc_wcc *w, const struct krpc_attr *a)
{
	w->pre_valid = true;
	w->pre_size = a->size;
	w->pre_mtime = a->mtime;
	w->pre_ctime = a->ctime;
}

int nfs3_op_wrap(const struct nfs3_op *op, const struct krpc_sfh *sfh, struct nfs3_fh *out)
{
	int n = krpc_fh_wrap(&op->k->exports, op->e, sfh, out->data);

	if (n < 0)
		return n;
	out->len = (uint32_t)n;
	return 0;
}

static uint32_t xfer_max(const struct nfs3_op *op, uint32_t max)
{
	if (!max)
		max = KRPC_XFER_MIN;
	if (op->req->proto == IPPROTO_UDP && max > NFS3_UDP_XFER_MAX)
		max = NFS3_UDP_XFER_MAX;
	return max;
}

uint32_t nfs3_rtmax(const struct nfs3_op *op)
{
	return xfer_max(op, op->k->rtmax);
}

uint32_t nfs3_wtmax(const struct nfs3_op *op)
{
	return xfer_max(op, op->k->wtmax);
}

/* The per-thread buffer: a __thread pointer for speed, and a key whose
 * destructor frees it when the thread ends. */
static pthread_key_t buf_key;
static pthread_once_t buf_once = PTHREAD_ONCE_INIT;
static int buf_key_ok;		/* written once, under buf_once */
static __thread uint8_t *tbuf;
static __thread size_t tbuf_size;

static void buf_key_init(void)
{
	buf_key_ok = pthread_key_create(&buf_key, free) == 0;
}

void nfs3_thread_buf_free(void)
{
	free(tbuf);
	tbuf = NULL;
	tbuf_size = 0;
	if (buf_key_ok)
		pthread_setspecific(buf_key, NULL);
}

void *nfs3_thread_buf(size_t size)
{
	uint8_t *p;

	if (tbuf && tbuf_size >= size)
		return tbuf;
	pthread_once(&buf_once, buf_key_init);
	p = malloc(size ? size : 1);
	if (!p)
		return NULL;
	free(tbuf);
	tbuf = p;
	tbuf_size = size;
	if (buf_key_ok)
		pthread_setspecific(buf_key, p);
	return p;
}
