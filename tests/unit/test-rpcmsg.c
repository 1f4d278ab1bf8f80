// SPDX-License-Identifier: BSD-2-Clause
/* RPC messages and dispatch (lib/rpc/msg.c, auth.c, errors.c, dispatch.c;
 * RFC 5531 §9): client encode -> server dispatch -> client decode for NULL,
 * an echo procedure and every error reply; credentials at and over their
 * limits; truncated calls at every length; reply encode/decode; the
 * registry; a record-marked stream with a multi-fragment call. Messages are
 * copied to malloc'ed buffers of their exact size so an ASan build catches
 * any over-read. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ksf/rpc.h>
#include "check.h"

#define NFS_PROG	100003
#define MOUNT_PROG	100005
enum { P_NULL, P_ECHO, P_HOLE, P_FAIL, P_BIG, P_HUGE, NPROCS };

struct echo { uint32_t v; };

/* What the last handler saw. */
static struct {
	int calls;
	uint32_t flavor, uid, gid, ngids, gid_last;
	char name[256];
} seen;

static int echo_decode(struct ksf_xdr *x, void *args)
{
	return ksf_xdr_get_u32(x, &((struct echo *)args)->v);
}

static int echo_handle(const struct ksf_rpc_call *call, void *args, void *res, void *ctx)
{
	CHECK(ctx == &seen);
	seen.calls++;
	seen.flavor = call->cred.flavor;
	seen.uid = call->sys.uid;
	seen.gid = call->sys.gid;
	seen.ngids = call->sys.ngids;
	seen.gid_last = call->sys.ngids ? call->sys.gids[call->sys.ngids - 1] : 0;
	if (call->sys.machinename_len)
		memcpy(seen.name, call->sys.machinename, call->sys.machinename_len);
	seen.name[call->sys.machinename_len] = 0;
	((struct echo *)res)->v = ((struct echo *)args)->v;
	return 0;
}

static int echo_encode(struct ksf_xdr *x, const void *res)
{
	return ksf_xdr_put_u32(x, ((const struct echo *)res)->v);
}

static int fail_handle(const struct ksf_rpc_call *call, void *args, void *res, void *ctx)
{
	(void)call, (void)args, (void)res, (void)ctx;
	return -EIO;
}

static int big_encode(struct ksf_xdr *x, const void *res)
{
	(void)res;
	return ksf_xdr_reserve(x, 1024) ? 0 : x->err;
}

static const struct ksf_rpc_proc nfs3_procs[NPROCS] = {
	[P_NULL] = KSF_RPC_NULL_PROC,
	[P_ECHO] = { "ECHO", echo_decode, echo_handle, echo_encode,
		     sizeof(struct echo), sizeof(struct echo), 0 },
	[P_HOLE] = { 0 },
	[P_FAIL] = { "FAIL", NULL, fail_handle, NULL, 0, 0, 0 },
	[P_BIG] = { "BIG", NULL, ksf_rpc_null_proc, big_encode, 0, 0, 0 },
	[P_HUGE] = { "HUGE", NULL, ksf_rpc_null_proc, NULL, 1 << 20, 0, 0 },
};
static const struct ksf_rpc_proc null_only[] = { KSF_RPC_NULL_PROC };
static const struct ksf_rpc_vers nfs_vers[] = {
	{ 3, nfs3_procs, NPROCS },
	{ 2, null_only, 1 },
};
static const struct ksf_rpc_prog nfs = { NFS_PROG, "nfs", nfs_vers, 2 };
static const struct ksf_rpc_vers mount_vers[] = { { 3, null_only, 1 }, { 1, null_only, 1 } };
static const struct ksf_rpc_prog mount = { MOUNT_PROG, "mount", mount_vers, 2 };

static struct ksf_rpc_srv srv;
static struct ksf_rpc_stats st;
static _Alignas(16) uint8_t scratch[4096];
static uint8_t rbuf[4096];

