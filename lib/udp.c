// SPDX-License-Identifier: BSD-2-Clause
/*
 * UDP for services: each worker's datagram socket is read with recvmmsg in
 * batches of UDP_BATCH, every datagram goes to the service's dgram_cb, and
 * the replies the batch produced leave with one sendmmsg (seed TODO 3).
 * Buffers belong to the worker's socket state and are reused for every
 * batch; nothing is allocated per datagram.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ksf_int.h"

#define UDP_BATCH	32		/* datagrams per recvmmsg */
#define UDP_MAX		65536		/* largest datagram received */
#define UDP_ROUNDS	8		/* recvmmsg calls per readable event */
#define UDP_REPLY_MAX	65507
#define UDP_TXBUF	(1u << 20)	/* reply bytes per batch */

struct ksf__udp {
	struct mmsghdr rx[UDP_BATCH];
	struct iovec rxiov[UDP_BATCH];
	struct sockaddr_storage rxaddr[UDP_BATCH];
	struct mmsghdr tx[UDP_BATCH];
	struct iovec txiov[UDP_BATCH];
	int ntx;
	size_t txused;
	char *rxbuf, *txbuf;
	struct ksf__worker *w;
	struct ksf__listener *l;
};

int ksf__udp_open(struct ksf__worker *w, struct ksf__listener *l)
{
	struct ksf__udp *u = calloc(1, sizeof(*u));

	if (!u || !(u->rxbuf = malloc((size_t)UDP_BATCH * UDP_MAX)) ||
	    !(u->txbuf = malloc(UDP_TXBUF))) {
		if (u)
			free(u->rxbuf);
		free(u);
		return -ENOMEM;
	}
	for (int i = 0; i < UDP_BATCH; i++) {
		u->rxiov[i].iov_base = u->rxbuf + (size_t)i * UDP_MAX;
		u->rxiov[i].iov_len = UDP_MAX;
		u->rx[i].msg_hdr.msg_iov = &u->rxiov[i];
		u->rx[i].msg_hdr.msg_iovlen = 1;
		u->rx[i].msg_hdr.msg_name = &u->rxaddr[i];
	}
	u->w = w;
	u->l = l;
	l->udp = u;
	return 0;
}

void ksf__udp_close(struct ksf__listener *l)
{
	if (!l->udp)
		return;
	free(l->udp->rxbuf);
	free(l->udp->txbuf);
	free(l->udp);
	l->udp = NULL;
}

static void udp_flush(struct ksf__udp *u, struct ksf__stats *st)
{
	int sent = 0, n;

	while (sent < u->ntx) {
		n = sendmmsg(u->l->fd, u->tx + sent, (unsigned)(u->ntx - sent), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;	/* socket full or an error: the rest is dropped */
		}
		for (int i = sent; i < sent + n; i++)
			KSF__STAT_ADD(st, bytes_out, u->tx[i].msg_len);
		sent += n;
	}
	KSF__STAT_ADD(st, dgrams_out, (uint64_t)sent);
	KSF__STAT_ADD(st, dgram_drops, (uint64_t)(u->ntx - sent));
	KSF__STAT_ADD(st, flushes, 1);
	u->ntx = 0;
	u->txused = 0;
}

int ksf_dgram_reply(const struct ksf_dgram *d, const void *data, size_t len)
{
	struct ksf__udp *u = d->priv;
	struct ksf__stats *st = &u->l->svc->sws[u->w->idx].st;

	if (len > UDP_REPLY_MAX) {
		KSF__STAT_ADD(st, dgram_drops, 1);
		return -EMSGSIZE;
	}
	if (u->ntx == UDP_BATCH || u->txused + len > UDP_TXBUF)
		udp_flush(u, st);
	struct mmsghdr *m = &u->tx[u->ntx];
	memcpy(u->txbuf + u->txused, data, len);
	u->txiov[u->ntx].iov_base = u->txbuf + u->txused;
	u->txiov[u->ntx].iov_len = len;
	memset(&m->msg_hdr, 0, sizeof(m->msg_hdr));
	m->msg_hdr.msg_iov = &u->txiov[u->ntx];
	m->msg_hdr.msg_iovlen = 1;
	m->msg_hdr.msg_name = (void *)d->peer;
	m->msg_hdr.msg_namelen = d->peerlen;
	u->txused += len;
	u->ntx++;
	return 0;
}

/* One recvmmsg batch to the callback; returns datagrams read, or -errno. */
static int udp_batch(struct ksf__udp *u, struct ksf__stats *st)
{
	struct ksf_svc *svc = u->l->svc;
	int n;

	for (int i = 0; i < UDP_BATCH; i++)
		u->rx[i].msg_hdr.msg_namelen = sizeof(u->rxaddr[i]);
	n = recvmmsg(u->l->fd, u->rx, UDP_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	for (int i = 0; i < n; i++) {
		struct ksf_dgram d = {
			.data = u->rxiov[i].iov_base, .len = u->rx[i].msg_len,
			.peer = (struct sockaddr *)&u->rxaddr[i],
			.peerlen = u->rx[i].msg_hdr.msg_namelen,
			.worker = u->w->idx, .priv = u,
		};
		KSF__STAT_ADD(st, bytes_in, d.len);
		svc->ops.dgram_cb(svc, &d);
	}
	KSF__STAT_ADD(st, dgrams_in, (uint64_t)n);
	/* replies point at rxaddr[]: send them before the next batch reuses it */
	if (u->ntx)
		udp_flush(u, st);
	return n;
}

static void udp_more_task(void *arg);

void ksf__udp_readable(struct ksf__worker *w, struct ksf__listener *l)
{
	struct ksf__udp *u = l->udp;
	struct ksf__stats *st = &l->svc->sws[w->idx].st;
	int n = UDP_BATCH;

	if (!u || l->fd < 0 || l->stopping)
		return;
	w->now_ns = ksf__now_ns();
	for (int r = 0; r < UDP_ROUNDS && n == UDP_BATCH; r++) {
		n = udp_batch(u, st);
		if (n == -EINTR)
			n = UDP_BATCH;
		else if (n < 0 && n != -EAGAIN)
			KSF__STAT_ADD(st, errors, 1);
	}
	/* Still full after the bounded rounds: go on next turn, since an
	 * edge-style notification (io_uring poll) would not come again. */
	if (n == UDP_BATCH && !l->more_pending &&
	    ksf_task_post_worker(w->pool, w->idx, udp_more_task, l) == 0)
		l->more_pending = 1;
}

/* The service's stop waits for this task (more_pending), so l is valid. */
static void udp_more_task(void *arg)
{
	struct ksf__listener *l = arg;
	struct ksf__worker *w = &l->svc->pool->w[ksf_worker_self()];

	l->more_pending = 0;
	ksf__udp_readable(w, l);
	ksf__svc_worker_check_done(&l->svc->sws[w->idx]);
}
