// SPDX-License-Identifier: BSD-2-Clause
/*
 * Connections: the backend-independent half. Backends report accepted
 * sockets, input, EOF, errors and completed sends; this file applies the
 * limits (max connections, output high/low water marks, max unconsumed
 * input), calls the service's callbacks, and queues output and closes for
 * the worker's flush and close phases.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ksf_int.h"

static void touch(struct ksf_conn *c)
{
	c->last_ns = c->w->now_ns;
	ksf__dlist_del(&c->lru);
	ksf__dlist_add_tail(&c->sw->conns, &c->lru);
}

/* Closing for a service stop with replies still to come (ksf_conn_hold):
 * the drain waits for them, up to drain_ms, and they may still be sent. */
static bool drain_waits(const struct ksf_conn *c)
{
	return c->holds && c->why == KSF_CLOSE_SHUTDOWN &&
	       !(c->flags & (KSF__C_HARD | KSF__C_DEAD));
}

/* No more output accepted: closed, or closing with nothing more owed. */
static bool send_refused(const struct ksf_conn *c)
{
	if (c->flags & KSF__C_DEAD)
		return true;
	return (c->flags & KSF__C_CLOSING) && !drain_waits(c);
}

static void queue_close(struct ksf_conn *c)
{
	if (c->flags & KSF__C_CLOSEQ)
		return;
	c->flags |= KSF__C_CLOSEQ;
	c->close_next = c->w->closeq;
	c->w->closeq = c;
}

/* Close with a reason (kept if it was already closing): at once (hard) or
 * after the output queue drains. */
void ksf__conn_close_why(struct ksf_conn *c, enum ksf_close_reason why, int hard)
{
	if (c->flags & KSF__C_DEAD)
		return;
	if (!(c->flags & KSF__C_CLOSING)) {
		c->flags |= KSF__C_CLOSING;
		c->why = why;
		if (!(c->flags & KSF__C_RDPAUSED)) {
			c->flags |= KSF__C_RDPAUSED;
			c->w->be->conn_read(c->w, c, false);
		}
	}
	if (hard)	/* queued output is dropped when the memory is freed */
		c->flags |= KSF__C_HARD;
	queue_close(c);
}

static struct ksf_conn *conn_new(struct ksf__worker *w, struct ksf__listener *l, int fd)
{
	struct ksf_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->w = w;
	c->svc = l->svc;
	c->sw = &l->svc->sws[w->idx];
	c->fd = fd;
	c->peerlen = sizeof(c->peer);
	if (getpeername(fd, (struct sockaddr *)&c->peer, &c->peerlen))
		c->peerlen = 0;
	ksf__dlist_init(&c->lru);
	return c;
}

void ksf__conn_accepted(struct ksf__worker *w, struct ksf__listener *l, int fd)
{
	struct ksf_svc *svc = l->svc;
	struct ksf__svc_worker *sw = &svc->sws[w->idx];
	struct ksf_conn *c;

	if (sw->stopping)
		goto refuse;
	if (atomic_fetch_add(&svc->nconns, 1) >= svc->o.max_conns) {
		atomic_fetch_sub(&svc->nconns, 1);
		KSF__STAT_ADD(&sw->st, lim_conns, 1);
		ksf__log_limited(w, KSF__LOG_CONNS, "max-conns %u reached: connection refused",
				 svc->o.max_conns);
		goto refuse;
	}
	if (!(c = conn_new(w, l, fd)))
		goto unaccount;
	ksf__conn_sockopts(fd);
	if (svc->ops.open_cb && svc->ops.open_cb(c) < 0) {
		/* open_cb may have queued it for a flush or close: the reap
		 * phase frees it once those lists are done with it */
		c->flags |= KSF__C_DEAD;
		close(fd);
		ksf__conn_free(c);
		atomic_fetch_sub(&svc->nconns, 1);
		return;
	}
	if (ksf__fault(KSF__FAULT_CONN_START) || w->be->conn_start(w, c) < 0) {
		/* open_cb ran: the service may hold data for the connection and
		 * may have queued it for a flush or close. Close it as an error
		 * (close_cb is owed after a successful open_cb); its memory goes
		 * in the reap phase, once those lists are done with it. */
		c->flags |= KSF__C_DEAD;
		KSF__STAT_ADD(&sw->st, errors, 1);
		if (svc->ops.close_cb)
			svc->ops.close_cb(c, KSF_CLOSE_ERROR);
		ksf__inbuf_free(&c->in);
		close(fd);
		ksf__conn_free(c);
		atomic_fetch_sub(&svc->nconns, 1);
		return;
	}
	c->last_ns = w->now_ns;
	ksf__dlist_add_tail(&sw->conns, &c->lru);
	sw->nconns++;
	KSF__STAT_ADD(&sw->st, conns_accepted, 1);
	KSF__STAT_ADD(&sw->st, conns_active, 1);
	return;
unaccount:
	atomic_fetch_sub(&svc->nconns, 1);
refuse:
	close(fd);
}

