// SPDX-License-Identifier: BSD-2-Clause
/*
 * The epoll backend: level-triggered readiness, receive buffers that
 * output queues may reference (rxbuf.c), reads bounded per connection per
 * turn (so one busy connection cannot starve the others), one sendmsg of
 * up to KSF_IOV_MAX queued chunks per connection per flush, EPOLLOUT only
 * while output is stuck.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "ksf_int.h"

enum { TAG_EVFD = 1, TAG_LISTEN = 2, TAG_CONN = 3, TAG_MASK = 7 };
#define MAX_EVENTS	256
#define READS_PER_EVENT	4
#define ACCEPTS_PER_EVENT 64
#define RX_REFS_PER_CONN 32	/* receive buffer references per connection */

struct ep {
	int fd;
	struct epoll_event ev[MAX_EVENTS];
};

static int ep_ctl(struct ksf__worker *w, int op, int fd, uint32_t events, uint64_t data)
{
	struct ep *ep = w->be_state;
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep->fd, op, fd, &ev) ? -errno : 0;
}

static int ep_init(struct ksf__worker *w)
{
	struct ep *ep = calloc(1, sizeof(*ep));
	int err;

	if (!ep)
		return -ENOMEM;
	w->rxlen = w->pool->o.buf_size > 65536 ? w->pool->o.buf_size : 65536;
	w->rx_refs_max = RX_REFS_PER_CONN;
	if ((ep->fd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		err = -errno;
		free(ep);
		return err;
	}
	w->be_state = ep;
	return ep_ctl(w, EPOLL_CTL_ADD, w->evfd, EPOLLIN, TAG_EVFD);
}

static void ep_fini(struct ksf__worker *w)
{
	struct ep *ep = w->be_state;

	ksf__worker_reap_all(w);
	ksf__rxbuf_fini(w);
	close(ep->fd);
	free(ep);
	w->be_state = NULL;
}

static int ep_listen_start(struct ksf__worker *w, struct ksf__listener *l)
{
	return ep_ctl(w, EPOLL_CTL_ADD, l->fd, EPOLLIN, (uintptr_t)l | TAG_LISTEN);
}

static void ep_listen_pause(struct ksf__worker *w, struct ksf__listener *l)
{
	(void)ep_ctl(w, EPOLL_CTL_DEL, l->fd, 0, 0);	/* listen_start adds it again */
}

static void ep_listen_stop(struct ksf__worker *w, struct ksf__listener *l)
{
	(void)w;
	close(l->fd);	/* also removes it from the epoll set */
	l->fd = -1;
	l->armed = 0;
	l->stopping = 1;
}

static int ep_conn_start(struct ksf__worker *w, struct ksf_conn *c)
{
	/* open_cb may have paused reading already (output above outq_high) */
	uint32_t ev = c->flags & KSF__C_RDPAUSED ? 0 : EPOLLIN;

	return ep_ctl(w, EPOLL_CTL_ADD, c->fd, ev, (uintptr_t)c | TAG_CONN);
}

static void ep_conn_update(struct ksf__worker *w, struct ksf_conn *c)
{
	uint32_t ev = 0;

	if (!(c->flags & KSF__C_RDPAUSED))
		ev |= EPOLLIN;
	if (c->flags & KSF__C_WANTOUT)
		ev |= EPOLLOUT;
	(void)ep_ctl(w, EPOLL_CTL_MOD, c->fd, ev, (uintptr_t)c | TAG_CONN);
}

static void ep_conn_read(struct ksf__worker *w, struct ksf_conn *c, bool on)
{
	(void)on;	/* the flag in c->flags already says it */
	ep_conn_update(w, c);
}

static void ep_conn_flush(struct ksf__worker *w, struct ksf_conn *c)
{
	int rc = ksf__conn_send_now(c);
	bool want_out = rc == 1;

	if (rc < 0)
		return;
	if (want_out != !!(c->flags & KSF__C_WANTOUT)) {
		c->flags ^= KSF__C_WANTOUT;
		ep_conn_update(w, c);
	}
}

static void ep_conn_release(struct ksf__worker *w, struct ksf_conn *c)
{
	(void)w;
	close(c->fd);
	c->fd = -1;
	ksf__conn_free(c);
}

static void on_listener(struct ksf__worker *w, struct ksf__listener *l)
{
	if (l->dgram) {
		ksf__udp_readable(w, l);
		return;
	}
	for (int i = 0; i < ACCEPTS_PER_EVENT && l->fd >= 0 && !l->backoff; i++) {
		int fd = ksf__accept4(l->fd, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			ksf__conn_accepted(w, l, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno != EAGAIN)
			ksf__accept_error(w, l, errno, true);
		break;
	}
}

static void on_conn(struct ksf__worker *w, struct ksf_conn *c, uint32_t ev)
{
	if (ev & (EPOLLERR | EPOLLHUP)) {	/* reset or both sides shut: nothing can be sent */
		ksf__conn_error(c, ECONNRESET);
		return;
	}
	if (ev & EPOLLOUT)
		ep_conn_flush(w, c);
	if (!(ev & EPOLLIN))
		return;
	for (int i = 0; i < READS_PER_EVENT; i++) {
		if (c->flags & (KSF__C_DEAD | KSF__C_CLOSING | KSF__C_RDPAUSED))
			return;
		struct ksf__rxbuf *b = ksf__rxbuf_cur(w);
		if (!b) {
			ksf__conn_error(c, ENOMEM);
			return;
		}
		size_t room = b->cap - b->used;
		ssize_t n = recv(c->fd, b->data + b->used, room, MSG_DONTWAIT);
		if (n > 0) {
			ksf__conn_input(c, b->data + b->used, (size_t)n, b);
			ksf__rxbuf_received(w, b, (size_t)n);
			if ((size_t)n < room)
				return;
		} else if (n == 0) {
			ksf__conn_eof(c);
			return;
		} else if (errno == EINTR) {
			continue;
		} else {
			if (errno != EAGAIN)
				ksf__conn_error(c, errno);
			return;
		}
	}
}

static void dispatch(struct ksf__worker *w, int n)
{
	struct ep *ep = w->be_state;

	w->now_ns = ksf__now_ns();
	for (int i = 0; i < n; i++) {
		uint64_t d = ep->ev[i].data.u64;
		void *p = (void *)(uintptr_t)(d & ~(uint64_t)TAG_MASK);

		switch (d & TAG_MASK) {
		case TAG_EVFD: ksf__worker_drain_evfd(w); break;
		case TAG_LISTEN: on_listener(w, p); break;
		case TAG_CONN: on_conn(w, p, ep->ev[i].events); break;
		}
	}
}

static int ep_wait(struct ksf__worker *w, int timeout)
{
	struct ep *ep = w->be_state;
	unsigned spin = w->pool->o.busy_poll_us;
	int n;

	if (spin && timeout != 0) {	/* Onload-style: spin before sleeping */
		uint64_t end = ksf__now_ns() + (uint64_t)spin * 1000u;
		do {
			n = epoll_wait(ep->fd, ep->ev, MAX_EVENTS, 0);
			if (n > 0) {
				dispatch(w, n);
				return n;
			}
			if (ksf__tasks_pending(w))
				return 0;
		} while (ksf__now_ns() < end);
	}
	if (timeout != 0 && !ksf__worker_prepare_sleep(w))
		timeout = 0;
	n = epoll_wait(ep->fd, ep->ev, MAX_EVENTS, timeout);
	ksf__worker_after_sleep(w);
	if (n > 0)
		dispatch(w, n);
	return n < 0 ? -errno : n;
}

const struct ksf__backend ksf__backend_epoll = {
	.name = "epoll",
	.init = ep_init,
	.fini = ep_fini,
	.listen_start = ep_listen_start,
	.listen_stop = ep_listen_stop,
	.listen_pause = ep_listen_pause,
	.conn_start = ep_conn_start,
	.conn_read = ep_conn_read,
	.conn_flush = ep_conn_flush,
	.conn_release = ep_conn_release,
	.wait = ep_wait,
	.trim = ksf__rxbuf_trim,
	.rx_hold = ksf__rxbuf_hold,
	.rx_put = ksf__rxbuf_put,
};
