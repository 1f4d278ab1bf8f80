// SPDX-License-Identifier: BSD-2-Clause
/*
 * The io_uring backend (liburing): multishot accept, multishot receive into
 * a provided-buffer ring (an application-owned buffer pool the kernel fills,
 * as netmap's buffers in PASTE, seed 002), and one submission per loop turn
 * (io_uring_submit_and_wait). user_data is a pointer with a kind tag in its
 * low bits; completions are handled in one pass with one cq_advance.
 *
 * Output goes out with a direct sendmsg(MSG_DONTWAIT) per connection per
 * flush, every queued chunk in one call; only a full socket goes through
 * the ring, as a POLLOUT poll. An io_uring sendmsg to a socket with room
 * runs inline during the submit anyway, doing the same work, and its
 * completion then ends the turn's wait at once: one more io_uring_enter
 * and loop pass per turn (docs/architecture.md has the measurements).
 *
 * A connection's memory is freed only when no SQE refers to it any more:
 * closing cancels its requests and waits for their last completions.
 *
 * No path depends on a free SQE: with the submission queue full even after
 * a submit, an arm or a cancel is noted (the eventfd poll, a listener, a
 * connection on a to-do list) and redone before the next submission.
 * KSF_URING_SQ_ENTRIES sets the queue size (tests use a tiny one).
 */
#include "config.h"
#if KSF_HAVE_URING
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <liburing.h>
#include "ksf_int.h"

enum { K_EVFD = 1, K_ACCEPT = 2, K_RECV = 3, K_REFUSE = 4, K_IGNORE = 5, K_POLLOUT = 6,
       K_FILE = 7, K_MASK = 7 };
#define BGID		0
#define SQ_ENTRIES	4096
#define CQ_ENTRIES	16384
#define REFUSE_SLOTS	16	/* registered file slots for refused connections */
#ifndef IORING_FEAT_MIN_TIMEOUT
#define IORING_FEAT_MIN_TIMEOUT	(1U << 15)	/* Linux 6.12; liburing 2.3 lacks it */
#endif

struct ur {
	struct io_uring ring;
	struct io_uring_buf_ring *br;
	char *bufs;			/* nbufs x bufsz, mmap()ed */
	unsigned nbufs, bufsz;
	int br_added;			/* buffers given back, not yet published */
	unsigned *brefs;		/* per buffer: output chunks referencing it */
	unsigned held, held_max;	/* buffers referenced; at most half the ring */
	struct ksf__dlist zombies;	/* released conns waiting for completions */
	unsigned features;		/* IORING_FEAT_* of the ring */
	unsigned batch_us, batch_cqes;	/* completion batching (pool options), 0: off */
	struct ksf__batch batch;	/* whether busy waits batch now (batch.c) */
	int last_reaped;		/* completions the last wait brought */
	struct ksf_conn *todo;		/* connections with an arm or cancel to redo */
	int todo_evfd, todo_listen;	/* the eventfd poll, a listener: to redo */
	int direct;			/* REFUSE_SLOTS registered: refuse without descriptors */
	uint64_t ops[4];		/* IORING_OP_* this kernel supports (probe), a bit each */
};

static struct io_uring_sqe *sqe_get(struct ur *u, void *p, int kind)
{
	struct io_uring_sqe *sqe;

	if (ksf__fault(KSF__FAULT_SQE))
		return NULL;
	sqe = io_uring_get_sqe(&u->ring);
	if (!sqe) {	/* SQ full: submit what is there and take a fresh one */
		io_uring_submit(&u->ring);
		sqe = io_uring_get_sqe(&u->ring);
	}
	if (sqe)
		io_uring_sqe_set_data64(sqe, (uintptr_t)p | (uint64_t)kind);
	return sqe;
}

static unsigned pow2_floor(unsigned v)
{
	unsigned p = 1;

	while (p * 2 <= v && p < 32768)
		p *= 2;
	return p;
}

