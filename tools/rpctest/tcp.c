// SPDX-License-Identifier: BSD-2-Clause
/*
 * A TCP connection's run loop. Two shapes, as in the seed's rpctest:
 *
 *  - blocking (-a 0): send() one call, then sleep in recv() until its
 *    reply is in; repeat. The socket is blocking with --stall as its
 *    timeouts, so a silent server cannot hold a call for ever.
 *  - pipelined (-a N): nonblocking, poll() on the one socket, up to N
 *    calls in flight; each reply lets a new call start.
 *
 * Replies are read the seed's way by default: a recv() of the 4-byte
 * record mark, then a recv() of exactly that fragment (RFC 5531 §11), so
 * no recv() ever takes more than one reply; with -b a recv() takes all
 * there is (up to the buffer) and every complete record in it is handled.
 * Sends carry one call each by default; with -b, every call that may
 * start goes out in one send().
 *
 * Every wait is bounded by --stall, and every run by -c or -t.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "cli.h"
#include "rpctest.h"

/* Send txbuf[txoff..txlen). Returns 1 when all is gone, 0 when the socket
 * is full (or the send timed out), -1 on error. */
static int tx_send(struct rt_worker *w, int flags)
{
	ssize_t r = send(w->fd, w->txbuf + w->txoff, w->txlen - w->txoff,
			 flags | MSG_NOSIGNAL);

	if (r < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return rt_fail(w, "send: %s (%u call(s) in flight)", strerror(errno),
			       w->nbusy);
	}
	w->txoff += (size_t)r;
	w->tx_bytes += (uint64_t)r;
	rt_progress(w, cli_now_ns());
	if (w->txoff < w->txlen)
		return 0;
	w->txoff = w->txlen = 0;
	return 1;
}

/* Start the calls that may start, one per send() (with -b all of them in
 * one), until none may or the socket is full (*blocked). 0 or -1. */
static int tx_ready(struct rt_worker *w, int *blocked)
{
	unsigned max = w->ctx->o->batch ? w->ncells : 1, n;
	uint64_t now;
	int rc;

	*blocked = 0;
	if (w->txlen) {		/* the rest of an earlier send first */
		rc = tx_send(w, MSG_DONTWAIT);
		if (rc <= 0) {
			*blocked = rc == 0;
			return rc;
		}
	}
	/* Bounded: each pass starts a call, and at most -a may be in flight. */
	for (now = cli_now_ns(); rt_may_start(w, now); now = cli_now_ns()) {
		for (n = 0; n < max && rt_may_start(w, now); n++)
			w->txlen += rt_call_start(w, now, w->txbuf + w->txlen);
		rc = tx_send(w, MSG_DONTWAIT);
		if (rc <= 0) {
			*blocked = rc == 0;
			return rc;
		}
	}
	return 0;
}

/* The outcome of a recv() of r bytes: 1 (bytes, or EINTR), 0 (none
 * there: EAGAIN, or a blocking socket's timeout), -1 (failed). */
static int rx_result(struct rt_worker *w, ssize_t r)
{
	if (r > 0) {
		w->rx_bytes += (uint64_t)r;
		rt_progress(w, cli_now_ns());
		return 1;
	}
	if (r == 0)
		return rt_fail(w, "connection closed by the server (%u call(s) in flight, "
			       "%llu replies this run)", w->nbusy,
			       (unsigned long long)w->calls);
	if (errno == EINTR)
		return 1;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return rt_fail(w, "recv: %s (%u call(s) in flight)", strerror(errno), w->nbusy);
}

/* A fragment is complete: hand over a complete record. */
static int frag_done(struct rt_worker *w)
{
	struct rt_rx_frag *rx = &w->rx;
	uint32_t len = rx->len;

	rx->have = 0;
	if (!rx->last)
		return 1;
	rx->len = 0;
	rx->nfrags = 0;
	return rt_reply(w, w->rbuf, len, cli_now_ns()) ? -1 : 1;
}

/* A record mark is in: check it against the limits (RFC 5531 §11). */
static int mark_done(struct rt_worker *w)
{
	struct rt_rx_frag *rx = &w->rx;
	uint32_t hdr = (uint32_t)rx->mark[0] << 24 | (uint32_t)rx->mark[1] << 16 |
		       (uint32_t)rx->mark[2] << 8 | rx->mark[3];
	uint32_t flen = hdr & ~KSF_RPC_REC_LAST;

	if (++rx->nfrags > KSF_RPC_REC_MAX_FRAGS)
		return rt_fail(w, "a reply record of more than %u fragments",
			       KSF_RPC_REC_MAX_FRAGS);
	if (flen > RT_REPLY_MAX - rx->len)
		return rt_fail(w, "record mark 0x%08x: a fragment of %u bytes makes the reply "
			       "longer than %u bytes", hdr, flen, RT_REPLY_MAX);
	rx->left = flen;
	rx->last = (hdr & KSF_RPC_REC_LAST) != 0;
	return flen ? 1 : frag_done(w);
}

