/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rpctest: a load generator for ONC RPC servers (RFC 5531), over TCP with
 * record marking (§11) or over UDP. Each of -j threads owns one connection
 * (or one connected UDP socket) and keeps -a calls in flight on it; every
 * call has its own xid, every reply is matched to an outstanding call and
 * checked, and every call is timed. This header is what the program's
 * files share:
 *
 *   opts.c     command line -> struct rt_opts
 *   call.c     encoding a call (credential, record marks, fragments)
 *   reply.c    checking a reply against what --expect asks for
 *   client.c   per-thread call bookkeeping: xids, slots, timeouts
 *   frame.c    the framing on the engine (tools/common/engine.h): calls
 *              into its queue, replies out of its stream or datagrams
 *   report.c   the runs, their totals, the table and the JSON object
 *   main.c     main(): options, target, runs, reporting
 *   nfs*.c     the NFS workloads of --export and --op (see nfs.h)
 */
#ifndef KSF_RPCTEST_H
#define KSF_RPCTEST_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>
#include <ksf/rpc.h>
#include "engine.h"
#include "flag.h"
#include "nfs.h"
#include "report.h"
#include "runs.h"
#include "target.h"

#define RT_DEFAULT_PORT	62049		/* the seed's krpc2 port */
#define RT_MAX_THREADS	ENG_MAX_THREADS
#define RT_MAX_ARGS	1024		/* --args bytes */
/* Longest call on the wire: three record marks (-f), the largest call
 * header and the largest arguments. */
#define RT_CALL_MAX	(3 * KSF_RPC_REC_HDR + KSF_RPC_CALL_HDR_MAX + RT_MAX_ARGS)
#define RT_REPLY_MAX	(64 * 1024)	/* longest reply accepted */
#define RT_BATCH_MAX	1024		/* calls per batched send */
#define RT_TX_BATCH_BYTES (8u << 20)	/* and at most this much buffer */
#define RT_UDP_RX_BATCH	32		/* datagrams per recvmmsg() with -b */
/* TCP without -b: a recv() asks for a record mark and this many body bytes
 * (the size of the last reply, at first that of a NULL reply, at most
 * RT_RX_GUESS_MAX). The shortest reply record is 24 bytes (RFC 5531 §9:
 * MSG_DENIED/AUTH_ERROR, with its mark), so 4 + 40 bytes can never hold two
 * whole replies. */
#define RT_RX_GUESS_INIT 24
#define RT_RX_GUESS_MAX	40
#define RT_ERR_MAX	ENG_ERR_MAX

enum rt_expect {			/* --expect: what every reply must be */
	RT_EXPECT_SUCCESS,		/* MSG_ACCEPTED, SUCCESS */
	RT_EXPECT_PROG_UNAVAIL,
	RT_EXPECT_PROG_MISMATCH,
	RT_EXPECT_PROC_UNAVAIL,
	RT_EXPECT_GARBAGE_ARGS,
	RT_EXPECT_SYSTEM_ERR,
	RT_EXPECT_RPC_MISMATCH,		/* MSG_DENIED */
	RT_EXPECT_AUTH_ERROR,
	RT_EXPECT_COUNT
};

enum rt_auth {				/* -A */
	RT_AUTH_NONE,
	RT_AUTH_SYS,
	RT_AUTH_RAW,			/* another flavor number, empty body */
};

/* Command line. Times are in ns. */
struct rt_opts {
	struct load_opts l;		/* target, -p -j -a -c -i -t --stall -b -P ... */
	uint32_t prog, vers, proc;	/* --prog --vers --proc */
	uint32_t rpcvers;		/* --rpcvers */
	enum rt_auth auth;		/* -A */
	uint32_t flavor;		/* -A N */
	enum rt_expect expect;		/* --expect */
	uint8_t args[RT_MAX_ARGS];	/* --args, XDR bytes */
	size_t argslen;
	int udp;			/* -u */
	uint64_t udp_timeout_ns;	/* --udp-timeout */
	uint64_t udp_loss;		/* --udp-loss N: calls per run; */
	double udp_loss_pct;		/* --udp-loss N%: else < 0 */
	int udp_opts_set;		/* some --udp-* flag given */
	int frag;			/* -f */
	int debug;			/* -x */
	int nq;				/* -q */
	struct report_quantile q[REPORT_MAX_QUANTILES];
	int auth_set;			/* -A given */
	int call_set;			/* --prog --vers --proc --args --rpcvers --expect -f */
	/* NFS workloads (nfs.h) */
	const char *export;		/* --export: the path MNT asks for */
	uint16_t mount_port;		/* --mount-port, else the target's port */
	int mount_port_set;
	enum rt_op op;			/* --op */
	uint32_t size;			/* -l */
	int size_set;
	uint32_t stable;		/* --stable */
	int stable_set;
};

/* Parse argv. Returns 0 to run, 1 when there is nothing left to do (after
 * --help or -V: exit 0), or 2 after a usage error, already reported. */
