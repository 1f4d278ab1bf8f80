// SPDX-License-Identifier: BSD-2-Clause
/*
 * The transport half of RPC: TCP record marking and UDP datagrams on a
 * ksf_svc, feeding the freestanding dispatcher (lib/rpc/). Per worker it
 * keeps a reply buffer (replies of one read, record-marked, are queued
 * with one ksf_conn_send), a gather buffer for multi-fragment records,
 * scratch for arguments and results, a duplicate request cache and
 * counters; nothing is shared between workers. Blocking procedures go to helper threads
 * (rpc_async.c) when the service has them. Reply data a handler read into
 * a buffer of the worker's pool leave from there (rpc_zc.c): the replies
 * before them are queued then, and the rest of the batch goes on.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include "ksf_int.h"
#include "rpc_svc_int.h"
#include "rpc/rpc_int.h"

static struct rpc_worker *worker_of(struct ksf_rpc_service *rs, int idx)
{
	return rs->w[idx];
}

/* Dispatch one record; its reply (if any) is appended to rw->out, or
 * queued up to its data when they leave by reference (rpc_zc.c). slot:
 * what the handler takes from the transport (a reply buffer; a deferral,
 * rpc_defer.c, when nowait). */
static int one_call(struct ksf_rpc_service *rs, struct rpc_worker *rw, struct ksf_conn *c,
		    size_t *used, const uint8_t *msg, size_t len, int nowait,
		    struct rpc_call_slot *slot, const struct ksf_rpc_call *call)
{
	uint8_t *hdr = rw->out + *used;
	struct ksf_xdr_ref ref = { .p = NULL };
	struct ksf_rpc_req req = { .udata = rs->ctx, .worker = ksf_conn_worker(c),
				   .proto = IPPROTO_TCP, .nowait = nowait, .call_slot = slot,
				   .helpers = rs->off };
	req.peer = ksf_conn_peer(c, &req.peerlen);
	size_t cap = rw->out_cap - *used - 4;
	int n = call ? ksf__rpc_dispatch_call(rs->srv, call, slot->proc, hdr + 4, cap, &ref,
					      rw->scratch, sizeof(rw->scratch), &req, &rw->st.rpc)
		     : ksf_rpc_dispatch_ref(rs->srv, msg, len, hdr + 4, cap, &ref, rw->scratch,
					    sizeof(rw->scratch), &req, &rw->st.rpc);

	if (n <= 0)
		return n;	/* no reply due, -ENOSPC (counted), -EAGAIN, -EINPROGRESS */
	ksf_rpc_rec_mark(hdr, (uint32_t)n + ref.len, true);
	*used += 4 + (size_t)n;
	if (ref.p)
		return ksf__rpc_ref_place(rw, c, slot, used, (size_t)(hdr - rw->out) + 4, &ref);
	return 0;
}

/* A TRY_INLINE call on the event loop: answered here (0), deferred by its
 * handler (0, *ref handed over), or -EAGAIN (run it on a helper). */
static int try_inline(struct ksf_rpc_service *rs, struct rpc_worker *rw, struct ksf_conn *c,
		      struct rpc_conn *rc, size_t *used, const uint8_t *msg, size_t len,
		      struct rpc_drc_ref *ref, struct rpc_call_slot *slot,
		      const struct ksf_rpc_call *call)
{
	int err = one_call(rs, rw, c, used, msg, len, 1, slot, call);

	if (err == -EINPROGRESS && slot->d) {
		ksf__rpc_defer_bind(slot, rc, ref);
		ref->slot = -1;
		return 0;
	}
	ksf__rpc_defer_drop(slot);
	return err == -EINPROGRESS ? -EAGAIN : err;
}

/* Room the replies of what is queued, pending and about to be made need. */
static bool room_for_one_more(const struct ksf_rpc_service *rs, const struct rpc_conn *rc,
			      size_t queued, size_t room)
{
	unsigned pending = rc ? rc->pending : 0;

	if (!queued && !pending)
		return true;	/* always make progress: outq_max has room for one */
	return queued + (pending + 1) * (rs->reply_max + 4) <= room;
}

/* A retransmission of a non-idempotent call? 1: answered from the cache
 * (or dropped while the first runs), 0: go on with *ref reserved. */
static int drc_check(struct rpc_worker *rw, struct ksf_conn *c, const struct ksf_rpc_peek *pk,
		     const uint8_t *msg, size_t len, size_t *used, struct rpc_drc_ref *ref)
{
	const uint8_t *reply;
	size_t rlen;
	socklen_t plen;
	const struct sockaddr *peer = ksf_conn_peer(c, &plen);

	switch (ksf__drc_lookup(rw->drc, peer, plen, pk, msg, len, ref, &reply, &rlen)) {
	case RPC_DRC_HIT:
		memcpy(rw->out + *used, reply, rlen);
		*used += rlen;
		rw->st.drc_hits++;
		return 1;
	case RPC_DRC_INPROG:
		rw->st.drc_inprog++;
		return 1;
	default:
		return 0;
	}
}

