// SPDX-License-Identifier: BSD-2-Clause
/*
 * RPC reply data sent by reference (ksf_rpc_reply_buf, ksf/rpcsvc.h): a
 * handler on a worker fills a chunk of the worker's buffer pool (an NFS
 * READ reads the file straight into it), the result encoder leaves those
 * bytes out of the encoded reply (ksf_xdr_put_opaque_ref records where
 * they belong), and the transport queues the reply as what precedes the
 * data (copied: the record mark, the RPC header, the attributes and the
 * opaque's length), the chunk itself, then the padding and what follows,
 * so the data are never copied in user space: the kernel reads them from
 * the page cache into the chunk, and sendmsg takes them from there. The
 * record stays one fragment, its mark counting the data.
 *
 * The chunk belongs to the call (its slot) until it is queued, handed to
 * a deferral (rpc_defer.c) or given back (ksf__rpc_buf_put); once queued
 * it belongs to the connection's output queue, which gives it back to
 * the pool when sent or when the connection goes (ksf__outq_free). So
 * nothing refers to it after the connection closes. Bytes an encoder
 * offered by reference that cannot go so (not the call's buffer, no room
 * under outq_max right now, UDP, a helper thread) are copied in, and
 * counted as ref_copied.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include "ksf_int.h"
#include "rpc_svc_int.h"

void *ksf_rpc_reply_buf(const struct ksf_rpc_req *req, size_t len)
{
	struct rpc_call_slot *slot = req ? req->call_slot : NULL;
	struct ksf__worker *w = ksf__worker_current();

	if (!slot || slot->no_buf || req->proto != IPPROTO_TCP || req->offloaded || !len ||
	    len > UINT32_MAX || !w || w->idx != req->worker)
		return NULL;
	if (slot->ch && slot->ch->cap >= len)
		return slot->ch->data;
	if (slot->ch)
		ksf__chunk_put(w, slot->ch);
	slot->ch = ksf__chunk_get(w, len);
	return slot->ch ? slot->ch->data : NULL;
}

void ksf__rpc_buf_put(struct ksf__chunk **ch)
{
	if (*ch)
		ksf__chunk_put(ksf__worker_current(), *ch);
	*ch = NULL;
}

/* ref's bytes are those of ch, which can take them as they are. */
static bool refs_chunk(const struct ksf_xdr_ref *ref, const struct ksf__chunk *ch)
{
	return ch && ref->p == (const uint8_t *)ch->data && ref->len <= ch->cap;
}

/* Copy ref's bytes into the gap they leave at buf + cut (buf holds n
 * bytes and has room for ref->len more: the encoder kept it). */
static void copy_in(uint8_t *buf, size_t cut, size_t n, const struct ksf_xdr_ref *ref)
{
	memmove(buf + cut + ref->len, buf + cut, n - cut);
	memcpy(buf + cut, ref->p, ref->len);
}

int ksf__rpc_ref_place(struct rpc_worker *rw, struct ksf_conn *c, struct rpc_call_slot *slot,
		       size_t *used, size_t base, const struct ksf_xdr_ref *ref)
{
	size_t cut = base + ref->pos;
	struct ksf__chunk *ch = slot->ch;
	int err;

	if (refs_chunk(ref, ch)) {
		ch->off = 0;
		ch->len = ref->len;
		err = ksf__conn_send_chunk(c, rw->out, cut, ch, NULL, 0);
		if (!err) {
			slot->ch = NULL;
			memmove(rw->out, rw->out + cut, *used - cut);
			*used -= cut;
			rw->st.ref_bytes += ref->len;
			return 0;
		}
		if (err != -ENOBUFS)
			return err;	/* the connection is closing, or gone */
	}
	copy_in(rw->out, cut, *used, ref);
	*used += ref->len;
	rw->st.ref_copied += ref->len;
	return 0;
}

int ksf__rpc_defer_send_ref(struct rpc_worker *rw, struct ksf_rpc_defer *d,
			    const struct ksf_xdr_ref *ref, size_t *len)
{
	size_t cut = 4 + ref->pos;	/* after the record mark */
	struct ksf__chunk *ch = d->ch;
	int err;

	if (refs_chunk(ref, ch)) {
		ch->off = 0;
		ch->len = ref->len;
		err = ksf__conn_send_chunk(d->rc->c, rw->out, cut, ch, rw->out + cut, *len - cut);
		if (err != -ENOBUFS) {
			if (!err) {
				d->ch = NULL;
				rw->st.ref_bytes += ref->len;
			}
			return 1;	/* queued, or dropped: the connection is closing */
		}
	}
	copy_in(rw->out, cut, *len, ref);
	*len += ref->len;
	rw->st.ref_copied += ref->len;
	return 0;
}
