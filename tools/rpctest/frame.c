// SPDX-License-Identifier: BSD-2-Clause
/*
 * rpctest's framing on the engine (tools/common/engine.h): a call is
 * encoded into the engine's queue when it starts (so that an RTT includes
 * the encoding, as the seed's measurements do); over TCP it is one record
 * (RFC 5531 §11) and the replies are split from the stream by their record
 * marks, a record of several fragments gathered; over UDP a call and a
 * reply are one datagram each. With -a 0 no recv() completes more than
 * one reply, as in the seed: a recv() at the start of a record asks for
 * its 4-byte mark and as many body bytes as the last reply had
 * (RT_RX_GUESS_MAX at most, so two whole replies never fit), then, if the
 * record is longer, for exactly its rest; between fragments, for the next
 * mark alone. With -a N a recv() takes all there is: reading the replies
 * that are in at once halves the server's wakeups and the client's
 * preemptions against one reply per recv() (perf: 22 k against 12 k
 * context switches per 100 k calls at -a 128).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include "rpctest.h"

static unsigned max_inflight(const struct rt_opts *o)
{
	return o->l.inflight ? o->l.inflight : 1;
}

static uint32_t random_xid_base(unsigned id)
{
	uint32_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	return (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16 ^ id << 24;
}

/* Calls per batched send: up to -a and RT_BATCH_MAX, and in at most
 * RT_TX_BATCH_BYTES of buffer (large WRITEs). */
static unsigned tx_cells(unsigned a, size_t cell)
{
	size_t n = a < RT_BATCH_MAX ? a : RT_BATCH_MAX;

	if (n * cell > RT_TX_BATCH_BYTES)
		n = RT_TX_BATCH_BYTES / cell;
	return n ? (unsigned)n : 1;
}

void rt_wire(struct rt_ctx *ctx)
{
	struct eng *e = &ctx->eng;

	e->req_max = ctx->call_max;
	e->req_iov = 1;
	e->batch_max = tx_cells(max_inflight(ctx->o), ctx->call_max);
	/* TCP: any record the parser accepts (the largest reply and 1024
	 * fragment marks); UDP: one reply, with -b one per datagram of a
	 * recvmmsg(). */
	e->rx_max = ctx->o->udp ? RT_REPLY_MAX :
		    ctx->reply_max + KSF_RPC_REC_HDR * KSF_RPC_REC_MAX_FRAGS;
	e->rx_batch = RT_UDP_RX_BATCH;
}

static int init(struct eng_worker *e)
{
	struct rt_worker *w = (struct rt_worker *)e;
	struct rt_ctx *ctx = e->eng->tool;
	uint64_t ring = 2;

	while (ring < 2ULL * max_inflight(ctx->o))
		ring <<= 1;
	w->ctx = ctx;
	w->xid_base = random_xid_base(e->id);
	w->mask = ring - 1;
	w->slots = calloc(ring, sizeof(*w->slots));
	w->rx_guess = RT_RX_GUESS_INIT;
	w->gbuf = ctx->o->udp ? NULL : malloc(ctx->reply_max);
	return w->slots && (ctx->o->udp || w->gbuf) ? 0 : -ENOMEM;
}

static void free_worker(struct eng_worker *e)
{
	struct rt_worker *w = (struct rt_worker *)e;

	rt_nfs_note_calls(e->eng->tool, e->id, e->seq);
	free(w->slots);
	free(w->gbuf);
}

/* Take the slots of calls seq, seq + 1, ..., at most max, while fewer
 * than -a are in flight and the next one's slot is free: each is busy
 * from now with its xid. Every busy call is in [tail, seq), so the slots
 * of calls before tail + mask + 1 are free without a look. Returns how
 * many. */
static unsigned take_slots(struct rt_worker *w, uint64_t seq, uint64_t now, unsigned max)
{
	unsigned limit = max_inflight(w->ctx->o) + w->early, k;
	/* Locals: the stores into the slots may alias w's fields. */
	uint64_t mask = w->mask, clear = w->tail + mask + 1 - seq;
	struct rt_slot *slots = w->slots;
	uint32_t xid = w->xid_base + (uint32_t)seq;

	if (w->nbusy >= limit)
		return 0;
	if (max > limit - w->nbusy)
		max = limit - w->nbusy;
	for (k = 0; k < max; k++) {
		struct rt_slot *s = &slots[(seq + k) & mask];

		if (k >= clear && s->state == RT_SLOT_BUSY)
			break;
		s->xid = xid + k;
		s->t0 = now;
		s->state = RT_SLOT_BUSY;
	}
	w->nbusy += k;
	return k;
}

