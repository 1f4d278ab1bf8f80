// SPDX-License-Identifier: BSD-2-Clause
/*
 * One connection's run loop. Two shapes, as in the seed's echotest:
 *
 *  - blocking (-a 0): send one message, then sleep in recv() until all of
 *    it is back; repeat. Sends use MSG_DONTWAIT so that a message larger
 *    than the socket buffers cannot deadlock against the server's echo: on
 *    EAGAIN we poll for both directions and drain the echo as it comes.
 *  - pipelined (-a N): up to N messages in flight; each completed echo
 *    lets a new message start. Sends never block (MSG_DONTWAIT); when
 *    nothing more may be sent the thread sleeps in recv() itself (the
 *    socket is blocking with --stall as its timeout, and SO_RCVLOWAT of a
 *    message wakes it once per message, as in the seed's echotest);
 *    poll() is only for a send that found the socket full.
 *
 * By default a send() carries at most one message; with -b every message
 * that may start goes out in one sendmsg(). Reads go into a 64 KiB buffer
 * and are taken apart by stream position, so partial messages and several
 * messages per read are both fine. Every byte is checked against what was
 * sent (pattern.c), and the server may never send more than it was sent.
 *
 * Every wait is bounded by --stall, and every run by -c or -t.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "cli.h"
#include "echotest.h"

static int fail(struct et_worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record why this worker failed (first reason wins) and tell the others. */
static int fail(struct et_worker *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	crew_vfail(w->err, sizeof(w->err), w->id, &w->ctx->failed, fmt, ap);
	va_end(ap);
	return -1;
}

static struct et_slot *slot(const struct et_worker *w, uint64_t m)
{
	return &w->slots[m % w->nslots];
}

/* May message m start now? Only within this run's count, before the time
 * limit, and with fewer than -a messages in flight. */
static int may_start(const struct et_worker *w, uint64_t m)
{
	return !w->tx_stop && m < w->run_limit && m - w->rx_msg < w->nslots;
}

static int run_done(const struct et_worker *w)
{
	return w->tx_off == 0 && w->rx_msg == w->tx_msg && !may_start(w, w->tx_msg);
}

/* The iovecs of what should go out next: the rest of a partly sent message,
 * then (with -b) every message that may start. Returns the iovec count. */
static int build_iov(struct et_worker *w)
{
	const struct et_pattern *pat = &w->ctx->pat;
	unsigned max = w->ctx->o->batch ? UINT_MAX : 1;
	uint64_t m = w->tx_msg;
	size_t off = w->tx_off;
	int n = 0;

	for (unsigned k = 0; k < max && n + 2 <= w->niov; k++, m++, off = 0) {
		if (off == 0) {
			if (!may_start(w, m))
				break;
			et_msg_header(slot(w, m)->hdr, w->id, m);
		}
		n += et_msg_iov(pat, slot(w, m)->hdr, w->id, m, off, w->iov + n);
	}
	return n;
}

/* Account for sent bytes handed to sendmsg() at time now: a message whose
 * first byte went out starts its RTT clock then. */
static void tx_advance(struct et_worker *w, size_t sent, uint64_t now)
{
	size_t len = w->ctx->pat.len, k;

	w->tx_bytes += sent;
	while (sent) {
		if (w->tx_off == 0)
			slot(w, w->tx_msg)->t0 = now;
		k = len - w->tx_off < sent ? len - w->tx_off : sent;
		w->tx_off += k;
		sent -= k;
		if (w->tx_off == len) {
			w->tx_msg++;
			w->tx_off = 0;
		}
	}
}

/* One sendmsg() of what is ready. Returns 1 when bytes went out (or a
 * signal interrupted), 0 when nothing is ready or the socket is full (then
 * *blocked is set), -1 on error. */
static int tx_once(struct et_worker *w, int *blocked)
{
	struct msghdr mh = { 0 };
	uint64_t now;
	ssize_t r;

	if (w->tx_off == 0 && !may_start(w, w->tx_msg))
		return 0;
	now = cli_now_ns();
	if (w->tx_off == 0 && w->deadline && now >= w->deadline) {
		w->tx_stop = 1;
		return 0;
	}
	mh.msg_iov = w->iov;
	mh.msg_iovlen = (size_t)build_iov(w);
	r = sendmsg(w->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (r < 0 && errno == EINTR)
		return 1;
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		*blocked = 1;
		return 0;
	}
	if (r < 0)
		return fail(w, "send: %s (message %llu, byte %zu)", strerror(errno),
			    (unsigned long long)w->tx_msg, w->tx_off);
	tx_advance(w, (size_t)r, now);
	w->last_progress = now;
	return 1;
}

