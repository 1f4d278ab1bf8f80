/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ksf in the Linux kernel: the API a module service (kecho.ko, krpc.ko) is
 * written against, shaped like libksf's (include/ksf/svc.h, conn.h,
 * dgram.h, task.h) with the same names where they fit.
 *
 *   pool      per-CPU worker kthreads, each bound to its CPU; a worker owns
 *             the connections it accepted for their whole life and runs the
 *             tasks queued to it (the seed's thread pool)
 *   service   TCP and UDP listeners (one SO_REUSEPORT socket per worker, so
 *             the network stack spreads connections over workers), the
 *             callbacks, limits and counters
 *   conn      one accepted TCP socket: input buffer, output queue
 *   dgram     one UDP datagram and its reply
 *
 * The socket callbacks (sk_data_ready, sk_write_space, sk_state_change)
 * only mark the socket ready and wake its worker; all socket I/O happens on
 * the worker, non-blocking (kernel_recvmsg/kernel_sendmsg, MSG_DONTWAIT).
 * Errors are negative errno values.
 */
#ifndef KSF_KMOD_H
#define KSF_KMOD_H

#include <linux/types.h>
#include <linux/socket.h>

struct ksf_pool;
struct ksf_svc;
struct ksf_conn;

/* Why a connection was closed (close_cb's reason), as in libksf. */
enum ksf_close_reason {
	KSF_CLOSE_PEER = 0,	/* orderly EOF from the peer */
	KSF_CLOSE_ERROR,	/* socket error (reset, ...) */
	KSF_CLOSE_APP,		/* ksf_conn_close() or recv_cb returned < 0 */
	KSF_CLOSE_IDLE,		/* idle timeout */
	KSF_CLOSE_MSG_LIMIT,	/* unconsumed input above max_msg */
	KSF_CLOSE_SHUTDOWN,	/* service stopped (module unload) */
};

/* One UDP datagram, valid during dgram_cb only. */
struct ksf_dgram {
	const void *data;
	size_t len;
	const struct sockaddr_in *peer;
	int worker;		/* index of the worker it arrived on */
	struct ksf_svc *svc;
};

struct ksf_svc_ops {
	/* A connection was accepted: 0 keeps it, -errno closes it. May be NULL. */
	int (*open_cb)(struct ksf_conn *c);
	/* data[0..len) is all input not consumed yet: return the bytes
	 * consumed (0..len) or -errno to close. Required. */
	ssize_t (*recv_cb)(struct ksf_conn *c, const void *data, size_t len);
	/* The connection is going away. May be NULL. */
	void (*close_cb)(struct ksf_conn *c, enum ksf_close_reason why);
	/* A datagram arrived (ksf_svc_listen_udp). */
	void (*dgram_cb)(struct ksf_svc *svc, const struct ksf_dgram *d);
};

/* Limits: libksf's struct ksf_svc_opts, with the same defaults. */
struct ksf_svc_opts {
	unsigned int max_conns;	/* over it new connections are closed at once */
	size_t outq_high;	/* output queued at or above this: stop reading */
	size_t outq_low;	/* resume reading at or below this */
	size_t outq_max;	/* ksf_conn_send fails with -ENOBUFS above it */
	size_t max_msg;		/* cap on unconsumed input held for recv_cb */
	unsigned int idle_ms;	/* close after this long without I/O; 0 = never */
	unsigned int drain_ms;	/* on stop, time allowed to flush before reset */
	int backlog;
};

/* Counters, one set per worker, summed by ksf_svc_stats(). */
struct ksf_svc_stats {
	u64 conns_accepted, conns_closed, conns_active;
	u64 bytes_in, bytes_out;
	u64 msgs_in;		/* recv_cb calls */
	u64 sends;		/* ksf_conn_send calls that queued bytes */
	u64 flushes;		/* kernel_sendmsg calls */
	u64 lim_conns;		/* connections refused: max_conns */
	u64 lim_outq;		/* times reading was paused: outq_high */
	u64 lim_outq_max;	/* sends refused: outq_max */
	u64 lim_msg;		/* connections closed: max_msg */
	u64 lim_idle;		/* connections closed: idle_ms */
	u64 errors;		/* socket errors */
	u64 dgrams_in, dgrams_out, dgram_drops;
	u64 resets;		/* connections reset at stop (drain_ms over) */
};

/* Pool: nworkers kthreads named "NAME/N", worker i bound to the i-th online
 * CPU (nworkers 0: one per online CPU). */
int ksf_pool_create(struct ksf_pool **poolp, const char *name, int nworkers);
void ksf_pool_destroy(struct ksf_pool *pool);
int ksf_pool_nworkers(const struct ksf_pool *pool);

/* Tasks: run fn(arg) on worker w, soon, in its thread. ksf_task_run
 * returns 0 or -ENOMEM; ksf_task_run_wait also waits until fn returned. */
int ksf_task_run(struct ksf_pool *pool, int w, void (*fn)(void *arg), void *arg);
void ksf_task_run_wait(struct ksf_pool *pool, int w, void (*fn)(void *arg), void *arg);

void ksf_svc_opts_init(struct ksf_svc_opts *o);
int ksf_svc_create(struct ksf_svc **svcp, struct ksf_pool *pool, const char *name,
		   const struct ksf_svc_ops *ops, const struct ksf_svc_opts *o, void *udata);
/* Listen on an IPv4 address ("" or NULL: any) and port (0: a free one).
 * Returns the bound port (> 0) or -errno. */
int ksf_svc_listen(struct ksf_svc *svc, const char *addr, u16 port);
int ksf_svc_listen_udp(struct ksf_svc *svc, const char *addr, u16 port);
/* Start accepting and reading. */
void ksf_svc_start(struct ksf_svc *svc);
/* Stop: close the listeners, stop reading, flush for up to drain_ms, reset
 * what is left, close every connection. Returns when no connection is left. */
void ksf_svc_stop(struct ksf_svc *svc);
void ksf_svc_destroy(struct ksf_svc *svc);
void ksf_svc_stats(const struct ksf_svc *svc, struct ksf_svc_stats *st);
void *ksf_svc_udata(const struct ksf_svc *svc);
int ksf_svc_nworkers(const struct ksf_svc *svc);
const char *ksf_svc_name(const struct ksf_svc *svc);

/* Connections: call on the owning worker (from the callbacks). */
int ksf_conn_send(struct ksf_conn *c, const void *data, size_t len);
void ksf_conn_close(struct ksf_conn *c, int hard);
size_t ksf_conn_outq(const struct ksf_conn *c);
size_t ksf_conn_room(const struct ksf_conn *c);
void ksf_conn_set_udata(struct ksf_conn *c, void *udata);
void *ksf_conn_udata(const struct ksf_conn *c);
struct ksf_svc *ksf_conn_svc(const struct ksf_conn *c);
int ksf_conn_worker(const struct ksf_conn *c);

/* Reply to a datagram (from dgram_cb). 0, or -errno (counted as a drop). */
int ksf_dgram_reply(const struct ksf_dgram *d, const void *data, size_t len);

/* Counters in debugfs: DIR/stats (DIR is the service's name), with extra
 * lines from show (may be NULL), e.g. krpc's RPC counters. */
struct seq_file;
int ksf_svc_debugfs(struct ksf_svc *svc, void (*show)(struct seq_file *m, void *udata));
/* What a module's init does after ksf_svc_create: listen on TCP (and UDP
 * on the same port if udp), the debugfs counters, start. Returns the
 * bound port (> 0) or -errno (the service is then not started). */
int ksf_svc_serve(struct ksf_svc *svc, const char *addr, u16 port, bool udp,
		  void (*show)(struct seq_file *m, void *udata));

/* Objects alive, for the leak check at module exit (WARNs if not zero). */
long ksf_kmod_live(void);

#endif