int rt_opts_parse(struct rt_opts *o, int argc, char **argv);

/* The big-endian word at p (XDR, record marks). */
static inline uint32_t rt_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* call.c: what every call carries, fixed before the threads start. */
struct rt_call {
	uint32_t prog, vers, proc, rpcvers;
	enum rt_auth auth;
	uint32_t flavor;			/* RT_AUTH_RAW */
	struct ksf_rpc_cred_sys sys;		/* RT_AUTH_SYS */
	char machine[KSF_RPC_SYS_MAXNAME + 1];
	const uint8_t *args;
	size_t argslen;
	int stream;				/* TCP: record marks */
	int frag;				/* three fragments per call */
	size_t len;				/* bytes of one call on the wire */
	size_t xid_off;				/* where the xid sits in tmpl */
	uint8_t tmpl[RT_CALL_MAX];		/* the call as sent, xid 0 */
};

/* Fill *c from the options; user (may be "") picks the AUTH_SYS uid, gid
 * and groups through getpwnam(). Returns 0, or -1 with a message in err
 * (an unknown user, or a call that does not fit). */
int rt_call_init(struct rt_call *c, const struct rt_opts *o, const char *user,
		 char *err, size_t errlen);

/* The call with this xid into buf (RT_CALL_MAX bytes), with its record
 * mark(s) on a stream: a copy of the one rt_call_init encoded, the xid
 * written in. Returns c->len. */
size_t rt_call_build(const struct rt_call *c, uint32_t xid, uint8_t *buf);
/* n calls one after another at buf, with xids xid0, xid0 + 1, ...: the
 * bytes of n rt_call_build()s, whose count it returns. The first *primed
 * calls at buf are taken to be there already, from an earlier run into
 * the same buffer, which nothing else wrote since (the caller zeroes
 * *primed when something did): only their xids are written, and *primed
 * grows to n. */
size_t rt_call_build_run(const struct rt_call *c, uint32_t xid0, unsigned n, uint8_t *buf,
			 unsigned *primed);

/* reply.c */
const char *rt_expect_name(enum rt_expect e);
/* "accepted", "prog_unavail", ...: 0 or -EINVAL. */
int rt_expect_parse(const char *s, enum rt_expect *e);

/* Check the reply msg[0..len), whose xid matched an outstanding call,
 * against o->expect: decodable, no bytes after its end, the expected
 * outcome; for NULL (proc 0) with SUCCESS no results; for PROG_MISMATCH
 * and RPC_MISMATCH low <= high, with the version called outside them.
 * Returns 0, or -1 with "expected ..., got ..." in why[whylen]. */
int rt_reply_check(const struct rt_opts *o, const uint8_t *msg, size_t len,
		   char *why, size_t whylen);

/* Decode msg[0..len) into *r: 0 when it is MSG_ACCEPTED/SUCCESS (the
 * results follow), else -1 with "expected ..., got ..." in why. */
int rt_reply_success(const uint8_t *msg, size_t len, struct ksf_rpc_reply *r,
		     char *why, size_t whylen);

/* client.c: one thread's calls. */
enum rt_slot_state { RT_SLOT_FREE, RT_SLOT_BUSY, RT_SLOT_LOST };

struct rt_slot {
	uint64_t t0;			/* when the call was encoded */
	uint32_t xid;
	uint32_t state;			/* enum rt_slot_state */
};

struct rt_ctx;

struct rt_worker {
	struct eng_worker e;		/* fd, queue, this run's bounds and results */
	struct rt_ctx *ctx;

	/* Calls over the connection's life are numbered from 0 (e.seq is
	 * the next); call seq has xid xid_base + seq and lives in
	 * slots[seq & mask]. A new call waits while its slot is busy, so
	 * every busy call is among the last mask + 1 started and an xid
	 * finds its slot by arithmetic. */
	uint32_t xid_base;
	uint64_t tail;			/* no busy call is older */
	unsigned nbusy;			/* calls awaiting a reply */
	unsigned early;			/* TCP -a N: replies received, not yet taken */
	unsigned primed;		/* TCP: calls left in the queue's buffer (start_n) */
	struct rt_slot *slots;
	uint64_t mask;

	uint8_t *gbuf;			/* TCP: a multi-fragment record gathered */
	uint32_t rx_guess;		/* TCP: body bytes asked for with a mark */

	/* This run's results, beside e's. */
	uint64_t rtt_same, rtt_n;	/* RTTs not yet in e.hist: rtt_n of rtt_same */
	uint64_t lost, late;
	uint64_t lost_total;		/* UDP calls lost over the socket's life */
};

/* The report's columns (report.c). */
struct rt_report {
	int c_mbyte;			/* --op read/write: data MB/s; else -1 */
	int c_date, c_threads, c_inflight, c_rate, c_rtt, c_mbit, c_min,
	    c_q0, c_max, c_calls, c_lost, c_late, c_secs, c_txb, c_rxb, c_mean, c_cpu;
};