/* Send until nothing is ready or the socket is full. Bounded: each message
 * takes at most a few calls before the socket fills up. */
static int tx_ready(struct et_worker *w, int *blocked)
{
	int rc = 1;

	for (unsigned i = 0; rc > 0 && i < 2 * w->nslots + 2; i++)
		rc = tx_once(w, blocked);
	return rc < 0 ? -1 : 0;
}

static int fail_mismatch(struct et_worker *w, size_t bad, uint8_t got)
{
	const struct et_pattern *pat = &w->ctx->pat;

	return fail(w, "corrupt echo: message %llu, byte %zu of %zu (stream offset "
		    "%llu): expected 0x%02x, got 0x%02x",
		    (unsigned long long)w->rx_msg, bad, pat->len,
		    (unsigned long long)(w->rx_bytes + (bad - w->rx_off)),
		    et_msg_byte(pat, w->id, w->rx_msg, bad), got);
}

/* Take n received bytes apart by stream position: check each against the
 * message it belongs to, and close the messages that are complete. */
static int rx_consume(struct et_worker *w, const uint8_t *buf, size_t n, uint64_t now)
{
	size_t len = w->ctx->pat.len, avail, k, bad;

	while (n) {
		avail = w->rx_msg < w->tx_msg ? len - w->rx_off : w->tx_off - w->rx_off;
		if (!avail)
			return fail(w, "server sent %zu byte(s) more than it was sent "
				    "(stream offset %llu)", n,
				    (unsigned long long)w->rx_bytes);
		k = n < avail ? n : avail;
		if (et_msg_check(&w->ctx->pat, w->id, w->rx_msg, w->rx_off, buf, k, &bad))
			return fail_mismatch(w, bad, buf[bad - w->rx_off]);
		w->rx_off += k;
		w->rx_bytes += k;
		buf += k;
		n -= k;
		if (w->rx_off == len) {
			hist_add(&w->hist, now - slot(w, w->rx_msg)->t0);
			w->msgs++;
			w->bytes += len;
			w->rx_msg++;
			w->rx_off = 0;
		}
	}
	return 0;
}

/* One recv(). Returns 1 when bytes came (or a signal interrupted), 0 when
 * none were there (EAGAIN: with a blocking socket, SO_RCVTIMEO expired),
 * -1 on error or end of stream. *more tells whether the buffer was filled. */
static int rx_once(struct et_worker *w, int flags, int *more)
{
	uint64_t due = w->tx_bytes - w->rx_bytes;	/* sent, not yet echoed */
	size_t want = due && due < w->rbuf_len ? (size_t)due : w->rbuf_len;
	ssize_t r = recv(w->fd, w->rbuf, want, flags);
	uint64_t now;

	*more = 0;
	if (r > 0) {
		now = cli_now_ns();
		w->last_progress = now;
		*more = (size_t)r == w->rbuf_len;
		return rx_consume(w, w->rbuf, (size_t)r, now) ? -1 : 1;
	}
	if (r == 0)
		return fail(w, "connection closed by the server at message %llu, "
			    "byte %zu of %zu echoed", (unsigned long long)w->rx_msg,
			    w->rx_off, w->ctx->pat.len);
	if (errno == EINTR)
		return 1;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	return fail(w, "recv: %s (message %llu)", strerror(errno),
		    (unsigned long long)w->rx_msg);
}

static int fail_stall(struct et_worker *w)
{
	const struct et_opts *o = w->ctx->o;
	char partial[96] = "";

	if (w->tx_off)
		snprintf(partial, sizeof(partial), ", message %llu sent up to byte %zu",
			 (unsigned long long)w->tx_msg, w->tx_off);
	return fail(w, "no progress for %.3f s: %llu message(s) in flight, echo of "
		    "message %llu has %zu of %zu bytes%s", (double)o->stall_ns / 1e9,
		    (unsigned long long)(w->tx_msg - w->rx_msg + (w->tx_off > 0)),
		    (unsigned long long)w->rx_msg, w->rx_off, w->ctx->pat.len, partial);
}

