// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reply helpers, one per outcome, in the manner of FreeBSD's svcerr_*():
 * protocol errors are replies, never C errors (RFC 5531 §9: the server
 * answers every call it can decode, with the reason when it cannot run it).
 * Accepted replies carry an AUTH_NONE verifier: the server authenticates
 * nobody (AUTH_NONE and AUTH_SYS have no reply verifier, §10.1, App. A).
 */
#include "rpc_int.h"

/* xid, REPLY, MSG_ACCEPTED, verifier AUTH_NONE with an empty body, stat:
 * what ksf_rpc_reply_encode() writes for these, word by word, as this is
 * every successful call's header. All or nothing. */
static int accepted(struct ksf_xdr *x, uint32_t xid, uint32_t stat)
{
	uint8_t *p;

	/* one bounds check for the six words, the errors of ksf_xdr_put_u32 */
	if (x->err || !x->wbuf || x->len - x->pos < 24)
		return ksf__xdr_fail(x, x->err ? x->err : x->wbuf ? -ENOSPC : -EINVAL);
	p = x->wbuf + x->pos;
	ksf__put_be32(p, xid);
	ksf__put_be32(p + 4, KSF_RPC_REPLY);
	ksf__put_be32(p + 8, KSF_RPC_MSG_ACCEPTED);
	ksf__put_be32(p + 12, KSF_RPC_AUTH_NONE);
	ksf__put_be32(p + 16, 0);
	ksf__put_be32(p + 20, stat);
	x->pos += 24;
	return 0;
}

int ksf_rpc_reply_success(struct ksf_xdr *x, uint32_t xid)
{
	return accepted(x, xid, KSF_RPC_SUCCESS);
}

int ksf_rpc_err_noprog(struct ksf_xdr *x, uint32_t xid)
{
	return accepted(x, xid, KSF_RPC_PROG_UNAVAIL);
}

/* PROG_MISMATCH carries the lowest and highest versions supported. */
int ksf_rpc_err_progvers(struct ksf_xdr *x, uint32_t xid, uint32_t low, uint32_t high)
{
	struct ksf_rpc_reply r = {
		.xid = xid,
		.stat = KSF_RPC_MSG_ACCEPTED,
		.accept_stat = KSF_RPC_PROG_MISMATCH,
		.verf = { .flavor = KSF_RPC_AUTH_NONE },
		.low = low,
		.high = high,
	};

	return ksf_rpc_reply_encode(x, &r);
}

int ksf_rpc_err_noproc(struct ksf_xdr *x, uint32_t xid)
{
	return accepted(x, xid, KSF_RPC_PROC_UNAVAIL);
}

int ksf_rpc_err_decode(struct ksf_xdr *x, uint32_t xid)
{
	return accepted(x, xid, KSF_RPC_GARBAGE_ARGS);
}

int ksf_rpc_err_systemerr(struct ksf_xdr *x, uint32_t xid)
{
	return accepted(x, xid, KSF_RPC_SYSTEM_ERR);
}

/* MSG_DENIED, RPC_MISMATCH: we speak RPC version 2 only, so low = high = 2. */
int ksf_rpc_err_rpcvers(struct ksf_xdr *x, uint32_t xid)
{
	struct ksf_rpc_reply r = {
		.xid = xid,
		.stat = KSF_RPC_MSG_DENIED,
		.reject_stat = KSF_RPC_RPC_MISMATCH,
		.low = KSF_RPC_VERSION,
		.high = KSF_RPC_VERSION,
	};

	return ksf_rpc_reply_encode(x, &r);
}

/* MSG_DENIED, AUTH_ERROR with the reason (BADCRED, TOOWEAK, ...). */
int ksf_rpc_err_auth(struct ksf_xdr *x, uint32_t xid, uint32_t auth_stat)
{
	struct ksf_rpc_reply r = {
		.xid = xid,
		.stat = KSF_RPC_MSG_DENIED,
		.reject_stat = KSF_RPC_AUTH_ERROR,
		.auth_stat = auth_stat,
	};

	return ksf_rpc_reply_encode(x, &r);
}
