// SPDX-License-Identifier: BSD-2-Clause
/*
 * Program registry and dispatch: the server half of RFC 5531 §9, as
 * svc_register() and svc_getreq() do it, without global state. A caller-owned
 * struct ksf_rpc_srv points at up to 16 program tables; ksf_rpc_dispatch()
 * turns one call into one reply: decode the header, authenticate, find
 * (program, version, procedure), decode the arguments into caller-provided
 * scratch memory, run the handler, encode the results. Every failure along
 * the way becomes its error reply; only messages with nothing to answer
 * (not a CALL, undecodable header) get none. Each outcome is counted.
 */
#include "rpc_int.h"

/* What a call came to: one per counter in struct ksf_rpc_stats. */
enum outcome {
	OUT_RPC_MISMATCH,
	OUT_AUTH_ERR,
	OUT_PROG_UNAVAIL,
	OUT_PROG_MISMATCH,
	OUT_PROC_UNAVAIL,
	OUT_GARBAGE_ARGS,
	OUT_SYSTEM_ERR,
	OUT_ENCODE_ERR,		/* a SYSTEM_ERR: results did not encode */
	OUT_SUCCESS,
	OUT_WOULDBLOCK,		/* the handler said -EAGAIN: nothing written */
	OUT_DEFERRED,		/* the handler said -EINPROGRESS: answered later */
};

int ksf_rpc_srv_init(struct ksf_rpc_srv *s)
{
	memset(s, 0, sizeof(*s));
	return 0;
}

static const struct ksf_rpc_prog *find_prog(const struct ksf_rpc_srv *s, uint32_t prog)
{
	for (int i = 0; i < s->nprogs; i++)
		if (s->progs[i]->prog == prog)
			return s->progs[i];
	return NULL;
}

static const struct ksf_rpc_vers *find_vers(const struct ksf_rpc_prog *p, uint32_t vers)
{
	for (int i = 0; i < p->nvers; i++)
		if (p->vers[i].vers == vers)
			return &p->vers[i];
	return NULL;
}

/* Procedure numbers index the table; a NULL handler is a hole. */
static const struct ksf_rpc_proc *find_proc(const struct ksf_rpc_vers *v, uint32_t proc)
{
	if (proc >= v->nprocs || !v->procs[proc].handle)
		return NULL;
	return &v->procs[proc];
}

static bool prog_valid(const struct ksf_rpc_prog *p)
{
	if (!p || !p->vers || p->nvers < 1)
		return false;
	for (int i = 0; i < p->nvers; i++) {
		if (p->vers[i].nprocs && !p->vers[i].procs)
			return false;
		for (int j = 0; j < i; j++)
			if (p->vers[j].vers == p->vers[i].vers)
				return false;
	}
	return true;
}

int ksf_rpc_srv_register(struct ksf_rpc_srv *s, const struct ksf_rpc_prog *p)
{
	if (!prog_valid(p))
		return -EINVAL;
	if (find_prog(s, p->prog))
		return -EEXIST;
	if (s->nprogs >= KSF_RPC_SRV_MAX_PROGS)
		return -ENOSPC;
	s->progs[s->nprogs++] = p;
	return 0;
}

void ksf_rpc_prog_range(const struct ksf_rpc_prog *p, uint32_t *low, uint32_t *high)
{
	*low = UINT32_MAX;
	*high = 0;
	for (int i = 0; i < p->nvers; i++) {
		if (p->vers[i].vers < *low)
			*low = p->vers[i].vers;
		if (p->vers[i].vers > *high)
			*high = p->vers[i].vers;
	}
}

/* Place the procedure's zeroed args and res in the scratch memory: args at
 * the start, res at the next multiple of 16. -ENOMEM if they do not fit. */
static int scratch_layout(const struct ksf_rpc_proc *p, void *scratch, size_t len,
			  void **args, void **res)
{
	size_t roff = (p->args_size + 15) & ~(size_t)15;

	if (roff < p->args_size || roff > len || p->res_size > len - roff)
		return -ENOMEM;
	*args = p->args_size ? scratch : NULL;
	*res = p->res_size ? (uint8_t *)scratch + roff : NULL;
	if (*args)
		memset(*args, 0, p->args_size);
	if (*res)
		memset(*res, 0, p->res_size);
	return 0;
}

/* Run a found procedure. On SUCCESS the reply is written; otherwise the
 * caller writes the error reply for the outcome. */
static enum outcome run_proc(const struct ksf_rpc_proc *p, const struct ksf_rpc_call *c,
			     struct ksf_xdr *x, void *scratch, size_t scratch_len, void *ctx)
{
	struct ksf_xdr args = c->args;
	size_t start = x->pos;
	void *a, *r;

