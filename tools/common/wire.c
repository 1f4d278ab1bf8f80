// SPDX-License-Identifier: BSD-2-Clause
/*
 * The send/receive path under both load generators (see engine.h), with
 * the framing as the tool's callbacks:
 *
 *  - sending: the tool's start() queues a request as bytes it encodes into
 *    the worker's buffer (rpctest's calls) or as references to bytes that
 *    stay put (echotest's header and payload pool). On a stream the queue
 *    goes out in one sendmsg() (adjacent pieces merged into one iovec);
 *    over UDP each request is one datagram, with -b all of them in one
 *    sendmmsg(). A partial send keeps the rest queued; nothing new starts
 *    before the queue is empty.
 *  - receiving: a stream's recv() appends to the receive buffer and the
 *    tool's parse() takes what it can (whole records, or every byte); the
 *    rest moves to the front. Over UDP every datagram is parsed alone,
 *    with -b up to rx_batch of them from one recvmmsg().
 *
 * The loops are the engine's (engine.h): pipelined (-a N) and blocking
 * (-a 0). Every wait is bounded by --stall, and every run by -c or -t.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "cli.h"
#include "engine.h"

static int stream(const struct eng *e)
{
	return e->socktype == SOCK_STREAM;
}

/* UDP with -b: sendmmsg() and recvmmsg(). */
static int dgram_batch(const struct eng *e)
{
	return !stream(e) && e->batch && e->inflight;
}

int eng_wire_init(struct eng_worker *w)
{
	const struct eng *e = w->eng;
	unsigned batch = e->batch && e->inflight ? e->batch_max : 1;
	unsigned rxn = dgram_batch(e) ? e->rx_batch : 1;

	w->iov_cap = batch * e->req_iov;
	w->iov = calloc(w->iov_cap, sizeof(*w->iov));
	w->txbuf = malloc((size_t)batch * e->req_max + 1);
	w->rbuf = malloc(e->rx_max * rxn);
	if (!w->iov || !w->txbuf || !w->rbuf)
		return -ENOMEM;
	if (!dgram_batch(e))
		return 0;
	w->mm = calloc((size_t)batch + rxn, sizeof(*w->mm));
	w->rxiov = calloc(rxn, sizeof(*w->rxiov));
	if (!w->mm || !w->rxiov)
		return -ENOMEM;
	for (unsigned i = 0; i < batch + rxn; i++) {
		w->mm[i].msg_hdr.msg_iov = i < batch ? &w->iov[i] : &w->rxiov[i - batch];
		w->mm[i].msg_hdr.msg_iovlen = 1;
	}
	for (unsigned i = 0; i < rxn; i++) {
		w->rxiov[i].iov_base = w->rbuf + i * e->rx_max;
		w->rxiov[i].iov_len = e->rx_max;
	}
	return 0;
}

void eng_wire_free(struct eng_worker *w)
{
	free(w->iov);
	free(w->txbuf);
	free(w->rbuf);
	free(w->mm);
	free(w->rxiov);
}

void eng_tx_ref(struct eng_worker *w, const void *p, size_t len)
{
	struct iovec *last = w->n ? &w->iov[w->n - 1] : NULL;

	if (!len)
		return;
	if (last && stream(w->eng) && (const uint8_t *)last->iov_base + last->iov_len == p) {
		last->iov_len += len;	/* adjacent: one piece */
		return;
	}
	w->iov[w->n].iov_base = (void *)p;
	w->iov[w->n++].iov_len = len;
}

void eng_tx_put(struct eng_worker *w, size_t len)
{
	eng_tx_ref(w, w->txbuf + w->txlen, len);
	w->txlen += len;
}

size_t eng_tx_pending(const struct eng_worker *w)
{
	size_t n = 0;

	for (unsigned i = w->first; i < w->n; i++)
		n += w->iov[i].iov_len;
	return n;
}

/* The first words of an I/O error's message: "what: why (where)". */
static int io_fail(struct eng_worker *w, const char *what)
{
	char where[160] = "", addr[TARGET_ADDRSTR_MAX];
	int err = errno;

	if (err == ECONNREFUSED && !stream(w->eng))
		return eng_fail(w, "%s: %s (nothing listens on udp %s)", what, strerror(err),
				target_addr_str((const struct sockaddr *)&w->eng->tgt.addr,
						addr, sizeof(addr)));
	w->eng->p->where(w, where, sizeof(where));
	return eng_fail(w, "%s: %s (%s)", what, strerror(err), where);
}

/* May request w->seq start at now? Within -c and before -t, with room. */
static int may_start(struct eng_worker *w, uint64_t now, unsigned max)
{
	if (w->tx_stop || w->seq >= w->run_limit || w->n + w->eng->req_iov > w->iov_cap ||
	    max == 0)
		return 0;
	if (w->deadline && now >= w->deadline) {
		w->tx_stop = 1;
		return 0;
	}
	return 1;
}