static void check_outq_high(struct ksf_conn *c)
{
	if (c->out.bytes < c->svc->o.outq_high || (c->flags & KSF__C_RDPAUSED))
		return;
	c->flags |= KSF__C_RDPAUSED;
	c->w->be->conn_read(c->w, c, false);
	KSF__STAT_ADD(&c->sw->st, lim_outq, 1);
	ksf__log_limited(c->w, KSF__LOG_OUTQ,
			 "outq-high %zu reached: paused reading a connection", c->svc->o.outq_high);
}

/* recv_cb on data[0..len), which ksf_conn_send_input may queue by
 * reference if rxbuf (its receive buffer) is not NULL. A recv_cb may run
 * another (ksf_conn_resume of another connection): the outer one's input
 * is put back after. */
static ssize_t call_recv(struct ksf_conn *c, const void *data, size_t len, void *rxbuf)
{
	struct ksf__input saved = c->w->in;
	ssize_t n;

	c->w->in = (struct ksf__input){ .p = data, .len = len, .rxbuf = rxbuf };
	c->flags |= KSF__C_IN_CB;
	n = c->svc->ops.recv_cb(c, data, len);
	c->flags &= ~KSF__C_IN_CB;
	c->w->in = saved;
	return n;
}

/* Hand input to recv_cb, keeping what it does not consume (up to max_msg).
 * Input in the receive buffer itself (nothing held from before) may be
 * queued for output by reference (rxbuf, ksf_conn_send_input). */
void ksf__conn_input(struct ksf_conn *c, const void *data, size_t len, void *rxbuf)
{
	struct ksf__stats *st = &c->sw->st;
	ssize_t n;

	if (c->flags & (KSF__C_DEAD | KSF__C_CLOSING))
		return;
	KSF__STAT_ADD(st, bytes_in, len);
	if (c->flags & KSF__C_RDPAUSED) {
		/* Late input: io_uring completions already under way when reading
		 * was paused. Hold it (bounded by what the backend can have in
		 * flight) and offer it when reading resumes. */
		if (c->in.len + len > c->svc->o.max_msg + c->w->late_cap)
			goto too_big;
		if (ksf__inbuf_append(&c->in, data, len))
			goto nomem;
		return;
	}
	if (c->in.len) {
		if (c->in.len + len > c->svc->o.max_msg)
			goto too_big;
		if (ksf__inbuf_append(&c->in, data, len))
			goto nomem;
		data = c->in.p;
		len = c->in.len;
	}
	KSF__STAT_ADD(st, msgs_in, 1);
	n = call_recv(c, data, len, c->in.len ? NULL : rxbuf);
	if (n < 0 || (size_t)n > len) {
		ksf__conn_close_why(c, KSF_CLOSE_APP, 1);
		return;
	}
	if (n > 0)	/* activity is input consumed: a trickle of a message is idle */
		touch(c);
	if (c->in.len) {
		ksf__inbuf_consume(&c->in, (size_t)n);
	} else if ((size_t)n < len) {
		if (len - (size_t)n > c->svc->o.max_msg)
			goto too_big;
		if (ksf__inbuf_append(&c->in, (const char *)data + n, len - (size_t)n))
			goto nomem;
	}
	check_outq_high(c);
	return;
too_big:
	KSF__STAT_ADD(st, lim_msg, 1);
	ksf__log_limited(c->w, KSF__LOG_MSG, "max-msg %zu exceeded: connection closed",
			 c->svc->o.max_msg);
	ksf__conn_close_why(c, KSF_CLOSE_MSG_LIMIT, 1);
	return;
nomem:
	KSF__STAT_ADD(st, errors, 1);
	ksf__conn_close_why(c, KSF_CLOSE_ERROR, 1);
}

