// SPDX-License-Identifier: BSD-2-Clause
/*
 * Offloaded RPC calls: a procedure flagged KSF_RPC_PROC_BLOCKING runs on a
 * helper thread of the worker (ksf/offload.h) with a copy of its call;
 * the reply comes back to the worker, which queues it on the connection
 * (if still open) for the next batched flush, and records it in the
 * duplicate request cache. Each helper thread has its own scratch and reply
 * buffer, allocated at its first call and freed when it exits or is idle
 * (the pool's idle_trim_ms, ksf_offload_on_idle). A reply is
 * copied out of it into a buffer of its own size, which leaves by
 * reference (ksf_conn_send_ref). (Handing the helper's whole buffer over
 * instead costs a fresh 1 MiB allocation per call, mmap and page faults:
 * 3.5x the CPU per READ of 64 KiB, measured.)
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "rpc_svc_int.h"

struct rpc_job {
	struct ksf_offload_job base;
	struct ksf_rpc_service *rs;
	struct rpc_conn *rc;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	struct rpc_drc_ref ref;
	struct ksf_rpc_stats st;
	uint64_t ref_copied;	/* reply data offered by reference, copied */
	uint8_t *reply;		/* record-marked reply, or NULL: none */
	size_t reply_len;
	size_t len;
	uint8_t msg[];		/* the call */
};

struct helper_bufs {
	uint8_t *out;
	size_t cap;
	_Alignas(16) uint8_t scratch[RPC_SCRATCH_SIZE];
};

static pthread_key_t bufs_key;
static pthread_once_t bufs_once = PTHREAD_ONCE_INIT;

static void bufs_free(void *p)
{
	struct helper_bufs *hb = p;

	if (hb)
		free(hb->out);
	free(hb);
}

static void bufs_key_init(void)
{
	(void)pthread_key_create(&bufs_key, bufs_free);
}

/* The helper is idle (ksf_offload_on_idle): its reply buffer (as large as
 * the largest reply made, about 1 MiB) goes, made again at the next call. */
void ksf__rpc_helper_trim(void)
{
	struct helper_bufs *hb;

	pthread_once(&bufs_once, bufs_key_init);
	if (!(hb = pthread_getspecific(bufs_key)))
		return;
	pthread_setspecific(bufs_key, NULL);
	bufs_free(hb);
}

/* This helper thread's buffers, big enough for rs's largest reply. */
static struct helper_bufs *helper_bufs(const struct ksf_rpc_service *rs)
{
	struct helper_bufs *hb;
	size_t cap = rs->reply_max + 4;

	pthread_once(&bufs_once, bufs_key_init);
	hb = pthread_getspecific(bufs_key);
	if (hb && hb->cap >= cap)
		return hb;
	if (!hb) {
		if (!(hb = calloc(1, sizeof(*hb))))
			return NULL;
		pthread_setspecific(bufs_key, hb);
	}
	free(hb->out);		/* too small */
	hb->cap = 0;
	if (!(hb->out = malloc(cap)))
		return NULL;
	hb->cap = cap;
	return hb;
}

static void job_run(struct ksf_offload_job *j)
{
	struct rpc_job *rj = (struct rpc_job *)j;
	struct ksf_rpc_service *rs = rj->rs;
	struct helper_bufs *hb = helper_bufs(rs);
	struct ksf_rpc_req req = {
		.udata = rs->ctx, .peer = (struct sockaddr *)&rj->peer, .peerlen = rj->peerlen,
		.worker = j->worker, .proto = IPPROTO_TCP, .offloaded = 1,
	};
	struct ksf_xdr_ref ref = { .copy = true };	/* no pool here: copied */
	int n;

	if (!hb) {		/* no memory: no reply; the client retransmits */
		rj->st.calls++;
		rj->st.nospace++;
		return;
	}
	n = ksf_rpc_dispatch_ref(rs->srv, rj->msg, rj->len, hb->out + 4, hb->cap - 4, &ref,
				 hb->scratch, sizeof(hb->scratch), &req, &rj->st);
	rj->ref_copied = ref.copied;
	if (n <= 0)
		return;
	ksf_rpc_rec_mark(hb->out, (uint32_t)n, true);
	rj->reply_len = 4 + (size_t)n;
	if (rj->reply_len <= rj->len) {		/* a WRITE's call holds its reply */
		rj->reply = rj->msg;
	} else if (!(rj->reply = malloc(rj->reply_len))) {
		rj->st.nospace++;
		return;
	}
	memcpy(rj->reply, hb->out, rj->reply_len);
}

