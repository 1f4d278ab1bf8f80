// SPDX-License-Identifier: BSD-2-Clause
/*
 * rpctest's calls and reply checks (tools/rpctest/call.c, reply.c): calls
 * decode with libksf's server-side decoder, in one record mark or three
 * fragments; replies of every outcome pass or fail each --expect as they
 * should, with a message naming what was expected and what came. The two
 * files are compiled in here, as they have no other dependencies.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "../../tools/rpctest/call.c"
#include "../../tools/rpctest/reply.c"

static void opts_default(struct rt_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->prog = 100003;
	o->vers = 3;
	o->rpcvers = KSF_RPC_VERSION;
}

/* Decode a TCP call: one record, possibly of several fragments. */
static int decode_stream(const uint8_t *buf, size_t len, uint8_t *msg, struct ksf_rpc_call *c,
			 uint32_t *nfrags)
{
	struct ksf_rpc_rec rec;
	int n = ksf_rpc_rec_parse(buf, len, KSF_RPC_REC_MAX_DEFAULT, &rec);

	CHECK_EQ(n, (long long)len);
	if (n <= 0)
		return -1;
	ksf_rpc_rec_gather(buf, (size_t)n, msg);
	*nfrags = rec.nfrags;
	return ksf_rpc_call_decode(msg, rec.len, c);
}

static void test_call_none(void)
{
	struct rt_opts o;
	struct rt_call c;
	struct ksf_rpc_call d;
	uint8_t buf[RT_CALL_MAX], msg[RT_CALL_MAX];
	char err[128];
	uint32_t nfrags = 0;
	size_t len;

	opts_default(&o);
	CHECK_EQ(rt_call_init(&c, &o, "", err, sizeof(err)), 0);
	len = rt_call_build(&c, 0x12345678, buf);
	CHECK_EQ(len, 4 + 40);			/* mark + 10 words */
	CHECK_EQ(decode_stream(buf, len, msg, &d, &nfrags), 0);
	CHECK_EQ(nfrags, 1);
	CHECK_EQ(d.xid, 0x12345678);
	CHECK_EQ(d.prog, 100003);
	CHECK_EQ(d.vers, 3);
	CHECK_EQ(d.proc, 0);
	CHECK_EQ(d.cred.flavor, KSF_RPC_AUTH_NONE);
	CHECK_EQ(ksf_xdr_left(&d.args), 0);
}

static void test_call_frag_sys(void)
{
	struct rt_opts o;
	struct rt_call c;
	struct ksf_rpc_call d;
	uint8_t buf[RT_CALL_MAX], msg[RT_CALL_MAX];
	char err[128];
	uint32_t nfrags = 0;
	size_t len;

	opts_default(&o);
	o.frag = 1;
	o.auth = RT_AUTH_SYS;
	o.proc = 7;
	o.args[3] = 42;
	o.argslen = 4;
	CHECK_EQ(rt_call_init(&c, &o, "", err, sizeof(err)), 0);
	len = rt_call_build(&c, 1, buf);
	CHECK_EQ(len, c.len);
	CHECK_EQ(decode_stream(buf, len, msg, &d, &nfrags), 0);
	CHECK_EQ(nfrags, 3);
	CHECK_EQ(d.proc, 7);
	CHECK_EQ(d.cred.flavor, KSF_RPC_AUTH_SYS);
	CHECK_EQ(d.sys.uid, getuid());
	CHECK_EQ(d.sys.gid, getgid());
	CHECK_EQ(ksf_xdr_left(&d.args), 4);

	/* user@ picks that user's ids; an unknown user is refused. */
	CHECK_EQ(rt_call_init(&c, &o, "root", err, sizeof(err)), 0);
	CHECK_EQ(c.sys.uid, 0);
	CHECK(rt_call_init(&c, &o, "no-such-user-rpctest", err, sizeof(err)) < 0);
	CHECK(strstr(err, "unknown user") != NULL);
}

static void test_call_udp_refused(void)
{
	struct rt_opts o;
	struct rt_call c;
	struct ksf_rpc_call d;
	uint8_t buf[RT_CALL_MAX];
	char err[128];
	size_t len;

	opts_default(&o);
	o.udp = 1;
	o.rpcvers = 3;
	CHECK_EQ(rt_call_init(&c, &o, "", err, sizeof(err)), 0);
	len = rt_call_build(&c, 9, buf);
	CHECK_EQ(len, 40);			/* no record mark over UDP */
	CHECK_EQ(ksf_rpc_call_decode(buf, len, &d), -EPROTONOSUPPORT);

	o.rpcvers = KSF_RPC_VERSION;
	o.auth = RT_AUTH_RAW;
	o.flavor = KSF_RPC_AUTH_DH;
	CHECK_EQ(rt_call_init(&c, &o, "", err, sizeof(err)), 0);
	len = rt_call_build(&c, 9, buf);
	CHECK_EQ(ksf_rpc_call_decode(buf, len, &d), -EACCES);
	CHECK_EQ(d.auth_stat, KSF_RPC_AUTH_TOOWEAK);
}

enum outcome { SUCCESS, SUCCESS_RES, NOPROG, PROGVERS, PROGVERS_BAD, NOPROC, DECODE,
	       SYSERR, RPCVERS, AUTH, NOUTCOMES };

