// SPDX-License-Identifier: BSD-2-Clause
/*
 * Connections: one accepted TCP socket, owned by one worker. Its socket
 * callbacks wake the worker, which runs conn_run(): flush the output queue,
 * read (non-blocking, a bounded number of times per run) into the input
 * buffer and hand everything unconsumed to recv_cb, flush again, and close
 * when due. Backpressure as in libksf: at outq_high the connection stops
 * being read (its receive buffer fills and the peer's sends stall) until
 * the queue drains to outq_low; input recv_cb left unconsumed is held, up
 * to max_msg, and offered again.
 */
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <net/tcp.h>
#include "ksf_kint.h"

#define READS_PER_RUN	16

static void conn_run(struct ksf_src *s);
static void conn_free(struct ksf_conn *c);
static void conn_end(struct ksf_conn *c, enum ksf_close_reason why, bool hard);

/* ---- callbacks (softirq): mark and wake, nothing else ---- */

static void conn_data_ready(struct sock *sk)
{
	struct ksf_src *s;

	read_lock_bh(&sk->sk_callback_lock);
	s = ksf__sk_src(sk);
	if (s)
		ksf__src_wake(s, KSF_EV_READ);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void conn_write_space(struct sock *sk)
{
	struct ksf_src *s;

	read_lock_bh(&sk->sk_callback_lock);
	s = ksf__sk_src(sk);
	if (s && sk_stream_is_writeable(sk)) {
		clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		ksf__src_wake(s, KSF_EV_WRITE);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void conn_state_change(struct sock *sk)
{
	struct ksf_src *s;

	read_lock_bh(&sk->sk_callback_lock);
	s = ksf__sk_src(sk);
	if (s)
		ksf__src_wake(s, KSF_EV_STATE);
	read_unlock_bh(&sk->sk_callback_lock);
}

/* ---- life ---- */

void ksf__conn_new(struct ksf_svc *svc, struct ksf_worker *w, struct socket *sock,
		   const struct ksf_src *l)
{
	struct ksf_svc_worker *sw = &svc->sw[w->idx];
	struct ksf_conn *c;

	if (atomic_inc_return(&svc->nconns) > (int)svc->o.max_conns) {
		sw->st.lim_conns++;
		goto refuse;
	}
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		goto refuse;
	atomic_long_inc(&ksf__live);
	ksf__src_init(&c->src, w, conn_run);
	INIT_LIST_HEAD(&c->outq);
	c->sock = sock;
	c->svc = svc;
	c->sw = sw;
	c->last_io = jiffies;
	sw->st.conns_accepted++;
	sw->st.conns_active++;
	list_add_tail(&c->node, &w->conns);
	tcp_sock_set_nodelay(sock->sk);
	ksf__sk_hook(&c->src, sock->sk, conn_data_ready, conn_write_space, conn_state_change);
	/* The socket was cloned from the listener, whose sk_data_ready (ours)
	 * it inherited: at close it gets the listener's original back, so an
	 * orphan the stack keeps after the module is gone calls no code of it. */
	c->src.old_data_ready = l->old_data_ready;
	if (svc->ops.open_cb && svc->ops.open_cb(c) < 0) {
		conn_end(c, KSF_CLOSE_APP, true);
		conn_free(c);		/* close_cb is not called */
		return;
	}
	c->opened = true;
	/* bytes (or a FIN) may have come before the hook */
	ksf__src_wake(&c->src, KSF_EV_READ);
	return;
refuse:
	atomic_dec(&svc->nconns);
	/* not hooked: drop what it inherited from the listener (see above) */
	write_lock_bh(&sock->sk->sk_callback_lock);
	sock->sk->sk_user_data = NULL;
	sock->sk->sk_data_ready = l->old_data_ready;
	write_unlock_bh(&sock->sk->sk_callback_lock);
	sock_release(sock);
}

static void conn_free(struct ksf_conn *c)
{
	struct ksf_svc *svc = c->svc;
	struct sock *sk = c->sock->sk;

	ksf__sk_unhook(&c->src, sk);
	list_del(&c->node);
	if (c->opened && svc->ops.close_cb)
		svc->ops.close_cb(c, c->why);
	if (c->reset) {
		sock_no_linger(sk);	/* a reset now, not an orphan left sending */
		c->sw->st.resets++;
	}
	sock_release(c->sock);
	ksf__outq_free(c);
	if (c->in) {
		kvfree(c->in);
		atomic_long_dec(&ksf__live);
	}
	c->sw->st.conns_closed++;
	c->sw->st.conns_active--;
	kfree(c);
	atomic_long_dec(&ksf__live);
	if (atomic_dec_and_test(&svc->nconns))
		wake_up_all(&svc->wq);
}

/* Close now (hard) or once the output is flushed; the first reason counts. */
static void conn_end(struct ksf_conn *c, enum ksf_close_reason why, bool hard)
{
	if (!c->closing)
		c->why = why;
	c->closing = true;
	if (hard || !c->outq_bytes)
		c->dead = true;
}

/* ---- input ---- */

/* Make room for more input: grow up to max_msg. 0 or -ENOBUFS (full). */
static int in_room(struct ksf_conn *c)
{
	size_t cap, max = c->svc->o.max_msg;
	u8 *p;

	if (c->in_len < c->in_cap)
		return 0;
	if (c->in_cap >= max)
		return -ENOBUFS;
	cap = c->in_cap ? c->in_cap * 2 : KSF_IN_MIN;
	if (cap > max)
		cap = max;
	p = kvmalloc(cap, GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	if (c->in) {
		memcpy(p, c->in, c->in_len);
		kvfree(c->in);
	} else {
		atomic_long_inc(&ksf__live);
	}
	c->in = p;
	c->in_cap = cap;
	return 0;
}

/* Offer the held input to recv_cb and keep what it left. */
static int deliver(struct ksf_conn *c)
{
	ssize_t n;

	if (!c->in_len || c->closing)
		return 0;
	c->sw->st.msgs_in++;
	n = c->svc->ops.recv_cb(c, c->in, c->in_len);
	if (n < 0)
		return (int)n;
	if ((size_t)n > c->in_len)
		n = (ssize_t)c->in_len;
	c->in_len -= (size_t)n;
	if (c->in_len)
		memmove(c->in, c->in + n, c->in_len);
	else if (c->in_cap > KSF_IN_MIN) {
		kvfree(c->in);		/* a big message passed: give it back */
		atomic_long_dec(&ksf__live);
		c->in = NULL;
		c->in_cap = 0;
	}
	return 0;
}

static bool over_high(struct ksf_conn *c)
{
	if (c->outq_bytes < c->svc->o.outq_high)
		return false;
	if (!c->paused)
		c->sw->st.lim_outq++;
	c->paused = true;
	return true;
}

/* Read what the socket has, a bounded number of times. Returns 1 if more
 * may be waiting, 0 if not, -errno to close. */
static int conn_read(struct ksf_conn *c)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct kvec v;
	int i, n, err;

	for (i = 0; i < READS_PER_RUN; i++) {
		if (c->eof || c->closing || over_high(c))
			return 0;
		err = in_room(c);
		if (err == -ENOBUFS) {
			c->sw->st.lim_msg++;
			conn_end(c, KSF_CLOSE_MSG_LIMIT, true);
			return 0;
		}
		if (err)
			return err;
		v.iov_base = c->in + c->in_len;
		v.iov_len = c->in_cap - c->in_len;
		n = kernel_recvmsg(c->sock, &msg, &v, 1, v.iov_len, MSG_DONTWAIT);
		if (n == -EAGAIN)
			return 0;
		if (n < 0)
			return n;
		if (n == 0) {
			c->eof = true;
			return 0;
		}
		c->last_io = jiffies;
		c->in_len += (size_t)n;
		c->sw->st.bytes_in += (u64)n;
		err = deliver(c);
		if (err)
			return err;
	}
	return 1;
}

/* ---- the worker's run of one connection ---- */

static void conn_run(struct ksf_src *s)
{
	struct ksf_conn *c = container_of(s, struct ksf_conn, src);
	struct sock *sk = c->sock->sk;
	int more = 0, err = 0;

	clear_bit(KSF_EV_READ, &s->events);
	clear_bit(KSF_EV_WRITE, &s->events);
	clear_bit(KSF_EV_STATE, &s->events);
	if (c->dead)
		goto out;
	err = ksf__outq_flush(c);
	if (!err && c->paused && c->outq_bytes <= c->svc->o.outq_low) {
		c->paused = false;
		err = deliver(c);	/* held input first */
	}
	if (!err && !c->paused && !c->svc->draining)
		more = conn_read(c);
	if (more < 0)
		err = more;
	if (!err)
		err = ksf__outq_flush(c);
	if (err) {
		if (err != -EPIPE && err != -ECONNRESET && err != -ENOBUFS)
			c->sw->st.errors++;
		conn_end(c, err == -ENOBUFS ? KSF_CLOSE_APP : KSF_CLOSE_ERROR, true);
	} else if (sk->sk_err || sk->sk_state == TCP_CLOSE) {
		c->sw->st.errors++;
		conn_end(c, KSF_CLOSE_ERROR, true);
	} else if (c->eof) {
		conn_end(c, KSF_CLOSE_PEER, false);	/* after the flush */
	}
	if (c->closing && !c->outq_bytes)
		c->dead = true;
out:
	if (c->dead)
		conn_free(c);
	else if (more > 0)
		ksf__src_wake(s, KSF_EV_READ);	/* the rest, after the others */
}

/* Four times a second, on the worker. */
void ksf__conn_tick(struct ksf_conn *c, unsigned long now)
{
	struct ksf_svc *svc = c->svc;
	unsigned int idle = svc->o.idle_ms;

	if (svc->draining && time_after_eq(now, svc->drain_until)) {
		ksf__conn_reset(c);
		return;
	}
	if (idle && !c->closing && time_after(now, c->last_io + msecs_to_jiffies(idle))) {
		c->sw->st.lim_idle++;
		conn_end(c, KSF_CLOSE_IDLE, true);
		conn_run(&c->src);
	}
}

/* Service stop, phase 1: no more reading; close once flushed. */
void ksf__conn_drain(struct ksf_conn *c)
{
	conn_end(c, KSF_CLOSE_SHUTDOWN, false);
	conn_run(&c->src);
}

/* Service stop, phase 2 (drain_ms over): reset what is left. */
void ksf__conn_reset(struct ksf_conn *c)
{
	conn_end(c, KSF_CLOSE_SHUTDOWN, true);
	c->reset = true;
	conn_run(&c->src);
}

/* ---- API ---- */

void ksf_conn_close(struct ksf_conn *c, int hard)
{
	conn_end(c, KSF_CLOSE_APP, hard);
}

int ksf_conn_send(struct ksf_conn *c, const void *data, size_t len)
{
	if (c->dead || (c->closing && c->why != KSF_CLOSE_PEER))
		return -EPIPE;
	if (!len)
		return 0;
	if (len > c->svc->o.outq_max - c->outq_bytes || c->outq_bytes > c->svc->o.outq_max) {
		c->sw->st.lim_outq_max++;
		return -ENOBUFS;
	}
	c->sw->st.sends++;
	return ksf__outq_add(c, data, len);
}

size_t ksf_conn_outq(const struct ksf_conn *c)
{
	return c->outq_bytes;
}

size_t ksf_conn_room(const struct ksf_conn *c)
{
	size_t max = c->svc->o.outq_max;

	return c->outq_bytes < max ? max - c->outq_bytes : 0;
}

void ksf_conn_set_udata(struct ksf_conn *c, void *udata)
{
	c->udata = udata;
}

void *ksf_conn_udata(const struct ksf_conn *c)
{
	return c->udata;
}

struct ksf_svc *ksf_conn_svc(const struct ksf_conn *c)
{
	return c->svc;
}

int ksf_conn_worker(const struct ksf_conn *c)
{
	return c->src.w->idx;
}