static void stats_add(struct ksf_rpc_stats *dst, const struct ksf_rpc_stats *src)
{
	const uint64_t *s = (const uint64_t *)src;
	uint64_t *d = (uint64_t *)dst;

	/* every field is a uint64_t counter; readers load them relaxed */
	for (size_t k = 0; k < sizeof(*dst) / sizeof(uint64_t); k++)
		__atomic_store_n(&d[k], d[k] + s[k], __ATOMIC_RELAXED);
}

static void job_free(void *arg)
{
	struct rpc_job *rj = arg;

	if (rj->reply != rj->msg)
		free(rj->reply);
	free(rj);
}

/* Back on the worker: count, then answer as any pending call. */
static void job_done(struct ksf_offload_job *j)
{
	struct rpc_job *rj = (struct rpc_job *)j;
	struct rpc_worker *rw = rj->rs->w[j->worker];

	stats_add(&rw->st.rpc, &rj->st);
	__atomic_store_n(&rw->st.ref_copied, rw->st.ref_copied + rj->ref_copied, __ATOMIC_RELAXED);
	if (!ksf__rpc_pending_done(rj->rs, rj->rc, j->worker, &rj->ref, rj->reply,
				   rj->reply_len, job_free, rj))
		job_free(rj);
}

/* Shared with deferred calls (rpc_defer.c): remember, send, maybe read again. */
int ksf__rpc_pending_done(struct ksf_rpc_service *rs, struct rpc_conn *rc, int worker,
			  struct rpc_drc_ref *ref, uint8_t *reply, size_t len,
			  void (*free_fn)(void *arg), void *arg)
{
	struct rpc_worker *rw = rs->w[worker];
	int queued = 0;

	if (rw->drc)
		ksf__drc_done(rw->drc, ref, reply, len);
	rc->pending--;
	if (rc->c && reply) {
		/* the reply leaves by reference: freed once it is sent */
		int err = ksf_conn_send_ref(rc->c, reply, len, free_fn, arg);
		queued = !err;
		/* -EPIPE: the connection is closing hard (drain deadline):
		 * drop the reply. Else a lost reply would leave the client
		 * waiting: close, so that it reconnects and retransmits. */
		if (err && err != -EPIPE)
			ksf_conn_close(rc->c, 1);
	}
	if (rc->c)
		ksf_conn_unhold(rc->c);
	if (rc->c && rc->paused && rc->pending <= rs->max_pending / 2) {
		rc->paused = false;
		ksf_conn_resume(rc->c);
	}
	ksf__rpc_conn_put(rc);
	return queued;
}

int ksf__rpc_offload_call(struct ksf_rpc_service *rs, struct rpc_conn *rc, const uint8_t *msg,
		     size_t len, const struct rpc_drc_ref *ref)
{
	struct rpc_job *rj = malloc(sizeof(*rj) + len);
	const struct sockaddr *peer;
	socklen_t plen;

	if (!rj)
		return -ENOMEM;
	memset(rj, 0, sizeof(*rj));
	rj->base.run = job_run;
	rj->base.done = job_done;
	rj->rs = rs;
	rj->rc = rc;
	rj->ref = *ref;
	rj->len = len;
	memcpy(rj->msg, msg, len);
	peer = ksf_conn_peer(rc->c, &plen);
	if (peer && plen <= sizeof(rj->peer)) {
		memcpy(&rj->peer, peer, plen);
		rj->peerlen = plen;
	}
	if (ksf_offload_submit(rs->off, &rj->base)) {
		free(rj);
		return -EINVAL;
	}
	rc->refs++;
	rc->pending++;
	ksf_conn_hold(rc->c);		/* a half-close waits for the reply */
	rs->w[ksf_conn_worker(rc->c)]->st.offloaded++;
	return 0;
}
