/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal to lib/rpc: the only headers the RPC layer uses, so that it builds
 * both in user space and (with __KERNEL__) in a Linux kernel module, plus the
 * big-endian word helpers and the few ksf__rpc_* functions the files share.
 */
#ifndef KSF_RPC_INT_H
#define KSF_RPC_INT_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/string.h>
#ifndef UINT32_MAX
#define UINT32_MAX U32_MAX	/* the kernel spells it U32_MAX */
#endif
#else
#include <errno.h>
#include <limits.h>
#include <string.h>	/* memcpy, memset only */
#endif
#include <ksf/rpc.h>

/* XDR and record marks are big-endian (RFC 4506 §4.1, RFC 5531 §11). */
static inline uint32_t ksf__get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void ksf__put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The common case of ksf_xdr_get_u32() and ksf_xdr_put_u32(), inlined for
 * the header codecs of this layer (ten words a call): room and no error
 * yet. Anything else takes the public function, which sets the error. */
static inline int ksf__xdr_get_u32(struct ksf_xdr *x, uint32_t *v)
{
	if (!x->err && x->len - x->pos >= 4) {
		*v = ksf__get_be32(x->rbuf + x->pos);
		x->pos += 4;
		return 0;
	}
	return ksf_xdr_get_u32(x, v);
}

static inline int ksf__xdr_put_u32(struct ksf_xdr *x, uint32_t v)
{
	if (!x->err && x->wbuf && x->len - x->pos >= 4) {
		ksf__put_be32(x->wbuf + x->pos, v);
		x->pos += 4;
		return 0;
	}
	return ksf_xdr_put_u32(x, v);
}

/* Record the first error on an XDR cursor; returns the cursor's error. */
int ksf__xdr_fail(struct ksf_xdr *x, int err);

/* Decode an opaque_auth (RFC 5531 §8.2). Returns 0, -EMSGSIZE (body over
 * 400 bytes) or -EBADMSG (truncated). */
int ksf__rpc_auth_get(struct ksf_xdr *x, struct ksf_rpc_auth *a);

/* Check the decoded credential of c and fill c->sys for AUTH_SYS. Returns
 * the auth_stat: KSF_RPC_AUTH_OK or the reason to refuse the call. */
uint32_t ksf__rpc_auth_check(struct ksf_rpc_call *c);

/* dispatch.c, for rpc_svc.c: ksf_rpc_srv_peek that also hands out the
 * decoded call (valid when it returns 0, while msg is) and its procedure
 * (procp may be NULL), and ksf_rpc_dispatch_ref of such a call (p: its
 * procedure, or NULL to look it up), so that a TCP call run on the event
 * loop is decoded and looked up once, not twice. */
int ksf__rpc_srv_peek_call(const struct ksf_rpc_srv *s, const uint8_t *msg, size_t len,
			   struct ksf_rpc_peek *pk, struct ksf_rpc_call *call,
			   const struct ksf_rpc_proc **procp);
int ksf__rpc_dispatch_call(const struct ksf_rpc_srv *s, const struct ksf_rpc_call *call,
			   const struct ksf_rpc_proc *p, uint8_t *reply, size_t cap,
			   struct ksf_xdr_ref *ref, void *scratch, size_t scratch_len, void *ctx,
			   struct ksf_rpc_stats *st);

#endif