static int setup_ring(struct ur *u)
{
	struct io_uring_params p = { .flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER |
					      IORING_SETUP_DEFER_TASKRUN, .cq_entries = CQ_ENTRIES };
	const char *env = getenv("KSF_URING_SQ_ENTRIES");
	unsigned sq = env ? (unsigned)strtoul(env, NULL, 10) : 0;
	int err;

	if (sq < 1 || sq > SQ_ENTRIES)
		sq = SQ_ENTRIES;
	err = io_uring_queue_init_params(sq, &u->ring, &p);

	if (err == -EINVAL) {	/* older kernel: no single-issuer / deferred task work */
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE;
		p.cq_entries = CQ_ENTRIES;
		err = io_uring_queue_init_params(sq, &u->ring, &p);
	}
	u->features = p.features;
	return err;
}

/* The operations this kernel's io_uring supports: file operations of
 * kinds it lacks (IORING_OP_FTRUNCATE before Linux 6.9) go to helpers. */
static void probe_ops(struct ur *u)
{
	struct io_uring_probe *pr = io_uring_get_probe_ring(&u->ring);

	if (!pr)
		return;
	for (unsigned op = 0; op < 256; op++)
		if (io_uring_opcode_supported(pr, (int)op))
			u->ops[op / 64] |= 1ull << (op % 64);
	io_uring_free_probe(pr);
}