/* One complete record: from the cache, to a helper, or run here. */
static int one_record(struct ksf_rpc_service *rs, struct rpc_worker *rw, struct ksf_conn *c,
		      struct rpc_conn *rc, size_t *used, const uint8_t *msg, size_t len)
{
	struct rpc_drc_ref ref = { .slot = -1 };
	struct rpc_call_slot slot = { .rs = rs };
	struct ksf_rpc_peek pk;
	struct ksf_rpc_call call;	/* decoded once, by the peek */
	size_t start = *used;
	int err;

	if (ksf__rpc_srv_peek_call(rs->srv, msg, len, &pk, &call, &slot.proc))
		return one_call(rs, rw, c, used, msg, len, 0, &slot, NULL);
	slot.no_buf = pk.flags & KSF_RPC_PROC_NONIDEMPOTENT;
	if ((pk.flags & KSF_RPC_PROC_NONIDEMPOTENT) && rw->drc &&
	    drc_check(rw, c, &pk, msg, len, used, &ref))
		return 0;
	if ((pk.flags & KSF_RPC_PROC_BLOCKING) && rs->off && rc) {
		/* TRY_INLINE: here if it need not wait (a READ of cached data),
		 * which saves two thread switches; else on a helper. */
		if ((pk.flags & KSF_RPC_PROC_TRY_INLINE) &&
		    (err = try_inline(rs, rw, c, rc, used, msg, len, &ref, &slot, &call)) != -EAGAIN)
			goto done;
		if (!ksf__rpc_offload_call(rs, rc, msg, len, &ref)) {
			ksf__rpc_buf_put(&slot.ch);
			return 0;
		}
	}
	err = one_call(rs, rw, c, used, msg, len, 0, &slot, &call);
done:
	ksf__rpc_buf_put(&slot.ch);
	/* a non-idempotent call's reply is whole in rw->out (no_buf) */
	if (ref.slot >= 0)
		ksf__drc_done(rw->drc, &ref, *used > start ? rw->out + start : NULL, *used - start);
	return err;
}

/* Complete records are answered in order (offloaded ones when they are
 * done); replies of one read leave in one flush. A record whose reply might
 * not fit in the output queue waits (the library pauses reading and offers
 * it again once the queue drains, or once offloaded calls are answered). */
static ssize_t rpc_recv(struct ksf_conn *c, const void *data, size_t len)
{
	struct ksf_rpc_service *rs = ksf_svc_udata(ksf_conn_svc(c));
	struct rpc_worker *rw = worker_of(rs, ksf_conn_worker(c));
	struct rpc_conn *rc = ksf_conn_udata(c);
	const uint8_t *p = data;
	size_t off = 0, used = 0, sent, room = ksf_conn_room(c), queued0 = ksf_conn_outq(c);
	int err = 0;

	while (off < len) {
		struct ksf_rpc_rec rec;
		int span = ksf_rpc_rec_parse(p + off, len - off, rs->max_record, &rec);

		if (span <= 0) {
			if (span == -EMSGSIZE)
				rw->st.rec_too_big++;
			else if (span < 0)
				rw->st.rec_bad++;
			err = span;
			break;
		}
		sent = ksf_conn_outq(c) - queued0;	/* replies queued by this call */
		if (!room_for_one_more(rs, rc, sent + used, room)) {
			if (rc && rc->pending && !rc->paused) {
				rc->paused = true;	/* answers of pending calls resume it */
				ksf_conn_pause(c);
			}
			break;
		}
		if (rc && rc->pending >= rs->max_pending) {
			if (!rc->paused) {
				rc->paused = true;
				ksf_conn_pause(c);
			}
			break;
		}
		if (rw->out_cap - used < rs->reply_max + 4) {	/* keep room for any reply */
			if ((err = ksf_conn_send(c, rw->out, used)))
				return err;
			used = 0;
		}
		const uint8_t *msg = rec.payload;
		if (rec.nfrags != 1) {
			ksf_rpc_rec_gather(p + off, (size_t)span, rw->gather);
			msg = rw->gather;
		}
		if ((err = one_record(rs, rw, c, rc, &used, msg, rec.len)))
			break;
		off += (size_t)span;
	}
	if (used && (err = ksf_conn_send(c, rw->out, used)))
		return err;	/* calls consumed, replies lost: the connection goes */
	if (err < 0) {
		/* a framing error cannot be resynchronised: the replies above
		 * still go out, then the connection closes */
		ksf_conn_close(c, 0);
		return (ssize_t)len;
	}
	return (ssize_t)off;
}

