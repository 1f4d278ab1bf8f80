// SPDX-License-Identifier: BSD-2-Clause
/*
 * Services: listeners on every worker, the service's callbacks, limits and
 * per-worker counters; start, and a stop that is safe with any number of
 * live connections, clients that never read, and load: listeners are
 * closed on their workers, connections stop being read and get drain_ms
 * to flush, the rest are reset, and stop returns only when the last
 * connection is freed (each on its own worker, its socket's callbacks
 * restored first).
 */
#include <linux/inet.h>
#include <linux/in.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "ksf_kint.h"

void ksf_svc_opts_init(struct ksf_svc_opts *o)
{
	o->max_conns = 10000;
	o->outq_high = 1u << 20;
	o->outq_low = 256u << 10;
	o->outq_max = 16u << 20;
	o->max_msg = (1u << 20) + 4096;
	o->idle_ms = 0;
	o->drain_ms = 2000;
	o->backlog = 4096;
}

static int opts_check(const struct ksf_svc_opts *o)
{
	if (!o->max_conns || !o->outq_high || o->outq_low > o->outq_high ||
	    o->outq_max < o->outq_high || !o->max_msg || o->max_msg > (1u << 30) ||
	    o->backlog <= 0)
		return -EINVAL;
	return 0;
}

int ksf_svc_create(struct ksf_svc **svcp, struct ksf_pool *pool, const char *name,
		   const struct ksf_svc_ops *ops, const struct ksf_svc_opts *o, void *udata)
{
	int n = pool->nworkers, err = opts_check(o);
	struct ksf_svc *svc;

	if (err)
		return err;
	if (!ops->recv_cb)
		return -EINVAL;
	svc = kzalloc(struct_size(svc, sw, n), GFP_KERNEL);
	if (!svc)
		return -ENOMEM;
	strscpy(svc->name, name, sizeof(svc->name));
	svc->pool = pool;
	svc->ops = *ops;
	svc->o = *o;
	svc->udata = udata;
	atomic_set(&svc->nconns, 0);
	init_waitqueue_head(&svc->wq);
	for (int i = 0; i < n; i++)
		svc->sw[i].svc = svc;
	*svcp = svc;
	return 0;
}

static int parse_addr(const char *addr, u16 port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	if (!addr || !*addr)
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (!in4_pton(addr, -1, (u8 *)&sa->sin_addr.s_addr, -1, NULL))
		return -EINVAL;
	return 0;
}

/* One socket per worker; port 0 becomes the first one's port. */
static int listen_all(struct ksf_svc *svc, const char *addr, u16 port, int proto)
{
	struct sockaddr_in sa;
	int err = parse_addr(addr, port, &sa);

	if (err)
		return err;
	if (svc->started)
		return -EBUSY;
	for (int i = 0; i < svc->pool->nworkers; i++) {
		struct ksf_svc_worker *sw = &svc->sw[i];
		struct ksf_listener **lp = proto == IPPROTO_TCP ? &sw->tcp : &sw->udp;

		if (*lp)
			return -EEXIST;
		if (proto == IPPROTO_UDP && !sw->dgram_buf) {
			sw->dgram_buf = kvmalloc(KSF_DGRAM_MAX, GFP_KERNEL);
			if (!sw->dgram_buf)
				return -ENOMEM;
		}
		err = ksf__listener_open(svc, i, proto, &sa, lp);
		if (err)
			return err;	/* ksf_svc_destroy closes the others */
		if (!sa.sin_port) {
			struct sockaddr_in got;

			err = kernel_getsockname((*lp)->sock, (struct sockaddr *)&got);
			if (err < 0)
				return err;
			sa.sin_port = got.sin_port;
		}
	}
	return ntohs(sa.sin_port);
}

int ksf_svc_listen(struct ksf_svc *svc, const char *addr, u16 port)
{
	return listen_all(svc, addr, port, IPPROTO_TCP);
}

int ksf_svc_listen_udp(struct ksf_svc *svc, const char *addr, u16 port)
{
	if (!svc->ops.dgram_cb)
		return -EINVAL;
	return listen_all(svc, addr, port, IPPROTO_UDP);
}

/* Task, on each worker: look at its listeners once (connections may be
 * waiting already). */
static void start_on_worker(void *arg)
{
	struct ksf_svc_worker *sw = arg;

	if (sw->tcp)
		ksf__src_wake(&sw->tcp->src, KSF_EV_READ);
	if (sw->udp)
		ksf__src_wake(&sw->udp->src, KSF_EV_READ);
}

