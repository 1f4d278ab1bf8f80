/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An ONC RPC service on libksf: a ksf_svc whose TCP connections carry
 * record-marked RPC messages (RFC 5531 §11) and whose UDP sockets carry one
 * message per datagram, dispatched to the programs of a struct ksf_rpc_srv
 * (ksf/rpc.h). All calls decoded from one read are answered with one send
 * (seed 000: the server receives and sends many RPCs per socket call).
 */
#ifndef KSF_RPCSVC_H
#define KSF_RPCSVC_H

#include <stdint.h>
#include <sys/socket.h>
#include <ksf/svc.h>
#include <ksf/rpc.h>

struct ksf_pool;
struct ksf_offload;
struct ksf_rpc_service;

/* What a handler of a ksf_rpc_service gets as its ctx argument: the
 * service's own ctx and where the call came from. Valid during the call. */
struct ksf_rpc_req {
	void *udata;			/* ctx given to ksf_rpc_service_create */
	const struct sockaddr *peer;	/* the caller */
	socklen_t peerlen;
	int worker;			/* index of the worker that owns the call */
	int proto;			/* IPPROTO_TCP or IPPROTO_UDP */
	int offloaded;			/* 1 on a helper thread (may block), else 0 */
	int nowait;			/* 1: must not block; -EAGAIN sends the call
					 * to a helper (KSF_RPC_PROC_TRY_INLINE) */
	void *call_slot;		/* the library's: what ksf_rpc_defer and
					 * ksf_rpc_reply_buf gave the call */
	struct ksf_offload *helpers;	/* the worker's helpers (ksf_fileop_submit), or NULL */
};

/* Counters beyond ksf_rpc_stats: framing errors that close a connection. */
struct ksf_rpc_service_stats {
	struct ksf_rpc_stats rpc;
	uint64_t rec_too_big;	/* record mark above max_record: closed */
	uint64_t rec_bad;	/* too many fragments: closed */
	uint64_t offloaded;	/* calls run on helper threads */
	uint64_t drc_hits;	/* retransmissions answered from the cache */
	uint64_t drc_inprog;	/* retransmissions dropped: first still running */
	uint64_t deferred;	/* calls answered later by ksf_rpc_defer_reply */
	uint64_t ref_bytes;	/* reply data sent by reference (ksf_rpc_reply_buf) */
	uint64_t ref_copied;	/* reply data an encoder offered by reference
				 * (ksf_xdr_put_opaque_ref) that were copied */
};

/* Reply data without a copy: in a handler run on a worker over TCP, a
 * buffer of at least len bytes (taken from the worker's buffer pool) to
 * fill with the reply's data, e.g. by a read. If the encoder then puts
 * them with ksf_xdr_put_opaque_ref, they leave from there as they are:
 * the buffer joins the connection's output queue (counted against its
 * limits like copied bytes) and goes back to the pool once sent. The
 * buffer belongs to the call: the transport takes it back when the call
 * is answered without it, or goes to a helper; a deferred call
 * (ksf_rpc_defer) keeps it until ksf_rpc_defer_reply, whose encoder may
 * reference it the same way. A second request in the same call gives
 * the same buffer when it is big enough. NULL when there is none to
 * give: UDP, a helper thread, a procedure flagged NONIDEMPOTENT (its
 * reply is cached whole), len 0, no memory; use memory of your own then
 * (ksf_xdr_put_opaque_ref copies it). */
void *ksf_rpc_reply_buf(const struct ksf_rpc_req *req, size_t len);

/* Deferred replies: a handler run on the event loop (req->nowait, a
 * procedure flagged KSF_RPC_PROC_TRY_INLINE, over TCP) that starts an
 * operation completing later on the same worker (ksf/fileop.h) takes the
 * call over with ksf_rpc_defer and returns -EINPROGRESS; the transport then
 * keeps the connection (ksf_conn_hold), counts the call as pending (at most
 * max_pending per connection, as offloaded calls) and records it in the
 * duplicate request cache when the reply is made. */
struct ksf_rpc_defer;

/* In the handler: a deferral for this call, or NULL when it cannot be
 * deferred (UDP, not on the event loop, no memory): answer now, or return
 * -EAGAIN (the call then runs on a helper). If the handler then returns
 * anything but -EINPROGRESS, the deferral is dropped by the transport. */
struct ksf_rpc_defer *ksf_rpc_defer(const struct ksf_rpc_req *req,
				    const struct ksf_rpc_call *call);

/* Later, on the same worker: the reply, a SUCCESS header and encode(res)
 * (SYSTEM_ERR if that fails), queued on the connection for the worker's
 * batched flush (dropped if it closed meanwhile). Frees d. */
void ksf_rpc_defer_reply(struct ksf_rpc_defer *d, int (*encode)(struct ksf_xdr *x,
								const void *res),
			 const void *res);

/* Create the service on pool, serving srv (which must outlive it) with the
 * svc options so (may be NULL: defaults); max_record caps one record's
 * payload (0: KSF_RPC_REC_MAX_DEFAULT). ctx reaches every handler.
 * so->max_msg is raised to hold one whole record with its fragment marks.
 * Listen and start it through ksf_rpc_service_svc(). Returns 0 or -errno. */
int ksf_rpc_service_create(struct ksf_rpc_service **rsp, struct ksf_pool *pool,
			   const struct ksf_rpc_srv *srv, const struct ksf_svc_opts *so,
			   uint32_t max_record, void *ctx);

/* Run procedures flagged KSF_RPC_PROC_BLOCKING (on TCP) on `threads`
 * helper threads per worker (ksf/offload.h) instead of the event loop, with
 * at most max_pending such calls in flight per connection (0: 16); over
 * it, reading the connection is held until half have been answered. Raises
 * the service's outq_max so that the replies of every pending call fit.
 * Call before starting the service. threads 0: off (the default). Returns
 * 0, -EINVAL or -ENOMEM. UDP calls always run on the worker. */
int ksf_rpc_service_helpers(struct ksf_rpc_service *rs, int threads, unsigned max_pending);

/* After ksf_rpc_service_helpers, before starting: fn runs on each helper
 * thread that has been idle for the pool's idle_trim_ms, to free what the
 * handlers keep per thread (ksf_offload_on_idle; the service's own reply
 * buffers are freed so already). Returns 0, -EINVAL (no helpers, started)
 * or -ENOSPC. */
int ksf_rpc_service_helper_idle(struct ksf_rpc_service *rs, void (*fn)(void));

/* Duplicate request cache of `entries` per worker for procedures flagged
 * KSF_RPC_PROC_NONIDEMPOTENT (default 1024; 0: off). Call before
 * starting. Returns 0, -EBUSY (started) or -ENOMEM. */
int ksf_rpc_service_drc(struct ksf_rpc_service *rs, unsigned entries);

/* The underlying service (listen, start, stop, its counters). */
struct ksf_svc *ksf_rpc_service_svc(struct ksf_rpc_service *rs);

/* RPC counters summed over workers (read from any thread). */
void ksf_rpc_service_stats(const struct ksf_rpc_service *rs, struct ksf_rpc_service_stats *st);

/* Stop (if needed) and free. */
void ksf_rpc_service_destroy(struct ksf_rpc_service *rs);

#endif
