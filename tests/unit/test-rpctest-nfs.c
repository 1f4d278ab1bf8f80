// SPDX-License-Identifier: BSD-2-Clause
/*
 * rpctest's NFS workloads (tools/rpctest/nfs_xdr.c, nfs_call.c): the data
 * pattern and its checker (a flipped byte anywhere is found), every call
 * decodes with libksf's server-side decoder into the arguments asked for,
 * replies of every operation pass, and each reply that is wrong fails with
 * a message: a status other than NFS3_OK, a READ with a corrupted byte or a
 * short count, a WRITE committed below --stable, a LOOKUP of another file,
 * stray bytes, an oversized handle, and every truncation of every reply.
 * MOUNT's mountres3 decoder likewise. The files are compiled in here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "../../tools/rpctest/reply.c"
#include "../../tools/rpctest/nfs_xdr.c"
#include "../../tools/rpctest/nfs_call.c"

#define BUF_MAX	(RT_REPLY_MAX + NFS3_MAXDATA)
#define SALT	0x1234567890abcdefull

static uint8_t rbuf[BUF_MAX];

static void test_pattern(void)
{
	static uint8_t buf[4096 + 64];

	for (uint64_t off = 0; off < 20; off += 3) {
		for (size_t len = 0; len < 40; len += 7) {
			rt_pattern_fill(SALT, off, buf, len);
			CHECK_EQ(rt_pattern_diff(SALT, off, buf, len), len);
		}
	}
	rt_pattern_fill(SALT, 5, buf, 4096);
	CHECK_EQ(rt_pattern_diff(SALT, 6, buf + 1, 4095), 4095);	/* any split agrees */
	CHECK(rt_pattern_diff(SALT + 1, 5, buf, 4096) < 16);		/* another salt differs */
	for (size_t at = 0; at < 4096; at += 331) {
		buf[at] ^= 0x10;
		CHECK_EQ(rt_pattern_diff(SALT, 5, buf, 4096), at);
		buf[at] ^= 0x10;
	}
}

static void work_init(struct rt_nfs_work *nw, enum rt_op op, uint32_t size)
{
	memset(nw, 0, sizeof(*nw));
	nw->op = op;
	nw->size = size;
	nw->nslots = 16;
	nw->file_size = 16ull * size;
	nw->salt = SALT;
	nw->fileid = 777;
	nw->stream = 1;
	nw->file_name = "data";
	nw->dir.len = 8;
	memset(nw->dir.data, 0xd1, 8);
	nw->file.len = 12;
	memset(nw->file.data, 0xf1, 12);
}

/* Build call seq and decode it as a server would: the procedure and a
 * cursor over the arguments. */
static void decode_call(const struct rt_nfs_work *nw, uint64_t seq, uint8_t *buf,
			struct ksf_rpc_call *c)
{
	struct ksf_rpc_rec rec;
	size_t len = rt_nfs_call_build(nw, 1, seq, 0xabc, buf);

	CHECK(len > 0);
	CHECK_EQ(ksf_rpc_rec_parse(buf, len, KSF_RPC_REC_MAX_DEFAULT, &rec), len);
	CHECK_EQ(ksf_rpc_call_decode(rec.payload, rec.len, c), 0);
	CHECK_EQ(c->prog, NFS_PROGRAM);
	CHECK_EQ(c->vers, NFS_V3);
}