/* Wait for the socket to be readable (and writable when blocked), at most
 * until the stall limit. revents is 0 after a timeout. */
static int wait_io(struct et_worker *w, struct pollfd *pfd, int blocked)
{
	uint64_t now = cli_now_ns(), until = w->last_progress + w->ctx->o->stall_ns;
	int n;

	pfd->revents = 0;
	if (now >= until)
		return fail_stall(w);
	pfd->events = POLLIN | (blocked ? POLLOUT : 0);
	n = poll(pfd, 1, (int)((until - now + 999999) / 1000000));
	if (n < 0 && errno != EINTR)
		return fail(w, "poll: %s", strerror(errno));
	if (n <= 0)
		pfd->revents = 0;
	return 0;
}

static int gave_up(struct et_worker *w)
{
	return crew_gave_up(w->err, sizeof(w->err), w->id, &w->ctx->failed, &w->quit);
}

/* Nothing may be sent: sleep in recv() itself until echoed bytes come
 * (the socket is blocking, with --stall as its receive timeout, and its
 * low-water mark wakes it for a whole message). 0 or -1. */
static int rx_sleep(struct et_worker *w, int *more)
{
	int rc = rx_once(w, 0, more);

	if (rc < 0)
		return -1;
	if (rc == 0 && cli_now_ns() - w->last_progress >= w->ctx->o->stall_ns)
		return fail_stall(w);
	return 0;
}

/* -a N: keep N messages in flight. Each pass sends what may go, then
 * reads: straight away when the last read filled the buffer, in a
 * blocking recv() when nothing more may be sent, or after poll() for both
 * directions when a send found the socket full. */
static int run_pipelined(struct et_worker *w)
{
	struct pollfd pfd = { .fd = w->fd };
	int blocked = 0, more = 0;

	for (;;) {
		if (gave_up(w))
			return -1;
		if (!blocked && tx_ready(w, &blocked))
			return -1;
		if (run_done(w))
			return 0;
		if (more || !blocked) {
			if (more ? rx_once(w, MSG_DONTWAIT, &more) < 0 : rx_sleep(w, &more))
				return -1;
			continue;
		}
		if (wait_io(w, &pfd, blocked))
			return -1;
		if (pfd.revents & POLLOUT)
			blocked = 0;
		if ((pfd.revents & (POLLIN | POLLERR | POLLHUP)) &&
		    rx_once(w, MSG_DONTWAIT, &more) < 0)
			return -1;
	}
}

/* -a 0: send one whole message, draining its echo meanwhile if the socket
 * fills up. Returns 1 when a message went out, 0 when the run is over. */
static int send_one_blocking(struct et_worker *w)
{
	struct pollfd pfd = { .fd = w->fd };
	uint64_t m = w->tx_msg;
	int blocked = 0, more;

	do {
		if (tx_once(w, &blocked) < 0)
			return -1;
		if (!blocked)
			continue;
		blocked = 0;
		if (wait_io(w, &pfd, 1))
			return -1;
		if ((pfd.revents & (POLLIN | POLLERR | POLLHUP)) &&
		    rx_once(w, MSG_DONTWAIT, &more) < 0)
			return -1;
	} while (w->tx_off);
	return w->tx_msg != m;
}

static int run_blocking(struct et_worker *w)
{
	int more, rc;

	for (;;) {
		if (gave_up(w))
			return -1;
		rc = send_one_blocking(w);
		if (rc <= 0)
			return rc;
		while (w->rx_msg < w->tx_msg) {
			rc = rx_once(w, 0, &more);
			if (rc < 0)
				return -1;
			if (rc == 0)
				return fail_stall(w);
		}
	}
}

int et_client_run(struct et_worker *w)
{
	const struct et_opts *o = w->ctx->o;
	int rc;

	hist_reset(&w->hist);
	w->msgs = w->bytes = 0;
	w->err[0] = '\0';
	w->quit = 0;
	w->tx_stop = 0;
	w->start_ns = cli_now_ns();
	w->last_progress = w->start_ns;
	w->run_limit = o->count ? w->tx_msg + o->count : UINT64_MAX;
	w->deadline = o->time_ns ? w->start_ns + o->time_ns : 0;
	rc = o->inflight ? run_pipelined(w) : run_blocking(w);
	w->end_ns = cli_now_ns();
	return rc;
}
