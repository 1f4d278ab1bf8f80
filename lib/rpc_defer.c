// SPDX-License-Identifier: BSD-2-Clause
/*
 * Deferred RPC replies (ksf/rpcsvc.h): a handler on the event loop that
 * started an operation completing later on the same worker (a file
 * operation on the worker's io_uring ring, ksf/fileop.h) answers the call
 * from that completion. Until then the call is pending on its connection
 * like an offloaded one (rpc_async.c): it holds the connection (a half
 * close or a drain waits for the reply), counts against max_pending, and
 * its duplicate request cache entry stays in progress. The reply is
 * encoded into the worker's reply buffer, copied into a buffer of its own
 * size and queued by reference for the worker's batched flush; data the
 * call read into its reply buffer (ksf_rpc_reply_buf, which the deferral
 * keeps) leave from there without a copy (rpc_zc.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "rpc_svc_int.h"

struct ksf_rpc_defer *ksf_rpc_defer(const struct ksf_rpc_req *req,
				    const struct ksf_rpc_call *call)
{
	struct rpc_call_slot *slot = req->call_slot;
	struct ksf_rpc_defer *d;

	if (!slot || req->proto != IPPROTO_TCP || !req->nowait || slot->d)
		return NULL;
	if (!(d = calloc(1, sizeof(*d))))
		return NULL;
	d->rs = slot->rs;
	d->xid = call->xid;
	d->worker = req->worker;
	d->ref.slot = -1;
	slot->d = d;
	return d;
}

void ksf__rpc_defer_bind(struct rpc_call_slot *slot, struct rpc_conn *rc,
			 const struct rpc_drc_ref *ref)
{
	struct ksf_rpc_defer *d = slot->d;
	struct ksf_rpc_service *rs = d->rs;

	slot->d = NULL;
	d->ch = slot->ch;	/* the reply buffer the operation fills */
	slot->ch = NULL;
	d->rc = rc;
	d->ref = *ref;
	rc->refs++;
	rc->pending++;
	ksf_conn_hold(rc->c);
	atomic_fetch_add(&rs->deferred, 1);
	rs->w[d->worker]->st.deferred++;
}

void ksf__rpc_defer_drop(struct rpc_call_slot *slot)
{
	free(slot->d);
	slot->d = NULL;
}

/* Encode the reply record-marked into rw->out (free between loop
 * callbacks: only rpc_recv fills it, and it sends before returning); ref
 * gets the data the encoder left out (ksf_xdr_put_opaque_ref). */
static size_t encode_reply(struct ksf_rpc_defer *d, struct rpc_worker *rw,
			   int (*encode)(struct ksf_xdr *x, const void *res), const void *res,
			   struct ksf_xdr_ref *ref)
{
	struct ksf_xdr x;

	rw->st.rpc.calls++;
	ksf_xdr_init_encode(&x, rw->out + 4, rw->out_cap - 4);
	x.ref = ref;
	if (ksf_rpc_reply_success(&x, d->xid) == 0 && (!encode || (encode(&x, res) == 0 && !x.err))) {
		rw->st.rpc.success++;
	} else {
		ksf_xdr_ref_drop(&x);
		ksf_xdr_init_encode(&x, rw->out + 4, rw->out_cap - 4);
		if (ksf_rpc_err_systemerr(&x, d->xid)) {
			rw->st.rpc.nospace++;
			return 0;
		}
		rw->st.rpc.system_err++;
		rw->st.rpc.encode_err++;
	}
	rw->st.rpc.replies++;
	ksf_rpc_rec_mark(rw->out, (uint32_t)(x.pos + ref->len), true);
	return 4 + x.pos;
}

void ksf_rpc_defer_reply(struct ksf_rpc_defer *d, int (*encode)(struct ksf_xdr *x,
								const void *res),
			 const void *res)
{
	struct ksf_rpc_service *rs = d->rs;
	struct rpc_worker *rw = rs->w[d->worker];
	struct ksf_xdr_ref ref = { .p = NULL };
	size_t len = d->rc->c ? encode_reply(d, rw, encode, res, &ref) : 0;
	uint8_t *reply = NULL;

	if (len && ref.p && ksf__rpc_defer_send_ref(rw, d, &ref, &len))
		len = 0;	/* queued (or dropped) with its data by reference */
	if (len && !(reply = malloc(len)))
		rw->st.rpc.nospace++;	/* no memory: the client retransmits */
	if (reply)
		memcpy(reply, rw->out, len);
	if (!ksf__rpc_pending_done(rs, d->rc, d->worker, &d->ref, reply, reply ? len : 0, free,
				   reply))
		free(reply);
	ksf__rpc_buf_put(&d->ch);	/* not sent: back to the pool */
	atomic_fetch_sub(&rs->deferred, 1);
	free(d);
}
