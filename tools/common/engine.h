/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The engine under both load generators (echotest, rpctest): a closed-loop
 * request/response client over one connection (or connected UDP socket)
 * per thread. The engine owns the threads and their connections, the runs
 * (bounded by a count and a time), timing, the stall limit, waiting
 * (spinning first with --busy-poll), and the one send/receive path
 * (wire.c): a queue of requests sent with one sendmsg() (sendmmsg() over
 * UDP with -b), and a receive buffer whose bytes the tool's framing takes
 * apart. A tool plugs in its protocol (struct eng_proto): what a request
 * is, how replies are split and checked, what is in flight.
 *
 * The pipelined loop is the fast path of both tools, in the seed's shape:
 * every request that may start goes out at once with MSG_DONTWAIT (one per
 * send, or all in one with -b); when none may start (the window is full,
 * or the run is ending) the thread sleeps in recv() itself, on a blocking
 * socket whose receive timeout is --stall: one system call and one wakeup
 * per reply, no poll(). poll() is only for a send that found the socket
 * full, and for UDP, whose calls time out.
 */
#ifndef KSF_TOOLS_ENGINE_H
#define KSF_TOOLS_ENGINE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include "crew.h"
#include "hist.h"
#include "target.h"

#define ENG_ERR_MAX	768
#define ENG_MAX_THREADS	1024

struct eng;

/* What every worker has; a tool's worker embeds it as its first member. */
struct eng_worker {
	struct eng *eng;
	unsigned id;
	int fd;
	/* This run's bounds. */
	uint64_t run_limit;		/* no request numbered >= this starts */
	uint64_t deadline;		/* -t: 0 = none */
	int tx_stop;			/* the time is up: start no new request */
	uint64_t last_progress;		/* a byte moved (a reply, for UDP) */
	uint64_t spin_start;		/* --busy-poll: spinning since; 0 = not */
	/* Over the connection's life: requests started (the next one is
	 * number seq), bytes sent and received. */
	uint64_t seq, sent, rcvd;
	/* Requests handed over and not yet all sent: iov[first..n), of
	 * bytes the tool encoded into txbuf or its own (wire.c). */
	struct iovec *iov;
	unsigned n, first, iov_cap;
	uint8_t *txbuf;
	size_t txlen;
	uint64_t tx_now;		/* when the requests queued started */
	struct mmsghdr *mm;		/* UDP -b: a datagram per iovec */
	/* Received bytes not yet taken (a stream), or datagrams. */
	uint8_t *rbuf;
	size_t rlen;
	struct iovec *rxiov;		/* UDP -b: recvmmsg() cells */
	/* This run's results. */
	struct hist hist;		/* every RTT */
	uint64_t done;			/* requests completed */
	uint64_t seq0;			/* seq when the run started */
	uint64_t tx_bytes, rx_bytes, start_ns, end_ns;
	char err[ENG_ERR_MAX];		/* why the worker failed */
	int quit;			/* only because another one failed */
};

/* A tool's protocol: the framing and the checks. Every function gets the
 * tool's worker (whose first member is the struct eng_worker). */
struct eng_proto {
	size_t size;				/* bytes of the tool's worker */
	int (*init)(struct eng_worker *w);	/* buffers: 0 or -ENOMEM */
	void (*free)(struct eng_worker *w);
	/* After the connect: socket options (may be NULL). 0 or -1 with err. */
	int (*connected)(struct eng_worker *w, char *err, size_t errlen);
	/* Start request w->seq at time now, unless the tool's window is
	 * full (0): hand its bytes over with eng_tx_put() or eng_tx_ref()
	 * and return 1. Only called when the run allows a new request and
	 * the queue has room for one. */
	int (*start)(struct eng_worker *w, uint64_t now);
	/* Or (instead of start, which is then NULL): start up to max requests
	 * w->seq, w->seq + 1, ... at once, each as start() would, and return
	 * how many started (0: the window is full). One call per batch: with
	 * -b a hundred requests cost one indirect call and one queue entry. */
	unsigned (*start_n)(struct eng_worker *w, uint64_t now, unsigned max);
	/* Bytes received at time now. A stream: buf[0..len) is what came
	 * and was not taken yet; take whole replies (or every byte, for a
	 * tool that checks bytes as they come) and return how many bytes
	 * were taken. A datagram socket: one whole datagram; return len.
	 * -1: failed (eng_fail()). */
	ssize_t (*parse)(struct eng_worker *w, const uint8_t *buf, size_t len, uint64_t now);
	/* Stream: at most this many bytes for the next recv() (0 = all
	 * there is room for). May be NULL. */
	size_t (*rx_want)(const struct eng_worker *w);
	/* No request is in flight. */
	int (*idle)(const struct eng_worker *w);
	/* UDP: give up on requests too old at now (0, or -1 failed), and
	 * when the oldest in flight will be (0: none). NULL for none. */
	int (*expire)(struct eng_worker *w, uint64_t now);
	uint64_t (*timeout)(const struct eng_worker *w);
	/* Where the worker is, for an I/O error's message ("N call(s) in
	 * flight"). */
	void (*where)(const struct eng_worker *w, char *buf, size_t len);
	/* Fail with what is stuck ("no progress for ...: ..."); -1. */
	int (*stall)(struct eng_worker *w);
};