	if (scratch_layout(p, scratch, scratch_len, &a, &r))
		return OUT_SYSTEM_ERR;
	if (p->decode && (p->decode(&args, a) < 0 || args.err))
		return OUT_GARBAGE_ARGS;
	int hr = p->handle(c, a, r, ctx);

	if (hr == -EAGAIN && (p->flags & KSF_RPC_PROC_TRY_INLINE))
		return OUT_WOULDBLOCK;
	if (hr == -EINPROGRESS && (p->flags & KSF_RPC_PROC_TRY_INLINE))
		return OUT_DEFERRED;
	if (hr < 0)
		return OUT_SYSTEM_ERR;
	if (ksf_rpc_reply_success(x, c->xid))
		return OUT_SUCCESS;	/* no room for a header: -ENOSPC */
	if (p->encode && (p->encode(x, r) < 0 || x->err)) {
		x->pos = start;		/* drop the partial reply */
		x->err = 0;
		ksf_xdr_ref_drop(x);
		return OUT_ENCODE_ERR;
	}
	return OUT_SUCCESS;
}

/* Authenticated call: find what it names and run it (FreeBSD svc_getreq:
 * program, then version, then procedure). Writes error replies. */
static enum outcome run_call(const struct ksf_rpc_srv *s, const struct ksf_rpc_call *c,
			     const struct ksf_rpc_proc *p, struct ksf_xdr *x, void *scratch,
			     size_t scratch_len, void *ctx)
{
	const struct ksf_rpc_prog *prog;
	const struct ksf_rpc_vers *v;
	enum outcome o;
	uint32_t low, high;

	if (p)			/* found by ksf__rpc_srv_peek_call */
		goto run;
	if (!(prog = find_prog(s, c->prog))) {
		ksf_rpc_err_noprog(x, c->xid);
		return OUT_PROG_UNAVAIL;
	}
	v = find_vers(prog, c->vers);
	if (!v) {
		ksf_rpc_prog_range(prog, &low, &high);
		ksf_rpc_err_progvers(x, c->xid, low, high);
		return OUT_PROG_MISMATCH;
	}
	p = find_proc(v, c->proc);
	if (!p) {
		ksf_rpc_err_noproc(x, c->xid);
		return OUT_PROC_UNAVAIL;
	}
run:
	o = run_proc(p, c, x, scratch, scratch_len, ctx);
	if (o == OUT_GARBAGE_ARGS)
		ksf_rpc_err_decode(x, c->xid);
	else if (o == OUT_SYSTEM_ERR || o == OUT_ENCODE_ERR)
		ksf_rpc_err_systemerr(x, c->xid);
	return o;
}

static void count(struct ksf_rpc_stats *st, enum outcome o)
{
	switch (o) {
	case OUT_RPC_MISMATCH:	st->rpc_mismatch++; break;
	case OUT_AUTH_ERR:	st->auth_err++; break;
	case OUT_PROG_UNAVAIL:	st->prog_unavail++; break;
	case OUT_PROG_MISMATCH:	st->prog_mismatch++; break;
	case OUT_PROC_UNAVAIL:	st->proc_unavail++; break;
	case OUT_GARBAGE_ARGS:	st->garbage_args++; break;
	case OUT_ENCODE_ERR:	st->encode_err++; st->system_err++; break;
	case OUT_SYSTEM_ERR:	st->system_err++; break;
	case OUT_SUCCESS:	st->success++; break;
	case OUT_WOULDBLOCK:	break;
	case OUT_DEFERRED:	break;
	}
	st->replies++;
}

/* The reply to a decoded call: dec is ksf_rpc_call_decode's result; p its
 * procedure when already found (else NULL); ref (may be NULL) as
 * ksf_rpc_dispatch_ref's. */
static int dispatch_decoded(const struct ksf_rpc_srv *s, int dec, const struct ksf_rpc_call *call,
			    const struct ksf_rpc_proc *p, uint8_t *reply, size_t cap,
			    struct ksf_xdr_ref *ref, void *scratch, size_t scratch_len, void *ctx,
			    struct ksf_rpc_stats *st)
{
	struct ksf_rpc_stats unused;
	struct ksf_xdr x;
	enum outcome o;

	if (!st)
		st = &unused;
	st->calls++;
	ksf_xdr_init_encode(&x, reply, cap < INT_MAX ? cap : INT_MAX);
	if (ref) {
		ref->p = NULL;
		ref->len = 0;
		ref->pos = 0;
		x.ref = ref;
	}

