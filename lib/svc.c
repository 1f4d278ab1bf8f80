// SPDX-License-Identifier: BSD-2-Clause
/*
 * Services: options and limits, listening (one SO_REUSEPORT socket per
 * worker and address, bound on the caller's thread so errors come back at
 * once), start and graceful stop through tasks posted to each worker, idle
 * and drain timers, and counters summed over workers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "ksf_int.h"

void ksf_svc_opts_init(struct ksf_svc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->max_conns = 10000;
	o->outq_high = 1u << 20;
	o->outq_low = 256u << 10;
	o->outq_max = 16u << 20;
	o->max_msg = (1u << 20) + 4096;
	o->idle_ms = 0;
	o->drain_ms = 5000;
	o->backlog = 4096;
	o->steer = KSF_STEER_HASH;
}

static int check_opts(const struct ksf_svc_opts *o)
{
	if (!o->max_conns || !o->outq_high || o->outq_low > o->outq_high ||
	    o->outq_max < o->outq_high || !o->max_msg || o->backlog <= 0)
		return -EINVAL;
	return 0;
}

int ksf_svc_create(struct ksf_svc **svcp, struct ksf_pool *pool,
		   const struct ksf_svc_ops *ops, const struct ksf_svc_opts *o, void *udata)
{
	struct ksf_svc *s;
	int err;

	if (!pool || !ops || !ops->recv_cb)
		return -EINVAL;
	if (!(s = calloc(1, sizeof(*s))))
		return -ENOMEM;
	if (o)
		s->o = *o;
	else
		ksf_svc_opts_init(&s->o);
	if ((err = check_opts(&s->o))) {
		free(s);
		return err;
	}
	s->sws = calloc((size_t)pool->nworkers, sizeof(*s->sws));
	if (!s->sws) {
		free(s);
		return -ENOMEM;
	}
	s->pool = pool;
	s->ops = *ops;
	s->udata = udata;
	sem_init(&s->sem, 0, 0);
	for (int i = 0; i < pool->nworkers; i++) {
		s->sws[i].svc = s;
		s->sws[i].w = &pool->w[i];
		ksf__dlist_init(&s->sws[i].conns);
		for (int a = 0; a < KSF_MAX_ADDRS; a++)
			s->sws[i].ls[a].fd = -1;
	}
	*svcp = s;
	return 0;
}

static void close_listeners(struct ksf_svc *s, int addr)
{
	for (int i = 0; i < s->pool->nworkers; i++) {
		struct ksf__listener *l = &s->sws[i].ls[addr];
		if (l->fd >= 0)
			close(l->fd);
		l->fd = -1;
		ksf__udp_close(l);
	}
}

static int listen_proto(struct ksf_svc *s, const char *host, uint16_t port, int type)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int a = s->naddrs, fd, err;

	if (s->started)
		return -EBUSY;
	if (a == KSF_MAX_ADDRS)
		return -E2BIG;
	if ((err = ksf__resolve(host, port, &ss, &len)) ||
	    (err = ksf__claim_port(s->pool, &ss, &len, type)))
		return err;
	for (int i = 0; i < s->pool->nworkers; i++) {
		if ((fd = ksf__listen_socket(&ss, len, s->o.backlog, type)) < 0) {
			err = fd;
			goto fail;
		}
		s->sws[i].ls[a] = (struct ksf__listener){ .svc = s, .fd = fd, .addr_idx = a,
							  .dgram = type == SOCK_DGRAM };
	}
	if (s->o.steer == KSF_STEER_CPU &&
	    (err = ksf__attach_cpu_steer(s->sws[0].ls[a].fd, s->pool)))
		goto fail;
	s->addr[a] = ss;
	s->addrlen[a] = len;
	s->proto[a] = type;
	s->naddrs++;
	return ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
					: ntohs(((struct sockaddr_in *)&ss)->sin_port);
fail:
	close_listeners(s, a);
	return err;
}

int ksf_svc_listen(struct ksf_svc *s, const char *host, uint16_t port)
{
	return listen_proto(s, host, port, SOCK_STREAM);
}

int ksf_svc_listen_udp(struct ksf_svc *s, const char *host, uint16_t port)
{
	if (!s->ops.dgram_cb)
		return -EINVAL;
	return listen_proto(s, host, port, SOCK_DGRAM);
}

int ksf_svc_listener_proto(const struct ksf_svc *s, int i)
{
	if (i < 0 || i >= s->naddrs)
		return -ENOENT;
	return s->proto[i];
}

int ksf_svc_nlisteners(const struct ksf_svc *s)
{
	return s->naddrs;
}

int ksf_svc_listener_name(const struct ksf_svc *s, int i, char *buf, size_t n)
{
	if (i < 0 || i >= s->naddrs)
		return -ENOENT;
	return ksf__sockaddr_name((const struct sockaddr *)&s->addr[i], s->addrlen[i], buf, n);
}

static void start_task(void *arg)
{
	struct ksf__svc_worker *sw = arg;
	struct ksf__worker *w = sw->w;

	sw->next = w->svcs;
	w->svcs = sw;
	for (int a = 0; a < sw->svc->naddrs; a++) {
		struct ksf__listener *l = &sw->ls[a];

		int err = l->dgram ? ksf__udp_open(w, l) : 0;

		if (!err)
			err = w->be->listen_start(w, l);
		if (err && !sw->start_err)	/* this worker goes on without it */
			sw->start_err = err;
	}
	sem_post(&sw->svc->sem);
}

