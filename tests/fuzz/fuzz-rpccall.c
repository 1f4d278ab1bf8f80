// fuzz-srcs: lib/rpc/xdr.c lib/rpc/msg.c lib/rpc/auth.c lib/rpc/errors.c lib/rpc/dispatch.c
// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the call decoder and dispatch (lib/rpc/, RFC 5531
 * §9). Input byte 0 picks the reply buffer size (0..255: small, so -ENOSPC
 * and results that do not fit are explored) and bit 0 of byte 1 a mode: raw
 * (the rest is the message) or guided (a valid call header to NFS version
 * byte 2, procedure byte 3, is prepended, so the credential, argument and
 * result paths are reached at once). Any message must give a reply, no
 * reply, or -ENOSPC, never a crash or an over-read (buffers have their
 * exact sizes); every reply must decode with ksf_rpc_reply_decode, carry
 * the call's xid, and have the outcome the header asks for. The input is
 * also fed to the reply decoder directly. Bit 1 of byte 1 dispatches with
 * a ksf_xdr_ref (bit 2: in copy mode), into which the ARGS result's
 * string may be left out (ksf_xdr_put_opaque_ref): the reply put back
 * together must fit cap and be the same reply.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <ksf/rpc.h>

struct args { uint64_t h; bool b; const char *s; uint32_t n; };

static int args_decode(struct ksf_xdr *x, void *p)
{
	struct args *a = p;

	ksf_xdr_get_u64(x, &a->h);
	ksf_xdr_get_bool(x, &a->b);
	return ksf_xdr_get_string(x, 64, &a->s, &a->n);
}

static int args_handle(const struct ksf_rpc_call *c, void *args, void *res, void *ctx)
{
	const struct args *a = args;

	(void)ctx;
	if (c->cred.flavor == KSF_RPC_AUTH_SYS && c->sys.ngids > KSF_RPC_SYS_MAXGIDS)
		abort();
	memcpy(res, a, sizeof(*a));
	return a->h == 13 ? -EIO : 0;	/* a way to SYSTEM_ERR */
}

static int args_encode(struct ksf_xdr *x, const void *p)
{
	const struct args *a = p;

	ksf_xdr_put_u64(x, a->h);
	ksf_xdr_put_bool(x, a->b);
	return ksf_xdr_put_opaque_ref(x, a->s, a->n);
}

static const struct ksf_rpc_proc procs[] = {
	KSF_RPC_NULL_PROC,
	{ "ARGS", args_decode, args_handle, args_encode, sizeof(struct args), sizeof(struct args), 0 },
	{ 0 },
	{ "HUGE", NULL, ksf_rpc_null_proc, NULL, 1 << 16, 0, 0 },
};
static const struct ksf_rpc_vers vers[] = { { 3, procs, 4 }, { 2, procs, 1 } };
static const struct ksf_rpc_prog nfs = { 100003, "nfs", vers, 2 };

static void check_reply(const uint8_t *msg, size_t len, const uint8_t *reply, int n)
{
	struct ksf_rpc_reply r;
	struct ksf_rpc_call c;
	int dec = ksf_rpc_call_decode(msg, len, &c);

	if (ksf_rpc_reply_decode(reply, (size_t)n, &r) || r.xid != c.xid)
		abort();
	if (dec == -EBADMSG || dec == -ENOMSG)	/* those get no reply */
		abort();
	if (dec == -EPROTONOSUPPORT &&
	    (r.stat != KSF_RPC_MSG_DENIED || r.reject_stat != KSF_RPC_RPC_MISMATCH ||
	     r.low != 2 || r.high != 2))
		abort();
	if (dec == -EACCES && (r.stat != KSF_RPC_MSG_DENIED || r.reject_stat != KSF_RPC_AUTH_ERROR ||
			       r.auth_stat != c.auth_stat))
		abort();
	if (dec == 0 && (r.stat != KSF_RPC_MSG_ACCEPTED || r.verf.flavor != KSF_RPC_AUTH_NONE))
		abort();
	if (dec == 0 && c.prog != 100003 && r.accept_stat != KSF_RPC_PROG_UNAVAIL)
		abort();
	if (dec == 0 && c.prog == 100003 && c.vers != 2 && c.vers != 3 &&
	    (r.accept_stat != KSF_RPC_PROG_MISMATCH || r.low != 2 || r.high != 3))
		abort();
}

