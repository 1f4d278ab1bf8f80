// SPDX-License-Identifier: BSD-2-Clause
/*
 * echotest's protocol on the engine (tools/common/engine.h): message m of
 * thread t is the pattern of pattern.c; every echoed byte is checked
 * against what was sent, and the server may never send more than it was
 * sent. Two loops, as in the seed's echotest:
 *
 *  - pipelined (-a N): the engine's loop, up to N messages in flight; each
 *    completed echo lets a new message start. (A receive low-water mark
 *    of one message, as the seed's echotest sets, cost 20-50% more client
 *    CPU per 16 KiB message here for no more messages per second: not set.)
 *  - blocking (-a 0): send one message, then sleep in recv() until all of
 *    it is back; repeat. Sends use MSG_DONTWAIT so that a message larger
 *    than the socket buffers cannot deadlock against the server's echo: on
 *    EAGAIN we poll for both directions and drain the echo as it comes.
 *
 * By default a send() carries at most one message; with -b every message
 * that may start goes out in one sendmsg(). Reads go into a 64 KiB buffer
 * (at most the bytes still due) and are taken apart by stream position,
 * so partial messages and several messages per read are both fine.
 *
 * Every wait is bounded by --stall, and every run by -c or -t.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "cli.h"
#include "echotest.h"

#define RBUF_LEN	(64 * 1024)

#define fail(w, ...) eng_fail(&(w)->e, __VA_ARGS__)

static struct et_slot *slot(const struct et_worker *w, uint64_t m)
{
	return &w->slots[m % w->nslots];
}

/* May message m start now? Only within this run's count, before the time
 * limit, and with fewer than -a messages in flight. */
static int may_start(const struct et_worker *w, uint64_t m)
{
	return !w->e.tx_stop && m < w->e.run_limit && m - w->rx_msg < w->nslots;
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
	unsigned max = w->ctx->o->l.batch ? UINT_MAX : 1;
	uint64_t m = w->tx_msg;
	size_t off = w->tx_off;
	int n = 0;

	for (unsigned k = 0; k < max && n + 2 <= w->niov; k++, m++, off = 0) {
		if (off == 0) {
			if (!may_start(w, m))
				break;
			et_msg_header(slot(w, m)->hdr, w->e.id, m);
		}
		n += et_msg_iov(pat, slot(w, m)->hdr, w->e.id, m, off, w->iov + n);
	}
	return n;
}

/* Account for sent bytes handed to sendmsg() at time now: a message whose
 * first byte went out starts its RTT clock then. */
