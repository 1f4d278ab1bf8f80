// SPDX-License-Identifier: BSD-2-Clause
/*
 * A UDP socket's run loop: one connect()ed socket per thread, one call per
 * datagram and one reply per datagram (RFC 5531 has no record marks over
 * UDP). There is no retransmission: a call with no reply within
 * --udp-timeout is counted as lost (and a reply that comes later as late),
 * and the run fails only when more calls are lost than --udp-loss allows.
 *
 *  - blocking (-a 0): send() one call, then recv() with --udp-timeout as
 *    the socket's receive timeout; repeat.
 *  - pipelined (-a N): nonblocking, N calls in flight, poll() until a
 *    reply comes or the oldest call times out.
 *
 * With -b, every call that may start goes out in one sendmmsg() and each
 * recvmmsg() takes up to 32 replies. An ICMP port unreachable turns into
 * ECONNREFUSED on the connected socket: nothing listens there, a failure.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "cli.h"
#include "rpctest.h"

static int io_error(struct rt_worker *w, const char *what)
{
	char addr[TARGET_ADDRSTR_MAX];

	if (errno == ECONNREFUSED)
		return eng_fail(&w->e, "%s: %s (nothing listens on udp %s)", what, strerror(errno),
			       target_addr_str((const struct sockaddr *)&w->ctx->eng.tgt.addr,
					       addr, sizeof(addr)));
	return eng_fail(&w->e, "%s: %s (%u call(s) in flight)", what, strerror(errno), w->nbusy);
}

static size_t cell_len(const struct rt_worker *w, unsigned i)
{
	return w->txiov ? w->txiov[i].iov_len : w->txlen;
}

/* Send the datagrams not yet sent. Returns 1 when all are gone, 0 when
 * the socket is full, -1 on error. */
static int tx_flush(struct rt_worker *w, int flags)
{
	int n;

	if (!w->txmm) {		/* one datagram, in txbuf[0..txlen) */
		ssize_t r = send(w->e.fd, w->txbuf, w->txlen, flags | MSG_NOSIGNAL);

		n = r < 0 ? -1 : 1;
	} else {
		n = sendmmsg(w->e.fd, w->txmm + w->txfirst, w->txn - w->txfirst,
			     flags | MSG_NOSIGNAL);
	}
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == ENOBUFS)
			return 0;
		return io_error(w, w->txmm ? "sendmmsg" : "send");
	}
	for (int i = 0; i < n; i++)
		w->e.tx_bytes += cell_len(w, w->txfirst + (unsigned)i);
	w->txfirst += (unsigned)n;
	if (w->txfirst < w->txn)
		return 0;
	w->txfirst = w->txn = 0;
	w->txlen = 0;
	return 1;
}

/* Encode the calls that may start into the cells (one without -b). */
static void tx_fill(struct rt_worker *w, uint64_t now)
{
	unsigned max = w->txmm ? w->ncells : 1;

	while (w->txn < max && rt_may_start(w, now)) {
		size_t len = rt_call_start(w, now, w->txbuf + (size_t)w->txn * RT_CALL_MAX);

		if (w->txiov)
			w->txiov[w->txn].iov_len = len;
		else
			w->txlen = len;
		w->txn++;
	}
}

/* Start what may start; *blocked when the socket is full. 0 or -1. */
static int tx_ready(struct rt_worker *w, int *blocked)
{
	uint64_t now = cli_now_ns();
	int rc;

	*blocked = 0;
	/* Bounded: each pass starts a call, and at most -a may be in flight. */
	for (;;) {
		if (w->txfirst == w->txn) {
			tx_fill(w, now);
			if (!w->txn)
				return 0;
		}
		rc = tx_flush(w, MSG_DONTWAIT);
		if (rc <= 0) {
			*blocked = rc == 0;
			return rc;
		}
		now = cli_now_ns();
	}
}

