/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal definitions shared by the files of libksf: the worker, the
 * service's per-worker state, the connection, the output queue, and the
 * small set of operations each event-loop backend (epoll, io_uring)
 * implements. Nothing here is exported (lib/ksf.map).
 */
#ifndef KSF_INT_H
#define KSF_INT_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <ksf.h>
#include "ring.h"

#define KSF_MAX_ADDRS	16	/* listening addresses per service */
#define KSF_IOV_MAX	64	/* output chunks per writev / sendmsg */
#define KSF_CHUNK	16384	/* output queue chunk payload */
#define KSF__BIG_CLASSES 6	/* pooled bigger chunks: 32 KiB .. 1 MiB */
#define KSF_TASK_RING	1024	/* entries per task ring */
#define KSF_TASK_BUDGET	256	/* tasks run per ring per loop turn */

/* ---- doubly linked list (connections of a service on a worker) ---- */
struct ksf__dlist { struct ksf__dlist *prev, *next; };

static inline void ksf__dlist_init(struct ksf__dlist *h) { h->prev = h->next = h; }
static inline bool ksf__dlist_empty(const struct ksf__dlist *h) { return h->next == h; }
static inline void ksf__dlist_del(struct ksf__dlist *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}
static inline void ksf__dlist_add_tail(struct ksf__dlist *h, struct ksf__dlist *n)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}
#define ksf__container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

/* ---- output queue: a chain of chunks from the worker's buffer pool ---- */
struct ksf__chunk {
	struct ksf__chunk *next;
	uint32_t off, len, cap;	/* bytes [off, len) are queued */
	char *ref;		/* NULL: the bytes are data[]; else the caller's */
	void (*ref_free)(void *arg);	/* called when the referenced bytes are sent */
	void *ref_arg;
	char data[];
};

struct ksf__outq {
	struct ksf__chunk *head, *tail;
	size_t bytes;
};

/* ---- the input recv_cb is running on (ksf_conn_send_input) ---- */
struct ksf__input {
	const char *p;		/* NULL: no recv_cb is running */
	size_t len;
	void *rxbuf;		/* the backend's receive buffer holding p, which
				 * output queues may reference; NULL: copy only */
};

/* ---- input held for recv_cb (unconsumed bytes) ---- */
struct ksf__inbuf {
	char *p;
	size_t len, cap;
};

/* ---- counters: written by the owning worker only, read by anyone ---- */
#define KSF__STAT_FIELDS(X) X(conns_accepted) X(conns_closed) X(conns_active) \
	X(bytes_in) X(bytes_out) X(msgs_in) X(sends) X(flushes) X(lim_conns) \
	X(lim_outq) X(lim_outq_max) X(lim_msg) X(lim_idle) X(errors) \
	X(dgrams_in) X(dgrams_out) X(dgram_drops) X(zc_bytes) X(zc_copied)
struct ksf__stats {
#define X(f) atomic_uint_fast64_t f;
	KSF__STAT_FIELDS(X)
#undef X
};
/* Single writer: a relaxed load and store, no locked instruction. */
#define KSF__STAT_ADD(st, f, n) atomic_store_explicit(&(st)->f, \
	atomic_load_explicit(&(st)->f, memory_order_relaxed) + (n), memory_order_relaxed)

struct ksf__worker;
struct ksf__svc_worker;

struct ksf__udp;
struct ksf__rxbuf;

/* One listening socket of one worker: a TCP listener, or a UDP socket. */
struct ksf__listener {
	struct ksf_svc *svc;
	int fd;
	int addr_idx;
	int dgram;		/* UDP: readable events go to ksf__udp_readable */
	struct ksf__udp *udp;
	int armed;		/* backend is accepting on it */
	int stopping;
	int more_pending;	/* UDP: a task will read the rest of the queue */
	int backoff;		/* accepting paused at the descriptor limit */
	int refusing;		/* io_uring: the armed accept is the refuser */
	uint8_t ur_todo;	/* io_uring: arm or cancel waiting for a free SQE */
};