/* Start calls e->seq, e->seq + 1, ..., at most max (take_slots) and
 * encode them into the engine's queue: over TCP all of them as one
 * piece, over UDP one datagram each. The commonest case, TCP calls that
 * are all alike but for the xid, writes only the xids into what the
 * last batch left in the queue's buffer (rt_call_build_run). */
static unsigned start_n(struct eng_worker *e, uint64_t now, unsigned max)
{
	struct rt_worker *w = (struct rt_worker *)e;
	const struct rt_ctx *ctx = w->ctx;
	unsigned k = take_slots(w, e->seq, now, max);
	uint8_t *buf = eng_tx_room(e);
	size_t len = 0, one;

	if (!k)
		return 0;
	if (ctx->nfs.op == RT_OP_NULL && !ctx->o->udp && buf == e->txbuf) {
		eng_tx_put(e, rt_call_build_run(&ctx->call, w->xid_base + (uint32_t)e->seq, k,
						buf, &w->primed));
		return k;
	}
	w->primed = 0;		/* the buffer now holds other bytes */
	for (unsigned i = 0; i < k; i++) {
		uint64_t seq = e->seq + i;
		uint8_t *at = eng_tx_room(e) + len;	/* UDP: each put moves it */

		one = ctx->nfs.op != RT_OP_NULL ?
		      rt_nfs_call_build(&ctx->nfs, e->id, seq, w->xid_base + (uint32_t)seq, at) :
		      rt_call_build(&ctx->call, w->xid_base + (uint32_t)seq, at);
		if (ctx->o->udp)
			eng_tx_put(e, one);
		else
			len += one;
	}
	if (len)
		eng_tx_put(e, len);
	return k;
}

/* -a 0 over TCP: how many bytes the next recv() may take so that it
 * completes at most one reply. The buffer holds no complete record: walk
 * its fragment marks to the first incomplete piece. */
static size_t rx_want(const struct eng_worker *e)
{
	const struct rt_worker *w = (const struct rt_worker *)e;
	size_t off = 0;

	if (e->eng->inflight)
		return 0;
	for (;;) {
		size_t have = e->rlen - off;
		uint32_t hdr, flen;

		if (have < KSF_RPC_REC_HDR)	/* a mark, and at a record's start a guess */
			return KSF_RPC_REC_HDR - have + (off ? 0 : w->rx_guess);
		hdr = rt_be32(e->rbuf + off);
		flen = hdr & ~KSF_RPC_REC_LAST;
		if (have - KSF_RPC_REC_HDR < flen)	/* the rest of this fragment */
			return KSF_RPC_REC_HDR + flen - have;
		if (hdr & KSF_RPC_REC_LAST)	/* cannot be: the parser took it */
			return 0;
		off += KSF_RPC_REC_HDR + flen;
	}
}

/* The records whose last fragment is in buf[0..len), by their marks
 * alone (parse() checks them). This is between a recv() and the send()
 * of the calls that follow, so it is quick where it can be: replies of
 * one size come in runs, and while the marks at a fixed stride repeat
 * the first one, none needs decoding (nor does a load wait on another). */
static unsigned count_records(const uint8_t *buf, size_t len)
{
	unsigned n = 0;
	size_t off = 0, step;
	uint32_t hdr, flen, first, mark;

	if (len >= KSF_RPC_REC_HDR && (buf[0] & 0x80)) {	/* a last fragment */
		memcpy(&first, buf, sizeof(first));
		step = KSF_RPC_REC_HDR + (rt_be32(buf) & ~KSF_RPC_REC_LAST);
		for (; len - off >= step; off += step, n++) {
			memcpy(&mark, buf + off, sizeof(mark));
			if (mark != first)
				break;
		}
	}
	while (len - off >= KSF_RPC_REC_HDR) {
		hdr = rt_be32(buf + off);
		flen = hdr & ~KSF_RPC_REC_LAST;
		if (len - off - KSF_RPC_REC_HDR < flen)
			break;
		off += KSF_RPC_REC_HDR + flen;
		n += !!(hdr & KSF_RPC_REC_LAST);
	}
	return n;
}

