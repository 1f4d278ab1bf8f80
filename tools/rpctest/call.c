// SPDX-License-Identifier: BSD-2-Clause
/*
 * Encoding rpctest's calls (RFC 5531 §9) with libksf's freestanding RPC
 * code. All calls of a run are the same but for the xid, so the call is
 * encoded once, record marks included, and each call that starts is a
 * copy with its xid written in (the RTT still includes making the call's
 * bytes; encoding each in full cost a tenth of the client's CPU at -b). On
 * TCP the call is one record (§11): one last fragment, or with -f three
 * fragments whose marks are written around the encoded message in place
 * (the xid is in the first: every fragment has at least 13 bytes). --rpcvers and a
 * raw credential flavor (-A N) make calls that a server must refuse, to
 * exercise its RPC_MISMATCH and AUTH_ERROR replies.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "rpctest.h"

#define CALL_RPCVERS_OFF	8	/* xid, msg_type, then rpcvers (§9) */
#define NFRAGS			3

/* The caller's supplementary groups, the first 16 of them. */
static int own_groups(gid_t groups[KSF_RPC_SYS_MAXGIDS])
{
	int total = getgroups(0, NULL), n;
	gid_t *all;

	if (total <= 0)
		return 0;
	all = calloc((size_t)total, sizeof(*all));
	if (!all)
		return 0;
	n = getgroups(total, all);
	if (n > (int)KSF_RPC_SYS_MAXGIDS)
		n = KSF_RPC_SYS_MAXGIDS;
	for (int i = 0; i < n; i++)
		groups[i] = all[i];
	free(all);
	return n < 0 ? 0 : n;
}

/* AUTH_SYS parameters (Appendix A): uid, gid and groups of user (or of the
 * caller when user is ""), and this host's name. */
static int sys_cred(struct rt_call *c, const char *user, char *err, size_t errlen)
{
	struct ksf_rpc_cred_sys *s = &c->sys;
	gid_t groups[KSF_RPC_SYS_MAXGIDS];
	int n = KSF_RPC_SYS_MAXGIDS;

	memset(s, 0, sizeof(*s));
	if (gethostname(c->machine, sizeof(c->machine) - 1))
		snprintf(c->machine, sizeof(c->machine), "localhost");
	c->machine[sizeof(c->machine) - 1] = '\0';
	s->machinename = c->machine;
	s->machinename_len = (uint32_t)strlen(c->machine);
	s->stamp = (uint32_t)time(NULL);
	if (user[0]) {
		struct passwd *pw = getpwnam(user);

		if (!pw) {
			snprintf(err, errlen, "unknown user '%s' (for AUTH_SYS)", user);
			return -1;
		}
		s->uid = (uint32_t)pw->pw_uid;
		s->gid = (uint32_t)pw->pw_gid;
		/* More than 16 groups: the first 16 (n is then the total). */
		if (getgrouplist(user, pw->pw_gid, groups, &n) < 0)
			n = KSF_RPC_SYS_MAXGIDS;
	} else {
		s->uid = (uint32_t)getuid();
		s->gid = (uint32_t)getgid();
		n = own_groups(groups);
	}
	s->ngids = (uint32_t)(n < (int)KSF_RPC_SYS_MAXGIDS ? n : (int)KSF_RPC_SYS_MAXGIDS);
	for (uint32_t i = 0; i < s->ngids; i++)
		s->gids[i] = (uint32_t)groups[i];
	return 0;
}

/* The call message (no record mark) at buf[0..cap). Returns its length or
 * a negative errno. */