enum {
	KSF__C_CLOSING   = 1 << 0,	/* close once output is flushed */
	KSF__C_DEAD      = 1 << 1,	/* closed: no more callbacks */
	KSF__C_RDPAUSED  = 1 << 2,	/* reading paused (backpressure) */
	KSF__C_FLUSHQ    = 1 << 3,	/* on the worker's flush list */
	KSF__C_CLOSEQ    = 1 << 4,	/* on the worker's close list */
	KSF__C_WANTOUT   = 1 << 5,	/* epoll: waiting for EPOLLOUT */
	KSF__C_IN_CB     = 1 << 6,	/* inside recv_cb */
	KSF__C_HARD      = 1 << 7,	/* close without flushing */
	KSF__C_EOF       = 1 << 8,	/* peer sent FIN while input was held */
	KSF__C_APPPAUSE  = 1 << 9,	/* ksf_conn_pause(): the service holds reading */
};

struct ksf_conn {
	struct ksf__worker *w;
	struct ksf_svc *svc;
	struct ksf__svc_worker *sw;
	int fd;
	uint32_t flags;
	enum ksf_close_reason why;
	struct ksf__outq out;
	struct ksf__inbuf in;
	struct ksf_conn *flush_next, *close_next;
	struct ksf__dlist lru;		/* in sw->conns, least recently active first */
	uint64_t last_ns;
	void *udata;
	unsigned holds;			/* ksf_conn_hold(): replies still to come */
	unsigned rx_refs;		/* output chunks referencing receive buffers */
	struct sockaddr_storage peer;
	socklen_t peerlen;
	/* io_uring backend state */
	int inflight;			/* SQEs whose CQEs have not all arrived */
	uint8_t recv_armed, recv_cancel, send_busy, released;
	uint8_t ur_todo;		/* on the backend's list of work without an SQE */
	struct ksf_conn *free_next, *todo_next;
};

/* A service's state on one worker: its listeners, connections, counters. */
struct ksf__svc_worker {
	struct ksf_svc *svc;
	struct ksf__worker *w;
	struct ksf__listener ls[KSF_MAX_ADDRS];
	struct ksf__dlist conns;
	unsigned nconns;
	int stopping;
	uint64_t drain_deadline;
	int done_posted;
	int start_err;			/* first listener this worker could not arm */
	struct ksf__stats st;
	struct ksf__svc_worker *next;	/* w->svcs list */
};

struct ksf_svc {
	struct ksf_pool *pool;
	struct ksf_svc_ops ops;
	struct ksf_svc_opts o;
	void *udata;
	int naddrs;
	struct sockaddr_storage addr[KSF_MAX_ADDRS];
	int proto[KSF_MAX_ADDRS];	/* SOCK_STREAM or SOCK_DGRAM */
	socklen_t addrlen[KSF_MAX_ADDRS];
	atomic_uint nconns;		/* shared: touched on accept and close only */
	int started, stopped;
	sem_t sem;			/* workers signal start/stop completion */
	struct ksf__svc_worker *sws;	/* one per worker */
};

/* The operations an event-loop backend provides (redis aeApi*). */
struct ksf__backend {
	const char *name;
	int  (*init)(struct ksf__worker *w);
	void (*fini)(struct ksf__worker *w);
	int  (*listen_start)(struct ksf__worker *w, struct ksf__listener *l);
	void (*listen_stop)(struct ksf__worker *w, struct ksf__listener *l);
	/* Stop accepting for now (descriptor limit); listen_start re-arms. */
	void (*listen_pause)(struct ksf__worker *w, struct ksf__listener *l);
	int  (*conn_start)(struct ksf__worker *w, struct ksf_conn *c);
	void (*conn_read)(struct ksf__worker *w, struct ksf_conn *c, bool on);
	void (*conn_flush)(struct ksf__worker *w, struct ksf_conn *c);
	void (*conn_release)(struct ksf__worker *w, struct ksf_conn *c);
	/* Wait up to timeout_ms (-1 forever) and dispatch events. Returns
	 * the number of events handled (0 on a timeout), or -errno. */
	int  (*wait)(struct ksf__worker *w, int timeout_ms);
	/* Idle worker: give memory the backend holds back to the kernel
	 * (optional, NULL: nothing to give). */
	void (*trim)(struct ksf__worker *w);
	/* Input in receive buffer rxbuf (ksf__conn_input's) is queued for
	 * output by reference: keep the buffer until a matching rx_put.
	 * false: the worker cannot spare another buffer now (copy instead). */
	bool (*rx_hold)(struct ksf__worker *w, void *rxbuf);
	void (*rx_put)(struct ksf__worker *w, void *rxbuf);
};