/* Build the message: raw, or a guided header plus the fuzzer's bytes. */
static size_t build(const uint8_t *data, size_t size, uint8_t **msg)
{
	struct ksf_xdr x;
	size_t hdr = (data[1] & 1) ? 24 : 0;

	*msg = malloc(hdr + size - 4 ? hdr + size - 4 : 1);
	ksf_xdr_init_encode(&x, *msg, hdr);
	if (hdr) {
		ksf_xdr_put_u32(&x, 0x12345678);
		ksf_xdr_put_u32(&x, KSF_RPC_CALL);
		ksf_xdr_put_u32(&x, KSF_RPC_VERSION);
		ksf_xdr_put_u32(&x, 100003);
		ksf_xdr_put_u32(&x, data[2] & 3);
		ksf_xdr_put_u32(&x, data[3] & 7);
	}
	memcpy(*msg + hdr, data + 4, size - 4);
	return hdr + size - 4;
}

/* ksf_rpc_dispatch_ref into *reply; a reply with bytes left out is put
 * back together into a new *reply of exactly cap bytes. */
static int dispatch_ref(const struct ksf_rpc_srv *srv, const uint8_t *msg, size_t len,
			uint8_t **reply, size_t cap, void *scratch, size_t slen,
			struct ksf_rpc_stats *st, bool copy)
{
	struct ksf_xdr_ref ref = { .copy = copy };
	uint8_t *whole;
	int n = ksf_rpc_dispatch_ref(srv, msg, len, *reply, cap, &ref, scratch, slen, NULL, st);

	if (!ref.p)
		return n;
	if (n <= 0 || copy || ref.pos > (size_t)n || (size_t)n + ref.len > cap ||
	    ref.p < msg || ref.p + ref.len > msg + len)
		abort();
	if (!(whole = malloc(cap)))
		abort();
	memcpy(whole, *reply, ref.pos);
	memcpy(whole + ref.pos, ref.p, ref.len);
	memcpy(whole + ref.pos + ref.len, *reply + ref.pos, (size_t)n - ref.pos);
	free(*reply);
	*reply = whole;
	return n + (int)ref.len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(16) uint8_t scratch[1024];
	struct ksf_rpc_srv srv;
	struct ksf_rpc_stats st = { 0 };
	struct ksf_rpc_reply r;
	uint8_t *msg, *reply;
	size_t cap, len;
	int n;

	if (size < 4)
		return 0;
	cap = data[0];
	len = build(data, size, &msg);
	reply = malloc(cap ? cap : 1);
	ksf_rpc_srv_init(&srv);
	if (ksf_rpc_srv_register(&srv, &nfs))
		abort();
	if (data[1] & 2) {
		n = dispatch_ref(&srv, msg, len, &reply, cap, scratch, sizeof(scratch), &st,
				 data[1] & 4);
	} else {
		n = ksf_rpc_dispatch(&srv, msg, len, reply, cap, scratch, sizeof(scratch), NULL,
				     &st);
	}
	if (n > (int)cap || (n < 0 && n != -ENOSPC))
		abort();
	if (n > 0)
		check_reply(msg, len, reply, n);
	if (n == 0 && (st.garbage + st.dropped_not_call != 1))
		abort();
	if (st.calls != 1 || st.calls != st.replies + st.nospace + st.dropped_not_call + st.garbage)
		abort();
	if ((n > 0) != (st.replies == 1))
		abort();
	ksf_rpc_reply_decode(msg, len, &r);
	free(reply);
	free(msg);
	return 0;
}