/* Hand held input to recv_cb again (after a pause), without new bytes. */
static void redeliver(struct ksf_conn *c)
{
	ssize_t n;

	n = call_recv(c, c->in.p, c->in.len, NULL);	/* held input: copied if sent */
	if (n < 0 || (size_t)n > c->in.len) {
		ksf__conn_close_why(c, KSF_CLOSE_APP, 1);
		return;
	}
	if (n > 0)
		touch(c);
	ksf__inbuf_consume(&c->in, (size_t)n);
	check_outq_high(c);
}

void ksf__conn_eof(struct ksf_conn *c)
{
	/* Input held while paused, or replies the service still owes
	 * (ksf_conn_hold), are still to be answered: close after them. */
	if (!(c->flags & KSF__C_CLOSING) &&
	    (((c->flags & KSF__C_RDPAUSED) && c->in.len) || c->holds)) {
		c->flags |= KSF__C_EOF;
		if (!(c->flags & KSF__C_RDPAUSED)) {	/* nothing more to read */
			c->flags |= KSF__C_RDPAUSED;
			c->w->be->conn_read(c->w, c, false);
		}
		return;
	}
	/* The peer finished sending: answer what is queued, then close. */
	ksf__conn_close_why(c, KSF_CLOSE_PEER, 0);
}

void ksf__conn_error(struct ksf_conn *c, int err)
{
	(void)err;
	if (c->flags & KSF__C_DEAD)
		return;
	KSF__STAT_ADD(&c->sw->st, errors, 1);
	ksf__conn_close_why(c, KSF_CLOSE_ERROR, 1);
	c->why = KSF_CLOSE_ERROR;
}

/* Read again once neither backpressure nor the service holds reading: the
 * output queue is at or below outq_low and ksf_conn_pause is not in force. */
static void resume_reading(struct ksf_conn *c)
{
	if (!(c->flags & KSF__C_RDPAUSED) || (c->flags & (KSF__C_CLOSING | KSF__C_APPPAUSE)) ||
	    c->out.bytes > c->svc->o.outq_low || c->sw->stopping)
		return;
	c->flags &= ~KSF__C_RDPAUSED;
	if (!(c->flags & KSF__C_EOF))
		c->w->be->conn_read(c->w, c, true);
	if (c->in.len)	/* input held back while paused: offer it again */
		redeliver(c);
	if ((c->flags & KSF__C_EOF) && !(c->flags & KSF__C_RDPAUSED) && !c->holds)
		ksf__conn_close_why(c, KSF_CLOSE_PEER, 0);
}

void ksf_conn_hold(struct ksf_conn *c)
{
	c->holds++;
}

void ksf_conn_unhold(struct ksf_conn *c)
{
	if (!c->holds || --c->holds || (c->flags & KSF__C_DEAD))
		return;
	if (c->flags & KSF__C_CLOSING) {	/* a drain waited for these replies */
		queue_close(c);
		return;
	}
	if (!(c->flags & KSF__C_EOF) || (c->flags & KSF__C_APPPAUSE))
		return;
	/* the peer's EOF waited for these replies: answer what is queued,
	 * then close (held input, if any, is an incomplete message) */
	ksf__conn_close_why(c, KSF_CLOSE_PEER, 0);
}

void ksf_conn_pause(struct ksf_conn *c)
{
	if (c->flags & (KSF__C_DEAD | KSF__C_APPPAUSE))
		return;
	c->flags |= KSF__C_APPPAUSE;
	if (!(c->flags & KSF__C_RDPAUSED)) {
		c->flags |= KSF__C_RDPAUSED;
		c->w->be->conn_read(c->w, c, false);
	}
}

void ksf_conn_resume(struct ksf_conn *c)
{
	if (!(c->flags & KSF__C_APPPAUSE))
		return;
	c->flags &= ~KSF__C_APPPAUSE;
	if (c->flags & KSF__C_DEAD)
		return;
	if (!(c->flags & KSF__C_IN_CB)) {
		resume_reading(c);
	} else if ((c->flags & KSF__C_RDPAUSED) && !(c->flags & (KSF__C_CLOSING | KSF__C_EOF)) &&
		   c->out.bytes <= c->svc->o.outq_low && !c->sw->stopping) {
		/* inside recv_cb the held input is being offered right now */
		c->flags &= ~KSF__C_RDPAUSED;
		c->w->be->conn_read(c->w, c, true);
	}
}