/* Queue what may start: one request, or with -b every one. Returns how
 * many started. */
static unsigned fill(struct eng_worker *w, unsigned max)
{
	uint64_t now = cli_now_ns();
	unsigned k = 0;

	w->n = w->first = 0;
	w->txlen = 0;
	w->tx_now = now;
	if (w->eng->p->start_n) {
		uint64_t left = w->run_limit > w->seq ? w->run_limit - w->seq : 0;
		unsigned room = (w->iov_cap - w->n) / w->eng->req_iov;

		if (!may_start(w, now, max))
			return 0;
		max = max < room ? max : room;
		k = w->eng->p->start_n(w, now, left < max ? (unsigned)left : max);
		w->seq += k;
		return k;
	}
	while (may_start(w, now, max - k) && w->eng->p->start(w, now)) {
		w->seq++;
		k++;
	}
	return k;
}

/* n bytes went: drop them from the queue. */
static void tx_advance(struct eng_worker *w, size_t n)
{
	w->tx_bytes += n;
	w->sent += n;
	while (n && w->first < w->n) {
		struct iovec *v = &w->iov[w->first];

		if (n < v->iov_len) {
			v->iov_base = (uint8_t *)v->iov_base + n;
			v->iov_len -= n;
			return;
		}
		n -= v->iov_len;
		w->first++;
	}
}

/* Send what is queued. 1 when all of it went, 0 when the socket is full
 * (or a signal came), -1 failed. */
static int tx_send(struct eng_worker *w)
{
	struct msghdr mh = { .msg_iov = w->iov + w->first, .msg_iovlen = w->n - w->first };
	ssize_t r;
	int k;

	if (stream(w->eng)) {	/* send() of one piece costs less than sendmsg() */
		r = w->n - w->first == 1 ?
		    send(w->fd, w->iov[w->first].iov_base, w->iov[w->first].iov_len,
			 MSG_DONTWAIT | MSG_NOSIGNAL) :
		    sendmsg(w->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r > 0) {
			tx_advance(w, (size_t)r);
			eng_progress(w, w->tx_now);
		}
	} else if (!w->mm) {	/* one datagram */
		r = send(w->fd, w->iov[w->first].iov_base, w->iov[w->first].iov_len,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r >= 0)
			tx_advance(w, w->iov[w->first].iov_len);
	} else {
		k = sendmmsg(w->fd, w->mm + w->first, w->n - w->first, MSG_DONTWAIT | MSG_NOSIGNAL);
		r = k;
		for (int i = 0; i < k; i++)
			tx_advance(w, w->iov[w->first].iov_len);
	}
	if (r < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != ENOBUFS)
		return io_fail(w, w->mm ? "sendmmsg" : "send");
	return w->first == w->n;
}

/* Start what may start and send it, until none may or the socket is full
 * (*blocked). Bounded: each pass starts a request, and the tool's window
 * holds at most -a. 0 or -1. */
static int tx_ready(struct eng_worker *w, int *blocked, unsigned max)
{
	int rc;

	*blocked = 0;
	for (;;) {
		if (w->first == w->n && !fill(w, max))
			return 0;
		rc = tx_send(w);
		if (rc <= 0) {
			*blocked = rc == 0;
			return rc;
		}
	}
}

int eng_tx_early(struct eng_worker *w)
{
	int blocked;

	return tx_ready(w, &blocked, w->eng->batch ? w->eng->batch_max : 1);
}

/* A stream's bytes at the end of rbuf: the tool takes what it can. */
static int rx_stream(struct eng_worker *w, size_t r, uint64_t now)
{
	ssize_t took;

	w->rlen += r;
	took = w->eng->p->parse(w, w->rbuf, w->rlen, now);
	if (took < 0)
		return -1;
	if (took) {
		memmove(w->rbuf, w->rbuf + took, w->rlen - (size_t)took);
		w->rlen -= (size_t)took;
	}
	return 0;
}

/* One datagram of len bytes at buf. 0 or -1. */
static int dgram(struct eng_worker *w, const uint8_t *buf, size_t len, uint64_t now)
{
	w->rx_bytes += len;
	w->rcvd += len;
	return w->eng->p->parse(w, buf, len, now) < 0 ? -1 : 0;
}

/* UDP: one datagram, or with -b up to rx_batch. 1, 0 with errno (none,
 * or the receive failed: as recv()), or -1 failed. */