/* Dispatch msg[0..len) with reply room cap; decode the reply into *r. */
static int run_cap(const uint8_t *msg, size_t len, size_t cap, struct ksf_rpc_reply *r)
{
	uint8_t *copy = malloc(len ? len : 1);
	int n;

	memcpy(copy, msg, len);
	memset(r, 0xee, sizeof(*r));
	n = ksf_rpc_dispatch(&srv, copy, len, rbuf, cap, scratch, sizeof(scratch), &seen, &st);
	if (n > 0)
		CHECK_EQ(ksf_rpc_reply_decode(rbuf, (size_t)n, r), 0);
	free(copy);
	return n;
}

static int run(const uint8_t *msg, size_t len, struct ksf_rpc_reply *r)
{
	return run_cap(msg, len, sizeof(rbuf), r);
}

static size_t call(uint8_t *buf, uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc,
		   const struct ksf_rpc_cred_sys *cred, const void *args, size_t argslen)
{
	int n = ksf_rpc_call_encode(buf, 1024, xid, prog, vers, proc, cred, args, argslen);

	CHECK(n > 0);
	return n > 0 ? (size_t)n : 0;
}

/* A call with a hand-made credential and verifier. */
static size_t raw_call(uint8_t *buf, uint32_t rpcvers, uint32_t cflavor, const void *cbody,
		       uint32_t clen, uint32_t vflavor, uint32_t vlen)
{
	static const uint8_t zeros[512];
	struct ksf_xdr x;

	ksf_xdr_init_encode(&x, buf, 1024);
	ksf_xdr_put_u32(&x, 42);
	ksf_xdr_put_u32(&x, KSF_RPC_CALL);
	ksf_xdr_put_u32(&x, rpcvers);
	ksf_xdr_put_u32(&x, NFS_PROG);
	ksf_xdr_put_u32(&x, 3);
	ksf_xdr_put_u32(&x, P_NULL);
	ksf_xdr_put_u32(&x, cflavor);
	ksf_xdr_put_opaque(&x, cbody ? cbody : zeros, clen);
	ksf_xdr_put_u32(&x, vflavor);
	ksf_xdr_put_opaque(&x, zeros, vlen);
	CHECK_EQ(x.err, 0);
	return x.pos;
}

static void expect_accepted(int n, const struct ksf_rpc_reply *r, uint32_t xid, uint32_t stat)
{
	CHECK(n > 0);
	CHECK(n <= (int)KSF_RPC_REPLY_ERR_MAX || stat == KSF_RPC_SUCCESS);
	CHECK_EQ(r->xid, xid);
	CHECK_EQ(r->stat, KSF_RPC_MSG_ACCEPTED);
	CHECK_EQ(r->accept_stat, stat);
	CHECK_EQ(r->verf.flavor, KSF_RPC_AUTH_NONE);	/* AUTH_NONE verifier */
	CHECK_EQ(r->verf.len, 0);
}

static void expect_auth(int n, const struct ksf_rpc_reply *r, uint32_t why)
{
	CHECK_EQ(n, 20);
	CHECK_EQ(r->stat, KSF_RPC_MSG_DENIED);
	CHECK_EQ(r->reject_stat, KSF_RPC_AUTH_ERROR);
	CHECK_EQ(r->auth_stat, why);
}

static struct ksf_rpc_cred_sys sys_cred(uint32_t ngids)
{
	struct ksf_rpc_cred_sys c = {
		.stamp = 7, .machinename = "client", .machinename_len = 6,
		.uid = 1000, .gid = 100, .ngids = ngids,
	};

	for (uint32_t i = 0; i < ngids && i < KSF_RPC_SYS_MAXGIDS; i++)
		c.gids[i] = 200 + i;
	return c;
}