/* A test: the common settings, the target, the workers and their crew. */
struct eng {
	const struct eng_proto *p;
	void *tool;			/* the tool's context */
	const char *prog;		/* "echotest": messages */
	unsigned threads, inflight;	/* -j, -a */
	uint64_t count;			/* -c per thread per run; 0 = only -t */
	uint64_t time_ns, stall_ns;	/* -t, --stall */
	uint64_t busy_poll_ns;		/* --busy-poll */
	uint64_t block_ns;		/* a blocking socket's timeouts; 0 = none */
	int socktype;			/* SOCK_STREAM or SOCK_DGRAM */
	int nodelay;			/* --nodelay: TCP_NODELAY at any -a */
	int batch;			/* -b: many requests per send */
	/* The queue (wire.c), set by the tool: bytes a request may encode
	 * into txbuf (0: none, it hands references), iovecs a request takes,
	 * requests per send with -b; the receive buffer (a stream), or the
	 * longest datagram (UDP), and datagrams per recvmmsg() with -b. */
	size_t req_max;
	unsigned req_iov, batch_max;
	size_t rx_max;
	unsigned rx_batch;
	const int *cpus;		/* -P */
	int ncpus;
	struct target tgt;
	struct crew crew;
	atomic_int failed;		/* some worker failed (or a signal): give up */
	unsigned char *ws;		/* threads workers of p->size bytes */
};

static inline struct eng_worker *eng_worker(const struct eng *e, unsigned i)
{
	return (struct eng_worker *)(void *)(e->ws + (size_t)i * e->p->size);
}

/* Allocate the workers, init() and connect every one (and make the socket
 * blocking with block_ns as its timeouts), then start their threads. As
 * in the seed's tools, a TCP connection has TCP_NODELAY only with at most
 * one request in flight (or with --nodelay): a deeper pipeline lets the
 * kernel coalesce small requests while earlier ones are unacknowledged.
 * 0, or -1 with a message in err; eng_destroy() is due either way. */
int eng_create(struct eng *e, char *err, size_t errlen);
void eng_destroy(struct eng *e);

/* What one run of all workers measured. */
struct eng_totals {
	struct hist hist;		/* every RTT of the run */
	uint64_t done, tx_bytes, rx_bytes;
	uint64_t elapsed_ns;		/* first start to last end */
	uint64_t cpu_ns;		/* process CPU time over the run */
	const char *why;		/* first failure, or NULL */
	unsigned nfailed;		/* workers that failed on their own */
};

/* Do one run with every worker and total it up. 0, or -1 when a worker
 * failed (t->why says why). */
int eng_run_once(struct eng *e, struct eng_totals *t);

/* Record why this worker failed (the first reason wins) and tell the
 * others; returns -1. */
int eng_fail(struct eng_worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Another worker failed: give up (1), or go on (0). */
int eng_gave_up(struct eng_worker *w);
/* Bytes moved at time now: not stalled, stop spinning. */
void eng_progress(struct eng_worker *w, uint64_t now);
/* Nothing to do until the socket is ready (events): spin while
 * --busy-poll allows (returns 0 at once), else poll() until it is ready,
 * the stall limit, or until (if not 0). 0, or -1 after a stall. */
int eng_wait(struct eng_worker *w, short events, uint64_t until);

/* wire.c: the send/receive path under every tool. */
/* Room for a request of up to e->req_max bytes; then eng_tx_put() the
 * bytes written there. */
static inline uint8_t *eng_tx_room(struct eng_worker *w)
{
	return w->txbuf + w->txlen;
}
void eng_tx_put(struct eng_worker *w, size_t len);
/* Queue len bytes at p, which stay put until sent (a stream only). */
void eng_tx_ref(struct eng_worker *w, const void *p, size_t len);
/* Bytes queued and not yet sent. */
size_t eng_tx_pending(const struct eng_worker *w);
/* From parse(), over a stream with -a N: start and send what may start
 * now (start() or start_n() decides), so that the requests which the replies just
 * received make room for go out before those replies are checked and
 * timed: the checking then overlaps the server's work instead of
 * delaying it. 0 or -1 (failed: eng_fail()). */
int eng_tx_early(struct eng_worker *w);
/* Allocate and free a worker's queue and receive buffers. 0 or -ENOMEM. */
int eng_wire_init(struct eng_worker *w);
void eng_wire_free(struct eng_worker *w);
/* One run: the pipelined loop (-a N) or the blocking one (-a 0). The
 * pipelined loop is described at the top of this file; the blocking one
 * starts one request, sends it (draining replies while the socket is
 * full), then sleeps in recv() until nothing is in flight. 0 or -1. */
int eng_run(struct eng_worker *w);

/* Look the target up for e->socktype. 0, or the exit status 1 with the
 * error printed. */
int eng_lookup(struct eng *e);

#endif