static int rx_dgram(struct eng_worker *w, int flags)
{
	const struct eng *e = w->eng;
	struct mmsghdr *mm = w->mm + e->batch_max;
	ssize_t r;
	int n;

	if (!w->mm) {
		r = recv(w->fd, w->rbuf, e->rx_max, flags | MSG_TRUNC);
		if (r > (ssize_t)e->rx_max)
			return eng_fail(w, "a reply datagram of %zd bytes: longer than %zu", r,
					e->rx_max);
		return r < 0 ? 0 : dgram(w, w->rbuf, (size_t)r, cli_now_ns()) ? -1 : 1;
	}
	n = recvmmsg(w->fd, mm, e->rx_batch, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		if (mm[i].msg_hdr.msg_flags & MSG_TRUNC)
			return eng_fail(w, "a reply datagram longer than %zu bytes", e->rx_max);
		if (dgram(w, w->rxiov[i].iov_base, mm[i].msg_len, cli_now_ns()))
			return -1;
	}
	if (n == 0)
		errno = EAGAIN;
	return n > 0;
}

/* One receive and what it completes: 2 when it filled the buffer (more
 * may be there), 1 bytes came (or EINTR), 0 none (EAGAIN, or a blocking
 * socket's timeout), -1 failed. */
static int rx(struct eng_worker *w, int flags)
{
	const struct eng *e = w->eng;
	size_t room = e->rx_max - w->rlen, want = room, k;
	char where[160];
	uint64_t now;
	ssize_t r;

	if (!stream(e)) {
		r = rx_dgram(w, flags);
		if (r)
			return (int)r;
	} else {
		if (e->p->rx_want && (k = e->p->rx_want(w)) && k < room)
			want = k;
		r = recv(w->fd, w->rbuf + w->rlen, want, flags);
		if (r > 0) {
			now = cli_now_ns();
			w->rx_bytes += (uint64_t)r;
			w->rcvd += (uint64_t)r;
			eng_progress(w, now);
			if (rx_stream(w, (size_t)r, now))
				return -1;
			return (size_t)r == room ? 2 : 1;
		}
		if (r == 0) {
			e->p->where(w, where, sizeof(where));
			return eng_fail(w, "connection closed by the server (%s)", where);
		}
	}
	if (errno == EINTR)
		return 1;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return io_fail(w, w->mm ? "recvmmsg" : "recv");
}

static int expire(struct eng_worker *w)
{
	return !stream(w->eng) && w->eng->p->expire ? w->eng->p->expire(w, cli_now_ns()) : 0;
}

/* Nothing may start: sleep in a blocking recv() (after spinning on
 * nonblocking ones for --busy-poll). Returns as rx(), or -1 after a
 * stall. */
static int rx_sleep(struct eng_worker *w)
{
	const struct eng *e = w->eng;
	uint64_t now;
	int rc;

	if (e->busy_poll_ns) {
		now = cli_now_ns();
		if (!w->spin_start)
			w->spin_start = now;
		if (now - w->spin_start < e->busy_poll_ns)
			return rx(w, MSG_DONTWAIT);
	}
	rc = rx(w, 0);
	if (rc || expire(w))	/* UDP -a 0: the call may be lost now */
		return rc ? rc : -1;
	if (!e->p->idle(w) && cli_now_ns() - w->last_progress >= e->stall_ns)
		return e->p->stall(w);
	return 0;
}

static int run_done(const struct eng_worker *w)
{
	return w->first == w->n && (w->tx_stop || w->seq >= w->run_limit) &&
	       w->eng->p->idle(w);
}

/* -a N: see engine.h. */
static int run_pipelined(struct eng_worker *w)
{
	const struct eng_proto *p = w->eng->p;
	unsigned max = w->eng->batch ? w->eng->batch_max : 1;
	int blocked, rc = 0;

	for (;;) {
		if (eng_gave_up(w) || expire(w) || tx_ready(w, &blocked, max))
			return -1;
		if (run_done(w))
			return 0;
		if (rc == 2)			/* the buffer filled up: read on */
			rc = rx(w, MSG_DONTWAIT);
		else if (!blocked && stream(w->eng))	/* nothing may start: sleep in recv() */
			rc = rx_sleep(w);
		else if ((rc = rx(w, MSG_DONTWAIT)) == 0)
			rc = eng_wait(w, (short)(POLLIN | (blocked ? POLLOUT : 0)),
				      p->timeout && !stream(w->eng) ? p->timeout(w) : 0);
		if (rc < 0)
			return -1;
	}
}

/* -a 0: one request, sent whole (draining replies if the socket fills
 * up), then sleep in recv() until it is answered (or, UDP, lost). */
static int run_blocking(struct eng_worker *w)
{
	int rc;

	for (;;) {
		if (eng_gave_up(w))
			return -1;
		if (w->first == w->n && !fill(w, 1))
			return 0;
		while ((rc = tx_send(w)) == 0)
			if (eng_wait(w, POLLIN | POLLOUT, 0) || rx(w, MSG_DONTWAIT) < 0)
				return -1;
		if (rc < 0)
			return -1;
		while (!w->eng->p->idle(w))
			if (rx_sleep(w) < 0)
				return -1;
	}
}

int eng_run(struct eng_worker *w)
{
	return w->eng->inflight ? run_pipelined(w) : run_blocking(w);
}
