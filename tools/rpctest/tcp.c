// SPDX-License-Identifier: BSD-2-Clause
/*
 * A TCP connection's run loop. Two shapes, as in the seed's rpctest:
 *
 *  - blocking (-a 0): send() one call, then sleep in recv() until its
 *    reply is in; repeat. The socket is blocking with --stall as its
 *    timeouts, so a silent server cannot hold a call for ever.
 *  - pipelined (-a N): up to N calls in flight; each reply lets a new
 *    call start. Sends never block (MSG_DONTWAIT); when no call may
 *    start, the thread sleeps in recv() itself (the socket is blocking
 *    with --stall as its timeout), so that a reply costs one system call
 *    and one wakeup. poll() is only for a send that found the socket full.
 *
 * With -a 0 no recv() completes more than one reply, as in the seed: a
 * recv() at the start of a record asks for its 4-byte record mark (RFC 5531
 * §11) and as many body bytes as the last reply had (RT_RX_GUESS_MAX at
 * most, so two whole replies never fit), and then, if the record is longer,
 * for exactly its rest; between fragments, for the next mark alone. A
 * NULL reply thus takes one recv(), not two. With -a N a recv() takes all
 * there is (up to the buffer): reading the replies that are in at once
 * halves the server's wakeups and the client's preemptions against one
 * reply per recv() (perf: 22 k against 12 k context switches per 100 k
 * calls at -a 128). Either way the bytes go through one record parser and
 * every complete record in the window is handled.
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
	ssize_t r = send(w->e.fd, w->txbuf + w->txoff, w->txlen - w->txoff,
			 flags | MSG_NOSIGNAL);

	if (r < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return eng_fail(&w->e, "send: %s (%u call(s) in flight)", strerror(errno),
			       w->nbusy);
	}
	w->txoff += (size_t)r;
	w->e.tx_bytes += (uint64_t)r;
	eng_progress(&w->e, cli_now_ns());
	if (w->txoff < w->txlen)
		return 0;
	w->txoff = w->txlen = 0;
	return 1;
}

/* Start the calls that may start, one per send() (with -b all of them in
 * one), until none may or the socket is full (*blocked). 0 or -1. */
static int tx_ready(struct rt_worker *w, int *blocked)
{
	unsigned max = w->ctx->o->l.batch ? w->ncells : 1, n;
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
		w->e.rx_bytes += (uint64_t)r;
		eng_progress(&w->e, cli_now_ns());
		return 1;
	}
	if (r == 0)
		return eng_fail(&w->e, "connection closed by the server (%u call(s) in flight, "
			       "%llu replies this run)", w->nbusy,
			       (unsigned long long)w->e.done);
	if (errno == EINTR)
		return 1;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return eng_fail(&w->e, "recv: %s (%u call(s) in flight)", strerror(errno), w->nbusy);
}

/* Without -b: how many bytes the next recv() may take so that it completes
 * at most one reply. The window holds no complete record: walk its
 * fragment marks to the first incomplete piece. */
static size_t rx_want(const struct rt_worker *w)
{
	size_t off = 0;

	for (;;) {
		size_t have = w->rlen - off;
		uint32_t hdr, flen;

		if (have < KSF_RPC_REC_HDR)	/* a mark, and at a record's start a guess */
			return KSF_RPC_REC_HDR - have + (off ? 0 : w->rx_guess);
		hdr = (uint32_t)w->rbuf[off] << 24 | (uint32_t)w->rbuf[off + 1] << 16 |
		      (uint32_t)w->rbuf[off + 2] << 8 | w->rbuf[off + 3];
		flen = hdr & ~KSF_RPC_REC_LAST;
		if (have - KSF_RPC_REC_HDR < flen)	/* the rest of this fragment */
			return KSF_RPC_REC_HDR + flen - have;
		if (hdr & KSF_RPC_REC_LAST)	/* cannot be: the parser took it */
			return 0;
		off += KSF_RPC_REC_HDR + flen;
	}
}

/* Every complete record in the window, handed over with one timestamp. */
static int rx_records(struct rt_worker *w)
{
	struct ksf_rpc_rec rec;
	uint64_t now = cli_now_ns();
	int n;

	while (w->roff < w->rlen) {
		n = ksf_rpc_rec_parse(w->rbuf + w->roff, w->rlen - w->roff,
				      (uint32_t)w->reply_max, &rec);
		if (n == 0)
			break;
		if (n < 0)
			return n == -EMSGSIZE ?
			       eng_fail(&w->e, "bad record marking from the server: a reply "
				       "longer than %zu bytes", w->reply_max) :
			       eng_fail(&w->e, "bad record marking from the server: a reply "
				       "of more than 1024 fragments");
		if (rec.nfrags > 1)
			ksf_rpc_rec_gather(w->rbuf + w->roff, (size_t)n, w->gbuf);
		else
			w->rx_guess = rec.len < RT_RX_GUESS_MAX ? rec.len : RT_RX_GUESS_MAX;
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

/* One recv() (of all there is with -b, else of rx_want() bytes), then the
 * complete records. Returns as rx_result(). */
static int rx_step(struct rt_worker *w, int flags)
{
	size_t room = w->rbuf_len - w->rlen, want = room;
	ssize_t r;
	int rc;

	if (!w->ctx->o->l.inflight) {
		want = rx_want(w);
		if (want == 0 || want > room)	/* a bad mark: the parser says why */
			want = room;
	}
	r = recv(w->e.fd, w->rbuf + w->rlen, want, flags);
	rc = rx_result(w, r);
	if (rc <= 0 || r <= 0)
		return rc;
	w->rlen += (size_t)r;
	return rx_records(w);
}

int rt_tcp_tx_ready(struct eng_worker *e, int *blocked)
{
	return tx_ready((struct rt_worker *)e, blocked);
}

int rt_tcp_rx(struct eng_worker *e, int flags)
{
	return rx_step((struct rt_worker *)e, flags);
}

/* -a 0: one call, then its reply, with blocking system calls (after a
 * nonblocking spin with --busy-poll). */
static int run_blocking(struct rt_worker *w)
{
	uint64_t busy = w->ctx->o->l.busy_poll_ns, now, spin_end;
	int rc;

	for (;;) {
		now = cli_now_ns();
		if (eng_gave_up(&w->e))
			return -1;
		if (!rt_may_start(w, now))
			return 0;
		w->txlen = rt_call_start(w, now, w->txbuf);
		while (w->txlen) {	/* a call fits the socket buffer: one pass */
			rc = tx_send(w, 0);
			if (rc < 0)
				return -1;
			if (rc == 0 && cli_now_ns() - w->e.last_progress >= w->ctx->o->l.stall_ns)
				return rt_fail_stall(&w->e);
		}
		spin_end = busy ? cli_now_ns() + busy : 0;
		while (w->nbusy) {
			int spin = spin_end && cli_now_ns() < spin_end;

			rc = rx_step(w, spin ? MSG_DONTWAIT : 0);
			if (rc < 0)
				return -1;
			if (rc == 0 && !spin)	/* SO_RCVTIMEO: --stall without a byte */
				return rt_fail_stall(&w->e);
		}
	}
}

int rt_tcp_run(struct rt_worker *w)
{
	return w->ctx->o->l.inflight ? eng_pipelined(&w->e) : run_blocking(w);
}