static void tx_advance(struct et_worker *w, size_t sent, uint64_t now)
{
	size_t len = w->ctx->pat.len, k;

	w->tx_total += sent;
	w->e.tx_bytes += sent;
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
	if (w->tx_off == 0 && w->e.deadline && now >= w->e.deadline) {
		w->e.tx_stop = 1;
		return 0;
	}
	mh.msg_iov = w->iov;
	mh.msg_iovlen = (size_t)build_iov(w);
	r = sendmsg(w->e.fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
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
	w->e.last_progress = now;
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
		    (unsigned long long)(w->rx_total + (bad - w->rx_off)),
		    et_msg_byte(pat, w->e.id, w->rx_msg, bad), got);
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
				    (unsigned long long)w->rx_total);
		k = n < avail ? n : avail;
		if (et_msg_check(&w->ctx->pat, w->e.id, w->rx_msg, w->rx_off, buf, k, &bad))
			return fail_mismatch(w, bad, buf[bad - w->rx_off]);
		w->rx_off += k;
		w->rx_total += k;
		w->e.rx_bytes += k;
		buf += k;
		n -= k;
		if (w->rx_off == len) {
			hist_add(&w->e.hist, now - slot(w, w->rx_msg)->t0);
			w->e.done++;
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
	uint64_t due = w->tx_total - w->rx_total;	/* sent, not yet echoed */
	size_t want = due && due < w->rbuf_len ? (size_t)due : w->rbuf_len;
	ssize_t r = recv(w->e.fd, w->rbuf, want, flags);
	uint64_t now;

	*more = 0;
	if (r > 0) {
		now = cli_now_ns();
		w->e.last_progress = now;
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
		char partial[96] = "";

	if (w->tx_off)
		snprintf(partial, sizeof(partial), ", message %llu sent up to byte %zu",
			 (unsigned long long)w->tx_msg, w->tx_off);
	return fail(w, "no progress for %.3f s: %llu message(s) in flight, echo of "
		    "message %llu has %zu of %zu bytes%s", (double)w->e.eng->stall_ns / 1e9,
		    (unsigned long long)(w->tx_msg - w->rx_msg + (w->tx_off > 0)),
		    (unsigned long long)w->rx_msg, w->rx_off, w->ctx->pat.len, partial);
}

static int tx_ready_cb(struct eng_worker *e, int *blocked)
{
	*blocked = 0;
	return tx_ready((struct et_worker *)e, blocked);
}

static int rx_cb(struct eng_worker *e, int flags)
{
	int more, rc = rx_once((struct et_worker *)e, flags, &more);

	return rc > 0 && more ? 2 : rc;
}

static int run_done_cb(const struct eng_worker *e)
{
	return run_done((const struct et_worker *)e);
}

static int stall_cb(struct eng_worker *e)
{
	return fail_stall((struct et_worker *)e);
}

/* -a 0: send one whole message, draining its echo meanwhile if the socket
 * fills up. Returns 1 when a message went out, 0 when the run is over. */
static int send_one_blocking(struct et_worker *w)
{
	uint64_t m = w->tx_msg;
	int blocked = 0, more;

	do {
		if (tx_once(w, &blocked) < 0)
			return -1;
		if (!blocked)
			continue;
		blocked = 0;
		if (eng_wait(&w->e, POLLIN | POLLOUT, 0) || rx_once(w, MSG_DONTWAIT, &more) < 0)
			return -1;
	} while (w->tx_off);
	return w->tx_msg != m;
}

static int run_blocking(struct et_worker *w)
{
	int more, rc;

	for (;;) {
		if (eng_gave_up(&w->e))
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

static int run(struct eng_worker *e)
{
	struct et_worker *w = (struct et_worker *)e;
	uint64_t count = e->eng->count;

	e->run_limit = count ? w->tx_msg + count : UINT64_MAX;
	return e->eng->inflight ? eng_pipelined(e) : run_blocking(w);
}

/* Buffers of one worker: O(inflight) slots, a 64 KiB receive buffer and the
 * iovecs of one sendmsg() (two per message; -b fills up to IOV_MAX). */
static int init(struct eng_worker *e)
{
	struct et_worker *w = (struct et_worker *)e;
	struct et_ctx *ctx = e->eng->tool;
	unsigned a = ctx->o->l.inflight ? ctx->o->l.inflight : 1;
	long iov_max = sysconf(_SC_IOV_MAX);

	if (iov_max < 2)
		iov_max = 16;
	w->ctx = ctx;
	w->nslots = a;
	w->niov = ctx->o->l.batch ? (int)(2ULL * a < (unsigned long)iov_max ? 2ULL * a
									   : (unsigned long)iov_max) : 2;
	w->rbuf_len = RBUF_LEN;
	w->slots = calloc(a, sizeof(*w->slots));
	w->rbuf = malloc(w->rbuf_len);
	w->iov = calloc((size_t)w->niov, sizeof(*w->iov));
	return w->slots && w->rbuf && w->iov ? 0 : -ENOMEM;
}

static void free_worker(struct eng_worker *e)
{
	struct et_worker *w = (struct et_worker *)e;

	free(w->slots);
	free(w->rbuf);
	free(w->iov);
}

const struct eng_proto et_proto = {
	.size = sizeof(struct et_worker),
	.init = init,
	.free = free_worker,
	.connected = NULL,
	.run = run,
	.tx_ready = tx_ready_cb,
	.rx = rx_cb,
	.run_done = run_done_cb,
	.stall = stall_cb,
};