static void null_and_echo(void)
{
	struct ksf_rpc_cred_sys c = sys_cred(16);
	struct ksf_rpc_reply r;
	uint8_t buf[1024], arg[4] = { 0xde, 0xad, 0xbe, 0xef };
	size_t len;
	int n;

	len = call(buf, 1, NFS_PROG, 3, P_NULL, NULL, NULL, 0);
	CHECK_EQ(len, 40);
	n = run(buf, len, &r);
	CHECK_EQ(n, 24);
	expect_accepted(n, &r, 1, KSF_RPC_SUCCESS);
	CHECK_EQ(r.results_len, 0);

	/* AUTH_SYS with the maximum 16 gids reaches the handler intact. */
	len = call(buf, 2, NFS_PROG, 3, P_ECHO, &c, arg, 4);
	n = run(buf, len, &r);
	expect_accepted(n, &r, 2, KSF_RPC_SUCCESS);
	CHECK_EQ(r.results_len, 4);
	CHECK(memcmp(r.results, arg, 4) == 0);
	CHECK_EQ(seen.flavor, KSF_RPC_AUTH_SYS);
	CHECK_EQ(seen.uid, 1000);
	CHECK_EQ(seen.gid, 100);
	CHECK_EQ(seen.ngids, 16);
	CHECK_EQ(seen.gid_last, 215);
	CHECK(strcmp(seen.name, "client") == 0);

	/* Version 2 of the same program, and a second program. */
	len = call(buf, 3, NFS_PROG, 2, P_NULL, NULL, NULL, 0);
	expect_accepted(run(buf, len, &r), &r, 3, KSF_RPC_SUCCESS);
	len = call(buf, 4, MOUNT_PROG, 1, P_NULL, &c, NULL, 0);
	expect_accepted(run(buf, len, &r), &r, 4, KSF_RPC_SUCCESS);
}

static void accept_errors(void)
{
	struct ksf_rpc_reply r;
	uint8_t buf[1024];
	size_t len;
	uint64_t enc = st.encode_err;

	len = call(buf, 10, 200000, 1, 0, NULL, NULL, 0);
	expect_accepted(run(buf, len, &r), &r, 10, KSF_RPC_PROG_UNAVAIL);

	/* PROG_MISMATCH carries the registered low and high versions. */
	len = call(buf, 11, NFS_PROG, 4, 0, NULL, NULL, 0);
	expect_accepted(run(buf, len, &r), &r, 11, KSF_RPC_PROG_MISMATCH);
	CHECK_EQ(r.low, 2);
	CHECK_EQ(r.high, 3);
	len = call(buf, 12, MOUNT_PROG, 2, 0, NULL, NULL, 0);
	expect_accepted(run(buf, len, &r), &r, 12, KSF_RPC_PROG_MISMATCH);
	CHECK_EQ(r.low, 1);
	CHECK_EQ(r.high, 3);

	len = call(buf, 13, NFS_PROG, 3, 99, NULL, NULL, 0);
	expect_accepted(run(buf, len, &r), &r, 13, KSF_RPC_PROC_UNAVAIL);
	len = call(buf, 14, NFS_PROG, 3, P_HOLE, NULL, NULL, 0);
	expect_accepted(run(buf, len, &r), &r, 14, KSF_RPC_PROC_UNAVAIL);
	len = call(buf, 15, NFS_PROG, 2, P_ECHO, NULL, NULL, 0);
	expect_accepted(run(buf, len, &r), &r, 15, KSF_RPC_PROC_UNAVAIL);

	/* ECHO without its argument. */
	len = call(buf, 16, NFS_PROG, 3, P_ECHO, NULL, NULL, 0);
	expect_accepted(run(buf, len, &r), &r, 16, KSF_RPC_GARBAGE_ARGS);

	/* Handler failure; results too big for the reply room; arguments
	 * too big for the scratch memory. */
	len = call(buf, 17, NFS_PROG, 3, P_FAIL, NULL, NULL, 0);
	expect_accepted(run(buf, len, &r), &r, 17, KSF_RPC_SYSTEM_ERR);
	len = call(buf, 18, NFS_PROG, 3, P_BIG, NULL, NULL, 0);
	expect_accepted(run_cap(buf, len, 512, &r), &r, 18, KSF_RPC_SYSTEM_ERR);
	CHECK_EQ(st.encode_err, enc + 1);
	expect_accepted(run(buf, len, &r), &r, 18, KSF_RPC_SUCCESS);
	CHECK_EQ(r.results_len, 1024);
	len = call(buf, 19, NFS_PROG, 3, P_HUGE, NULL, NULL, 0);
	expect_accepted(run(buf, len, &r), &r, 19, KSF_RPC_SYSTEM_ERR);
}

