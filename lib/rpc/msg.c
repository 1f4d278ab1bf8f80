// SPDX-License-Identifier: BSD-2-Clause
/*
 * RPC message headers (RFC 5531 §9): the server decodes calls and encodes
 * replies, the client (load generators, portmapper registration) encodes
 * calls and decodes replies. From §9:
 *
 *	struct rpc_msg { unsigned int xid; union switch (msg_type mtype) {
 *		case CALL: call_body cbody; case REPLY: reply_body rbody; } body; };
 *	struct call_body { unsigned int rpcvers;  (must be 2)
 *		unsigned int prog, vers, proc; opaque_auth cred, verf;
 *		(procedure-specific parameters start here) };
 *	union reply_body switch (reply_stat stat) {
 *		case MSG_ACCEPTED: accepted_reply areply;
 *		case MSG_DENIED: rejected_reply rreply; };
 *	struct accepted_reply { opaque_auth verf; union switch (accept_stat stat) {
 *		case SUCCESS: opaque results[0];
 *		case PROG_MISMATCH: struct { unsigned int low, high; } mismatch_info;
 *		default: void; } reply_data; };
 *	union rejected_reply switch (reject_stat stat) {
 *		case RPC_MISMATCH: struct { unsigned int low, high; } mismatch_info;
 *		case AUTH_ERROR: auth_stat stat; };
 */
#include "rpc_int.h"

/* Map a failed opaque_auth decode to the call's outcome: a body over 400
 * bytes is a bad credential or verifier (reply AUTH_ERROR), a truncated
 * header is undecodable (no reply). */
static int auth_fail(struct ksf_rpc_call *c, int err, uint32_t why)
{
	if (err != -EMSGSIZE)
		return -EBADMSG;
	c->auth_stat = why;
	return -EACCES;
}

/* ksf__rpc_auth_get, with the common empty body (AUTH_NONE, every
 * verifier of a call) decoded inline: two calls fewer per call header. */
static inline int get_auth(struct ksf_xdr *x, struct ksf_rpc_auth *a)
{
	if (!x->err && x->len - x->pos >= 8 && ksf__get_be32(x->rbuf + x->pos + 4) == 0) {
		a->flavor = ksf__get_be32(x->rbuf + x->pos);
		a->body = NULL;
		a->len = 0;
		x->pos += 8;
		return 0;
	}
	return ksf__rpc_auth_get(x, a);
}

/* Zero every field but sys.gids[] (only its first sys.ngids count, and
 * ngids is zeroed): a memset of the whole struct, about 200 bytes, is a
 * `rep stos` that took half of this function's time (AMD EPYC VM, perf
 * annotate), and every TCP call is decoded twice (rpc_svc.c peeks). */
static void call_clear(struct ksf_rpc_call *c)
{
	c->xid = c->rpcvers = c->prog = c->vers = c->proc = 0;
	c->cred = (struct ksf_rpc_auth){ 0 };
	c->verf = (struct ksf_rpc_auth){ 0 };
	c->sys.stamp = 0;
	c->sys.machinename = NULL;
	c->sys.machinename_len = c->sys.uid = c->sys.gid = c->sys.ngids = 0;
	c->auth_stat = 0;
	c->args = (struct ksf_xdr){ 0 };
}

/* A call header cut before its procedure number: what the words there
 * are decide between no reply (-EBADMSG, -ENOMSG) and RPC_MISMATCH. */
static int call_head_short(struct ksf_xdr *x, struct ksf_rpc_call *c)
{
	uint32_t mtype;

	if (ksf__xdr_get_u32(x, &c->xid) || ksf__xdr_get_u32(x, &mtype))
		return -EBADMSG;
	if (mtype != KSF_RPC_CALL)
		return -ENOMSG;
	if (ksf__xdr_get_u32(x, &c->rpcvers))
		return -EBADMSG;
	return c->rpcvers != KSF_RPC_VERSION ? -EPROTONOSUPPORT : -EBADMSG;
}