/* -a N over TCP: the calls that the n replies in buf make room for start
 * and go out first (eng_tx_early), the replies are checked after. A call
 * may then start while up to n more than -a are in flight: the ring of
 * at least 2 x -a slots still holds them all (n <= -a). */
static int send_early(struct rt_worker *w, const uint8_t *buf, size_t len)
{
	w->early = count_records(buf, len);
	return w->early ? eng_tx_early(&w->e) : 0;
}

/* Every complete record in buf[0..len). */
static ssize_t parse_stream(struct rt_worker *w, const uint8_t *buf, size_t len, uint64_t now)
{
	struct eng_worker *e = &w->e;
	struct ksf_rpc_rec rec;
	size_t off = 0;
	int n;

	if (e->eng->inflight && send_early(w, buf, len))
		return -1;
	w->early = 0;	/* the replies below free their places themselves */
	while (off < len) {
		n = ksf_rpc_rec_parse(buf + off, len - off, (uint32_t)w->ctx->reply_max, &rec);
		if (n == 0)
			break;
		if (n < 0)
			return n == -EMSGSIZE ?
			       eng_fail(e, "bad record marking from the server: a reply "
					"longer than %zu bytes", w->ctx->reply_max) :
			       eng_fail(e, "bad record marking from the server: a reply "
					"of more than 1024 fragments");
		if (rec.nfrags > 1)
			ksf_rpc_rec_gather(buf + off, (size_t)n, w->gbuf);
		else
			w->rx_guess = rec.len < RT_RX_GUESS_MAX ? rec.len : RT_RX_GUESS_MAX;
		if (rt_reply(w, rec.nfrags > 1 ? w->gbuf : rec.payload, rec.len, now))
			return -1;
		off += (size_t)n;
	}
	return (ssize_t)off;
}

/* Every complete record in buf[0..len) (TCP), or one datagram (UDP). */
static ssize_t parse(struct eng_worker *e, const uint8_t *buf, size_t len, uint64_t now)
{
	struct rt_worker *w = (struct rt_worker *)e;
	ssize_t took = w->ctx->o->udp ? (rt_reply(w, buf, len, now) ? -1 : (ssize_t)len) :
		       parse_stream(w, buf, len, now);

	rt_rtt_flush(w);
	return took;
}

static int idle(const struct eng_worker *e)
{
	return ((const struct rt_worker *)e)->nbusy == 0;
}

/* UDP: when the oldest call in flight times out (0 when none is). */
static uint64_t timeout(const struct eng_worker *e)
{
	const struct rt_worker *w = (const struct rt_worker *)e;
	const struct rt_slot *s = &w->slots[w->tail & w->mask];

	if (!w->nbusy || s->state != RT_SLOT_BUSY)
		return 0;
	return s->t0 + w->ctx->o->udp_timeout_ns;
}

static void where(const struct eng_worker *e, char *buf, size_t len)
{
	snprintf(buf, len, "%u call(s) in flight, %llu replies this run",
		 ((const struct rt_worker *)e)->nbusy, (unsigned long long)e->done);
}

/* UDP: room in the socket buffers for the replies (and calls) of a whole
 * window, so that a burst of replies is not dropped by our own socket:
 * about 2 KiB of buffer per small datagram, at least the default, at most
 * 16 MiB (the kernel caps it at net.core.rmem_max / wmem_max). Best effort. */
static int connected(struct eng_worker *e, char *err, size_t errlen)
{
	uint64_t want = (uint64_t)(e->eng->inflight ? e->eng->inflight : 1) * 2048;
	int v = (int)(want < 256 * 1024 ? 256 * 1024 : want > 16 << 20 ? 16 << 20 : want);

	(void)err;
	(void)errlen;
	if (e->eng->socktype != SOCK_DGRAM)
		return 0;
	setsockopt(e->fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	setsockopt(e->fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	return 0;
}

const struct eng_proto rt_proto = {
	.size = sizeof(struct rt_worker),
	.init = init,
	.free = free_worker,
	.connected = connected,
	.start_n = start_n,
	.parse = parse,
	.rx_want = rx_want,
	.idle = idle,
	.expire = rt_expire,
	.timeout = timeout,
	.where = where,
	.stall = rt_fail_stall,
};
