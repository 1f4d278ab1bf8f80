/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Services: a set of listeners and the connections they accept, with the
 * callbacks that handle them, limits and counters. Every worker of the pool
 * owns its own SO_REUSEPORT listener per address, so the kernel hashes
 * connections to workers by 4-tuple (or, with KSF_STEER_CPU, by the CPU
 * that received the packets: seed 001, connections hashed to CPUs).
 */
#ifndef KSF_SVC_H
#define KSF_SVC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ksf_pool;
struct ksf_svc;
struct ksf_conn;
struct ksf_dgram;

/* Why a connection was closed (close_cb's reason). */
enum ksf_close_reason {
	KSF_CLOSE_PEER = 0,	/* orderly EOF from the peer */
	KSF_CLOSE_ERROR,	/* socket error (reset, ...) */
	KSF_CLOSE_APP,		/* ksf_conn_close() or recv_cb returned < 0 */
	KSF_CLOSE_IDLE,		/* idle timeout */
	KSF_CLOSE_MSG_LIMIT,	/* unconsumed input above max_msg */
	KSF_CLOSE_SHUTDOWN,	/* service stopped */
};

struct ksf_svc_ops {
	/* A connection was accepted. Return 0 to keep it, -errno to close it
	 * (close_cb is then not called). May be NULL. */
	int (*open_cb)(struct ksf_conn *c);
	/* Bytes arrived: data[0..len) is everything not consumed so far.
	 * Return how many bytes were consumed (0..len); the rest is handed back,
	 * with more data appended, on the next call. Return -errno to close.
	 * data is valid only during the call. Required. */
	ssize_t (*recv_cb)(struct ksf_conn *c, const void *data, size_t len);
	/* The connection is closed; its memory goes away after this returns.
	 * May be NULL. */
	void (*close_cb)(struct ksf_conn *c, enum ksf_close_reason why);
	/* A datagram arrived on a UDP address (ksf_svc_listen_udp); answer with
	 * ksf_dgram_reply(). Required only for services that listen on UDP. */
	void (*dgram_cb)(struct ksf_svc *svc, const struct ksf_dgram *d);
};

enum ksf_steer {
	KSF_STEER_HASH = 0,	/* kernel SO_REUSEPORT hash of the 4-tuple */
	KSF_STEER_CPU,		/* reuseport BPF: the worker on the CPU that took the packet */
};

struct ksf_svc_opts {
	unsigned max_conns;	/* per service; over it new connections are closed at once */
	size_t outq_high;	/* output queued above this: stop reading the connection */
	size_t outq_low;	/* resume reading below this */
	size_t outq_max;	/* hard cap: ksf_conn_send fails with -ENOBUFS above it */
	size_t max_msg;		/* cap on unconsumed input held for recv_cb */
	unsigned idle_ms;	/* close after this long without input or output; 0 = never */
	unsigned drain_ms;	/* on stop, time allowed to flush before force-close */
	int backlog;
	enum ksf_steer steer;
};

/* Counters, summed over workers by ksf_svc_stats(). */
struct ksf_svc_stats {
	uint64_t conns_accepted, conns_closed, conns_active;
	uint64_t bytes_in, bytes_out;
	uint64_t msgs_in;		/* recv_cb calls */
	uint64_t sends;			/* ksf_conn_send calls that queued bytes */
	uint64_t flushes;		/* sendmsg calls or submissions, sendmmsg batches */
	uint64_t lim_conns;		/* connections refused: max_conns */
	uint64_t lim_outq;		/* times reading was paused: outq_high */
	uint64_t lim_outq_max;		/* sends refused: outq_max */
	uint64_t lim_msg;		/* connections closed: max_msg */
	uint64_t lim_idle;		/* connections closed: idle_ms */
	uint64_t errors;		/* socket errors */
	uint64_t dgrams_in, dgrams_out;	/* UDP datagrams received, replies sent */
	uint64_t dgram_drops;		/* UDP replies dropped (socket full, too big) */
	uint64_t zc_bytes;		/* input bytes sent by reference (ksf_conn_send_input) */
	uint64_t zc_copied;		/* input bytes ksf_conn_send_input copied instead */
};

void ksf_svc_opts_init(struct ksf_svc_opts *o);

/* Create a service on a pool. ops is copied. Returns 0 or -errno. */
int ksf_svc_create(struct ksf_svc **svcp, struct ksf_pool *pool,
		   const struct ksf_svc_ops *ops, const struct ksf_svc_opts *o,
		   void *udata);

/* Listen on addr (numeric IPv4/IPv6 or a host name; NULL or "" means all
 * IPv6 and IPv4 addresses) and TCP port (0 picks a free one). Binds one
 * SO_REUSEPORT socket per worker now, so errors come back here.
 * Returns the bound port (> 0) or -errno. */
int ksf_svc_listen(struct ksf_svc *svc, const char *addr, uint16_t port);

/* Same on UDP: one SO_REUSEPORT datagram socket per worker; datagrams go
 * to ops->dgram_cb (-EINVAL if it is NULL). Port 0 picks a free UDP port;
 * pass the TCP port to serve both on one number. Returns the port or -errno. */
int ksf_svc_listen_udp(struct ksf_svc *svc, const char *addr, uint16_t port);

/* Number of listening addresses, and the text form of listener i
 * ("127.0.0.1:60007", "[::1]:60007") into buf. Returns 0 or -errno.
 * ksf_svc_listener_proto() says SOCK_STREAM or SOCK_DGRAM. */
int ksf_svc_listener_proto(const struct ksf_svc *svc, int i);
int ksf_svc_nlisteners(const struct ksf_svc *svc);
int ksf_svc_listener_name(const struct ksf_svc *svc, int i, char *buf, size_t len);

/* Hand the listeners to the workers: connections are accepted from now on.
 * Call from a thread that is not a worker (it waits for them). Returns 0,
 * or the first error a worker met arming a listener (the others run). */
int ksf_svc_start(struct ksf_svc *svc);

/* Graceful stop: stop accepting, stop reading, flush queued output (up to
 * drain_ms), close every connection. Blocks until every worker is done.
 * Call from a thread that is not a worker. */
int ksf_svc_stop(struct ksf_svc *svc);

/* Free a stopped (or never started) service. */
void ksf_svc_destroy(struct ksf_svc *svc);

/* Counters summed over all workers. Safe from any thread at any time
 * (each counter is read atomically; the set is not a snapshot). */
void ksf_svc_stats(const struct ksf_svc *svc, struct ksf_svc_stats *st);

/* Counters of one worker (0..nworkers-1). Returns 0 or -ENOENT. */
int ksf_svc_worker_stats(const struct ksf_svc *svc, int worker, struct ksf_svc_stats *st);
void *ksf_svc_udata(const struct ksf_svc *svc);

#endif