void ksf_svc_start(struct ksf_svc *svc)
{
	svc->started = true;
	smp_wmb();	/* before the workers look at the listeners */
	for (int i = 0; i < svc->pool->nworkers; i++)
		if (ksf_task_run(svc->pool, i, start_on_worker, &svc->sw[i]))
			start_on_worker(&svc->sw[i]);	/* no memory: from here */
}

static void close_listeners(struct ksf_svc_worker *sw)
{
	if (sw->tcp)
		ksf__listener_close(sw->tcp);
	if (sw->udp)
		ksf__listener_close(sw->udp);
	sw->tcp = NULL;
	sw->udp = NULL;
}

/* Task, on each worker: phase 1 of the stop. */
static void stop_on_worker(void *arg)
{
	struct ksf_svc_worker *sw = arg;
	struct ksf_svc *svc = sw->svc;
	struct ksf_worker *w = &svc->pool->w[sw - svc->sw];
	struct ksf_conn *c, *tmp;

	close_listeners(sw);
	list_for_each_entry_safe(c, tmp, &w->conns, node)
		if (c->svc == svc)
			ksf__conn_drain(c);	/* may free c */
}

/* Task, on each worker: phase 2, drain_ms over. */
static void reset_on_worker(void *arg)
{
	struct ksf_svc_worker *sw = arg;
	struct ksf_svc *svc = sw->svc;
	struct ksf_worker *w = &svc->pool->w[sw - svc->sw];
	struct ksf_conn *c, *tmp;

	list_for_each_entry_safe(c, tmp, &w->conns, node)
		if (c->svc == svc)
			ksf__conn_reset(c);
}

void ksf_svc_stop(struct ksf_svc *svc)
{
	int n = svc->pool->nworkers;

	if (!svc->started || svc->stopping)
		return;
	svc->drain_until = jiffies + msecs_to_jiffies(svc->o.drain_ms);
	svc->stopping = true;
	svc->draining = true;
	smp_wmb();
	for (int i = 0; i < n; i++)
		ksf_task_run_wait(svc->pool, i, stop_on_worker, &svc->sw[i]);
	/* the workers' ticks reset what is left at drain_until */
	/* TASK_IDLE waits: a long drain_ms is not a hung task */
	if (!wait_event_idle_timeout(svc->wq, atomic_read(&svc->nconns) == 0,
				     msecs_to_jiffies(svc->o.drain_ms) + HZ)) {
		for (int i = 0; i < n; i++)
			ksf_task_run_wait(svc->pool, i, reset_on_worker, &svc->sw[i]);
	}
	/* an accept in flight may still add one: until none is left */
	while (!wait_event_idle_timeout(svc->wq, atomic_read(&svc->nconns) == 0, HZ))
		for (int i = 0; i < n; i++)
			ksf_task_run_wait(svc->pool, i, reset_on_worker, &svc->sw[i]);
}

static void close_listeners_task(void *arg)
{
	close_listeners(arg);
}

/* A stopped or never started service. Its listeners are closed on their
 * workers, where a run of them may be under way. */
void ksf_svc_destroy(struct ksf_svc *svc)
{
	ksf__svc_debugfs_remove(svc);
	for (int i = 0; i < svc->pool->nworkers; i++) {
		ksf_task_run_wait(svc->pool, i, close_listeners_task, &svc->sw[i]);
		kvfree(svc->sw[i].dgram_buf);
	}
	kfree(svc);
}

void ksf_svc_stats(const struct ksf_svc *svc, struct ksf_svc_stats *st)
{
	u64 *sum = (u64 *)st;
	size_t k = sizeof(*st) / sizeof(u64);

	memset(st, 0, sizeof(*st));
	for (int i = 0; i < svc->pool->nworkers; i++) {
		const u64 *one = (const u64 *)&svc->sw[i].st;

		for (size_t j = 0; j < k; j++)
			sum[j] += READ_ONCE(one[j]);
	}
}

void *ksf_svc_udata(const struct ksf_svc *svc)
{
	return svc->udata;
}

int ksf_svc_nworkers(const struct ksf_svc *svc)
{
	return svc->pool->nworkers;
}

const char *ksf_svc_name(const struct ksf_svc *svc)
{
	return svc->name;
}
