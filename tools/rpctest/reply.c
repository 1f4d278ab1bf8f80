// SPDX-License-Identifier: BSD-2-Clause
/*
 * Checking rpctest's replies (RFC 5531 §9). A reply must decode, end where
 * its XDR ends (no stray bytes after an error reply), and be what --expect
 * asks for: MSG_ACCEPTED/SUCCESS by default, with no results for a NULL
 * procedure; or one of the error replies, with sane low/high bounds on the
 * two mismatch replies. Messages name both what was expected and what came.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "rpctest.h"

static const char *const expect_names[RT_EXPECT_COUNT] = {
	[RT_EXPECT_SUCCESS] = "accepted",
	[RT_EXPECT_PROG_UNAVAIL] = "prog_unavail",
	[RT_EXPECT_PROG_MISMATCH] = "prog_mismatch",
	[RT_EXPECT_PROC_UNAVAIL] = "proc_unavail",
	[RT_EXPECT_GARBAGE_ARGS] = "garbage_args",
	[RT_EXPECT_SYSTEM_ERR] = "system_err",
	[RT_EXPECT_RPC_MISMATCH] = "rpc_mismatch",
	[RT_EXPECT_AUTH_ERROR] = "auth_error",
};

/* The accept_stat an expectation wants, for the MSG_ACCEPTED ones. */
static const uint32_t expect_accept_stat[RT_EXPECT_COUNT] = {
	[RT_EXPECT_SUCCESS] = KSF_RPC_SUCCESS,
	[RT_EXPECT_PROG_UNAVAIL] = KSF_RPC_PROG_UNAVAIL,
	[RT_EXPECT_PROG_MISMATCH] = KSF_RPC_PROG_MISMATCH,
	[RT_EXPECT_PROC_UNAVAIL] = KSF_RPC_PROC_UNAVAIL,
	[RT_EXPECT_GARBAGE_ARGS] = KSF_RPC_GARBAGE_ARGS,
	[RT_EXPECT_SYSTEM_ERR] = KSF_RPC_SYSTEM_ERR,
};

const char *rt_expect_name(enum rt_expect e)
{
	return e < RT_EXPECT_COUNT ? expect_names[e] : "?";
}