/* One recv(): of the rest of a record mark, or of the rest of a fragment.
 * Returns as rx_result(). */
static int rx_frag_step(struct rt_worker *w, int flags)
{
	struct rt_rx_frag *rx = &w->rx;
	ssize_t r;
	int rc;

	if (rx->have < KSF_RPC_REC_HDR) {
		r = recv(w->fd, rx->mark + rx->have, KSF_RPC_REC_HDR - rx->have, flags);
		rc = rx_result(w, r);
		if (rc <= 0 || r <= 0)
			return rc;
		rx->have += (unsigned)r;
		return rx->have < KSF_RPC_REC_HDR ? 1 : mark_done(w);
	}
	r = recv(w->fd, w->rbuf + rx->len, rx->left, flags);
	rc = rx_result(w, r);
	if (rc <= 0 || r <= 0)
		return rc;
	rx->len += (uint32_t)r;
	rx->left -= (uint32_t)r;
	return rx->left ? 1 : frag_done(w);
}

/* -b: one recv() of all there is, then every complete record in it. */
static int rx_bulk(struct rt_worker *w)
{
	struct ksf_rpc_rec rec;
	ssize_t r = recv(w->fd, w->rbuf + w->rlen, w->rbuf_len - w->rlen, MSG_DONTWAIT);
	uint64_t now;
	int rc = rx_result(w, r), n;

	if (rc <= 0 || r <= 0)
		return rc;
	w->rlen += (size_t)r;
	now = cli_now_ns();
	while (w->roff < w->rlen) {
		n = ksf_rpc_rec_parse(w->rbuf + w->roff, w->rlen - w->roff, RT_REPLY_MAX, &rec);
		if (n == 0)
			break;
		if (n < 0)
			return rt_fail(w, "bad record marking from the server: %s",
				       n == -EMSGSIZE ? "a reply longer than 64 KiB" :
				       "a reply of more than 1024 fragments");
		if (rec.nfrags > 1)
			ksf_rpc_rec_gather(w->rbuf + w->roff, (size_t)n, w->gbuf);
		if (rt_reply(w, rec.nfrags > 1 ? w->gbuf : rec.payload, rec.len, now))
			return -1;
		w->roff += (size_t)n;
	}
	/* Keep the partial record at the front. rbuf holds any whole record
	 * the parser accepts, so there is always room to complete it. */
	if (w->roff) {
		memmove(w->rbuf, w->rbuf + w->roff, w->rlen - w->roff);
		w->rlen -= w->roff;
		w->roff = 0;
	}
	return 1;
}

/* -a N: keep N calls in flight. Each pass starts what may start, then
 * reads; when nothing is there, spin or wait in poll(). */
static int run_pipelined(struct rt_worker *w)
{
	int blocked, rc, bulk = w->ctx->o->batch;

	for (;;) {
		if (rt_gave_up(w) || tx_ready(w, &blocked))
			return -1;
		if (rt_run_done(w))
			return 0;
		rc = bulk ? rx_bulk(w) : rx_frag_step(w, MSG_DONTWAIT);
		if (rc < 0)
			return -1;
		if (rc == 0 && rt_wait(w, (short)(POLLIN | (blocked ? POLLOUT : 0)), 0))
			return -1;
	}
}

/* -a 0: one call, then its reply, with blocking system calls (after a
 * nonblocking spin with --busy-poll). */
static int run_blocking(struct rt_worker *w)
{
	uint64_t busy = w->ctx->o->busy_poll_ns, now, spin_end;
	int rc;

	for (;;) {
		now = cli_now_ns();
		if (rt_gave_up(w))
			return -1;
		if (!rt_may_start(w, now))
			return 0;
		w->txlen = rt_call_start(w, now, w->txbuf);
		while (w->txlen) {	/* a call fits the socket buffer: one pass */
			rc = tx_send(w, 0);
			if (rc < 0)
				return -1;
			if (rc == 0 && cli_now_ns() - w->last_progress >= w->ctx->o->stall_ns)
				return rt_fail_stall(w);
		}
		spin_end = busy ? cli_now_ns() + busy : 0;
		while (w->nbusy) {
			int spin = spin_end && cli_now_ns() < spin_end;

			rc = rx_frag_step(w, spin ? MSG_DONTWAIT : 0);
			if (rc < 0)
				return -1;
			if (rc == 0 && !spin)	/* SO_RCVTIMEO: --stall without a byte */
				return rt_fail_stall(w);
		}
	}
}

int rt_tcp_run(struct rt_worker *w)
{
	return w->ctx->o->inflight ? run_pipelined(w) : run_blocking(w);
}