static int encode_msg(const struct rt_call *c, uint32_t xid, uint8_t *buf, size_t cap)
{
	struct ksf_xdr x;
	int len;

	if (c->auth != RT_AUTH_RAW) {
		len = ksf_rpc_call_encode(buf, cap, xid, c->prog, c->vers, c->proc,
					  c->auth == RT_AUTH_SYS ? &c->sys : NULL,
					  c->args, c->argslen);
	} else {	/* §9 by hand: a credential of another flavor, empty body */
		ksf_xdr_init_encode(&x, buf, cap);
		ksf_xdr_put_u32(&x, xid);
		ksf_xdr_put_u32(&x, KSF_RPC_CALL);
		ksf_xdr_put_u32(&x, KSF_RPC_VERSION);
		ksf_xdr_put_u32(&x, c->prog);
		ksf_xdr_put_u32(&x, c->vers);
		ksf_xdr_put_u32(&x, c->proc);
		ksf_xdr_put_u32(&x, c->flavor);
		ksf_xdr_put_u32(&x, 0);
		ksf_xdr_put_u32(&x, KSF_RPC_AUTH_NONE);
		ksf_xdr_put_u32(&x, 0);
		ksf_xdr_put_fixed(&x, c->args, c->argslen);
		len = x.err ? x.err : (int)x.pos;
	}
	if (len > 0 && c->rpcvers != KSF_RPC_VERSION) {
		buf[CALL_RPCVERS_OFF] = (uint8_t)(c->rpcvers >> 24);
		buf[CALL_RPCVERS_OFF + 1] = (uint8_t)(c->rpcvers >> 16);
		buf[CALL_RPCVERS_OFF + 2] = (uint8_t)(c->rpcvers >> 8);
		buf[CALL_RPCVERS_OFF + 3] = (uint8_t)c->rpcvers;
	}
	return len;
}

/* -f: the message sits at buf + 12; write three fragments of about a third
 * each (every one non-empty: a call is at least 40 bytes), each behind its
 * mark, the last with the last-fragment bit (RFC 5531 §11). */
static void split3(uint8_t *buf, uint32_t len)
{
	uint32_t a = len / 3, b = len / 3, c = len - a - b;
	uint8_t *msg = buf + NFRAGS * KSF_RPC_REC_HDR;

	ksf_rpc_rec_mark(buf, a, false);
	memmove(buf + 4, msg, a);
	ksf_rpc_rec_mark(buf + 4 + a, b, false);
	memmove(buf + 8 + a, msg + a, b);
	ksf_rpc_rec_mark(buf + 8 + a + b, c, true);	/* its data is in place */
}

/* The call with xid 0 into c->tmpl, its record mark(s) in place: its
 * message's length, or a negative errno. */
static int encode_template(struct rt_call *c)
{
	size_t hdr = c->stream ? (c->frag ? NFRAGS : 1) * KSF_RPC_REC_HDR : 0;
	int len = encode_msg(c, 0, c->tmpl + hdr, sizeof(c->tmpl) - NFRAGS * KSF_RPC_REC_HDR);

	if (len <= 0)
		return len ? len : -EINVAL;
	if (c->frag)
		split3(c->tmpl, (uint32_t)len);
	else if (c->stream)
		ksf_rpc_rec_mark(c->tmpl, (uint32_t)len, true);
	c->xid_off = c->stream ? KSF_RPC_REC_HDR : 0;
	c->len = (size_t)len + hdr;
	return len;
}

int rt_call_init(struct rt_call *c, const struct rt_opts *o, const char *user,
		 char *err, size_t errlen)
{
	int len;

	memset(c, 0, sizeof(*c));
	c->prog = o->prog;
	c->vers = o->vers;
	c->proc = o->proc;
	c->rpcvers = o->rpcvers;
	c->auth = o->auth;
	c->flavor = o->flavor;
	c->args = o->args;
	c->argslen = o->argslen;
	c->stream = !o->udp;
	c->frag = o->frag;
	if (c->auth == RT_AUTH_SYS && sys_cred(c, user, err, errlen))
		return -1;
	len = encode_template(c);
	if (len < 0) {
		snprintf(err, errlen, "cannot encode the call: %s", strerror(-len));
		return -1;
	}
	return 0;
}

static void put_xid(uint8_t *x, uint32_t xid)
{
	xid = htonl(xid);
	memcpy(x, &xid, sizeof(xid));
}

size_t rt_call_build(const struct rt_call *c, uint32_t xid, uint8_t *buf)
{
	memcpy(buf, c->tmpl, c->len);
	put_xid(buf + c->xid_off, xid);
	return c->len;
}

size_t rt_call_build_run(const struct rt_call *c, uint32_t xid0, unsigned n, uint8_t *buf,
			 unsigned *primed)
{
	size_t len = c->len;		/* locals: the stores below may alias *c */
	uint8_t *x = buf + c->xid_off;

	for (unsigned i = *primed; i < n; i++)
		memcpy(buf + (size_t)i * len, c->tmpl, len);
	if (n > *primed)
		*primed = n;
	for (unsigned i = 0; i < n; i++, x += len)
		put_xid(x, xid0 + i);
	return (size_t)n * len;
}