void ksf__conn_sent(struct ksf_conn *c, size_t n)
{
	ksf__outq_consume(c->w, &c->out, n);
	KSF__STAT_ADD(&c->sw->st, bytes_out, n);
	if (c->flags & KSF__C_DEAD)
		return;
	touch(c);
	if (c->out.bytes == 0 && (c->flags & KSF__C_CLOSING)) {
		queue_close(c);
		return;
	}
	resume_reading(c);
}

/* Send queued output now with sendmsg(MSG_DONTWAIT), at most 4 calls (more
 * waits for the next turn's flush). 1: output is left because the socket is
 * full; 0: all sent, or the rest queued for the next turn; -errno: the send
 * failed and the connection is closing. */
int ksf__conn_send_now(struct ksf_conn *c)
{
	struct msghdr msg = { .msg_iov = c->w->txiov };

	for (int round = 0; round < 4 && c->out.bytes; round++) {
		msg.msg_iovlen = (size_t)ksf__outq_iov(&c->out, c->w->txiov, KSF_IOV_MAX);
		ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = errno;
			if (err == EAGAIN)
				return 1;
			ksf__conn_error(c, err);
			return -err;
		}
		KSF__STAT_ADD(&c->sw->st, flushes, 1);
		ksf__conn_sent(c, (size_t)n);
	}
	if (c->out.bytes && !(c->flags & KSF__C_DEAD))
		ksf__conn_want_flush(c);	/* more than 4 rounds: next turn */
	return 0;
}

void ksf__conn_want_flush(struct ksf_conn *c)
{
	if (c->flags & KSF__C_FLUSHQ)
		return;
	c->flags |= KSF__C_FLUSHQ;
	c->flush_next = c->w->flushq;
	c->w->flushq = c;
}

/* The connection is over: callbacks, counters, then the backend frees it. */
void ksf__conn_finish(struct ksf_conn *c, enum ksf_close_reason why)
{
	struct ksf__svc_worker *sw = c->sw;

	if (c->flags & KSF__C_DEAD)
		return;
	c->flags |= KSF__C_DEAD;
	if (c->svc->ops.close_cb)
		c->svc->ops.close_cb(c, why);
	ksf__dlist_del(&c->lru);
	sw->nconns--;
	atomic_fetch_sub(&c->svc->nconns, 1);
	KSF__STAT_ADD(&sw->st, conns_closed, 1);
	KSF__STAT_ADD(&sw->st, conns_active, (uint64_t)-1);
	ksf__inbuf_free(&c->in);
	c->w->be->conn_release(c->w, c);
	ksf__svc_worker_check_done(sw);
}

/* A released connection's memory is freed at the end of the loop turn
 * (backends call this once the kernel holds no reference to it), so the
 * flush and close lists of the current turn never point at freed memory. */
void ksf__conn_free(struct ksf_conn *c)
{
	struct ksf__worker *w = c->w;

	if (w->accept_retry_ns)	/* a descriptor was freed: accept again */
		w->accept_retry_ns = 1;
	ksf__outq_free(w, &c->out);
	c->free_next = w->reapq;
	w->reapq = c;
}

void ksf__worker_reap(struct ksf__worker *w)
{
	struct ksf_conn *c, *keep = NULL, *todo = w->reapq;

	w->reapq = NULL;
	while ((c = todo)) {
		todo = c->free_next;
		if (c->flags & (KSF__C_FLUSHQ | KSF__C_CLOSEQ)) {
			/* still linked on a list of the next turn: free after it */
			c->free_next = keep;
			keep = c;
			continue;
		}
		free(c);
	}
	w->reapq = keep;
}

/* Worker exit: nothing runs any more, free every reaped connection. */
void ksf__worker_reap_all(struct ksf__worker *w)
{
	struct ksf_conn *c;

	w->flushq = w->closeq = NULL;
	while ((c = w->reapq)) {
		w->reapq = c->free_next;
		free(c);
	}
}

void ksf__worker_run_closes(struct ksf__worker *w)
{
	struct ksf_conn *c, *todo = w->closeq;

	w->closeq = NULL;
	while ((c = todo)) {
		todo = c->close_next;
		c->flags &= ~KSF__C_CLOSEQ;
		if (c->flags & KSF__C_DEAD)
			continue;
		if ((c->flags & KSF__C_HARD) || (c->out.bytes == 0 && !c->send_busy &&
						  !drain_waits(c)))
			ksf__conn_finish(c, c->why);
		else if (c->out.bytes || c->send_busy)
			ksf__conn_want_flush(c);	/* close when the flush completes */
		/* else the last ksf_conn_unhold queues the close again */
	}
}

