/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * echotest: a load generator for echo servers. Each of -j threads owns one
 * TCP connection and keeps -a messages of -l bytes in flight on it, checking
 * every echoed byte and timing every message. This header is what the
 * program's files share:
 *
 *   opts.c     command line -> struct et_opts
 *   pattern.c  the content of message m of thread t, and its verification
 *   client.c   the framing on the engine (tools/common/engine.h): what
 *              a message is, and checking its echo
 *   report.c   the runs, the table and the JSON object
 *   main.c     main(): options, target, runs, reporting
 */
#ifndef KSF_ECHOTEST_H
#define KSF_ECHOTEST_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "engine.h"
#include "flag.h"
#include "report.h"
#include "runs.h"
#include "target.h"

#define ET_DEFAULT_PORT	60007
#define ET_MAX_LEN	((uint64_t)1 << 30)	/* 1 GiB */
#define ET_NAGLE_MAX	1024	/* longer messages: TCP_NODELAY at any -a */

/* Command line. */
struct et_opts {
	struct load_opts l;	/* target, -p -j -a -c -i -t --stall -b -P ... */
	uint64_t len;		/* -l */
	int udp;		/* -u */
};

/* Parse argv. Returns 0 to run, 1 when there is nothing left to do (after
 * --help or -V: exit 0), or 2 after a usage error, already reported (exit 2). */
int et_opts_parse(struct et_opts *o, int argc, char **argv);

/* The message pattern (pattern.c). Message m of thread t is an 8-byte
 * header (m mod 2^32 and t, little-endian) followed by len - 8 bytes taken
 * from a shared pseudo-random pool at an offset derived from (t, m); short
 * messages keep only the first len bytes of the header. */
#define ET_HDR_LEN	8
#define ET_POOL_SLACK	4093	/* distinct payload offsets (prime) */

struct et_pattern {
	size_t len;		/* message length */
	uint8_t *pool;		/* len - 8 + ET_POOL_SLACK bytes, or NULL */
};

int et_pattern_init(struct et_pattern *p, size_t len);
void et_pattern_free(struct et_pattern *p);
void et_msg_header(uint8_t hdr[ET_HDR_LEN], unsigned t, uint64_t m);
const uint8_t *et_msg_payload(const struct et_pattern *p, unsigned t, uint64_t m);

/* Compare got[0..n) with bytes off..off+n of message m. Returns 0, or -1 with
 * the offset within the message of the first difference in *bad. */
int et_msg_check(const struct et_pattern *p, unsigned t, uint64_t m, size_t off,
		 const uint8_t *got, size_t n, size_t *bad);

/* The byte at offset off of message m (for error messages). */
uint8_t et_msg_byte(const struct et_pattern *p, unsigned t, uint64_t m, size_t off);

#define ET_QUANTILES	"50,90,99,99.9"
#define ET_NQUANTILES	4

/* The report's columns (report.c). */
struct et_report {
	int c_msgs, c_bytes, c_secs, c_rate, c_mbit, c_min, c_q0, c_max, c_mean, c_cpu;
	int nq;
	struct report_quantile q[ET_NQUANTILES];
};

/* State shared by all threads of a test. */
struct et_ctx {
	const struct et_opts *o;
	struct et_pattern pat;
	struct eng eng;			/* target, workers, runs */
	struct et_report rep;
};

/* One message in flight: when its first byte went out, and its header. */
struct et_slot {
	uint64_t t0;
	uint8_t hdr[ET_HDR_LEN];
};

struct et_worker {
	struct eng_worker e;		/* fd, this run's bounds and results */
	struct et_ctx *ctx;

	/* The echo's stream position: rx_msg (numbered from 0 over the
	 * connection's life; e.seq is the next to start) is the oldest not
	 * fully echoed, with rx_off of its bytes in; rx_total bytes in all. */
	uint64_t rx_msg, rx_total;
	size_t rx_off;
	struct et_slot *slots;		/* max(1, inflight), by message % nslots */
	unsigned nslots;
};

/* client.c: echotest's protocol for the engine (tools/common/engine.h). */
extern const struct eng_proto et_proto;
/* The engine's queue and buffers for echotest (before eng_create()). */
void et_wire(struct eng *e);

/* report.c: the runs and their report (tools/common/runs.h): the table
 * (run, msgs, secs, msg/s, Mbit/s, RTT min, p50, p90, p99, p99.9, max and
 * mean, CPU per message; bytes in JSON only), or one JSON object. Returns
 * the exit status. */
int et_runs(struct et_ctx *ctx);

#endif