extern const struct ksf__backend ksf__backend_epoll;
extern const struct ksf__backend ksf__backend_uring;
/* 0 if io_uring with what the uring backend needs works here, else -errno. */
int ksf__uring_probe(void);

/* ---- file operations on the worker's ring (fileop.c, loop_uring.c) ---- */
struct io_uring_sqe;
/* A free SQE of w's ring tagged for op (its completion goes to
 * ksf__fileop_cqe), or NULL: the submission queue is full. */
struct io_uring_sqe *ksf__uring_file_sqe(struct ksf__worker *w, void *op);
/* Does w's ring support IORING_OP_ opcode (probed at ring setup)? */
bool ksf__uring_op_ok(const struct ksf__worker *w, unsigned opcode);
/* id 0: register the calling thread's credentials as a personality of w's
 * ring (returns the id); else submit what is queued and unregister id. */
int ksf__uring_personality(struct ksf__worker *w, int id);
void ksf__fileop_cqe(void *op, int res);

struct ksf__worker {
	struct ksf_pool *pool;
	int idx, cpu;
	pthread_t thr;
	const struct ksf__backend *be;
	void *be_state;
	int evfd;
	int spare_fd;			/* reserve descriptor for EMFILE */
	uint64_t accept_retry_ns;	/* re-arm paused listeners then; 0: none paused */
	_Alignas(64) atomic_int sleeping;	/* written by the worker, read by producers */
	_Alignas(64) atomic_int stop;
	struct ksf__ring **rings;	/* [nworkers + 1]: one per producer worker, then external */
	pthread_mutex_t ext_lock;	/* serialises external producers */
	struct ksf_conn *flushq, *closeq, *reapq;
	struct ksf__svc_worker *svcs;
	struct ksf__svc_worker *svcs_done;	/* stopped this turn: tell ksf_svc_stop */
	uint64_t now_ns;
	size_t late_cap;		/* input a paused conn may still get (io_uring) */
	struct ksf__input in;		/* what the running recv_cb was given */
	unsigned rx_refs_max;		/* receive buffer references per conn */
	struct ksf__rxbuf *rx;		/* epoll: the buffer receives go into */
	struct ksf__rxbuf *rx_free;	/* epoll: spare receive buffers */
	unsigned rx_nfree, rx_held;	/* epoll: spares, buffers referenced */
	uint64_t fileops_ring, fileops_helper;	/* fileop.c: started, by where */
	struct iovec txiov[KSF_IOV_MAX];	/* the chunks of one sendmsg() */
	size_t rxlen;			/* epoll: receive buffer size */
	struct ksf__chunk *free_chunks;	/* buffer pool */
	unsigned nfree_chunks;
	struct ksf__chunk *big_free[KSF__BIG_CLASSES];	/* bigger chunks, by size */
	size_t big_cached;		/* bytes in big_free */
	uint64_t active_ns;		/* last turn with events or tasks (atomic:
					 * the ticker reads it, trim.c) */
	bool trimmed;			/* idle trim done since active_ns (atomic) */
	int trim_due;			/* set by the ticker: trim next turn (atomic) */
	uint64_t log_next[8];		/* rate limit per log kind */
	unsigned log_dropped[8];
	int init_err;
};

struct ksf_pool {
	struct ksf_pool_opts o;
	enum ksf_backend backend;
	int nworkers;
	struct ksf__worker *w;
	sem_t ready;
	pthread_mutex_t svcs_lock;	/* guards adding services (control path) */
	pthread_t ticker;		/* trim.c: finds idle workers */
	bool ticker_on, tick_stop;
	pthread_mutex_t tick_lock;
	pthread_cond_t tick_cond;
};

/* ---- time ---- */
uint64_t ksf__now_ns(void);

/* ---- idle trim (trim.c) ---- */
int ksf__ticker_start(struct ksf_pool *p);
void ksf__ticker_stop(struct ksf_pool *p);
void ksf__worker_trim_if_due(struct ksf__worker *w);
void ksf__worker_active(struct ksf__worker *w);
void ksf__worker_wake(struct ksf__worker *w);

/* ---- logging (rate limited per worker and kind) ---- */
enum { KSF__LOG_CONNS, KSF__LOG_OUTQ, KSF__LOG_MSG, KSF__LOG_IDLE, KSF__LOG_ACCEPT,
       KSF__LOG_SOCK, KSF__LOG_OUTQ_MAX, KSF__LOG_OTHER };