void ksf__worker_run_flushes(struct ksf__worker *w)
{
	struct ksf_conn *c, *todo = w->flushq;

	w->flushq = NULL;
	while ((c = todo)) {
		todo = c->flush_next;
		c->flags &= ~KSF__C_FLUSHQ;
		if (!(c->flags & KSF__C_DEAD) && c->out.bytes)
			w->be->conn_flush(w, c);
	}
}

/* ---- accepting at the descriptor limit ----
 *
 * accept() fails with EMFILE while the process has no free descriptor, and
 * the pending connection stays queued: a ready listener would report it
 * again at once (epoll, level-triggered) and io_uring's accept fails at once
 * even with an empty queue (it takes a descriptor before it looks). So: give
 * up the worker's spare descriptor for a moment to accept and close what is
 * pending (those clients are refused, not left hanging), then pause the
 * listener until a connection of this worker closes or ACCEPT_RETRY_MS
 * pass. Being at the limit costs nothing while nothing happens. */
#define ACCEPT_RETRY_MS	100
#define REFUSE_MAX	64	/* pending connections refused per attempt */

/* Descriptors are per process: while one worker's spare is closed, another
 * worker's accept4() would take the freed number and the spare would be
 * lost. Accepts take this lock shared, refusing takes it exclusive (writers
 * first, so a busy listener cannot starve a refusal). */
static pthread_rwlock_t spare_lock = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;

int ksf__accept4(int fd, int flags)
{
	int cfd, err;

	pthread_rwlock_rdlock(&spare_lock);
	cfd = accept4(fd, NULL, NULL, flags);
	err = errno;
	pthread_rwlock_unlock(&spare_lock);
	errno = err;
	return cfd;
}