static void test_calls(void)
{
	struct rt_nfs_work nw;
	struct ksf_rpc_call c;
	const uint8_t *p;
	const char *s;
	uint32_t n, v;
	uint64_t off;
	static uint8_t buf[RT_CALL_MAX + 65536];

	work_init(&nw, RT_OP_READ, 4096);
	decode_call(&nw, 5, buf, &c);
	CHECK_EQ(c.proc, NFSPROC3_READ);
	CHECK_EQ(ksf_xdr_get_opaque(&c.args, 64, &p, &n), 0);
	CHECK_EQ(n, 12);
	ksf_xdr_get_u64(&c.args, &off);
	ksf_xdr_get_u32(&c.args, &v);
	CHECK_EQ(off, rt_nfs_offset(&nw, 1, 5));
	CHECK(off + 4096 <= nw.file_size && off % 4096 == 0);
	CHECK_EQ(v, 4096);
	CHECK_EQ(ksf_xdr_left(&c.args), 0);

	work_init(&nw, RT_OP_WRITE, 65536);
	nw.stable = NFS3_FILE_SYNC;
	decode_call(&nw, 3, buf, &c);
	CHECK_EQ(c.proc, NFSPROC3_WRITE);
	ksf_xdr_get_opaque(&c.args, 64, &p, &n);
	ksf_xdr_get_u64(&c.args, &off);
	ksf_xdr_get_u32(&c.args, &v);
	CHECK_EQ(v, 65536);
	ksf_xdr_get_u32(&c.args, &v);
	CHECK_EQ(v, NFS3_FILE_SYNC);
	CHECK_EQ(ksf_xdr_get_opaque(&c.args, NFS3_MAXDATA, &p, &n), 0);
	CHECK_EQ(n, 65536);
	CHECK_EQ(rt_pattern_diff(SALT, off, p, n), n);	/* the file's own bytes */

	work_init(&nw, RT_OP_CREATE, 0);
	decode_call(&nw, RT_NFS_CREATE_WINDOW + 2, buf, &c);
	CHECK_EQ(c.proc, NFSPROC3_CREATE);
	ksf_xdr_get_opaque(&c.args, 64, &p, &n);
	CHECK_EQ(ksf_xdr_get_string(&c.args, 255, &s, &n), 0);
	CHECK(n == 4 && !memcmp(s, "c1-2", 4));	/* names cycle */
	ksf_xdr_get_u32(&c.args, &v);
	CHECK_EQ(v, 0);				/* UNCHECKED */

	work_init(&nw, RT_OP_LOOKUP, 0);
	decode_call(&nw, 0, buf, &c);
	CHECK_EQ(c.proc, NFSPROC3_LOOKUP);
}

/* ------------------------------------------------------------------------
 * Replies, encoded as a server would (RFC 1813 §3.3).
 */

static void put_fattr(struct ksf_xdr *x, uint64_t size, uint64_t fileid)
{
	ksf_xdr_put_u32(x, 1);			/* NF3REG */
	for (int i = 0; i < 4; i++)
		ksf_xdr_put_u32(x, 0644);
	ksf_xdr_put_u64(x, size);
	ksf_xdr_put_u64(x, size);		/* used */
	ksf_xdr_put_u64(x, 0);			/* rdev */
	ksf_xdr_put_u64(x, 9);			/* fsid */
	ksf_xdr_put_u64(x, fileid);
	for (int i = 0; i < 6; i++)
		ksf_xdr_put_u32(x, 1);
}

static void put_wcc(struct ksf_xdr *x)
{
	ksf_xdr_put_bool(x, true);
	for (int i = 0; i < 6; i++)
		ksf_xdr_put_u32(x, 0);
	ksf_xdr_put_bool(x, true);
	put_fattr(x, 100, 777);
}

struct reply_spec {
	uint32_t status, count, committed, fileid, fhlen, access;
	int corrupt;			/* READ: flip this byte + 1 */
};

static void put_resok(struct ksf_xdr *x, const struct rt_nfs_work *nw, uint64_t off,
		      const struct reply_spec *r)
{
	uint8_t fh[128] = { 1 };
	uint8_t *d;

	switch (nw->op) {
	case RT_OP_GETATTR:
		put_fattr(x, 100, r->fileid);
		break;
	case RT_OP_LOOKUP:
		ksf_xdr_put_opaque(x, fh, r->fhlen);
		ksf_xdr_put_bool(x, true);
		put_fattr(x, 100, r->fileid);
		ksf_xdr_put_bool(x, false);
		break;
	case RT_OP_ACCESS:
		ksf_xdr_put_bool(x, false);
		ksf_xdr_put_u32(x, r->access);
		break;
	case RT_OP_READ:
		ksf_xdr_put_bool(x, false);
		ksf_xdr_put_u32(x, r->count);
		ksf_xdr_put_bool(x, false);
		ksf_xdr_put_u32(x, r->count);
		d = ksf_xdr_reserve(x, r->count);
		rt_pattern_fill(SALT, off, d, r->count);
		if (r->corrupt)
			d[r->corrupt - 1] ^= 1;
		break;
	case RT_OP_WRITE:
		put_wcc(x);
		ksf_xdr_put_u32(x, r->count);
		ksf_xdr_put_u32(x, r->committed);
		ksf_xdr_put_u64(x, 42);		/* writeverf3 */
		break;
	default:				/* CREATE */
		ksf_xdr_put_bool(x, true);
		ksf_xdr_put_opaque(x, fh, r->fhlen);
		ksf_xdr_put_bool(x, false);
		put_wcc(x);
		break;
	}
}