	/* 1. Header and credential (ksf_rpc_call_decode says which
	 *    failures are answered and which are dropped). */
	switch (dec) {
	case 0:
		o = run_call(s, call, p, &x, scratch, scratch_len, ctx);
		break;
	case -EPROTONOSUPPORT:
		ksf_rpc_err_rpcvers(&x, call->xid);
		o = OUT_RPC_MISMATCH;
		break;
	case -EACCES:
		ksf_rpc_err_auth(&x, call->xid, call->auth_stat);
		o = OUT_AUTH_ERR;
		break;
	case -ENOMSG:
		st->dropped_not_call++;
		return 0;
	default:
		st->garbage++;
		return 0;
	}

	/* 2. A TRY_INLINE procedure that would block: run it again elsewhere
	 *    (counted then). */
	if (o == OUT_WOULDBLOCK) {
		st->calls--;
		return -EAGAIN;
	}
	/*    A deferred one: its reply is made (and counted) later. */
	if (o == OUT_DEFERRED) {
		st->calls--;
		return -EINPROGRESS;
	}

	/* 3. The reply is in reply[0..x.pos) unless it did not fit. */
	if (x.err) {
		ksf_xdr_ref_drop(&x);
		st->nospace++;
		return -ENOSPC;
	}
	count(st, o);
	return (int)x.pos;
}

int ksf_rpc_dispatch(const struct ksf_rpc_srv *s, const uint8_t *msg, size_t len,
		     uint8_t *reply, size_t cap, void *scratch, size_t scratch_len,
		     void *ctx, struct ksf_rpc_stats *st)
{
	return ksf_rpc_dispatch_ref(s, msg, len, reply, cap, NULL, scratch, scratch_len, ctx, st);
}

int ksf_rpc_dispatch_ref(const struct ksf_rpc_srv *s, const uint8_t *msg, size_t len,
			 uint8_t *reply, size_t cap, struct ksf_xdr_ref *ref, void *scratch,
			 size_t scratch_len, void *ctx, struct ksf_rpc_stats *st)
{
	struct ksf_rpc_call call;
	int dec = ksf_rpc_call_decode(msg, len, &call);

	return dispatch_decoded(s, dec, &call, NULL, reply, cap, ref, scratch, scratch_len, ctx,
				st);
}

int ksf__rpc_dispatch_call(const struct ksf_rpc_srv *s, const struct ksf_rpc_call *call,
			   const struct ksf_rpc_proc *p, uint8_t *reply, size_t cap,
			   struct ksf_xdr_ref *ref, void *scratch, size_t scratch_len, void *ctx,
			   struct ksf_rpc_stats *st)
{
	return dispatch_decoded(s, 0, call, p, reply, cap, ref, scratch, scratch_len, ctx, st);
}

int ksf__rpc_srv_peek_call(const struct ksf_rpc_srv *s, const uint8_t *msg, size_t len,
			   struct ksf_rpc_peek *pk, struct ksf_rpc_call *call,
			   const struct ksf_rpc_proc **procp)
{
	const struct ksf_rpc_prog *prog;
	const struct ksf_rpc_vers *v;
	const struct ksf_rpc_proc *p;

	if (ksf_rpc_call_decode(msg, len, call))
		return -EBADMSG;
	if (!(prog = find_prog(s, call->prog)) || !(v = find_vers(prog, call->vers)) ||
	    !(p = find_proc(v, call->proc)))
		return -ENOENT;
	pk->xid = call->xid;
	pk->prog = call->prog;
	pk->vers = call->vers;
	pk->proc = call->proc;
	pk->flags = p->flags;
	pk->args_off = (size_t)(call->args.rbuf - msg) + call->args.pos;
	if (procp)
		*procp = p;
	return 0;
}

int ksf_rpc_srv_peek(const struct ksf_rpc_srv *s, const uint8_t *msg, size_t len,
		     struct ksf_rpc_peek *pk)
{
	struct ksf_rpc_call call;

	return ksf__rpc_srv_peek_call(s, msg, len, pk, &call, NULL);
}

int ksf_rpc_void_decode(struct ksf_xdr *x, void *args)
{
	(void)x;
	(void)args;
	return 0;
}

int ksf_rpc_void_encode(struct ksf_xdr *x, const void *res)
{
	(void)x;
	(void)res;
	return 0;
}

int ksf_rpc_null_proc(const struct ksf_rpc_call *call, void *args, void *res, void *ctx)
{
	(void)call;
	(void)args;
	(void)res;
	(void)ctx;
	return 0;
}