static void denied(void)
{
	struct ksf_rpc_reply r;
	uint8_t buf[1024];
	size_t len;
	int n;

	/* rpcvers != 2: RPC_MISMATCH, low = high = 2. */
	len = raw_call(buf, 3, KSF_RPC_AUTH_NONE, NULL, 0, KSF_RPC_AUTH_NONE, 0);
	n = run(buf, len, &r);
	CHECK_EQ(n, 24);
	CHECK_EQ(r.xid, 42);
	CHECK_EQ(r.stat, KSF_RPC_MSG_DENIED);
	CHECK_EQ(r.reject_stat, KSF_RPC_RPC_MISMATCH);
	CHECK_EQ(r.low, 2);
	CHECK_EQ(r.high, 2);
	len = raw_call(buf, 1, KSF_RPC_AUTH_NONE, NULL, 0, KSF_RPC_AUTH_NONE, 0);
	CHECK_EQ(run(buf, len, &r), 24);
	CHECK_EQ(r.reject_stat, KSF_RPC_RPC_MISMATCH);

	/* Flavors we do not take. */
	len = raw_call(buf, 2, KSF_RPC_AUTH_DH, NULL, 8, KSF_RPC_AUTH_NONE, 0);
	expect_auth(run(buf, len, &r), &r, KSF_RPC_AUTH_TOOWEAK);
	len = raw_call(buf, 2, KSF_RPC_RPCSEC_GSS, NULL, 20, KSF_RPC_AUTH_NONE, 0);
	expect_auth(run(buf, len, &r), &r, KSF_RPC_AUTH_TOOWEAK);
	len = raw_call(buf, 2, 12345, NULL, 0, KSF_RPC_AUTH_NONE, 0);
	expect_auth(run(buf, len, &r), &r, KSF_RPC_AUTH_TOOWEAK);
	len = raw_call(buf, 2, KSF_RPC_AUTH_SHORT, NULL, 8, KSF_RPC_AUTH_NONE, 0);
	expect_auth(run(buf, len, &r), &r, KSF_RPC_AUTH_REJECTEDCRED);

	/* opaque_auth bodies are at most 400 bytes (§8.2). */
	len = raw_call(buf, 2, KSF_RPC_AUTH_NONE, NULL, 400, KSF_RPC_AUTH_NONE, 400);
	expect_accepted(run(buf, len, &r), &r, 42, KSF_RPC_SUCCESS);
	len = raw_call(buf, 2, KSF_RPC_AUTH_SYS, NULL, 401, KSF_RPC_AUTH_NONE, 0);
	expect_auth(run(buf, len, &r), &r, KSF_RPC_AUTH_BADCRED);
	len = raw_call(buf, 2, KSF_RPC_AUTH_NONE, NULL, 404, KSF_RPC_AUTH_NONE, 0);
	expect_auth(run(buf, len, &r), &r, KSF_RPC_AUTH_BADCRED);
	len = raw_call(buf, 2, KSF_RPC_AUTH_NONE, NULL, 0, KSF_RPC_AUTH_NONE, 401);
	expect_auth(run(buf, len, &r), &r, KSF_RPC_AUTH_BADVERF);
	/* A verifier of another flavor is accepted (nothing to verify). */
	len = raw_call(buf, 2, KSF_RPC_AUTH_NONE, NULL, 0, KSF_RPC_AUTH_SYS, 8);
	expect_accepted(run(buf, len, &r), &r, 42, KSF_RPC_SUCCESS);
}

/* An AUTH_SYS body with the given name length, gid count, extra bytes. */
static size_t sys_body(uint8_t *body, uint32_t namelen, uint32_t ngids, uint32_t extra)
{
	static const char name[300];
	struct ksf_xdr x;

	ksf_xdr_init_encode(&x, body, 512);
	ksf_xdr_put_u32(&x, 1);
	ksf_xdr_put_string(&x, name, namelen);
	ksf_xdr_put_u32(&x, 0);
	ksf_xdr_put_u32(&x, 0);
	ksf_xdr_put_u32(&x, ngids);
	for (uint32_t i = 0; i < ngids + extra; i++)
		ksf_xdr_put_u32(&x, i);
	CHECK_EQ(x.err, 0);
	return x.pos;
}