/* The reply to call seq of thread 1; returns its length. */
static size_t make_reply(const struct rt_nfs_work *nw, uint64_t seq, const struct reply_spec *r)
{
	struct ksf_xdr x;

	ksf_xdr_init_encode(&x, rbuf, sizeof(rbuf));
	ksf_rpc_reply_success(&x, 0xabc);
	ksf_xdr_put_u32(&x, r->status);
	if (r->status == NFS3_OK)
		put_resok(&x, nw, rt_nfs_offset(nw, 1, seq), r);
	else
		ksf_xdr_put_bool(&x, false);	/* the resfail arms here: one post_op_attr */
	CHECK_EQ(x.err, 0);
	return x.pos;
}

static int check(const struct rt_nfs_work *nw, size_t len, char *why, size_t whylen)
{
	why[0] = '\0';
	return rt_nfs_reply_check(nw, 1, 7, rbuf, len, why, whylen);
}

static struct reply_spec good(const struct rt_nfs_work *nw)
{
	struct reply_spec r = { .count = nw->size, .committed = nw->stable, .fileid = 777,
				.fhlen = 20, .access = 0x1f };
	return r;
}

/* A good reply passes; every truncation of it and an extra word fail. */
static void good_and_truncated(const struct rt_nfs_work *nw)
{
	struct reply_spec r = good(nw);
	size_t len = make_reply(nw, 7, &r);
	char why[RT_ERR_MAX];

	CHECK_EQ(check(nw, len, why, sizeof(why)), 0);
	if (why[0])
		fprintf(stderr, "%s: %s\n", rt_op_name(nw->op), why);
	for (size_t n = 0; n < len; n += (len > 4096 && n > 200) ? 509 : 1) {
		CHECK_EQ(check(nw, n, why, sizeof(why)), -1);
		CHECK(why[0] != '\0');
	}
	memset(rbuf + len, 0, 4);
	CHECK_EQ(check(nw, len + 4, why, sizeof(why)), -1);
	CHECK(strstr(why, "stray") != NULL);
}

static void test_replies_good(void)
{
	static const enum rt_op ops[] = { RT_OP_GETATTR, RT_OP_LOOKUP, RT_OP_ACCESS,
					  RT_OP_READ, RT_OP_WRITE, RT_OP_CREATE };
	struct rt_nfs_work nw;

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		work_init(&nw, ops[i], 4096);
		good_and_truncated(&nw);
	}
	work_init(&nw, RT_OP_READ, NFS3_MAXDATA);
	good_and_truncated(&nw);
}

/* A wrong reply of op: fails, and the message has want in it. */
static void expect_bad(enum rt_op op, struct reply_spec *r, const char *want)
{
	struct rt_nfs_work nw;
	char why[RT_ERR_MAX];
	size_t len;

	work_init(&nw, op, 4096);
	nw.stable = NFS3_DATA_SYNC;
	len = make_reply(&nw, 7, r);
	CHECK_EQ(check(&nw, len, why, sizeof(why)), -1);
	if (!strstr(why, want)) {
		fprintf(stderr, "%s: '%s' lacks '%s'\n", rt_op_name(op), why, want);
		CHECK(0);
	}
}

static void test_replies_bad(void)
{
	struct rt_nfs_work nw;
	struct reply_spec r;

	work_init(&nw, RT_OP_READ, 4096);
	r = good(&nw);
	r.corrupt = 4000;
	expect_bad(RT_OP_READ, &r, "byte ");
	r = good(&nw);
	r.count = 100;
	expect_bad(RT_OP_READ, &r, "returned 100 bytes");
	r = good(&nw);
	r.status = 13;
	expect_bad(RT_OP_GETATTR, &r, "NFS3ERR_ACCES (13)");
	r = good(&nw);
	r.fileid = 778;
	expect_bad(RT_OP_LOOKUP, &r, "fileid 778");
	r.fhlen = 65;				/* over NFS3_FHSIZE */
	expect_bad(RT_OP_LOOKUP, &r, "malformed");
	r = good(&nw);
	r.committed = NFS3_UNSTABLE;		/* asked DATA_SYNC */
	expect_bad(RT_OP_WRITE, &r, "committed as unstable");
	r = good(&nw);
	r.count = 4095;
	expect_bad(RT_OP_WRITE, &r, "wrote 4095");
	r = good(&nw);
	r.access = 0x40;
	expect_bad(RT_OP_ACCESS, &r, "granted 0x40");
}

