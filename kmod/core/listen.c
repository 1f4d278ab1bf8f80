// SPDX-License-Identifier: BSD-2-Clause
/*
 * Listeners: per worker, one SO_REUSEPORT TCP socket per service (the
 * stack hashes new connections over the workers' sockets, as libksf's
 * user-space listeners do) and one UDP socket. A listener's sk_data_ready
 * wakes its worker, which accepts (non-blocking, a bounded number per run)
 * and keeps each new connection, or reads and answers datagrams.
 */
#include <linux/in.h>
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/sock.h>
#include "ksf_kint.h"

#define ACCEPTS_PER_RUN	64
#define DGRAMS_PER_RUN	64

/* Accepted sockets start as clones of the listener, callbacks and
 * sk_user_data included, until ksf__conn_new hooks them: a callback on a
 * socket that is not listening is such a child and is ignored. */
static void listen_data_ready(struct sock *sk)
{
	struct ksf_src *s;

	read_lock_bh(&sk->sk_callback_lock);
	if (sk->sk_state == TCP_LISTEN) {
		s = ksf__sk_src(sk);
		if (s)
			ksf__src_wake(s, KSF_EV_READ);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void udp_data_ready(struct sock *sk)
{
	struct ksf_src *s;

	read_lock_bh(&sk->sk_callback_lock);
	s = ksf__sk_src(sk);
	if (s)
		ksf__src_wake(s, KSF_EV_READ);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void accept_run(struct ksf_src *s)
{
	struct ksf_listener *l = container_of(s, struct ksf_listener, src);
	struct ksf_svc *svc = l->svc;
	int i;

	clear_bit(KSF_EV_READ, &s->events);
	if (!svc->started || svc->stopping)
		return;
	for (i = 0; i < ACCEPTS_PER_RUN; i++) {
		struct socket *ns;
		int err = kernel_accept(l->sock, &ns, O_NONBLOCK);

		if (err == -EAGAIN)
			return;
		if (err) {
			svc->sw[s->w->idx].st.errors++;
			continue;	/* ECONNABORTED and the like: the next one */
		}
		ksf__conn_new(svc, s->w, ns, s);
	}
	ksf__src_wake(s, KSF_EV_READ);	/* more may wait: after the others */
}

void ksf__udp_run(struct ksf_src *s)
{
	struct ksf_listener *l = container_of(s, struct ksf_listener, src);
	struct ksf_svc *svc = l->svc;
	struct ksf_svc_worker *sw = &svc->sw[s->w->idx];
	int i;

	clear_bit(KSF_EV_READ, &s->events);
	if (!svc->started || svc->stopping)
		return;
	for (i = 0; i < DGRAMS_PER_RUN; i++) {
		struct sockaddr_in peer;
		struct msghdr msg = { .msg_name = &peer, .msg_namelen = sizeof(peer) };
		struct kvec v = { .iov_base = sw->dgram_buf, .iov_len = KSF_DGRAM_MAX };
		struct ksf_dgram d;
		int n = kernel_recvmsg(l->sock, &msg, &v, 1, v.iov_len, MSG_DONTWAIT);

		if (n == -EAGAIN)
			return;
		if (n < 0) {
			sw->st.errors++;	/* e.g. an ICMP error queued: go on */
			continue;
		}
		sw->st.dgrams_in++;
		sw->st.bytes_in += (u64)n;
		d.data = sw->dgram_buf;
		d.len = (size_t)n;
		d.peer = &peer;
		d.worker = s->w->idx;
		d.svc = svc;
		svc->ops.dgram_cb(svc, &d);
	}
	ksf__src_wake(s, KSF_EV_READ);
}

int ksf_dgram_reply(const struct ksf_dgram *d, const void *data, size_t len)
{
	struct ksf_svc_worker *sw = &d->svc->sw[d->worker];
	struct msghdr msg = { .msg_name = (void *)d->peer, .msg_namelen = sizeof(*d->peer),
			      .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec v = { .iov_base = (void *)data, .iov_len = len };
	int n = kernel_sendmsg(sw->udp->sock, &msg, &v, 1, len);

	if (n < 0 || (size_t)n != len) {
		sw->st.dgram_drops++;
		return n < 0 ? n : -EMSGSIZE;
	}
	sw->st.dgrams_out++;
	sw->st.bytes_out += (u64)n;
	return 0;
}

int ksf__listener_open(struct ksf_svc *svc, int w, int proto, const struct sockaddr_in *sa,
		       struct ksf_listener **lp)
{
	struct ksf_worker *wk = &svc->pool->w[w];
	bool tcp = proto == IPPROTO_TCP;
	struct ksf_listener *l;
	int err;

	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	atomic_long_inc(&ksf__live);
	l->svc = svc;
	l->proto = proto;
	ksf__src_init(&l->src, wk, tcp ? accept_run : ksf__udp_run);
	err = sock_create_kern(&init_net, AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, proto,
			       &l->sock);
	if (err)
		goto fail;
	sock_set_reuseaddr(l->sock->sk);
	sock_set_reuseport(l->sock->sk);
	err = kernel_bind(l->sock, (struct sockaddr *)sa, sizeof(*sa));
	if (!err && tcp)
		err = kernel_listen(l->sock, svc->o.backlog);
	if (err)
		goto fail;
	ksf__sk_hook(&l->src, l->sock->sk, tcp ? listen_data_ready : udp_data_ready, NULL, NULL);
	*lp = l;
	return 0;
fail:
	if (l->sock)
		sock_release(l->sock);
	kfree(l);
	atomic_long_dec(&ksf__live);
	return err;
}

/* On the listener's worker (a task), or before the service started. */
void ksf__listener_close(struct ksf_listener *l)
{
	ksf__sk_unhook(&l->src, l->sock->sk);
	sock_release(l->sock);
	kfree(l);
	atomic_long_dec(&ksf__live);
}