int ksf_rpc_call_decode(const uint8_t *msg, size_t len, struct ksf_rpc_call *c)
{
	struct ksf_xdr x;
	uint32_t mtype;
	int err;

	call_clear(c);
	ksf_xdr_init_decode(&x, msg, len);
	if (len < 24)		/* shorter than the six fixed words */
		return call_head_short(&x, c);
	c->xid = ksf__get_be32(msg);
	mtype = ksf__get_be32(msg + 4);
	if (mtype != KSF_RPC_CALL)
		return -ENOMSG;
	/* §9: a server that does not speak the caller's RPC version answers
	 * RPC_MISMATCH; the rest of the header is not ours to interpret. */
	if ((c->rpcvers = ksf__get_be32(msg + 8)) != KSF_RPC_VERSION)
		return -EPROTONOSUPPORT;
	c->prog = ksf__get_be32(msg + 12);
	c->vers = ksf__get_be32(msg + 16);
	c->proc = ksf__get_be32(msg + 20);
	x.pos = 24;
	err = get_auth(&x, &c->cred);
	if (err)
		return auth_fail(c, err, KSF_RPC_AUTH_BADCRED);
	err = get_auth(&x, &c->verf);
	if (err)
		return auth_fail(c, err, KSF_RPC_AUTH_BADVERF);
	ksf_xdr_init_decode(&c->args, msg + x.pos, len - x.pos);
	c->auth_stat = ksf__rpc_auth_check(c);
	return c->auth_stat == KSF_RPC_AUTH_OK ? 0 : -EACCES;
}

int ksf_rpc_call_hdr(struct ksf_xdr *x, uint32_t xid, uint32_t prog, uint32_t vers,
		     uint32_t proc, const struct ksf_rpc_cred_sys *cred)
{
	size_t pos = x->pos;

	ksf__xdr_put_u32(x, xid);
	ksf__xdr_put_u32(x, KSF_RPC_CALL);
	ksf__xdr_put_u32(x, KSF_RPC_VERSION);
	ksf__xdr_put_u32(x, prog);
	ksf__xdr_put_u32(x, vers);
	ksf__xdr_put_u32(x, proc);
	if (cred) {
		ksf_rpc_cred_sys_encode(x, cred);
	} else {
		ksf__xdr_put_u32(x, KSF_RPC_AUTH_NONE);
		ksf__xdr_put_u32(x, 0);
	}
	/* AUTH_NONE and AUTH_SYS calls carry an AUTH_NONE verifier (§10.1). */
	ksf__xdr_put_u32(x, KSF_RPC_AUTH_NONE);
	ksf__xdr_put_u32(x, 0);
	if (x->err)
		x->pos = pos;
	return x->err;
}

int ksf_rpc_call_encode(uint8_t *buf, size_t cap, uint32_t xid, uint32_t prog,
			uint32_t vers, uint32_t proc, const struct ksf_rpc_cred_sys *cred,
			const void *args, size_t argslen)
{
	struct ksf_xdr x;

	ksf_xdr_init_encode(&x, buf, cap < INT_MAX ? cap : INT_MAX);
	ksf_rpc_call_hdr(&x, xid, prog, vers, proc, cred);
	ksf_xdr_put_fixed(&x, args, argslen);
	return x.err ? x.err : (int)x.pos;
}

/* The accepted_reply arm of a reply, after reply_stat. */
static int get_accepted(struct ksf_xdr *x, struct ksf_rpc_reply *r)
{
	if (ksf__rpc_auth_get(x, &r->verf) || ksf__xdr_get_u32(x, &r->accept_stat))
		return -EBADMSG;
	switch (r->accept_stat) {
	case KSF_RPC_SUCCESS:
		r->results = x->rbuf + x->pos;
		r->results_len = ksf_xdr_left(x);
		return 0;
	case KSF_RPC_PROG_MISMATCH:
		ksf__xdr_get_u32(x, &r->low);
		ksf__xdr_get_u32(x, &r->high);
		return x->err ? -EBADMSG : 0;
	default:
		return 0;	/* void arm */
	}
}

