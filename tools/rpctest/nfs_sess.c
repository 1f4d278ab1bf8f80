// SPDX-License-Identifier: BSD-2-Clause
/*
 * A small blocking ONC RPC client over TCP (RFC 5531 §9, record marking
 * §11), for what rpctest does outside its timed runs: MOUNT's MNT and
 * UMNT, and preparing and removing an NFS workload's data. Calls are
 * queued, sent together, and their replies read in turn, so a cleanup of
 * many files can keep a few calls in flight without any event loop. The
 * socket is blocking with --stall as its timeouts: a silent server cannot
 * hold rpctest for ever. Replies are matched to the calls by xid; every
 * failure is described in the session's err buffer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include "rpctest.h"

static int sess_fail(struct rt_sess *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int sess_fail(struct rt_sess *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, s->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The target's address with another port. */
static void set_port(struct target *t, uint16_t port)
{
	struct sockaddr_storage *a = &t->addrs[t->used];

	if (a->ss_family == AF_INET)
		((struct sockaddr_in *)a)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)a)->sin6_port = htons(port);
}

int rt_sess_open(struct rt_sess *s, const struct target *t, uint16_t port,
		 uint64_t timeout_ns, const struct ksf_rpc_cred_sys *cred,
		 char *err, size_t errlen)
{
	char addr[TARGET_ADDRSTR_MAX];
	struct target *copy = malloc(sizeof(*copy));
	int fd;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->err = err;
	s->errlen = errlen;
	s->cred = cred;
	if (getrandom(&s->xid, sizeof(s->xid), GRND_NONBLOCK) != sizeof(s->xid))
		s->xid = (uint32_t)getpid() << 16;
	s->tx = malloc(RT_SESS_BUF);
	s->rx = malloc(RT_SESS_BUF);
	if (!copy || !s->tx || !s->rx) {
		free(copy);
		return sess_fail(s, "out of memory");
	}
	*copy = *t;
	set_port(copy, port);
	fd = target_connect(copy, copy->used, SOCK_STREAM, timeout_ns);
	target_addr_str((const struct sockaddr *)&copy->addrs[copy->used], addr, sizeof(addr));
	free(copy);
	if (fd < 0)
		return sess_fail(s, "connect to %s: %s", addr, strerror(-fd));
	s->fd = fd;
	if (target_set_blocking(fd, timeout_ns))
		return sess_fail(s, "socket options: %s", strerror(errno));
	return 0;
}

void rt_sess_close(struct rt_sess *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->tx);
	free(s->rx);
	s->tx = s->rx = NULL;
}

void rt_sess_begin(struct rt_sess *s, struct ksf_xdr *x, uint32_t prog, uint32_t vers,
		   uint32_t proc)
{
	size_t at = s->txlen + KSF_RPC_REC_HDR;

	ksf_xdr_init_encode(x, s->tx + at, at < RT_SESS_BUF ? RT_SESS_BUF - at : 0);
	ksf_rpc_call_hdr(x, s->xid + 0, prog, vers, proc, s->cred);
}

int rt_sess_queue(struct rt_sess *s, struct ksf_xdr *x)
{
	if (x->err)
		return sess_fail(s, "cannot encode a call: %s", strerror(-x->err));
	ksf_rpc_rec_mark(s->tx + s->txlen, (uint32_t)x->pos, true);
	s->txlen += KSF_RPC_REC_HDR + x->pos;
	s->xid++;
	return 0;
}

int rt_sess_flush(struct rt_sess *s)
{
	size_t off = 0;

	while (off < s->txlen) {
		ssize_t r = send(s->fd, s->tx + off, s->txlen - off, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return sess_fail(s, "send: %s", errno == EAGAIN ?
					 "timed out (--stall)" : strerror(errno));
		off += (size_t)r;
	}
	s->txlen = 0;
	return 0;
}

/* Exactly n bytes into buf. */
static int recv_all(struct rt_sess *s, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = recv(s->fd, buf + got, n - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return sess_fail(s, "connection closed by the server");
		if (r < 0)
			return sess_fail(s, "recv: %s", errno == EAGAIN ?
					 "no reply in time (--stall)" : strerror(errno));
		got += (size_t)r;
	}
	return 0;
}

/* One record, its fragments gathered into s->rx[0..rxlen). */
static int recv_record(struct rt_sess *s)
{
	uint8_t mark[KSF_RPC_REC_HDR];
	uint32_t hdr, flen;
	unsigned nfrags = 0;

	s->rxlen = 0;
	do {
		if (recv_all(s, mark, sizeof(mark)))
			return -1;
		hdr = (uint32_t)mark[0] << 24 | (uint32_t)mark[1] << 16 |
		      (uint32_t)mark[2] << 8 | mark[3];
		flen = hdr & ~KSF_RPC_REC_LAST;
		if (flen > RT_SESS_BUF - s->rxlen || ++nfrags > KSF_RPC_REC_MAX_FRAGS)
			return sess_fail(s, "bad record marking from the server: a reply "
					 "longer than %u bytes or of over 1024 fragments",
					 RT_SESS_BUF);
		if (recv_all(s, s->rx + s->rxlen, flen))
			return -1;
		s->rxlen += flen;
	} while (!(hdr & KSF_RPC_REC_LAST));
	return 0;
}

int rt_sess_reply(struct rt_sess *s, const uint8_t **res, size_t *reslen)
{
	struct ksf_rpc_reply r;
	char why[256];

	if (recv_record(s))
		return -1;
	if (rt_reply_success(s->rx, s->rxlen, &r, why, sizeof(why)))
		return sess_fail(s, "%s", why);
	*res = r.results;
	*reslen = r.results_len;
	return 0;
}

int rt_sess_call(struct rt_sess *s, struct ksf_xdr *x, const uint8_t **res, size_t *reslen)
{
	uint32_t xid = s->xid;

	if (rt_sess_queue(s, x) || rt_sess_flush(s) || rt_sess_reply(s, res, reslen))
		return -1;
	if (s->rxlen < 4 || rt_be32(s->rx) != xid)
		return sess_fail(s, "a reply with another xid than the call's 0x%08x", xid);
	return 0;
}