/* State shared by all threads of a test. */
struct rt_ctx {
	const struct rt_opts *o;
	struct rt_call call;
	struct eng eng;			/* target, workers, runs */
	/* NFS workloads: nfs.op is RT_OP_NULL for the plain --prog calls. */
	struct rt_nfs_work nfs;
	size_t call_max, reply_max;	/* longest call and reply */
	struct rt_nfs_data *data;	/* --export: what was mounted and made */
	struct rt_report rep;
};

/* frame.c: the protocol on the engine (tools/common/engine.h), and its
 * queue and buffers (before eng_create()). */
extern const struct eng_proto rt_proto;
void rt_wire(struct rt_ctx *ctx);

static inline struct rt_worker *rt_ws(const struct rt_ctx *ctx, unsigned i)
{
	return (struct rt_worker *)eng_worker(&ctx->eng, i);
}

/* client.c. A reply came at time now: match its xid, check it, complete
 * the call. Returns 0 or -1 (failed). */
int rt_reply(struct rt_worker *w, const uint8_t *msg, size_t len, uint64_t now);
/* Put the RTTs rt_reply() holds back into the histogram: at the end of
 * every parse(), so that it is whole whenever the engine looks. */
void rt_rtt_flush(struct rt_worker *w);
/* UDP: count calls older than --udp-timeout as lost. 0 or -1 when that
 * makes this thread's losses more than --udp-loss allows. */
int rt_expire(struct eng_worker *e, uint64_t now);
/* Fail with what is stuck. -1. */
int rt_fail_stall(struct eng_worker *e);

/* report.c: one run's totals. */
struct rt_totals {
	struct eng_totals e;		/* RTTs, calls (done), bytes, time, why */
	uint64_t lost, late, started;
	double rtt_med_us;		/* median over threads of their median */
	time_t date;			/* when the run started */
	char why_buf[RT_ERR_MAX];	/* a failure of the whole run */
};

/* nfs_sess.c: a blocking client for setting up and cleaning up, one
 * connection to the target's address on port. */
struct rt_sess {
	int fd;
	uint32_t xid;			/* of the next call */
	const struct ksf_rpc_cred_sys *cred;
	uint8_t *tx, *rx;		/* RT_SESS_BUF bytes each */
	size_t txlen, rxlen;		/* bytes queued; bytes of the last record */
	char *err;			/* where failures are described */
	size_t errlen;
};
#define RT_SESS_BUF	(NFS3_MAXDATA + 64 * 1024)

/* Connect (with --stall as the connect and I/O timeout). 0 or -1 with a
 * message in err, which the session keeps using. */
int rt_sess_open(struct rt_sess *s, const struct target *t, uint16_t port,
		 uint64_t timeout_ns, const struct ksf_rpc_cred_sys *cred,
		 char *err, size_t errlen);
void rt_sess_close(struct rt_sess *s);
/* Queue a call: its header is encoded, the caller appends its arguments
 * at *x, then calls rt_sess_queue(). */
void rt_sess_begin(struct rt_sess *s, struct ksf_xdr *x, uint32_t prog, uint32_t vers,
		   uint32_t proc);
int rt_sess_queue(struct rt_sess *s, struct ksf_xdr *x);
/* Send every queued call. 0 or -1. */
int rt_sess_flush(struct rt_sess *s);
/* Receive the next reply: MSG_ACCEPTED/SUCCESS with *res (into s->rx) and
 * *reslen its results. 0 or -1. */
int rt_sess_reply(struct rt_sess *s, const uint8_t **res, size_t *reslen);
/* rt_sess_queue + rt_sess_flush + rt_sess_reply. */
int rt_sess_call(struct rt_sess *s, struct ksf_xdr *x, const uint8_t **res, size_t *reslen);

/* nfs_prep.c: --export. MNT, then the scratch directory and test file
 * the workload needs; ctx->nfs is filled. 0, or 1 (the exit status)
 * with the error printed; rt_nfs_cleanup() is due either way. */
int rt_nfs_prepare(struct rt_ctx *ctx);
/* Remove what rt_nfs_prepare() and the runs made (best effort) and UMNT.
 * 0, or -1 when something could not be removed (printed). */
int rt_nfs_cleanup(struct rt_ctx *ctx);
/* Workers: remember how many calls each thread made (CREATE names). */
void rt_nfs_note_calls(struct rt_ctx *ctx, unsigned id, uint64_t calls);
/* SIGINT and SIGTERM stop the runs (ctx->failed) so that the cleanup
 * runs; rt_nfs_signal() is the signal caught, or 0. After the cleanup
 * rt_nfs_reraise() ends the process with it. */
void rt_nfs_catch_signals(struct rt_ctx *ctx);
int rt_nfs_signal(void);
void rt_nfs_reraise(void);

/* report.c: the runs and their report (tools/common/runs.h): the seed's
 * table, or one JSON object. Returns the exit status. */
int rt_runs(struct rt_ctx *ctx);

#endif