static void auth_sys_limits(void)
{
	struct ksf_rpc_cred_sys c = sys_cred(17), d;
	struct ksf_rpc_reply r;
	uint8_t buf[1024], body[512];
	size_t len, blen;

	CHECK_EQ(ksf_rpc_call_encode(buf, sizeof(buf), 1, NFS_PROG, 3, 0, &c, NULL, 0), -EINVAL);
	c = sys_cred(0);
	c.machinename_len = 256;
	CHECK_EQ(ksf_rpc_call_encode(buf, sizeof(buf), 1, NFS_PROG, 3, 0, &c, NULL, 0), -EINVAL);

	/* The largest header: a 255-byte name and 16 gids. */
	c = sys_cred(16);
	memset(body, 'h', sizeof(body));
	c.machinename = (const char *)body;
	c.machinename_len = 255;
	CHECK_EQ(ksf_rpc_call_encode(buf, sizeof(buf), 1, NFS_PROG, 3, 0, &c, NULL, 0),
		 KSF_RPC_CALL_HDR_MAX);

	blen = sys_body(body, 255, 16, 0);
	CHECK_EQ(blen, 340);
	CHECK_EQ(ksf_rpc_cred_sys_decode(body, (uint32_t)blen, &d), 0);
	CHECK_EQ(d.machinename_len, 255);
	CHECK_EQ(d.gids[15], 15);
	len = raw_call(buf, 2, KSF_RPC_AUTH_SYS, body, (uint32_t)blen, KSF_RPC_AUTH_NONE, 0);
	expect_accepted(run(buf, len, &r), &r, 42, KSF_RPC_SUCCESS);

	blen = sys_body(body, 0, 17, 0);	/* 17 gids */
	len = raw_call(buf, 2, KSF_RPC_AUTH_SYS, body, (uint32_t)blen, KSF_RPC_AUTH_NONE, 0);
	expect_auth(run(buf, len, &r), &r, KSF_RPC_AUTH_BADCRED);
	blen = sys_body(body, 256, 0, 0);	/* name of 256 */
	len = raw_call(buf, 2, KSF_RPC_AUTH_SYS, body, (uint32_t)blen, KSF_RPC_AUTH_NONE, 0);
	expect_auth(run(buf, len, &r), &r, KSF_RPC_AUTH_BADCRED);
	blen = sys_body(body, 3, 2, 1);		/* a word left over */
	len = raw_call(buf, 2, KSF_RPC_AUTH_SYS, body, (uint32_t)blen, KSF_RPC_AUTH_NONE, 0);
	expect_auth(run(buf, len, &r), &r, KSF_RPC_AUTH_BADCRED);
	/* Every truncation of a valid body is a bad credential. */
	blen = sys_body(body, 5, 3, 0);
	for (uint32_t l = 0; l < blen; l++) {
		len = raw_call(buf, 2, KSF_RPC_AUTH_SYS, body, l, KSF_RPC_AUTH_NONE, 0);
		expect_auth(run(buf, len, &r), &r, KSF_RPC_AUTH_BADCRED);
	}
}

static void not_a_call(void)
{
	struct ksf_rpc_reply r, rep = { .xid = 5, .stat = KSF_RPC_MSG_ACCEPTED };
	uint8_t buf[64];
	struct ksf_xdr x;
	uint64_t before = st.dropped_not_call;

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	CHECK_EQ(ksf_rpc_reply_encode(&x, &rep), 0);
	CHECK_EQ(run(buf, x.pos, &r), 0);
	buf[7] = 7;	/* msg_type 7 */
	CHECK_EQ(run(buf, x.pos, &r), 0);
	CHECK_EQ(st.dropped_not_call, before + 2);
}

/* Every prefix of a call: header cut short -> dropped and counted (no
 * reply: there is no complete call to answer); header complete but
 * arguments short -> GARBAGE_ARGS; all of it -> SUCCESS. */
