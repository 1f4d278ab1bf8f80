// SPDX-License-Identifier: BSD-2-Clause
/*
 * The transport half of RPC: TCP record marking and UDP datagrams on a
 * ksf_svc, feeding the freestanding dispatcher (lib/rpc/). Per worker it
 * keeps a reply buffer (replies of one read, record-marked, go out in one
 * ksf_conn_send), a gather buffer for multi-fragment records, scratch for
 * arguments and results, and counters; nothing is shared between workers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <ksf.h>
#include <ksf/rpcsvc.h>

#define SCRATCH_SIZE	65536
#define UDP_REPLY_MAX	65507

struct rpc_worker {
	uint8_t *out;		/* replies of the current batch, record-marked */
	size_t out_cap;
	uint8_t *gather;	/* a multi-fragment record, made contiguous */
	_Alignas(16) uint8_t scratch[SCRATCH_SIZE];
	struct ksf_rpc_service_stats st;
};

struct ksf_rpc_service {
	struct ksf_svc *svc;
	const struct ksf_rpc_srv *srv;
	uint32_t max_record;
	size_t reply_max;	/* room kept free in out before each call */
	void *ctx;
	int nworkers;
	struct rpc_worker **w;
};

static struct rpc_worker *worker_of(struct ksf_rpc_service *rs, int idx)
{
	return rs->w[idx];
}

/* Dispatch one record; its reply (if any) is appended to rw->out. */
static int one_call(struct ksf_rpc_service *rs, struct rpc_worker *rw, struct ksf_conn *c,
		    size_t *used, const uint8_t *msg, size_t len)
{
	uint8_t *hdr = rw->out + *used;
	struct ksf_rpc_req req = { .udata = rs->ctx, .worker = ksf_conn_worker(c),
				   .proto = IPPROTO_TCP };
	req.peer = ksf_conn_peer(c, &req.peerlen);
	int n = ksf_rpc_dispatch(rs->srv, msg, len, hdr + 4, rw->out_cap - *used - 4,
				 rw->scratch, sizeof(rw->scratch), &req, &rw->st.rpc);

	if (n <= 0)
		return n;	/* no reply due, or -ENOSPC (counted) */
	ksf_rpc_rec_mark(hdr, (uint32_t)n, true);
	*used += 4 + (size_t)n;
	return 0;
}

/* Complete records are answered in order; replies of one read leave in one
 * send. A record whose reply might not fit in the output queue waits (the
 * library pauses reading and offers it again once the queue drains). */
static ssize_t rpc_recv(struct ksf_conn *c, const void *data, size_t len)
{
	struct ksf_rpc_service *rs = ksf_svc_udata(ksf_conn_svc(c));
	struct rpc_worker *rw = worker_of(rs, ksf_conn_worker(c));
	const uint8_t *p = data;
	size_t off = 0, used = 0, sent = 0, room = ksf_conn_room(c);
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
		if (sent + used && sent + used + rs->reply_max + 4 > room)
			break;
		if (rw->out_cap - used < rs->reply_max + 4) {	/* keep room for any reply */
			if ((err = ksf_conn_send(c, rw->out, used)))
				return err;
			sent += used;
			used = 0;
		}
		const uint8_t *msg = rec.payload;
		if (rec.nfrags != 1) {
			ksf_rpc_rec_gather(p + off, (size_t)span, rw->gather);
			msg = rw->gather;
		}
		if ((err = one_call(rs, rw, c, &used, msg, rec.len)))
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

static void rpc_dgram(struct ksf_svc *svc, const struct ksf_dgram *d)
{
	struct ksf_rpc_service *rs = ksf_svc_udata(svc);
	struct rpc_worker *rw = worker_of(rs, d->worker);
	size_t cap = rw->out_cap < UDP_REPLY_MAX ? rw->out_cap : UDP_REPLY_MAX;
	struct ksf_rpc_req req = { .udata = rs->ctx, .peer = d->peer, .peerlen = d->peerlen,
				   .worker = d->worker, .proto = IPPROTO_UDP };
	int n = ksf_rpc_dispatch(rs->srv, d->data, d->len, rw->out, cap, rw->scratch,
				 sizeof(rw->scratch), &req, &rw->st.rpc);

	if (n > 0)
		(void)ksf_dgram_reply(d, rw->out, (size_t)n);	/* drops are counted */
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
	}
	return 0;
}

int ksf_rpc_service_create(struct ksf_rpc_service **rsp, struct ksf_pool *pool,
			   const struct ksf_rpc_srv *srv, const struct ksf_svc_opts *so,
			   uint32_t max_record, void *ctx)
{
	static const struct ksf_svc_ops ops = { .recv_cb = rpc_recv, .dgram_cb = rpc_dgram };
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
	ksf_svc_destroy(rs->svc);
	for (int i = 0; rs->w && i < rs->nworkers; i++) {
		if (!rs->w[i])
			continue;
		free(rs->w[i]->out);
		free(rs->w[i]->gather);
		free(rs->w[i]);
	}
	free(rs->w);
	free(rs);
}