/* Not SUCCESS: the RPC outcome is named. */
static void test_reply_rpc_error(void)
{
	struct rt_nfs_work nw;
	struct ksf_xdr x;
	char why[RT_ERR_MAX];

	work_init(&nw, RT_OP_GETATTR, 4096);
	ksf_xdr_init_encode(&x, rbuf, sizeof(rbuf));
	ksf_rpc_err_noproc(&x, 0xabc);
	CHECK_EQ(check(&nw, x.pos, why, sizeof(why)), -1);
	CHECK(strstr(why, "PROC_UNAVAIL") != NULL);
}

/* READ data longer than asked, or than its own count. */
static void test_read_decode_bounds(void)
{
	struct rt_nfs_res r;
	struct ksf_xdr x;
	uint8_t buf[256];

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	ksf_xdr_put_u32(&x, NFS3_OK);
	ksf_xdr_put_bool(&x, false);
	ksf_xdr_put_u32(&x, 16);		/* count */
	ksf_xdr_put_bool(&x, true);
	ksf_xdr_put_opaque(&x, buf, 16);
	CHECK_EQ(rt_nfs_res_decode(NFSPROC3_READ, buf, x.pos, 16, &r), 0);
	CHECK_EQ(rt_nfs_res_decode(NFSPROC3_READ, buf, x.pos, 8, &r), -EBADMSG);
	buf[11] = 15;				/* count 15, data 16 */
	CHECK_EQ(rt_nfs_res_decode(NFSPROC3_READ, buf, x.pos, 16, &r), -EBADMSG);
	CHECK_EQ(rt_nfs_res_decode(99, buf, x.pos, 16, &r), -EINVAL);
}

static void test_mnt(void)
{
	struct ksf_xdr x;
	struct rt_fh fh;
	uint8_t buf[256], h[80] = { 7 };
	uint32_t st;
	size_t len;

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	CHECK_EQ(rt_put_dirpath(&x, "/srv/x"), 0);
	CHECK_EQ(x.pos, 12);
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	ksf_xdr_put_u32(&x, 0);
	ksf_xdr_put_opaque(&x, h, 28);
	ksf_xdr_put_u32(&x, 1);			/* auth_flavors: AUTH_SYS */
	ksf_xdr_put_u32(&x, 1);
	len = x.pos;
	CHECK_EQ(rt_mnt_res_decode(buf, len, &st, &fh), 0);
	CHECK_EQ(st, 0);
	CHECK(fh.len == 28 && fh.data[0] == 7);
	for (size_t n = 0; n < len; n++)
		CHECK_EQ(rt_mnt_res_decode(buf, n, &st, &fh), -EBADMSG);
	CHECK_EQ(rt_mnt_res_decode(buf, len + 4, &st, &fh), -EBADMSG);	/* stray */
	buf[19] = 0xff;				/* 0x...ff flavors: more than there is */
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	ksf_xdr_put_u32(&x, 0);
	ksf_xdr_put_opaque(&x, h, 28);
	ksf_xdr_put_u32(&x, 0x40000000);
	CHECK_EQ(rt_mnt_res_decode(buf, x.pos, &st, &fh), -EBADMSG);
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	ksf_xdr_put_u32(&x, 0);
	ksf_xdr_put_opaque(&x, h, 65);		/* over FHSIZE3 */
	ksf_xdr_put_u32(&x, 0);
	CHECK_EQ(rt_mnt_res_decode(buf, x.pos, &st, &fh), -EBADMSG);
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	ksf_xdr_put_u32(&x, 2);			/* MNT3ERR_NOENT: nothing follows */
	CHECK_EQ(rt_mnt_res_decode(buf, x.pos, &st, &fh), 0);
	CHECK_EQ(st, 2);
	CHECK(!strcmp(rt_stat_name(st), "NOENT"));
}

static void test_names(void)
{
	enum rt_op op;
	uint32_t st;

	CHECK_EQ(rt_op_parse("read", &op), 0);
	CHECK_EQ(op, RT_OP_READ);
	CHECK_EQ(rt_op_parse("READ", &op), -EINVAL);
	CHECK_EQ(rt_stable_parse("file_sync", &st), 0);
	CHECK_EQ(st, NFS3_FILE_SYNC);
	CHECK_EQ(rt_stable_parse("sync", &st), -EINVAL);
	CHECK(!strcmp(rt_stat_name(10008), "JUKEBOX"));
	CHECK(!strcmp(rt_stat_name(12345), "unknown"));
}

int main(void)
{
	test_pattern();
	test_calls();
	test_replies_good();
	test_replies_bad();
	test_reply_rpc_error();
	test_read_decode_bounds();
	test_mnt();
	test_names();
	return CHECK_DONE();
}