int ksf_svc_start(struct ksf_svc *s)
{
	if (s->started)
		return -EBUSY;
	if (!s->naddrs)
		return -EDESTADDRREQ;
	s->started = 1;
	for (int i = 0; i < s->pool->nworkers; i++)
		ksf__task_post_wait(s->pool, i, start_task, &s->sws[i]);
	for (int i = 0; i < s->pool->nworkers; i++)
		sem_wait(&s->sem);
	for (int i = 0; i < s->pool->nworkers; i++)
		if (s->sws[i].start_err)
			return s->sws[i].start_err;
	return 0;
}

/* Done on this worker once listeners are gone and connections closed. */
void ksf__svc_worker_check_done(struct ksf__svc_worker *sw)
{
	if (!sw->stopping || sw->done_posted || sw->nconns)
		return;
	for (int a = 0; a < sw->svc->naddrs; a++)
		if (sw->ls[a].fd >= 0 || sw->ls[a].more_pending)
			return;
	sw->done_posted = 1;
	/* unlink from the worker's service list */
	for (struct ksf__svc_worker **pp = &sw->w->svcs; *pp; pp = &(*pp)->next)
		if (*pp == sw) {
			*pp = sw->next;
			break;
		}
	/* The stopping thread frees the service once told: tell it at the end
	 * of the loop turn, when nothing on this worker refers to it any more. */
	sw->next = sw->w->svcs_done;
	sw->w->svcs_done = sw;
}

void ksf__svc_post_done(struct ksf__worker *w)
{
	struct ksf__svc_worker *sw;

	while ((sw = w->svcs_done)) {
		w->svcs_done = sw->next;
		sem_post(&sw->svc->sem);
	}
}

static void stop_task(void *arg)
{
	struct ksf__svc_worker *sw = arg;
	struct ksf__worker *w = sw->w;

	sw->stopping = 1;
	sw->drain_deadline = ksf__now_ns() + (uint64_t)sw->svc->o.drain_ms * 1000000u;
	for (int a = 0; a < sw->svc->naddrs; a++)
		if (sw->ls[a].fd >= 0)
			w->be->listen_stop(w, &sw->ls[a]);
	for (struct ksf__dlist *n = sw->conns.next; n != &sw->conns; n = n->next) {
		struct ksf_conn *c = ksf__container_of(n, struct ksf_conn, lru);
		ksf__conn_close_why(c, KSF_CLOSE_SHUTDOWN, 0);
	}
	ksf__svc_worker_check_done(sw);
}