/* A reply of each outcome into buf; returns its length. */
static size_t make_reply(enum outcome k, uint8_t *buf, size_t cap)
{
	struct ksf_xdr x;

	ksf_xdr_init_encode(&x, buf, cap);
	switch (k) {
	case SUCCESS: ksf_rpc_reply_success(&x, 1); break;
	case SUCCESS_RES: ksf_rpc_reply_success(&x, 1); ksf_xdr_put_u32(&x, 5); break;
	case NOPROG: ksf_rpc_err_noprog(&x, 1); break;
	case PROGVERS: ksf_rpc_err_progvers(&x, 1, 2, 4); break;
	case PROGVERS_BAD: ksf_rpc_err_progvers(&x, 1, 5, 4); break;
	case NOPROC: ksf_rpc_err_noproc(&x, 1); break;
	case DECODE: ksf_rpc_err_decode(&x, 1); break;
	case SYSERR: ksf_rpc_err_systemerr(&x, 1); break;
	case RPCVERS: ksf_rpc_err_rpcvers(&x, 1); break;
	case AUTH: ksf_rpc_err_auth(&x, 1, KSF_RPC_AUTH_TOOWEAK); break;
	default: break;
	}
	CHECK_EQ(x.err, 0);
	return x.pos;
}

/* Which outcome passes each expectation (vers 9 and rpcvers 3 called). */
static const enum outcome passes[RT_EXPECT_COUNT] = {
	[RT_EXPECT_SUCCESS] = SUCCESS,
	[RT_EXPECT_PROG_UNAVAIL] = NOPROG,
	[RT_EXPECT_PROG_MISMATCH] = PROGVERS,
	[RT_EXPECT_PROC_UNAVAIL] = NOPROC,
	[RT_EXPECT_GARBAGE_ARGS] = DECODE,
	[RT_EXPECT_SYSTEM_ERR] = SYSERR,
	[RT_EXPECT_RPC_MISMATCH] = RPCVERS,
	[RT_EXPECT_AUTH_ERROR] = AUTH,
};

static void test_expectations(void)
{
	struct rt_opts o;
	uint8_t buf[128];
	char why[RT_ERR_MAX];

	opts_default(&o);
	o.vers = 9;
	o.rpcvers = 3;
	for (int e = 0; e < RT_EXPECT_COUNT; e++) {
		o.expect = (enum rt_expect)e;
		for (int k = 0; k < NOUTCOMES; k++) {
			size_t len = make_reply((enum outcome)k, buf, sizeof(buf));
			int want = k == (int)passes[e] ? 0 : -1;
			int rc;

			why[0] = '\0';
			rc = rt_reply_check(&o, buf, len, why, sizeof(why));
			if (rc != want)
				fprintf(stderr, "expect %s, outcome %d: rc %d, want %d (%s)\n",
					rt_expect_name(o.expect), k, rc, want, why);
			CHECK_EQ(rc, want);
			CHECK(rc == 0 || strstr(why, "expected ") == why);
		}
	}
	/* Results from a procedure other than NULL are fine. */
	o.expect = RT_EXPECT_SUCCESS;
	o.proc = 1;
	CHECK_EQ(rt_reply_check(&o, buf, make_reply(SUCCESS_RES, buf, sizeof(buf)), why,
				sizeof(why)), 0);
	/* A mismatch that includes the version called is a server bug. */
	o.expect = RT_EXPECT_PROG_MISMATCH;
	o.vers = 3;
	CHECK_EQ(rt_reply_check(&o, buf, make_reply(PROGVERS, buf, sizeof(buf)), why,
				sizeof(why)), -1);
	CHECK(strstr(why, "inside low..high") != NULL);
	o.rpcvers = 2;
	o.expect = RT_EXPECT_RPC_MISMATCH;
	CHECK_EQ(rt_reply_check(&o, buf, make_reply(RPCVERS, buf, sizeof(buf)), why,
				sizeof(why)), -1);
}

static void test_malformed(void)
{
	struct rt_opts o;
	uint8_t buf[128];
	char why[RT_ERR_MAX];
	size_t len;

	opts_default(&o);
	o.expect = RT_EXPECT_PROC_UNAVAIL;
	len = make_reply(NOPROC, buf, sizeof(buf));
	memset(buf + len, 0, 8);
	CHECK_EQ(rt_reply_check(&o, buf, len + 8, why, sizeof(why)), -1);
	CHECK(strstr(why, "8 stray bytes") != NULL);
	CHECK_EQ(rt_reply_check(&o, buf, len - 4, why, sizeof(why)), -1);
	CHECK(strstr(why, "truncated") != NULL);
	buf[7] = 0;				/* msg_type CALL */
	CHECK_EQ(rt_reply_check(&o, buf, len, why, sizeof(why)), -1);
	CHECK(strstr(why, "not REPLY") != NULL);
	CHECK_EQ(rt_reply_check(&o, buf, 3, why, sizeof(why)), -1);
}

static void test_names(void)
{
	enum rt_expect e;

	for (int i = 0; i < RT_EXPECT_COUNT; i++) {
		CHECK_EQ(rt_expect_parse(rt_expect_name((enum rt_expect)i), &e), 0);
		CHECK_EQ(e, i);
	}
	CHECK_EQ(rt_expect_parse("success", &e), 0);
	CHECK_EQ(e, RT_EXPECT_SUCCESS);
	CHECK_EQ(rt_expect_parse("ACCEPTED", &e), -EINVAL);
}

int main(void)
{
	test_call_none();
	test_call_frag_sys();
	test_call_udp_refused();
	test_expectations();
	test_malformed();
	test_names();
	return CHECK_DONE();
}
