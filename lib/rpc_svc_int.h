/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal state of an RPC service (lib/rpc_svc.c, lib/rpc_async.c): per
 * worker buffers, counters and duplicate request cache; per connection the
 * count of calls still running on helper threads.
 */
#ifndef KSF_RPC_SVC_INT_H
#define KSF_RPC_SVC_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <ksf.h>
#include <ksf/rpcsvc.h>
#include "rpc_drc.h"

#define RPC_SCRATCH_SIZE	65536
#define RPC_UDP_REPLY_MAX	65507

struct rpc_worker {
	uint8_t *out;		/* replies of the current batch, record-marked */
	size_t out_cap;
	uint8_t *gather;	/* a multi-fragment record, made contiguous */
	struct rpc_drc *drc;	/* NULL: no duplicate request cache */
	_Alignas(16) uint8_t scratch[RPC_SCRATCH_SIZE];
	struct ksf_rpc_service_stats st;
};

/* One TCP connection's RPC state; freed when the connection is closed and
 * no offloaded call refers to it any more. Worker-owned: no locks. */
struct rpc_conn {
	struct ksf_conn *c;	/* NULL once closed */
	unsigned refs;		/* the connection itself + offloaded calls */
	unsigned pending;	/* offloaded calls not answered yet */
	bool paused;		/* reading held: too many calls pending */
};

struct ksf_rpc_service {
	struct ksf_svc *svc;
	const struct ksf_rpc_srv *srv;
	uint32_t max_record;
	size_t reply_max;	/* room kept free in out before each call */
	void *ctx;
	int nworkers;
	struct rpc_worker **w;
	struct ksf_pool *pool;
	struct ksf_offload *off;	/* NULL: every call runs on the worker */
	unsigned max_pending;		/* offloaded calls per connection */
	unsigned drc_entries;
	atomic_ulong deferred;		/* deferred calls not answered yet */
};

struct ksf__chunk;

/* A deferred call (rpc_defer.c): made by ksf_rpc_defer in a handler,
 * bound to its connection when the handler returns -EINPROGRESS. */
struct ksf_rpc_defer {
	struct ksf_rpc_service *rs;
	struct rpc_conn *rc;
	struct rpc_drc_ref ref;
	struct ksf__chunk *ch;	/* the call's reply buffer, NULL: none */
	uint32_t xid;
	int worker;
};

/* What the handler of one call on a worker over TCP took from the
 * transport (ksf_rpc_req.call_slot): a deferral (ksf_rpc_defer) and a
 * reply buffer (ksf_rpc_reply_buf, a chunk of the worker's pool). */
struct rpc_call_slot {
	struct ksf_rpc_service *rs;
	struct ksf_rpc_defer *d;	/* until bound or dropped */
	struct ksf__chunk *ch;		/* until sent, handed to d, or given back */
	bool no_buf;			/* non-idempotent: its reply is cached whole */
	const struct ksf_rpc_proc *proc;	/* the call's procedure, once peeked */
};

void ksf__rpc_conn_put(struct rpc_conn *rc);

/* Reply data by reference (rpc_zc.c). A call's reply buffer not sent
 * (*ch, if any) goes back to the worker's pool; *ch becomes NULL. */
void ksf__rpc_buf_put(struct ksf__chunk **ch);
/* The reply just encoded into rw->out, ending at *used, has ref's bytes
 * left out at rw->out + base + ref->pos: queue everything before them and
 * them by reference (slot's buffer), keeping the rest in rw->out (*used
 * shrinks); or copy them in (*used grows). 0 or a send's -errno. */
int ksf__rpc_ref_place(struct rpc_worker *rw, struct ksf_conn *c, struct rpc_call_slot *slot,
		       size_t *used, size_t base, const struct ksf_xdr_ref *ref);
/* A deferred call's record-marked reply rw->out[0..*len) with ref's bytes
 * left out: 1 when it left by reference (d's buffer) or was dropped for a
 * closing connection; 0 when they were copied in (*len grows). */
int ksf__rpc_defer_send_ref(struct rpc_worker *rw, struct ksf_rpc_defer *d,
			    const struct ksf_xdr_ref *ref, size_t *len);

/* On an idle helper thread: free its buffers (rpc_async.c). */
void ksf__rpc_helper_trim(void);

/* The handler returned -EINPROGRESS: bind the slot's deferral to rc (a
 * pending call holding the connection) with the call's cache entry. */
void ksf__rpc_defer_bind(struct rpc_call_slot *slot, struct rpc_conn *rc,
			 const struct rpc_drc_ref *ref);
/* The handler returned anything else: drop the slot's deferral, if any. */
void ksf__rpc_defer_drop(struct rpc_call_slot *slot);

/* On the worker: a pending call's record-marked reply (NULL: none) is
 * done: record it in the cache, queue it on rc's connection by reference
 * (free_fn(arg) once sent), release the call's hold. Returns 1 if the
 * reply was queued (free_fn is then the library's to call), else 0. */
int ksf__rpc_pending_done(struct ksf_rpc_service *rs, struct rpc_conn *rc, int worker,
			  struct rpc_drc_ref *ref, uint8_t *reply, size_t len,
			  void (*free_fn)(void *arg), void *arg);

/* Run the call msg[0..len) on a helper thread; its reply is sent on rc's
 * connection when it is done (rpc_async.c). Returns 0 or -ENOMEM. */
int ksf__rpc_offload_call(struct ksf_rpc_service *rs, struct rpc_conn *rc, const uint8_t *msg,
		     size_t len, const struct rpc_drc_ref *ref);

#endif
