// SPDX-License-Identifier: BSD-2-Clause
/*
 * Credentials and verifiers: the opaque_auth of RFC 5531 §8.2 (a flavor and
 * a body of at most 400 bytes), AUTH_NONE (§10.1) and AUTH_SYS (Appendix A).
 * The server accepts AUTH_NONE and AUTH_SYS and hands the parsed AUTH_SYS
 * fields (stamp, machine name, uid, gid, gids) to the handler; it does not
 * check them against anything, as no server does for AUTH_SYS.
 */
#include "rpc_int.h"

int ksf__rpc_auth_get(struct ksf_xdr *x, struct ksf_rpc_auth *a)
{
	const uint8_t *body = NULL;
	uint32_t flavor, len = 0;

	/* opaque body<400>, with the common empty body kept inline */
	if (ksf__xdr_get_u32(x, &flavor) || ksf__xdr_get_u32(x, &len))
		return x->err;
	if (len > KSF_RPC_AUTH_MAXBODY)
		return ksf__xdr_fail(x, -EMSGSIZE);
	if (len && ksf_xdr_get_fixed(x, len, &body))
		return x->err;
	a->flavor = flavor;
	a->body = body;
	a->len = len;
	return 0;
}

/* Appendix A:
 *	struct authsys_parms {
 *		unsigned int stamp;
 *		string machinename<255>;
 *		unsigned int uid;
 *		unsigned int gid;
 *		unsigned int gids<16>;
 *	};
 * The body must hold exactly this: bytes left over mean a malformed
 * credential, as does any field that does not fit. */
int ksf_rpc_cred_sys_decode(const uint8_t *body, uint32_t len, struct ksf_rpc_cred_sys *c)
{
	struct ksf_xdr x;
	uint32_t i;

	memset(c, 0, sizeof(*c));
	ksf_xdr_init_decode(&x, body, len);
	ksf__xdr_get_u32(&x, &c->stamp);
	ksf_xdr_get_string(&x, KSF_RPC_SYS_MAXNAME, &c->machinename, &c->machinename_len);
	ksf__xdr_get_u32(&x, &c->uid);
	ksf__xdr_get_u32(&x, &c->gid);
	ksf__xdr_get_u32(&x, &c->ngids);
	if (x.err || c->ngids > KSF_RPC_SYS_MAXGIDS)
		goto fail;
	for (i = 0; i < c->ngids; i++)
		ksf__xdr_get_u32(&x, &c->gids[i]);
	if (x.err || x.pos != len)
		goto fail;
	return 0;
fail:
	memset(c, 0, sizeof(*c));
	return -EBADMSG;
}

static uint32_t cred_sys_body_len(const struct ksf_rpc_cred_sys *c)
{
	uint32_t name = (c->machinename_len + 3) & ~3u;

	return 4 + 4 + name + 4 + 4 + 4 + 4 * c->ngids;
}

int ksf_rpc_cred_sys_encode(struct ksf_xdr *x, const struct ksf_rpc_cred_sys *c)
{
	size_t pos = x->pos;
	uint32_t i;

	if (c->machinename_len > KSF_RPC_SYS_MAXNAME || c->ngids > KSF_RPC_SYS_MAXGIDS ||
	    (c->machinename_len && !c->machinename))
		return ksf__xdr_fail(x, -EINVAL);
	ksf__xdr_put_u32(x, KSF_RPC_AUTH_SYS);
	ksf__xdr_put_u32(x, cred_sys_body_len(c));
	ksf__xdr_put_u32(x, c->stamp);
	ksf_xdr_put_string(x, c->machinename, c->machinename_len);
	ksf__xdr_put_u32(x, c->uid);
	ksf__xdr_put_u32(x, c->gid);
	ksf__xdr_put_u32(x, c->ngids);
	for (i = 0; i < c->ngids; i++)
		ksf__xdr_put_u32(x, c->gids[i]);
	if (x->err)
		x->pos = pos;
	return x->err;
}

/* The server's authentication step (FreeBSD _authenticate, Linux
 * svc_authenticate), run once the whole call header is decoded. */
uint32_t ksf__rpc_auth_check(struct ksf_rpc_call *c)
{
	switch (c->cred.flavor) {
	case KSF_RPC_AUTH_NONE:
		/* §10.1: the body is undefined (recommended empty): any
		 * body within the 400-byte bound is accepted. */
		return KSF_RPC_AUTH_OK;
	case KSF_RPC_AUTH_SYS:
		if (ksf_rpc_cred_sys_decode(c->cred.body, c->cred.len, &c->sys))
			return KSF_RPC_AUTH_BADCRED;
		return KSF_RPC_AUTH_OK;
	case KSF_RPC_AUTH_SHORT:
		/* Appendix A: a server that does not accept an AUTH_SHORT
		 * credential answers AUTH_REJECTEDCRED, and the client
		 * retries with its AUTH_SYS credential. */
		return KSF_RPC_AUTH_REJECTEDCRED;
	default:
		/* AUTH_DH, RPCSEC_GSS and unknown flavors. */
		return KSF_RPC_AUTH_TOOWEAK;
	}
}