static void truncated(void)
{
	struct ksf_rpc_cred_sys c = sys_cred(3);
	struct ksf_rpc_reply r;
	uint8_t buf[1024], arg[4] = { 1, 2, 3, 4 };
	size_t len = call(buf, 77, NFS_PROG, 3, P_ECHO, &c, arg, 4);
	uint64_t garbage = st.garbage;
	int n;

	for (size_t l = 0; l <= len; l++) {
		n = run(buf, l, &r);
		if (l < len - 4)
			CHECK_EQ(n, 0);
		else if (l < len)
			expect_accepted(n, &r, 77, KSF_RPC_GARBAGE_ARGS);
		else
			expect_accepted(n, &r, 77, KSF_RPC_SUCCESS);
	}
	CHECK_EQ(st.garbage, garbage + len - 4);

	/* RPC version 3: answerable as soon as rpcvers is there. */
	len = raw_call(buf, 3, KSF_RPC_AUTH_NONE, NULL, 0, KSF_RPC_AUTH_NONE, 0);
	for (size_t l = 0; l <= len; l++) {
		n = run(buf, l, &r);
		CHECK_EQ(n, l < 12 ? 0 : 24);
		if (n > 0)
			CHECK_EQ(r.reject_stat, KSF_RPC_RPC_MISMATCH);
	}
	/* A credential over 400 bytes is refused from its length alone. */
	len = raw_call(buf, 2, KSF_RPC_AUTH_SYS, NULL, 401, KSF_RPC_AUTH_NONE, 0);
	for (size_t l = 32; l <= len; l++)
		expect_auth(run(buf, l, &r), &r, KSF_RPC_AUTH_BADCRED);
}

static void nospace(void)
{
	struct ksf_rpc_reply r;
	uint8_t buf[1024];
	size_t len = call(buf, 1, NFS_PROG, 3, P_NULL, NULL, NULL, 0);
	uint64_t ns = st.nospace;

	for (size_t cap = 0; cap < 24; cap++)
		CHECK_EQ(run_cap(buf, len, cap, &r), -ENOSPC);
	CHECK_EQ(run_cap(buf, len, 24, &r), 24);
	len = call(buf, 1, NFS_PROG, 9, P_NULL, NULL, NULL, 0);
	CHECK_EQ(run_cap(buf, len, 31, &r), -ENOSPC);
	CHECK_EQ(run_cap(buf, len, KSF_RPC_REPLY_ERR_MAX, &r), 32);
	CHECK_EQ(st.nospace, ns + 25);

	/* Client side: too little room at every size, then exactly enough. */
	len = call(buf, 1, NFS_PROG, 3, P_ECHO, NULL, "abcd", 4);
	for (size_t cap = 0; cap < len; cap++)
		CHECK_EQ(ksf_rpc_call_encode(buf, cap, 1, NFS_PROG, 3, 1, NULL, "abcd", 4), -ENOSPC);
	CHECK_EQ(ksf_rpc_call_encode(buf, len, 1, NFS_PROG, 3, 1, NULL, "abcd", 4), (int)len);
}

