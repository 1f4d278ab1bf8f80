/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal to kmod/core: the structures behind ksf_kmod.h and the
 * functions the core's files share.
 *
 * Everything a socket callback can reach is a struct ksf_src (a connection,
 * a TCP listener or a UDP socket): the callback sets an event bit and puts
 * the source on its worker's ready list under the worker's lock, then wakes
 * the worker. The worker takes sources off that list and runs them; it alone
 * touches their sockets and buffers, and it alone frees them, after putting
 * the socket's own callbacks back under sk_callback_lock (so no callback
 * can still see the source).
 */
#ifndef KSF_KINT_H
#define KSF_KINT_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/list.h>
#include <linux/net.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <net/sock.h>
#include "ksf_kmod.h"

#define KSF_EV_READ	0	/* event bits of struct ksf_src.events */
#define KSF_EV_WRITE	1
#define KSF_EV_STATE	2

struct ksf_worker;

struct ksf_src {
	struct list_head ready;		/* on worker->ready while queued */
	unsigned long events;		/* KSF_EV_* bits, set by callbacks */
	struct ksf_worker *w;
	void (*run)(struct ksf_src *s);	/* on the worker */
	/* the socket's own callbacks, put back before the socket goes */
	void (*old_data_ready)(struct sock *sk);
	void (*old_write_space)(struct sock *sk);
	void (*old_state_change)(struct sock *sk);
};

struct ksf_task {
	struct list_head node;
	void (*fn)(void *arg);
	void *arg;
	struct completion *done;	/* ksf_task_run_wait: signalled after fn */
	bool heap;			/* kfree after running */
};

struct ksf_worker {
	struct ksf_pool *pool;
	int idx, cpu;
	struct task_struct *task;
	spinlock_t lock;		/* ready and tasks; taken from softirq */
	struct list_head ready;
	struct list_head tasks;
	struct list_head conns;		/* every connection this worker owns */
	unsigned long next_tick;	/* jiffies of the next idle/drain scan */
};

struct ksf_pool {
	char name[24];
	int nworkers;
	struct ksf_worker w[];
};

/* Per service, per worker: its listeners and counters. */
struct ksf_svc_worker {
	struct ksf_svc *svc;
	struct ksf_listener *tcp;	/* NULL: none */
	struct ksf_listener *udp;
	struct ksf_svc_stats st;
	u8 *dgram_buf;			/* one datagram, KSF_DGRAM_MAX */
};

struct ksf_svc {
	char name[24];
	struct ksf_pool *pool;
	struct ksf_svc_ops ops;
	struct ksf_svc_opts o;
	void *udata;
	atomic_t nconns;		/* connections alive */
	wait_queue_head_t wq;		/* woken when a connection is freed */
	bool started, stopping, draining;
	unsigned long drain_until;	/* jiffies */
	struct dentry *dbg;
	void (*dbg_show)(struct seq_file *m, void *udata);
	struct ksf_svc_worker sw[];
};

struct ksf_listener {
	struct ksf_src src;
	struct socket *sock;
	struct ksf_svc *svc;
	int proto;			/* IPPROTO_TCP or IPPROTO_UDP */
};

/* One output chunk: data[off..len) still to send. */
struct ksf_obuf {
	struct list_head node;
	size_t len, off, cap;
	u8 data[];
};

struct ksf_conn {
	struct ksf_src src;		/* first: callbacks find it from sk_user_data */
	struct list_head node;		/* on worker->conns */
	struct socket *sock;
	struct ksf_svc *svc;
	struct ksf_svc_worker *sw;
	void *udata;
	u8 *in;				/* unconsumed input in[0..in_len) */
	size_t in_len, in_cap;
	struct list_head outq;		/* of struct ksf_obuf */
	size_t outq_bytes;
	unsigned long last_io;		/* jiffies */
	bool paused;			/* outq_high reached: not reading */
	bool eof;			/* the peer sent FIN */
	bool closing;			/* close once the output is flushed */
	bool want_write;		/* a send hit -EAGAIN: wait for write space */
	bool dead;			/* freed at the end of this run */
	bool opened;			/* open_cb accepted it: close_cb is due */
	bool reset;			/* close with a RST (stop, drain_ms over) */
	enum ksf_close_reason why;
};

#define KSF_DGRAM_MAX	65536u
#define KSF_OBUF_SIZE	16384u		/* output chunk, header included */
#define KSF_IN_MIN	16384u		/* first input buffer */

extern atomic_long_t ksf__live;		/* conns + buffers + tasks allocated */

/* worker.c */
void ksf__src_wake(struct ksf_src *s, int ev);
void ksf__src_init(struct ksf_src *s, struct ksf_worker *w, void (*run)(struct ksf_src *s));
void ksf__src_unqueue(struct ksf_src *s);
void ksf__sk_hook(struct ksf_src *s, struct sock *sk, void (*data_ready)(struct sock *sk),
		  void (*write_space)(struct sock *sk), void (*state_change)(struct sock *sk));
void ksf__sk_unhook(struct ksf_src *s, struct sock *sk);
struct ksf_src *ksf__sk_src(struct sock *sk);

/* conn.c */
void ksf__conn_new(struct ksf_svc *svc, struct ksf_worker *w, struct socket *sock,
		   const struct ksf_src *l);
void ksf__conn_tick(struct ksf_conn *c, unsigned long now);
void ksf__conn_drain(struct ksf_conn *c);
void ksf__conn_reset(struct ksf_conn *c);

/* outq.c */
int ksf__outq_add(struct ksf_conn *c, const void *data, size_t len);
int ksf__outq_flush(struct ksf_conn *c);
void ksf__outq_free(struct ksf_conn *c);

/* debugfs.c */
void ksf__svc_debugfs_remove(struct ksf_svc *svc);

/* listen.c */
int ksf__listener_open(struct ksf_svc *svc, int w, int proto, const struct sockaddr_in *sa,
		       struct ksf_listener **lp);
void ksf__listener_close(struct ksf_listener *l);
void ksf__udp_run(struct ksf_src *s);

#endif