int rt_expect_parse(const char *s, enum rt_expect *e)
{
	if (!strcmp(s, "success")) {
		*e = RT_EXPECT_SUCCESS;
		return 0;
	}
	for (int i = 0; i < RT_EXPECT_COUNT; i++) {
		if (!strcmp(s, expect_names[i])) {
			*e = (enum rt_expect)i;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *accept_name(uint32_t s)
{
	static const char *const names[] = { "SUCCESS", "PROG_UNAVAIL", "PROG_MISMATCH",
					     "PROC_UNAVAIL", "GARBAGE_ARGS", "SYSTEM_ERR" };

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : NULL;
}

static const char *auth_name(uint32_t s)
{
	static const char *const names[] = { "AUTH_OK", "AUTH_BADCRED", "AUTH_REJECTEDCRED",
					     "AUTH_BADVERF", "AUTH_REJECTEDVERF",
					     "AUTH_TOOWEAK", "AUTH_INVALIDRESP", "AUTH_FAILED" };

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown auth_stat";
}

/* What an expectation asks for, in words. */
static void describe_expect(const struct rt_opts *o, char *buf, size_t len)
{
	if (o->expect == RT_EXPECT_RPC_MISMATCH)
		snprintf(buf, len, "MSG_DENIED/RPC_MISMATCH (low <= high, not including %u)",
			 o->rpcvers);
	else if (o->expect == RT_EXPECT_AUTH_ERROR)
		snprintf(buf, len, "MSG_DENIED/AUTH_ERROR");
	else if (o->expect == RT_EXPECT_PROG_MISMATCH)
		snprintf(buf, len, "MSG_ACCEPTED/PROG_MISMATCH (low <= high, not "
			 "including %u)", o->vers);
	else
		snprintf(buf, len, "MSG_ACCEPTED/%s%s",
			 accept_name(expect_accept_stat[o->expect]),
			 o->expect == RT_EXPECT_SUCCESS && o->proc == 0 ?
			 " with no results (NULL procedure)" : "");
}

/* What a decoded reply is, in words. */
static void describe_reply(const struct ksf_rpc_reply *r, char *buf, size_t len)
{
	const char *a = accept_name(r->accept_stat);

	if (r->stat == KSF_RPC_MSG_DENIED && r->reject_stat == KSF_RPC_RPC_MISMATCH)
		snprintf(buf, len, "MSG_DENIED/RPC_MISMATCH (low %u, high %u)", r->low, r->high);
	else if (r->stat == KSF_RPC_MSG_DENIED)
		snprintf(buf, len, "MSG_DENIED/AUTH_ERROR (%s, %u)", auth_name(r->auth_stat),
			 r->auth_stat);
	else if (r->accept_stat == KSF_RPC_PROG_MISMATCH)
		snprintf(buf, len, "MSG_ACCEPTED/PROG_MISMATCH (low %u, high %u)", r->low, r->high);
	else if (r->accept_stat == KSF_RPC_SUCCESS)
		snprintf(buf, len, "MSG_ACCEPTED/SUCCESS with %zu bytes of results",
			 r->results_len);
	else if (a)
		snprintf(buf, len, "MSG_ACCEPTED/%s", a);
	else
		snprintf(buf, len, "MSG_ACCEPTED with unknown accept_stat %u", r->accept_stat);
}

/* Why ksf_rpc_reply_decode refused msg. */
static void describe_undecodable(const uint8_t *msg, size_t len, char *buf, size_t blen)
{
	if (len < 12)
		snprintf(buf, blen, "a truncated reply of %zu bytes", len);
	else if (rt_be32(msg + 4) != KSF_RPC_REPLY)
		snprintf(buf, blen, "a message of type %u, not REPLY (1)", rt_be32(msg + 4));
	else if (rt_be32(msg + 8) > KSF_RPC_MSG_DENIED)
		snprintf(buf, blen, "a reply with unknown reply_stat %u", rt_be32(msg + 8));
	else
		snprintf(buf, blen, "a truncated or malformed reply of %zu bytes", len);
}

/* Bytes a decoded reply spans (RFC 5531 §9); for SUCCESS the results are
 * whatever follows, so the whole message. */
static size_t reply_span(const struct ksf_rpc_reply *r, size_t len)
{
	if (r->stat == KSF_RPC_MSG_DENIED)
		return 16 + (r->reject_stat == KSF_RPC_RPC_MISMATCH ? 8 : 4);
	if (r->accept_stat == KSF_RPC_SUCCESS)
		return len;
	return 12 + 8 + ((r->verf.len + 3u) & ~3u) + 4 +
	       (r->accept_stat == KSF_RPC_PROG_MISMATCH ? 8 : 0);
}

/* The outcome is the expected one: are its details sane? NULL if so. */
static const char *details_wrong(const struct rt_opts *o, const struct ksf_rpc_reply *r)
{
	uint32_t called = o->expect == RT_EXPECT_RPC_MISMATCH ? o->rpcvers : o->vers;

	switch (o->expect) {
	case RT_EXPECT_SUCCESS:
		return o->proc == 0 && r->results_len ? "results from a NULL procedure" : NULL;
	case RT_EXPECT_PROG_MISMATCH:
	case RT_EXPECT_RPC_MISMATCH:
		if (r->low > r->high)
			return "low above high";
		if (called >= r->low && called <= r->high)
			return "the version called is inside low..high";
		return NULL;
	case RT_EXPECT_AUTH_ERROR:
		return r->auth_stat == KSF_RPC_AUTH_OK ? "AUTH_ERROR with AUTH_OK" : NULL;
	default:
		return NULL;
	}
}

static int outcome_ok(const struct rt_opts *o, const struct ksf_rpc_reply *r)
{
	if (o->expect == RT_EXPECT_RPC_MISMATCH || o->expect == RT_EXPECT_AUTH_ERROR)
		return r->stat == KSF_RPC_MSG_DENIED &&
		       r->reject_stat == (o->expect == RT_EXPECT_RPC_MISMATCH ?
					  KSF_RPC_RPC_MISMATCH : KSF_RPC_AUTH_ERROR);
	return r->stat == KSF_RPC_MSG_ACCEPTED &&
	       r->accept_stat == expect_accept_stat[o->expect];
}

/* After the xid, the 20 bytes of the commonest good reply to a NULL call:
 * REPLY, MSG_ACCEPTED, an empty AUTH_NONE verifier, SUCCESS, no results. */
static const uint8_t null_success[20] = { 0, 0, 0, 1 };

int rt_reply_check(const struct rt_opts *o, const uint8_t *msg, size_t len,
		   char *why, size_t whylen)
{
	struct ksf_rpc_reply r;
	char want[128], got[128];
	const char *wrong = NULL;
	size_t span;

	/* That reply, when it is what is expected, needs no decoding. */
	if (len == 24 && o->expect == RT_EXPECT_SUCCESS && o->proc == 0 &&
	    !memcmp(msg + 4, null_success, sizeof(null_success)))
		return 0;
	/* The words are written only for a failure: a good reply costs a
	 * decode and no snprintf(). */
	if (ksf_rpc_reply_decode(msg, len, &r)) {
		describe_undecodable(msg, len, got, sizeof(got));
	} else if (!outcome_ok(o, &r) || (wrong = details_wrong(o, &r))) {
		describe_reply(&r, got, sizeof(got));
	} else {
		span = reply_span(&r, len);
		if (span == len)
			return 0;
		describe_reply(&r, got, sizeof(got));
		snprintf(why, whylen, "%s of %zu bytes is followed by %zu stray bytes", got,
			 span, len - span);
		return -1;
	}
	describe_expect(o, want, sizeof(want));
	snprintf(why, whylen, "expected %s, got %s%s%s", want, got, wrong ? ": " : "",
		 wrong ? wrong : "");
	return -1;
}

int rt_reply_success(const uint8_t *msg, size_t len, struct ksf_rpc_reply *r,
		     char *why, size_t whylen)
{
	char got[128];

	if (ksf_rpc_reply_decode(msg, len, r)) {
		describe_undecodable(msg, len, got, sizeof(got));
		snprintf(why, whylen, "expected MSG_ACCEPTED/SUCCESS, got %s", got);
		return -1;
	}
	if (r->stat == KSF_RPC_MSG_ACCEPTED && r->accept_stat == KSF_RPC_SUCCESS)
		return 0;
	describe_reply(r, got, sizeof(got));
	snprintf(why, whylen, "expected MSG_ACCEPTED/SUCCESS, got %s", got);
	return -1;
}