/* The rejected_reply arm: a union without a default arm. */
static int get_rejected(struct ksf_xdr *x, struct ksf_rpc_reply *r)
{
	if (ksf__xdr_get_u32(x, &r->reject_stat))
		return -EBADMSG;
	switch (r->reject_stat) {
	case KSF_RPC_RPC_MISMATCH:
		ksf__xdr_get_u32(x, &r->low);
		ksf__xdr_get_u32(x, &r->high);
		return x->err ? -EBADMSG : 0;
	case KSF_RPC_AUTH_ERROR:
		return ksf__xdr_get_u32(x, &r->auth_stat) ? -EBADMSG : 0;
	default:
		return -EBADMSG;
	}
}

int ksf_rpc_reply_decode(const uint8_t *msg, size_t len, struct ksf_rpc_reply *r)
{
	struct ksf_xdr x;
	uint32_t mtype;
	int err = -EBADMSG;

	memset(r, 0, sizeof(*r));
	ksf_xdr_init_decode(&x, msg, len);
	ksf__xdr_get_u32(&x, &r->xid);
	ksf__xdr_get_u32(&x, &mtype);
	if (ksf__xdr_get_u32(&x, &r->stat) || mtype != KSF_RPC_REPLY)
		goto fail;
	if (r->stat == KSF_RPC_MSG_ACCEPTED)
		err = get_accepted(&x, r);
	else if (r->stat == KSF_RPC_MSG_DENIED)
		err = get_rejected(&x, r);
	if (err)
		goto fail;
	return 0;
fail:
	memset(r, 0, sizeof(*r));
	return -EBADMSG;
}

static int put_accepted(struct ksf_xdr *x, const struct ksf_rpc_reply *r)
{
	ksf__xdr_put_u32(x, r->verf.flavor);
	ksf__xdr_put_u32(x, r->verf.len);	/* opaque body<400> */
	if (r->verf.len)
		ksf_xdr_put_fixed(x, r->verf.body, r->verf.len);
	ksf__xdr_put_u32(x, r->accept_stat);
	if (r->accept_stat == KSF_RPC_PROG_MISMATCH) {
		ksf__xdr_put_u32(x, r->low);
		ksf__xdr_put_u32(x, r->high);
	} else if (r->accept_stat == KSF_RPC_SUCCESS && r->results_len) {
		ksf_xdr_put_fixed(x, r->results, r->results_len);
	}
	return x->err;
}

static int put_rejected(struct ksf_xdr *x, const struct ksf_rpc_reply *r)
{
	if (r->reject_stat == KSF_RPC_RPC_MISMATCH) {
		ksf__xdr_put_u32(x, r->reject_stat);
		ksf__xdr_put_u32(x, r->low);
		ksf__xdr_put_u32(x, r->high);
	} else if (r->reject_stat == KSF_RPC_AUTH_ERROR) {
		ksf__xdr_put_u32(x, r->reject_stat);
		ksf__xdr_put_u32(x, r->auth_stat);
	} else {
		ksf__xdr_fail(x, -EINVAL);
	}
	return x->err;
}

int ksf_rpc_reply_encode(struct ksf_xdr *x, const struct ksf_rpc_reply *r)
{
	size_t pos = x->pos;

	if (r->stat != KSF_RPC_MSG_ACCEPTED && r->stat != KSF_RPC_MSG_DENIED)
		return ksf__xdr_fail(x, -EINVAL);
	ksf__xdr_put_u32(x, r->xid);
	ksf__xdr_put_u32(x, KSF_RPC_REPLY);
	ksf__xdr_put_u32(x, r->stat);
	if (r->stat == KSF_RPC_MSG_ACCEPTED)
		put_accepted(x, r);
	else
		put_rejected(x, r);
	if (x->err)
		x->pos = pos;
	return x->err;
}