void ksf__log(struct ksf_pool *p, enum ksf_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ksf__log_limited(struct ksf__worker *w, int kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- buffer pool and queues (buf.c) ---- */
struct ksf__chunk *ksf__chunk_get(struct ksf__worker *w, size_t want);
void ksf__chunk_put(struct ksf__worker *w, struct ksf__chunk *ch);
int ksf__outq_append(struct ksf__worker *w, struct ksf__outq *q, const void *p, size_t n);
int ksf__outq_append_ref(struct ksf__worker *w, struct ksf__outq *q, const void *p, size_t n,
			 void (*free_fn)(void *arg), void *arg);
/* A chunk referencing p[0..n) with room for extra bytes of the caller's
 * in data[] (its free_fn's record); queue it with ksf__outq_push. */
struct ksf__chunk *ksf__chunk_new_ref(const void *p, size_t n, size_t extra);
void ksf__outq_push(struct ksf__outq *q, struct ksf__chunk *ch);
void ksf__outq_consume(struct ksf__worker *w, struct ksf__outq *q, size_t n);
int ksf__outq_iov(const struct ksf__outq *q, struct iovec *iov, int max);
void ksf__outq_free(struct ksf__worker *w, struct ksf__outq *q);
int ksf__inbuf_append(struct ksf__inbuf *b, const void *p, size_t n);
void ksf__inbuf_consume(struct ksf__inbuf *b, size_t n);
void ksf__inbuf_free(struct ksf__inbuf *b);
unsigned ksf__bufpool_trim(struct ksf__worker *w, unsigned keep);
void ksf__bufpool_fini(struct ksf__worker *w);

/* ---- epoll's receive buffers (rxbuf.c) ---- */
/* A receive buffer output queues may reference: receives go into its free
 * tail; it is reused from the start once no reference is left. */
struct ksf__rxbuf {
	struct ksf__rxbuf *next;	/* on w->rx_free */
	unsigned refs;			/* output chunks referencing it */
	uint32_t used, cap;		/* data[0..used) may be referenced */
	char data[];
};
/* The buffer to receive into, with at least min(rxlen/4, ...) bytes of
 * room at data + used; NULL: out of memory. */
struct ksf__rxbuf *ksf__rxbuf_cur(struct ksf__worker *w);
/* n bytes were received at data + used and handed to recv_cb. */
void ksf__rxbuf_received(struct ksf__worker *w, struct ksf__rxbuf *b, size_t n);
bool ksf__rxbuf_hold(struct ksf__worker *w, void *rxbuf);
void ksf__rxbuf_put(struct ksf__worker *w, void *rxbuf);
void ksf__rxbuf_trim(struct ksf__worker *w);
void ksf__rxbuf_fini(struct ksf__worker *w);

/* ---- adaptive completion batching (batch.c) ---- */
struct ksf__batch {
	bool adaptive;		/* else: batch whenever busy (fixed mode) */
	bool on;		/* busy waits batch in this epoch */
	bool best;		/* the choice of the last probe */
	unsigned probe;		/* epochs of the probe so far, 0: not probing */
	unsigned hold, left;	/* busy epochs between probes, until the next */
	unsigned turns;		/* loop turns in this epoch */
	uint64_t t0, cpu0, bytes0;	/* at the start of this epoch */
	uint64_t ns[2], cpu[2], bytes[2];	/* probe totals without [0] and with [1] */
	uint64_t probes, probes_on;	/* probes made, and those that chose batching */
};
void ksf__batch_init(struct ksf__batch *b, bool adaptive);
void ksf__batch_turn(struct ksf__batch *b, struct ksf__worker *w);

/* ---- tasks (task.c) ---- */
/* The worker the calling thread runs, or NULL. */
struct ksf__worker *ksf__worker_current(void);
int ksf__tasks_init(struct ksf__worker *w);
void ksf__tasks_fini(struct ksf__worker *w);
int ksf__tasks_run(struct ksf__worker *w);
bool ksf__tasks_pending(struct ksf__worker *w);
/* Called by a backend just before blocking: false if work arrived (don't block). */
bool ksf__worker_prepare_sleep(struct ksf__worker *w);
void ksf__worker_after_sleep(struct ksf__worker *w);
void ksf__worker_drain_evfd(struct ksf__worker *w);
/* Post from a control thread, retrying while the ring is full. */
void ksf__task_post_wait(struct ksf_pool *p, int worker, ksf_task_fn fn, void *arg);

/* ---- connections: what backends call (conn.c) ---- */
void ksf__conn_accepted(struct ksf__worker *w, struct ksf__listener *l, int fd);
/* use_spare: refuse what is pending with the worker's spare descriptor
 * (backends that cannot refuse without a descriptor of their own). */
void ksf__accept_error(struct ksf__worker *w, struct ksf__listener *l, int err, bool use_spare);
/* Re-arm listeners paused at the descriptor limit when due: ms until the
 * next retry, or -1 (none paused). */
int ksf__accept_timer(struct ksf__worker *w);
/* accept4() on a listener, serialised against refusing with a spare;
 * errno as accept4's. */
int ksf__accept4(int fd, int flags);
/* Input for recv_cb; rxbuf: the backend's handle of the receive buffer
 * data lies in, which ksf_conn_send_input may reference (NULL: none). */
void ksf__conn_input(struct ksf_conn *c, const void *data, size_t len, void *rxbuf);
/* Send bookkeeping (conn.c): refuse what would pass outq_max (-ENOBUFS,
 * reading paused), and after queueing: count, flush list, high water. */
int ksf__conn_check_max(struct ksf_conn *c, size_t n);
void ksf__conn_queued(struct ksf_conn *c);
/* Queue pre[0..npre) (copied), then the pool chunk ch's bytes [off, len)
 * as they are, then post[0..npost) (copied): the queue owns ch from then
 * on (ksf__chunk_put once sent). All or nothing within outq_max: -ENOBUFS
 * without side effects; -EPIPE, -ENOMEM as ksf_conn_send, ch then still
 * the caller's (conn_zc.c). */
int ksf__conn_send_chunk(struct ksf_conn *c, const void *pre, size_t npre, struct ksf__chunk *ch,
			 const void *post, size_t npost);
void ksf__conn_close_why(struct ksf_conn *c, enum ksf_close_reason why, int hard);
void ksf__conn_eof(struct ksf_conn *c);
void ksf__conn_error(struct ksf_conn *c, int err);
void ksf__conn_sent(struct ksf_conn *c, size_t n);
void ksf__conn_finish(struct ksf_conn *c, enum ksf_close_reason why);
void ksf__conn_free(struct ksf_conn *c);
void ksf__worker_reap(struct ksf__worker *w);
void ksf__worker_reap_all(struct ksf__worker *w);
void ksf__conn_want_flush(struct ksf_conn *c);
int ksf__conn_send_now(struct ksf_conn *c);
void ksf__worker_run_closes(struct ksf__worker *w);
void ksf__worker_run_flushes(struct ksf__worker *w);
/* Time until the next timer (ms, -1 none), and run expired timers. */
int ksf__svc_timers(struct ksf__worker *w);
void ksf__svc_worker_check_done(struct ksf__svc_worker *sw);
void ksf__svc_post_done(struct ksf__worker *w);

/* ---- fault injection for the tests (fault.c) ---- */
enum ksf__fault_kind { KSF__FAULT_CONN_START, KSF__FAULT_SQE, KSF__FAULT_N };
/* True when this call should fail: KSF_FAULT_CONN_START=N, KSF_FAULT_SQE=N
 * in the environment fail every Nth call; unset, never. */
bool ksf__fault(enum ksf__fault_kind kind);

/* ---- UDP (udp.c) ---- */
int ksf__udp_open(struct ksf__worker *w, struct ksf__listener *l);
void ksf__udp_close(struct ksf__listener *l);
void ksf__udp_readable(struct ksf__worker *w, struct ksf__listener *l);

/* ---- sockets (sock.c) ---- */
int ksf__resolve(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *len);
int ksf__claim_port(struct ksf_pool *p, struct sockaddr_storage *ss, socklen_t *len, int type);
int ksf__listen_socket(const struct sockaddr_storage *ss, socklen_t len, int backlog, int type);
int ksf__attach_cpu_steer(int fd, struct ksf_pool *p);
int ksf__sockaddr_name(const struct sockaddr *sa, socklen_t len, char *buf, size_t n);
void ksf__conn_sockopts(int fd);

#endif