static int rpc_open(struct ksf_conn *c)
{
	struct rpc_conn *rc = calloc(1, sizeof(*rc));

	if (!rc)
		return -ENOMEM;
	rc->c = c;
	rc->refs = 1;
	ksf_conn_set_udata(c, rc);
	return 0;
}

void ksf__rpc_conn_put(struct rpc_conn *rc)
{
	if (--rc->refs == 0)
		free(rc);
}

static void rpc_close(struct ksf_conn *c, enum ksf_close_reason why)
{
	struct rpc_conn *rc = ksf_conn_udata(c);

	(void)why;
	if (!rc)
		return;
	rc->c = NULL;		/* replies still to come are dropped */
	ksf_conn_set_udata(c, NULL);
	ksf__rpc_conn_put(rc);
}

static void rpc_dgram(struct ksf_svc *svc, const struct ksf_dgram *d)
{
	struct ksf_rpc_service *rs = ksf_svc_udata(svc);
	struct rpc_worker *rw = worker_of(rs, d->worker);
	size_t cap = rw->out_cap < RPC_UDP_REPLY_MAX + 4 ? rw->out_cap : RPC_UDP_REPLY_MAX + 4;
	struct ksf_rpc_req req = { .udata = rs->ctx, .peer = d->peer, .peerlen = d->peerlen,
				   .worker = d->worker, .proto = IPPROTO_UDP };
	struct rpc_drc_ref ref = { .slot = -1 };
	struct ksf_rpc_peek pk;
	const uint8_t *cached;
	size_t clen;
	int n;

	/* the cache keeps record-marked replies: skip the mark over UDP */
	if (rw->drc && !ksf_rpc_srv_peek(rs->srv, d->data, d->len, &pk) &&
	    (pk.flags & KSF_RPC_PROC_NONIDEMPOTENT)) {
		switch (ksf__drc_lookup(rw->drc, d->peer, d->peerlen, &pk, d->data, d->len, &ref,
				       &cached, &clen)) {
		case RPC_DRC_HIT:
			rw->st.drc_hits++;
			(void)ksf_dgram_reply(d, cached + 4, clen - 4);
			return;
		case RPC_DRC_INPROG:
			rw->st.drc_inprog++;
			return;
		default:
			break;
		}
	}
	/* one datagram: reply data offered by reference are copied (counted) */
	struct ksf_xdr_ref zref = { .copy = true };
	n = ksf_rpc_dispatch_ref(rs->srv, d->data, d->len, rw->out + 4, cap - 4, &zref,
				 rw->scratch, sizeof(rw->scratch), &req, &rw->st.rpc);
	rw->st.ref_copied += zref.copied;
	if (n > 0) {
		ksf_rpc_rec_mark(rw->out, (uint32_t)n, true);
		(void)ksf_dgram_reply(d, rw->out + 4, (size_t)n);	/* drops are counted */
	}
	if (ref.slot >= 0)
		ksf__drc_done(rw->drc, &ref, n > 0 ? rw->out : NULL, n > 0 ? 4 + (size_t)n : 0);
}

static int alloc_workers(struct ksf_rpc_service *rs)
{
	if (!(rs->w = calloc((size_t)rs->nworkers, sizeof(*rs->w))))
		return -ENOMEM;
	for (int i = 0; i < rs->nworkers; i++) {
		struct rpc_worker *rw = calloc(1, sizeof(*rw));
		if (!(rs->w[i] = rw))
			return -ENOMEM;
		rw->out_cap = 2 * (rs->reply_max + 4);
		if (!(rw->out = malloc(rw->out_cap)) || !(rw->gather = malloc(rs->max_record)))
			return -ENOMEM;
		if (rs->drc_entries && ksf__drc_create(&rw->drc, rs->drc_entries))
			return -ENOMEM;
	}
	return 0;
}