static int setup_bufs(struct ur *u, unsigned nbufs, unsigned bufsz)
{
	struct io_uring_buf_reg reg = { 0 };
	int err;

	u->nbufs = pow2_floor(nbufs);
	u->bufsz = bufsz;
	u->held_max = u->nbufs / 2;	/* the other half always goes back to the ring */
	if (!(u->brefs = calloc(u->nbufs, sizeof(*u->brefs))) ||
	    posix_memalign((void **)&u->br, 4096, u->nbufs * sizeof(struct io_uring_buf)))
		return -ENOMEM;
	/* its own mapping, so that an idle trim can drop its pages */
	u->bufs = mmap(NULL, (size_t)u->nbufs * bufsz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (u->bufs == MAP_FAILED) {
		u->bufs = NULL;
		return -ENOMEM;
	}
	reg.ring_addr = (uintptr_t)u->br;
	reg.ring_entries = u->nbufs;
	reg.bgid = BGID;
	if ((err = io_uring_register_buf_ring(&u->ring, &reg, 0)))
		return err;
	io_uring_buf_ring_init(u->br);
	for (unsigned i = 0; i < u->nbufs; i++)
		io_uring_buf_ring_add(u->br, u->bufs + (size_t)i * bufsz, bufsz, (unsigned short)i,
				      io_uring_buf_ring_mask(u->nbufs), (int)i);
	io_uring_buf_ring_advance(u->br, (int)u->nbufs);
	return 0;
}

static void arm_evfd(struct ksf__worker *w)
{
	struct ur *u = w->be_state;
	struct io_uring_sqe *sqe = sqe_get(u, NULL, K_EVFD);

	if (!sqe) {
		u->todo_evfd = 1;
		return;
	}
	io_uring_prep_poll_multishot(sqe, w->evfd, POLLIN);
	io_uring_sqe_set_data64(sqe, K_EVFD);
}

/* No SQE for a connection's arm or cancel: redone before the next submit. */
static void todo_conn(struct ur *u, struct ksf_conn *c)
{
	if (c->ur_todo)
		return;
	c->ur_todo = 1;
	c->todo_next = u->todo;
	u->todo = c;
}

static void todo_listener(struct ur *u, struct ksf__listener *l)
{
	l->ur_todo = 1;
	u->todo_listen = 1;
}

static void ur_free(struct ur *u)
{
	if (u->bufs)
		munmap(u->bufs, (size_t)u->nbufs * u->bufsz);
	free(u->br);
	free(u->brefs);
	free(u);
}

static int ur_init(struct ksf__worker *w)
{
	struct ur *u = calloc(1, sizeof(*u));
	int err;

	if (!u)
		return -ENOMEM;
	ksf__dlist_init(&u->zombies);
	if ((err = setup_ring(u))) {
		ur_free(u);
		return err;
	}
	if ((err = setup_bufs(u, w->pool->o.nbufs, w->pool->o.buf_size))) {
		io_uring_queue_exit(&u->ring);
		ur_free(u);
		return err;
	}
	w->be_state = u;
	probe_ops(u);
	/* the table counts against RLIMIT_NOFILE: fewer slots under a low one */
	for (unsigned n = REFUSE_SLOTS; n && !u->direct; n /= 2)
		u->direct = io_uring_register_files_sparse(&u->ring, n) == 0;
	if (w->pool->o.batch_wait_us) {
		if (u->features & IORING_FEAT_MIN_TIMEOUT) {
			u->batch_us = w->pool->o.batch_wait_us;
			u->batch_cqes = w->pool->o.batch_cqes;
			ksf__batch_init(&u->batch, w->pool->o.batch_adaptive);
		} else if (w->idx == 0 && !w->pool->o.batch_adaptive) {
			ksf__log(w->pool, KSF_LOG_WARN, "batch wait needs Linux 6.12 "
				 "(IORING_FEAT_MIN_TIMEOUT): off");
		}
	}
	/* completions posted before a pause's cancel takes effect: at most
	 * every provided buffer once */
	w->late_cap = (size_t)u->nbufs * u->bufsz;
	w->rx_refs_max = u->nbufs / 4 ? u->nbufs / 4 : 1;
	arm_evfd(w);
	return 0;
}

static void ur_fini(struct ksf__worker *w)
{
	struct ur *u = w->be_state;

	io_uring_queue_exit(&u->ring);	/* cancels everything still in flight */
	while (!ksf__dlist_empty(&u->zombies)) {
		struct ksf_conn *c = ksf__container_of(u->zombies.next, struct ksf_conn, lru);
		ksf__dlist_del(&c->lru);
		close(c->fd);
		ksf__conn_free(c);
	}
	ksf__worker_reap_all(w);
	ur_free(u);
	w->be_state = NULL;
}

/* Arm the listener's accept: the multishot accept, or while paused at the
 * descriptor limit the refuser, a multishot accept into a registered file
 * slot (no descriptor needed) whose connections are closed at once, so
 * that clients over the limit are refused, not left in the queue. */
static int listen_arm(struct ksf__worker *w, struct ksf__listener *l)
{
	struct ur *u = w->be_state;
	int refuse = l->backoff && !l->dgram;
	struct io_uring_sqe *sqe;

	if (refuse && !u->direct)
		return 0;	/* paused: the timer re-arms */
	if (!(sqe = sqe_get(u, l, refuse ? K_REFUSE : K_ACCEPT))) {
		todo_listener(u, l);
		return 0;
	}
	if (l->dgram)	/* UDP: readiness, then recvmmsg batches (udp.c) */
		io_uring_prep_poll_multishot(sqe, l->fd, POLLIN);
	else if (refuse)
		io_uring_prep_multishot_accept_direct(sqe, l->fd, NULL, NULL, 0);
	else	/* blocking sockets: io_uring then waits for room itself, where
		 * an O_NONBLOCK socket would complete sends with -EAGAIN */
		io_uring_prep_multishot_accept(sqe, l->fd, NULL, NULL, SOCK_CLOEXEC);
	l->armed = 1;
	l->refusing = refuse;
	return 0;
}

static void listen_cancel(struct ksf__worker *w, struct ksf__listener *l)
{
	struct io_uring_sqe *sqe = sqe_get(w->be_state, NULL, K_IGNORE);

	if (!sqe) {
		todo_listener(w->be_state, l);
		return;
	}
	io_uring_prep_cancel64(sqe, (uintptr_t)l | (l->refusing ? K_REFUSE : K_ACCEPT), 0);
}

/* Start accepting, or again after a pause: the refuser's last completion
 * arms the accept. */
static int ur_listen_start(struct ksf__worker *w, struct ksf__listener *l)
{
	if (!l->armed)
		return listen_arm(w, l);
	if (l->refusing)
		listen_cancel(w, l);
	return 0;
}

/* Paused (l->backoff): the accept's last completion arms the refuser. */
static void ur_listen_pause(struct ksf__worker *w, struct ksf__listener *l)
{
	if (!l->armed)
		listen_arm(w, l);
	else if (!l->refusing)
		listen_cancel(w, l);
}

static void listener_closed(struct ksf__worker *w, struct ksf__listener *l)
{
	close(l->fd);
	l->fd = -1;
	ksf__svc_worker_check_done(&l->svc->sws[w->idx]);
}

static void ur_listen_stop(struct ksf__worker *w, struct ksf__listener *l)
{
	l->stopping = 1;
	if (!l->armed) {
		close(l->fd);
		l->fd = -1;
		return;
	}
	listen_cancel(w, l);
}

static void arm_recv(struct ksf__worker *w, struct ksf_conn *c)
{
	struct io_uring_sqe *sqe = sqe_get(w->be_state, c, K_RECV);

	if (!sqe) {
		todo_conn(w->be_state, c);
		return;
	}
	io_uring_prep_recv_multishot(sqe, c->fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	c->inflight++;
	c->recv_armed = 1;
}

static void cancel_recv(struct ksf__worker *w, struct ksf_conn *c)
{
	struct io_uring_sqe *sqe = sqe_get(w->be_state, NULL, K_IGNORE);

	if (!sqe) {
		todo_conn(w->be_state, c);
		return;
	}
	io_uring_prep_cancel64(sqe, (uintptr_t)c | K_RECV, 0);
	c->recv_cancel = 1;
}

static int ur_conn_start(struct ksf__worker *w, struct ksf_conn *c)
{
	/* open_cb may have paused reading (output above outq_high) already */
	if (!(c->flags & (KSF__C_RDPAUSED | KSF__C_CLOSING)))
		arm_recv(w, c);
	return 0;
}

static void ur_conn_read(struct ksf__worker *w, struct ksf_conn *c, bool on)
{
	if (on) {
		if (!c->recv_armed)
			arm_recv(w, c);
		return;	/* a cancel in flight: its last completion re-arms */
	}
	if (c->recv_armed && !c->recv_cancel)
		cancel_recv(w, c);
}

static void ur_conn_flush(struct ksf__worker *w, struct ksf_conn *c)
{
	struct io_uring_sqe *sqe;

	if (c->send_busy || !c->out.bytes || ksf__conn_send_now(c) != 1)
		return;
	/* the socket is full: wait for room, never spin */
	if (!(sqe = sqe_get(w->be_state, c, K_POLLOUT))) {
		ksf__conn_want_flush(c);
		return;
	}
	io_uring_prep_poll_add(sqe, c->fd, POLLOUT);
	c->inflight++;
	c->send_busy = 1;
}

static void maybe_free(struct ksf_conn *c)
{
	if (!c->released || c->inflight || c->ur_todo)
		return;
	ksf__dlist_del(&c->lru);
	close(c->fd);
	ksf__conn_free(c);
}

static void cancel_all(struct ksf__worker *w, struct ksf_conn *c)
{
	struct io_uring_sqe *sqe = sqe_get(w->be_state, NULL, K_IGNORE);

	if (!sqe) {
		todo_conn(w->be_state, c);
		return;
	}
	io_uring_prep_cancel_fd(sqe, c->fd, IORING_ASYNC_CANCEL_ALL);
}

static void ur_conn_release(struct ksf__worker *w, struct ksf_conn *c)
{
	struct ur *u = w->be_state;

	c->released = 1;
	ksf__dlist_add_tail(&u->zombies, &c->lru);
	if (c->inflight)
		cancel_all(w, c);
	maybe_free(c);
}

/* ---- work that found no free SQE ---- */

/* Bring a connection's requests in line with its state. */
static void conn_sync(struct ksf__worker *w, struct ksf_conn *c)
{
	if (c->released) {
		if (c->inflight)
			cancel_all(w, c);
		maybe_free(c);
	} else if (c->flags & KSF__C_DEAD) {
		return;
	} else if (!(c->flags & (KSF__C_RDPAUSED | KSF__C_CLOSING))) {
		if (!c->recv_armed)
			arm_recv(w, c);
	} else if (c->recv_armed && !c->recv_cancel) {
		cancel_recv(w, c);
	}
}

static void listeners_sync(struct ksf__worker *w)
{
	for (struct ksf__svc_worker *sw = w->svcs; sw; sw = sw->next)
		for (int a = 0; a < sw->svc->naddrs; a++) {
			struct ksf__listener *l = &sw->ls[a];

			if (!l->ur_todo)
				continue;
			l->ur_todo = 0;
			if (l->fd < 0)
				continue;
			if (l->armed && (l->stopping || l->backoff != l->refusing))
				listen_cancel(w, l);
			else if (!l->armed && !l->stopping)
				listen_arm(w, l);
		}
}

/* Redo what found no SQE. Returns true if some of it still waits. */
static bool run_todo(struct ksf__worker *w)
{
	struct ur *u = w->be_state;
	struct ksf_conn *c, *list = u->todo;

	u->todo = NULL;
	if (u->todo_evfd) {
		u->todo_evfd = 0;
		arm_evfd(w);
	}
	if (u->todo_listen) {
		u->todo_listen = 0;
		listeners_sync(w);
	}
	while ((c = list)) {
		list = c->todo_next;
		c->ur_todo = 0;
		conn_sync(w, c);
	}
	return u->todo || u->todo_evfd || u->todo_listen;
}

/* ---- completions ---- */

static void give_back_buf(struct ur *u, unsigned bid)
{
	io_uring_buf_ring_add(u->br, u->bufs + (size_t)bid * u->bufsz, u->bufsz,
			      (unsigned short)bid, io_uring_buf_ring_mask(u->nbufs), u->br_added);
	u->br_added++;
}

static void publish_bufs(struct ur *u)
{
	if (u->br_added) {
		io_uring_buf_ring_advance(u->br, u->br_added);
		u->br_added = 0;
	}
}

/* ksf_conn_send_input queues input by reference: the provided buffer stays
 * out of the ring until its last reference is sent (rx_put), within
 * held_max, so that peers that do not read cannot empty the ring. The
 * handle is the buffer id + 1. */
static bool ur_rx_hold(struct ksf__worker *w, void *rxbuf)
{
	struct ur *u = w->be_state;
	unsigned bid = (unsigned)((uintptr_t)rxbuf - 1);

	if (!u->brefs[bid]) {
		if (u->held >= u->held_max)
			return false;
		u->held++;
	}
	u->brefs[bid]++;
	return true;
}

static void ur_rx_put(struct ksf__worker *w, void *rxbuf)
{
	struct ur *u = w->be_state;
	unsigned bid = (unsigned)((uintptr_t)rxbuf - 1);

	if (--u->brefs[bid])
		return;
	u->held--;
	give_back_buf(u, bid);	/* published before the next wait */
}

static void on_recv(struct ksf__worker *w, struct ksf_conn *c, struct io_uring_cqe *cqe)
{
	struct ur *u = w->be_state;
	int res = cqe->res;

	if (cqe->flags & IORING_CQE_F_BUFFER) {
		unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
		if (res > 0 && !(c->flags & KSF__C_DEAD))
			ksf__conn_input(c, u->bufs + (size_t)bid * u->bufsz, (size_t)res,
					(void *)(uintptr_t)(bid + 1));
		if (!u->brefs[bid])	/* else when its output is sent */
			give_back_buf(u, bid);
	}
	if (!(c->flags & KSF__C_DEAD)) {
		if (res == 0)
			ksf__conn_eof(c);
		else if (res < 0 && res != -ENOBUFS && res != -ECANCELED)
			ksf__conn_error(c, -res);
	}
	if (cqe->flags & IORING_CQE_F_MORE)
		return;
	c->inflight--;
	c->recv_armed = 0;
	c->recv_cancel = 0;
	if (c->flags & KSF__C_DEAD) {
		maybe_free(c);
		return;
	}
	if (res != 0 && !(c->flags & (KSF__C_RDPAUSED | KSF__C_CLOSING)))
		arm_recv(w, c);	/* multishot ended (buffers ran out, overflow): go on */
}

static void on_pollout(struct ksf__worker *w, struct ksf_conn *c)
{
	c->inflight--;
	c->send_busy = 0;
	if (c->flags & KSF__C_DEAD)
		maybe_free(c);
	else
		ur_conn_flush(w, c);
}

static void on_accept(struct ksf__worker *w, struct ksf__listener *l, struct io_uring_cqe *cqe)
{
	bool more = cqe->flags & IORING_CQE_F_MORE;

	if (!more)
		l->armed = 0;
	if (l->dgram) {
		if (cqe->res > 0 && !l->stopping)
			ksf__udp_readable(w, l);
	} else if (cqe->res >= 0) {
		if (l->stopping)
			close(cqe->res);
		else
			ksf__conn_accepted(w, l, cqe->res);
	} else if (cqe->res != -ECANCELED && !l->stopping) {
		ksf__accept_error(w, l, -cqe->res, !((struct ur *)w->be_state)->direct);
	}
	if (more)
		return;
	if (l->stopping)
		listener_closed(w, l);
	else if (!l->armed)	/* the accept or the refuser, as l->backoff says */
		listen_arm(w, l);
}

/* The refuser accepted a connection into a file slot: close it. */
static void on_refuse(struct ksf__worker *w, struct ksf__listener *l, struct io_uring_cqe *cqe)
{
	struct io_uring_sqe *sqe;

	if (cqe->res >= 0 && (sqe = sqe_get(w->be_state, NULL, K_IGNORE)))
		io_uring_prep_close_direct(sqe, (unsigned)cqe->res);
	if (cqe->flags & IORING_CQE_F_MORE)
		return;
	l->armed = 0;
	l->refusing = 0;
	if (l->stopping)
		listener_closed(w, l);
	else if (!l->backoff || cqe->res == -ECANCELED)
		listen_arm(w, l);	/* back to accepting, or the refuser again */
	/* else it failed: the timer re-arms */
}

static void on_cqe(struct ksf__worker *w, struct io_uring_cqe *cqe)
{
	uint64_t d = io_uring_cqe_get_data64(cqe);
	void *p = (void *)(uintptr_t)(d & ~(uint64_t)K_MASK);

	switch (d & K_MASK) {
	case K_EVFD:
		ksf__worker_drain_evfd(w);
		if (!(cqe->flags & IORING_CQE_F_MORE))
			arm_evfd(w);
		break;
	case K_ACCEPT: on_accept(w, p, cqe); break;
	case K_REFUSE: on_refuse(w, p, cqe); break;
	case K_RECV: on_recv(w, p, cqe); break;
	case K_POLLOUT: on_pollout(w, p); break;
	case K_FILE: ksf__fileop_cqe(p, cqe->res); break;	/* fileop.c */
	default: break;	/* cancel results */
	}
}

static int reap_cqes(struct ksf__worker *w)
{
	struct ur *u = w->be_state;
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	w->now_ns = ksf__now_ns();
	io_uring_for_each_cqe(&u->ring, head, cqe) {
		on_cqe(w, cqe);
		n++;
	}
	io_uring_cq_advance(&u->ring, n);
	publish_bufs(u);
	return (int)n;
}

/* Completion batching: wait for batch_cqes completions, or batch_us at most
 * and then for the first one (the kernel's min-wait, Linux 6.12), with the
 * timer timeout as the overall bound (1 s when there is none: the loop
 * comes round and waits again). liburing 2.3 has no call for it, so the
 * SQEs go in first and the wait is one io_uring_enter2() with the
 * extended argument whose former pad field is min_wait_usec. */
static int batch_wait(struct ur *u, int timeout)
{
	struct __kernel_timespec ts = {
		.tv_sec = timeout > 0 ? timeout / 1000 : 1,
		.tv_nsec = timeout > 0 ? (timeout % 1000) * 1000000LL : 0,
	};
	struct io_uring_getevents_arg arg = {
		.sigmask_sz = _NSIG / 8,
		.pad = u->batch_us,
		.ts = (uint64_t)(uintptr_t)&ts,
	};

	if (io_uring_sq_ready(&u->ring)) {
		int err = io_uring_submit(&u->ring);
		if (err < 0)
			return err;
	}
	return io_uring_enter2((unsigned)u->ring.ring_fd, 0, u->batch_cqes,
			       IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG,
			       (sigset_t *)&arg, sizeof(arg));
}

static int ur_wait(struct ksf__worker *w, int timeout)
{
	struct ur *u = w->be_state;
	unsigned spin = w->pool->o.busy_poll_us;
	struct io_uring_cqe *cqe;
	int err;

	publish_bufs(u);	/* buffers whose referenced output was sent */
	if (run_todo(w) && (timeout < 0 || timeout > 1))
		timeout = 1;	/* the SQ is still full: try again soon */
	if (spin && timeout != 0) {	/* Onload-style: spin before sleeping */
		uint64_t end = ksf__now_ns() + (uint64_t)spin * 1000u;
		do {
			io_uring_submit_and_get_events(&u->ring);
			if (io_uring_cq_ready(&u->ring))
				return reap_cqes(w);
			if (ksf__tasks_pending(w))
				return 0;
		} while (ksf__now_ns() < end);
	}
	if (timeout != 0 && !ksf__worker_prepare_sleep(w))
		timeout = 0;
	if (timeout == 0) {
		err = io_uring_submit_and_get_events(&u->ring);
	} else if (u->batch_us && u->batch.on && u->last_reaped >= 2) {	/* busy: batch */
		err = batch_wait(u, timeout);
	} else {
		struct __kernel_timespec ts = { .tv_sec = timeout / 1000,
						.tv_nsec = (timeout % 1000) * 1000000LL };
		err = io_uring_submit_and_wait_timeout(&u->ring, &cqe, 1,
						       timeout > 0 ? &ts : NULL, NULL);
	}
	ksf__worker_after_sleep(w);
	if (err < 0 && err != -ETIME && err != -EINTR && err != -EBUSY)
		return err;
	u->last_reaped = reap_cqes(w);
	if (u->batch_us)
		ksf__batch_turn(&u->batch, w);
	return u->last_reaped;
}

/* Idle trim: drop the pages of the provided buffers (the kernel filled
 * every one of them under load: 4 MiB per worker by default); they come
 * back zeroed when a receive next lands in them. Between loop turns every
 * buffer belongs to the kernel (on_recv gives each back at once) except
 * those queued output still references (brefs), which keep their pages;
 * the kernel must not be writing into one meanwhile: with DEFER_TASKRUN a
 * receive completes only inside this thread's io_uring_enter, so not now.
 * Without it (kernels before 6.1) a receive can complete at any time:
 * the buffers are left alone. */
static void ur_trim(struct ksf__worker *w)
{
	struct ur *u = w->be_state;

	if (!(u->ring.flags & IORING_SETUP_DEFER_TASKRUN))
		return;
	for (unsigned i = 0, run = 0; i <= u->nbufs; i++) {	/* runs of unreferenced buffers */
		if (i < u->nbufs && !u->brefs[i])
			continue;
		if (i > run)
			madvise(u->bufs + (size_t)run * u->bufsz, (size_t)(i - run) * u->bufsz,
				MADV_DONTNEED);
		run = i + 1;
	}
}

/* ---- file operations (fileop.c) on this ring ---- */

struct io_uring_sqe *ksf__uring_file_sqe(struct ksf__worker *w, void *op)
{
	return sqe_get(w->be_state, op, K_FILE);
}

bool ksf__uring_op_ok(const struct ksf__worker *w, unsigned opcode)
{
	const struct ur *u = w->be_state;

	return opcode < 256 && (u->ops[opcode / 64] >> (opcode % 64)) & 1;
}

int ksf__uring_personality(struct ksf__worker *w, int id)
{
	struct ur *u = w->be_state;

	if (!id)
		return io_uring_register_personality(&u->ring);
	io_uring_submit(&u->ring);	/* queued SQEs still name id */
	return io_uring_unregister_personality(&u->ring, id);
}

int ksf__uring_probe(void)
{
	struct io_uring ring;
	struct utsname un;
	int major = 0, minor = 0, err;

	/* multishot receive with provided buffer rings: Linux 6.0 */
	if (uname(&un) == 0 && sscanf(un.release, "%d.%d", &major, &minor) == 2 && major < 6)
		return -EOPNOTSUPP;
	if ((err = io_uring_queue_init(8, &ring, 0)))
		return err;
	io_uring_queue_exit(&ring);
	return 0;
}

const struct ksf__backend ksf__backend_uring = {
	.name = "uring",
	.init = ur_init,
	.fini = ur_fini,
	.listen_start = ur_listen_start,
	.listen_stop = ur_listen_stop,
	.listen_pause = ur_listen_pause,
	.conn_start = ur_conn_start,
	.conn_read = ur_conn_read,
	.conn_flush = ur_conn_flush,
	.conn_release = ur_conn_release,
	.wait = ur_wait,
	.trim = ur_trim,
	.rx_hold = ur_rx_hold,
	.rx_put = ur_rx_put,
};
#endif