int ksf_svc_stop(struct ksf_svc *s)
{
	if (!s->started || s->stopped)
		return s->stopped ? 0 : -EINVAL;
	s->stopped = 1;
	for (int i = 0; i < s->pool->nworkers; i++)
		ksf__task_post_wait(s->pool, i, stop_task, &s->sws[i]);
	for (int i = 0; i < s->pool->nworkers; i++)
		sem_wait(&s->sem);
	return 0;
}

void ksf_svc_destroy(struct ksf_svc *s)
{
	if (!s)
		return;
	if (s->started && !s->stopped)
		ksf_svc_stop(s);
	for (int a = 0; a < s->naddrs; a++)
		close_listeners(s, a);
	sem_destroy(&s->sem);
	free(s->sws);
	free(s);
}

/* Idle timeouts (oldest first: the list is in activity order) and drain
 * deadlines. Returns ms until the next deadline, or -1. */
static int64_t sw_timers(struct ksf__svc_worker *sw, uint64_t now)
{
	int64_t next = -1;
	uint64_t idle = (uint64_t)sw->svc->o.idle_ms * 1000000u;

	if (sw->stopping) {
		if (now >= sw->drain_deadline) {
			while (!ksf__dlist_empty(&sw->conns)) {
				struct ksf_conn *c = ksf__container_of(sw->conns.next, struct ksf_conn, lru);
				/* finish unlinks it; its memory lives until the reap phase */
				c->flags |= KSF__C_HARD;
				ksf__conn_finish(c, KSF_CLOSE_SHUTDOWN);
			}
			return -1;
		}
		return (int64_t)((sw->drain_deadline - now) / 1000000u) + 1;
	}
	if (!idle)
		return -1;
	while (!ksf__dlist_empty(&sw->conns)) {
		struct ksf_conn *c = ksf__container_of(sw->conns.next, struct ksf_conn, lru);
		if (now - c->last_ns < idle) {
			next = (int64_t)((c->last_ns + idle - now) / 1000000u) + 1;
			break;
		}
		KSF__STAT_ADD(&sw->st, lim_idle, 1);
		ksf__log_limited(sw->w, KSF__LOG_IDLE, "idle-timeout %u ms: connection closed",
				 sw->svc->o.idle_ms);
		/* Also a closing connection whose peer stopped reading: its
		 * output made no progress for the whole idle time. */
		ksf__conn_close_why(c, KSF_CLOSE_IDLE, 1);
		c->last_ns = now;	/* finished this turn; keep scanning past it */
		ksf__dlist_del(&c->lru);
		ksf__dlist_add_tail(&sw->conns, &c->lru);
	}
	return next;
}

int ksf__svc_timers(struct ksf__worker *w)
{
	int64_t best = ksf__accept_timer(w);

	for (struct ksf__svc_worker *sw = w->svcs, *next; sw; sw = next) {
		next = sw->next;	/* sw_timers may unlink sw */
		int64_t t = sw_timers(sw, w->now_ns);
		if (t >= 0 && (best < 0 || t < best))
			best = t;
	}
	return best > 100000 ? 100000 : (int)best;
}

static void add_stats(struct ksf_svc_stats *out, const struct ksf__stats *st)
{
#define X(f) out->f += atomic_load_explicit(&st->f, memory_order_relaxed);
	KSF__STAT_FIELDS(X)
#undef X
}

void ksf_svc_stats(const struct ksf_svc *s, struct ksf_svc_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < s->pool->nworkers; i++)
		add_stats(out, &s->sws[i].st);
}

int ksf_svc_worker_stats(const struct ksf_svc *s, int worker, struct ksf_svc_stats *out)
{
	if (worker < 0 || worker >= s->pool->nworkers)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	add_stats(out, &s->sws[worker].st);
	return 0;
}

void *ksf_svc_udata(const struct ksf_svc *s)
{
	return s->udata;
}