static void spare_reopen(struct ksf__worker *w)
{
	if (w->spare_fd < 0)
		w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* Accept and close what is pending on l with the spare descriptor's slot.
 * Returns how many connections were refused. */
static int refuse_pending(struct ksf__worker *w, struct ksf__listener *l)
{
	int n = 0, fd;

	spare_reopen(w);
	if (w->spare_fd < 0 || l->fd < 0)
		return 0;
	pthread_rwlock_wrlock(&spare_lock);
	close(w->spare_fd);
	while (n < REFUSE_MAX && (fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		close(fd);
		n++;
	}
	w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pthread_rwlock_unlock(&spare_lock);
	return n;
}

/* accept() failed. Out of descriptors or memory: refuse what is pending,
 * and if that made no progress, pause the listener (backends: until
 * ksf__accept_timer re-arms it; io_uring meanwhile refuses every new
 * connection with an accept into a registered file slot, which needs no
 * descriptor). Other errors concern one connection. */
void ksf__accept_error(struct ksf__worker *w, struct ksf__listener *l, int err, bool use_spare)
{
	struct ksf__svc_worker *sw = &l->svc->sws[w->idx];

	KSF__STAT_ADD(&sw->st, errors, 1);
	ksf__log_limited(w, KSF__LOG_ACCEPT, "accept: %s", strerror(err));
	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM)
		return;
	if (use_spare && (err == EMFILE || err == ENFILE) && refuse_pending(w, l) > 0)
		return;	/* progress: the listener reports what comes next */
	if (l->backoff || l->stopping || l->fd < 0)
		return;
	l->backoff = 1;
	w->be->listen_pause(w, l);
	if (!w->accept_retry_ns)
		w->accept_retry_ns = w->now_ns + ACCEPT_RETRY_MS * 1000000ull;
}

int ksf__accept_timer(struct ksf__worker *w)
{
	if (!w->accept_retry_ns)
		return -1;
	if (w->now_ns < w->accept_retry_ns)
		return (int)((w->accept_retry_ns - w->now_ns) / 1000000u) + 1;
	w->accept_retry_ns = 0;
	spare_reopen(w);
	for (struct ksf__svc_worker *sw = w->svcs; sw; sw = sw->next)
		for (int a = 0; a < sw->svc->naddrs; a++) {
			struct ksf__listener *l = &sw->ls[a];

			if (!l->backoff)
				continue;
			l->backoff = 0;
			if (!l->stopping && l->fd >= 0 && w->be->listen_start(w, l) < 0)
				KSF__STAT_ADD(&sw->st, errors, 1);
		}
	return -1;
}

/* ---- public API ---- */

/* A send of n more bytes would pass outq_max: refuse it whole and read no
 * more until the queue drains (the caller keeps its input, handed back
 * then). Returns 0 or -ENOBUFS. */
int ksf__conn_check_max(struct ksf_conn *c, size_t n)
{
	if (c->out.bytes + n <= c->svc->o.outq_max)
		return 0;
	if (!(c->flags & KSF__C_RDPAUSED)) {
		c->flags |= KSF__C_RDPAUSED;
		c->w->be->conn_read(c->w, c, false);
	}
	KSF__STAT_ADD(&c->sw->st, lim_outq_max, 1);
	ksf__log_limited(c->w, KSF__LOG_OUTQ_MAX, "outq-max %zu reached: send refused",
			 c->svc->o.outq_max);
	return -ENOBUFS;
}

/* Bytes were queued: count the send, flush this turn, and pause reading
 * at outq_high (inside recv_cb: once it returns). */
void ksf__conn_queued(struct ksf_conn *c)
{
	KSF__STAT_ADD(&c->sw->st, sends, 1);
	ksf__conn_want_flush(c);
	if (!(c->flags & KSF__C_IN_CB))
		check_outq_high(c);
}

int ksf_conn_sendv(struct ksf_conn *c, const struct iovec *iov, int iovcnt)
{
	size_t total = 0;
	int err;

	if (send_refused(c))
		return -EPIPE;
	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	if ((err = ksf__conn_check_max(c, total)))
		return err;
	for (int i = 0; i < iovcnt; i++)
		if (ksf__outq_append(c->w, &c->out, iov[i].iov_base, iov[i].iov_len)) {
			/* partial: the stream is corrupt, the connection unusable */
			KSF__STAT_ADD(&c->sw->st, errors, 1);
			ksf__conn_close_why(c, KSF_CLOSE_ERROR, 1);
			return -ENOMEM;
		}
	ksf__conn_queued(c);
	return 0;
}

int ksf_conn_send_ref(struct ksf_conn *c, const void *data, size_t len,
		      void (*free_fn)(void *arg), void *arg)
{
	int err;

	if (send_refused(c))
		return -EPIPE;
	if (c->out.bytes + len > c->svc->o.outq_max) {
		KSF__STAT_ADD(&c->sw->st, lim_outq_max, 1);
		ksf__log_limited(c->w, KSF__LOG_OUTQ_MAX, "outq-max %zu reached: send refused",
				 c->svc->o.outq_max);
		return -ENOBUFS;
	}
	if (!len) {
		if (free_fn)
			free_fn(arg);
		return 0;
	}
	if ((err = ksf__outq_append_ref(c->w, &c->out, data, len, free_fn, arg)))
		return err;
	KSF__STAT_ADD(&c->sw->st, sends, 1);
	ksf__conn_want_flush(c);
	if (!(c->flags & KSF__C_IN_CB))
		check_outq_high(c);
	return 0;
}

int ksf_conn_send(struct ksf_conn *c, const void *data, size_t len)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };

	return ksf_conn_sendv(c, &iov, 1);
}

void ksf_conn_close(struct ksf_conn *c, int hard)
{
	ksf__conn_close_why(c, KSF_CLOSE_APP, hard);
}

size_t ksf_conn_outq(const struct ksf_conn *c) { return c->out.bytes; }

size_t ksf_conn_room(const struct ksf_conn *c)
{
	size_t max = c->svc->o.outq_max;

	return c->out.bytes < max ? max - c->out.bytes : 0;
}
void ksf_conn_set_udata(struct ksf_conn *c, void *u) { c->udata = u; }
void *ksf_conn_udata(const struct ksf_conn *c) { return c->udata; }
struct ksf_svc *ksf_conn_svc(const struct ksf_conn *c) { return c->svc; }
int ksf_conn_fd(const struct ksf_conn *c) { return c->fd; }
int ksf_conn_worker(const struct ksf_conn *c) { return c->w->idx; }

const struct sockaddr *ksf_conn_peer(const struct ksf_conn *c, socklen_t *len)
{
	if (len)
		*len = c->peerlen;
	return (const struct sockaddr *)&c->peer;
}