static void reply_codec(void)
{
	static const uint8_t res[8] = "resultz";
	const struct ksf_rpc_reply cases[] = {
		{ .xid = 1, .stat = KSF_RPC_MSG_ACCEPTED, .accept_stat = KSF_RPC_SUCCESS,
		  .results = res, .results_len = 8 },
		{ .xid = 2, .stat = KSF_RPC_MSG_ACCEPTED, .accept_stat = KSF_RPC_PROG_MISMATCH,
		  .low = 3, .high = 4 },
		{ .xid = 3, .stat = KSF_RPC_MSG_ACCEPTED, .accept_stat = 9 },	/* void arm */
		{ .xid = 4, .stat = KSF_RPC_MSG_DENIED, .reject_stat = KSF_RPC_RPC_MISMATCH,
		  .low = 2, .high = 2 },
		{ .xid = 5, .stat = KSF_RPC_MSG_DENIED, .reject_stat = KSF_RPC_AUTH_ERROR,
		  .auth_stat = KSF_RPC_AUTH_TOOWEAK },
	};
	const struct ksf_rpc_reply bad_stat = { .stat = 2 }, bad_reject = { .stat = 1, .reject_stat = 2 };
	uint8_t buf[1024];
	struct ksf_rpc_reply r;
	struct ksf_xdr x;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ksf_rpc_reply *c = &cases[i];
		size_t min;

		ksf_xdr_init_encode(&x, buf, sizeof(buf));
		CHECK_EQ(ksf_rpc_reply_encode(&x, c), 0);
		CHECK_EQ(ksf_rpc_reply_decode(buf, x.pos, &r), 0);
		CHECK_EQ(r.xid, c->xid);
		CHECK_EQ(r.stat, c->stat);
		CHECK_EQ(r.accept_stat, c->accept_stat);
		CHECK_EQ(r.reject_stat, c->reject_stat);
		CHECK_EQ(r.auth_stat, c->auth_stat);
		CHECK_EQ(r.low, c->low);
		CHECK_EQ(r.high, c->high);
		CHECK_EQ(r.results_len, c->results_len);
		/* Shorter: an error, except that SUCCESS results may be short. */
		min = c->accept_stat == KSF_RPC_SUCCESS && c->stat == 0 ? 24 : x.pos;
		for (size_t l = 0; l < x.pos; l++) {
			uint8_t *p = malloc(l ? l : 1);

			memcpy(p, buf, l);
			CHECK_EQ(ksf_rpc_reply_decode(p, l, &r), l < min ? -EBADMSG : 0);
			free(p);
		}
	}
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	CHECK_EQ(ksf_rpc_reply_encode(&x, &bad_stat), -EINVAL);
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	CHECK_EQ(ksf_rpc_reply_encode(&x, &bad_reject), -EINVAL);
	CHECK_EQ(x.pos, 0);

	/* A call is not a reply; unknown stats do not decode. */
	CHECK_EQ(ksf_rpc_reply_decode(buf, (size_t)call(buf, 1, 2, 3, 4, NULL, NULL, 0), &r),
		 -EBADMSG);
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	ksf_rpc_reply_encode(&x, &cases[3]);
	buf[15] = 2;	/* reject_stat 2 */
	CHECK_EQ(ksf_rpc_reply_decode(buf, x.pos, &r), -EBADMSG);
	buf[11] = 2;	/* reply_stat 2 */
	CHECK_EQ(ksf_rpc_reply_decode(buf, x.pos, &r), -EBADMSG);
	/* A reply verifier over 400 bytes. */
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	ksf_rpc_reply_encode(&x, &cases[0]);
	buf[19] = 0x94;	/* verf length 0x194 = 404 */
	buf[18] = 0x01;
	CHECK_EQ(ksf_rpc_reply_decode(buf, x.pos, &r), -EBADMSG);
}

static void registry(void)
{
	static struct ksf_rpc_prog progs[KSF_RPC_SRV_MAX_PROGS + 1];
	static const struct ksf_rpc_vers dup[] = { { 3, null_only, 1 }, { 3, null_only, 1 } };
	static const struct ksf_rpc_vers noprocs[] = { { 3, NULL, 2 } };
	const struct ksf_rpc_prog bad1 = { 1, "dup", dup, 2 }, bad2 = { 1, "np", noprocs, 1 },
				  bad3 = { 1, "none", nfs_vers, 0 };
	struct ksf_rpc_srv s;

	CHECK_EQ(ksf_rpc_srv_init(&s), 0);
	CHECK_EQ(ksf_rpc_srv_register(&s, NULL), -EINVAL);
	CHECK_EQ(ksf_rpc_srv_register(&s, &bad1), -EINVAL);
	CHECK_EQ(ksf_rpc_srv_register(&s, &bad2), -EINVAL);
	CHECK_EQ(ksf_rpc_srv_register(&s, &bad3), -EINVAL);
	CHECK_EQ(ksf_rpc_srv_register(&s, &nfs), 0);
	CHECK_EQ(ksf_rpc_srv_register(&s, &nfs), -EEXIST);
	for (int i = 0; i <= KSF_RPC_SRV_MAX_PROGS; i++)
		progs[i] = (struct ksf_rpc_prog){ 300000 + (uint32_t)i, "p", nfs_vers, 1 };
	for (int i = 0; i < KSF_RPC_SRV_MAX_PROGS - 1; i++)
		CHECK_EQ(ksf_rpc_srv_register(&s, &progs[i]), 0);
	CHECK_EQ(ksf_rpc_srv_register(&s, &progs[KSF_RPC_SRV_MAX_PROGS]), -ENOSPC);
	CHECK_EQ(s.nprogs, KSF_RPC_SRV_MAX_PROGS);
}