/* One datagram in rbuf. Returns 1 (a reply handled), 0 (none there), -1. */
static int rx_one(struct rt_worker *w, int flags)
{
	ssize_t r = recv(w->e.fd, w->rbuf, RT_REPLY_MAX, flags | MSG_TRUNC);

	if (r < 0) {
		if (errno == EINTR)
			return 1;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return io_error(w, "recv");
	}
	if (r > RT_REPLY_MAX)
		return eng_fail(&w->e, "a reply datagram of %zd bytes: longer than %u", r,
			       RT_REPLY_MAX);
	w->e.rx_bytes += (uint64_t)r;
	return rt_reply(w, w->rbuf, (size_t)r, cli_now_ns()) ? -1 : 1;
}

/* -b: up to RT_UDP_RX_BATCH datagrams in one recvmmsg(). */
static int rx_many(struct rt_worker *w)
{
	int n = recvmmsg(w->e.fd, w->rxmm, RT_UDP_RX_BATCH, MSG_DONTWAIT, NULL);
	uint64_t now;

	if (n < 0) {
		if (errno == EINTR)
			return 1;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return io_error(w, "recvmmsg");
	}
	now = cli_now_ns();
	for (int i = 0; i < n; i++) {
		struct mmsghdr *m = &w->rxmm[i];

		if (m->msg_hdr.msg_flags & MSG_TRUNC)
			return eng_fail(&w->e, "a reply datagram longer than %u bytes", RT_REPLY_MAX);
		w->e.rx_bytes += m->msg_len;
		if (rt_reply(w, w->rxiov[i].iov_base, m->msg_len, now))
			return -1;
	}
	return 1;
}

/* When the oldest call in flight times out (0 when none is in flight). */
static uint64_t next_timeout(const struct rt_worker *w)
{
	const struct rt_slot *s = &w->slots[w->tail & w->mask];

	if (!w->nbusy || s->state != RT_SLOT_BUSY)
		return 0;
	return s->t0 + w->ctx->o->udp_timeout_ns;
}

static int run_pipelined(struct rt_worker *w)
{
	int blocked, rc;

	for (;;) {
		if (eng_gave_up(&w->e) || rt_expire(w, cli_now_ns()) || tx_ready(w, &blocked))
			return -1;
		if (rt_run_done(w))
			return 0;
		rc = w->rxmm ? rx_many(w) : rx_one(w, MSG_DONTWAIT);
		if (rc < 0)
			return -1;
		if (rc == 0 && eng_wait(&w->e, (short)(POLLIN | (blocked ? POLLOUT : 0)),
				       next_timeout(w)))
			return -1;
	}
}

/* Wait for the reply of the one call in flight: blocking recv() with
 * --udp-timeout as the socket's timeout, after a --busy-poll spin. */
static int await_reply(struct rt_worker *w)
{
	uint64_t busy = w->ctx->o->l.busy_poll_ns, stall = w->ctx->o->l.stall_ns;
	uint64_t spin_end = busy ? cli_now_ns() + busy : 0, now;
	int rc;

	while (w->nbusy) {	/* bounded by the call's timeout and --stall */
		int spin = spin_end && cli_now_ns() < spin_end;

		rc = rx_one(w, spin ? MSG_DONTWAIT : 0);
		if (rc < 0)
			return -1;
		now = cli_now_ns();
		if (rc == 0 && !spin && rt_expire(w, now))
			return -1;
		if (w->nbusy && now - w->e.last_progress >= stall)
			return rt_fail_stall(&w->e);
	}
	return 0;
}

static int run_blocking(struct rt_worker *w)
{
	uint64_t now;

	for (;;) {
		now = cli_now_ns();
		if (eng_gave_up(&w->e))
			return -1;
		if (!rt_may_start(w, now))
			return 0;
		w->txlen = rt_call_start(w, now, w->txbuf);
		w->txn = 1;
		while (w->txn) {	/* the socket is full only briefly */
			int rc = tx_flush(w, 0);

			if (rc < 0)
				return -1;
			if (rc == 0 && cli_now_ns() - w->e.last_progress >= w->ctx->o->l.stall_ns)
				return rt_fail_stall(&w->e);
		}
		if (await_reply(w))
			return -1;
	}
}

int rt_udp_run(struct rt_worker *w)
{
	return w->ctx->o->l.inflight ? run_pipelined(w) : run_blocking(w);
}