int ksf_rpc_service_create(struct ksf_rpc_service **rsp, struct ksf_pool *pool,
			   const struct ksf_rpc_srv *srv, const struct ksf_svc_opts *so,
			   uint32_t max_record, void *ctx)
{
	static const struct ksf_svc_ops ops = { .open_cb = rpc_open, .recv_cb = rpc_recv,
						.close_cb = rpc_close, .dgram_cb = rpc_dgram };
	struct ksf_svc_opts o;
	struct ksf_rpc_service *rs;
	int err;

	if (!pool || !srv || max_record > KSF_RPC_REC_MAX_LIMIT)
		return -EINVAL;
	if (!(rs = calloc(1, sizeof(*rs))))
		return -ENOMEM;
	rs->srv = srv;
	rs->ctx = ctx;
	rs->max_record = max_record ? max_record : KSF_RPC_REC_MAX_DEFAULT;
	rs->reply_max = rs->max_record > 65536 ? rs->max_record : 65536;
	rs->nworkers = ksf_pool_nworkers(pool);
	rs->pool = pool;
	rs->drc_entries = RPC_DRC_DEFAULT;
	rs->max_pending = 16;
	if (so)
		o = *so;
	else
		ksf_svc_opts_init(&o);
	/* one whole record with every fragment mark, plus the read that
	 * completes it (at most 1 MiB), fits in the held input */
	if (o.max_msg < rs->max_record + 4u * KSF_RPC_REC_MAX_FRAGS + (1u << 20))
		o.max_msg = rs->max_record + 4u * KSF_RPC_REC_MAX_FRAGS + (1u << 20);
	/* and the output queue holds the largest reply twice over */
	if (o.outq_max < o.outq_high + 2 * (rs->reply_max + 4))
		o.outq_max = o.outq_high + 2 * (rs->reply_max + 4);
	if ((err = alloc_workers(rs)) || (err = ksf_svc_create(&rs->svc, pool, &ops, &o, rs))) {
		ksf_rpc_service_destroy(rs);
		return err;
	}
	*rsp = rs;
	return 0;
}

int ksf_rpc_service_helpers(struct ksf_rpc_service *rs, int threads, unsigned max_pending)
{
	size_t need;
	int err;

	if (!rs || threads < 0 || threads > 64 || rs->svc->started || rs->off)
		return -EINVAL;
	if (!threads)
		return 0;
	rs->max_pending = max_pending ? max_pending : 16;
	need = rs->svc->o.outq_high + (rs->max_pending + 2) * (rs->reply_max + 4);
	if (rs->svc->o.outq_max < need)
		rs->svc->o.outq_max = need;
	if ((err = ksf_offload_create(&rs->off, rs->pool, threads)))
		return err;
	return ksf_offload_on_idle(rs->off, ksf__rpc_helper_trim);
}

int ksf_rpc_service_helper_idle(struct ksf_rpc_service *rs, void (*fn)(void))
{
	if (!rs || !rs->off || rs->svc->started)
		return -EINVAL;
	return ksf_offload_on_idle(rs->off, fn);
}

int ksf_rpc_service_drc(struct ksf_rpc_service *rs, unsigned entries)
{
	if (rs->svc->started)
		return -EBUSY;
	rs->drc_entries = entries;
	for (int i = 0; i < rs->nworkers; i++) {
		ksf__drc_destroy(rs->w[i]->drc);
		rs->w[i]->drc = NULL;
		if (entries && ksf__drc_create(&rs->w[i]->drc, entries))
			return -ENOMEM;
	}
	return 0;
}

struct ksf_svc *ksf_rpc_service_svc(struct ksf_rpc_service *rs)
{
	return rs->svc;
}

void ksf_rpc_service_stats(const struct ksf_rpc_service *rs, struct ksf_rpc_service_stats *st)
{
	/* Each worker increments its own counters with plain stores; a reader
	 * may see a slightly old value, never a torn one (aligned 64-bit). */
	memset(st, 0, sizeof(*st));
	for (int i = 0; i < rs->nworkers; i++) {
		const struct ksf_rpc_service_stats *s = &rs->w[i]->st;
		const uint64_t *src = (const uint64_t *)s;
		uint64_t *dst = (uint64_t *)st;
		/* every field is a uint64_t counter */
		for (size_t k = 0; k < sizeof(*st) / sizeof(uint64_t); k++)
			dst[k] += __atomic_load_n(&src[k], __ATOMIC_RELAXED);
	}
}

void ksf_rpc_service_destroy(struct ksf_rpc_service *rs)
{
	if (!rs)
		return;
	if (rs->svc)
		ksf_svc_stop(rs->svc);
	while (atomic_load(&rs->deferred))	/* their completions run on the workers */
		usleep(1000);
	ksf_offload_destroy(rs->off);	/* every offloaded call answered or dropped */
	ksf_svc_destroy(rs->svc);
	for (int i = 0; rs->w && i < rs->nworkers; i++) {
		if (!rs->w[i])
			continue;
		ksf__drc_destroy(rs->w[i]->drc);
		free(rs->w[i]->out);
		free(rs->w[i]->gather);
		free(rs->w[i]);
	}
	free(rs->w);
	free(rs);
}