/* A record-marked stream as a connection sees it: a NULL call, an ECHO
 * call split into 3 fragments (rpctest -f), a call to an unknown program. */
static void stream(void)
{
	uint8_t stream[1024], msg[1024], *p = stream, gathered[256];
	size_t cut[4] = { 0, 10, 30, 0 };
	uint8_t arg[4] = { 9, 8, 7, 6 };
	static const uint32_t want[] = { KSF_RPC_SUCCESS, KSF_RPC_SUCCESS, KSF_RPC_PROG_UNAVAIL };
	struct ksf_rpc_reply r;
	struct ksf_rpc_rec rec;
	size_t len, off = 0, total;
	int span, i = 0;

	len = call(msg, 1, NFS_PROG, 3, P_NULL, NULL, NULL, 0);
	ksf_rpc_rec_mark(p, (uint32_t)len, true);
	memcpy(p + 4, msg, len);
	p += 4 + len;
	len = call(msg, 2, NFS_PROG, 3, P_ECHO, NULL, arg, 4);
	cut[3] = len;
	for (int a = 0; a < 3; a++) {
		ksf_rpc_rec_mark(p, (uint32_t)(cut[a + 1] - cut[a]), a == 2);
		memcpy(p + 4, msg + cut[a], cut[a + 1] - cut[a]);
		p += 4 + cut[a + 1] - cut[a];
	}
	len = call(msg, 3, 7, 1, 0, NULL, NULL, 0);
	ksf_rpc_rec_mark(p, (uint32_t)len, true);
	memcpy(p + 4, msg, len);
	p += 4 + len;
	total = (size_t)(p - stream);

	while ((span = ksf_rpc_rec_parse(stream + off, total - off, KSF_RPC_REC_MAX_DEFAULT,
					 &rec)) > 0) {
		const uint8_t *m = rec.payload;

		if (!m) {
			CHECK_EQ(ksf_rpc_rec_gather(stream + off, (size_t)span, gathered), rec.len);
			m = gathered;
		}
		expect_accepted(run(m, rec.len, &r), &r, (uint32_t)i + 1, want[i]);
		CHECK_EQ(rec.nfrags, i == 1 ? 3 : 1);
		if (i == 1)
			CHECK(r.results_len == 4 && memcmp(r.results, arg, 4) == 0);
		off += (size_t)span;
		i++;
	}
	CHECK_EQ(span, 0);
	CHECK_EQ(i, 3);
	CHECK_EQ(off, total);
}

static void stats_add_up(void)
{
	uint64_t outcomes = st.rpc_mismatch + st.auth_err + st.prog_unavail + st.prog_mismatch +
			    st.proc_unavail + st.garbage_args + st.system_err + st.success;

	CHECK_EQ(st.calls, st.replies + st.nospace + st.dropped_not_call + st.garbage);
	CHECK_EQ(st.replies, outcomes);
	CHECK(st.success > 0 && st.garbage > 0 && st.auth_err > 0 && st.system_err > 0);
}

int main(void)
{
	CHECK_EQ(ksf_rpc_srv_init(&srv), 0);
	CHECK_EQ(ksf_rpc_srv_register(&srv, &nfs), 0);
	CHECK_EQ(ksf_rpc_srv_register(&srv, &mount), 0);
	null_and_echo();
	accept_errors();
	denied();
	auth_sys_limits();
	not_a_call();
	truncated();
	nospace();
	reply_codec();
	registry();
	stream();
	stats_add_up();
	return CHECK_DONE();
}
