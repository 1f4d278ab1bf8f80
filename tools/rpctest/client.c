// SPDX-License-Identifier: BSD-2-Clause
/*
 * One thread's calls, whatever the transport: which calls may start, the
 * slot and xid of each call in flight, matching a reply to its call,
 * checking and timing it, UDP timeouts, and waiting for the socket with an
 * optional busy-poll spin first.
 *
 * Call seq (numbered from 0 over the connection's life) has xid
 * xid_base + seq and lives in slots[seq & mask], where the ring holds at
 * least twice the calls allowed in flight. A call starts only when its
 * slot is not busy, so every call in flight is among the last mask + 1
 * started: a reply's xid gives its seq by subtraction, and the slot says
 * whether that call is in flight (match), was declared lost (a late UDP
 * reply: counted, harmless) or was answered already (a duplicate: error).
 */
#include <errno.h>
#include <stdint.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include "cli.h"
#include "rpctest.h"

#define DUMP_MAX	64	/* reply bytes shown by -x */
#define XIDS_MAX	8	/* xids in flight shown by -x */

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

/* Bytes of the receive buffer: over TCP any record the parser accepts (the
 * largest reply and 1024 fragment marks); over UDP one reply, with -b one
 * per datagram of a recvmmsg(). */
static size_t rbuf_size(int udp, int batch, size_t reply_max)
{
	if (!udp)
		return reply_max + KSF_RPC_REC_HDR * KSF_RPC_REC_MAX_FRAGS;
	return batch ? (size_t)RT_UDP_RX_BATCH * RT_REPLY_MAX : RT_REPLY_MAX;
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

/* Buffers of one worker, sized by transport and mode (see rpctest.h). -b
 * means nothing with -a 0: the blocking loops use the one-call buffers. */
int rt_worker_init(struct eng_worker *e)
{
	struct rt_worker *w = (struct rt_worker *)e;
	struct rt_ctx *ctx = e->eng->tool;
	const struct rt_opts *o = ctx->o;
	unsigned a = max_inflight(o);
	int batch = o->l.batch && o->l.inflight;
	uint64_t ring = 2;

	while (ring < 2ULL * a)
		ring <<= 1;
	w->ctx = ctx;
	w->xid_base = random_xid_base(e->id);
	w->mask = ring - 1;
	w->slots = calloc(ring, sizeof(*w->slots));
	w->cell = ctx->call_max;
	w->reply_max = ctx->reply_max;
	w->ncells = batch ? tx_cells(a, w->cell) : 1;
	w->txbuf = malloc((size_t)w->ncells * w->cell);
	w->rbuf_len = rbuf_size(o->udp, batch, w->reply_max);
	w->rbuf = malloc(w->rbuf_len);
	if (!w->slots || !w->txbuf || !w->rbuf)
		return -ENOMEM;
	w->rx_guess = RT_RX_GUESS_INIT;
	if (!o->udp && !(w->gbuf = malloc(w->reply_max)))
		return -ENOMEM;
	if (!batch || !o->udp)
		return 0;
	w->txmm = calloc(w->ncells, sizeof(*w->txmm));
	w->txiov = calloc(w->ncells, sizeof(*w->txiov));
	w->rxmm = calloc(RT_UDP_RX_BATCH, sizeof(*w->rxmm));
	w->rxiov = calloc(RT_UDP_RX_BATCH, sizeof(*w->rxiov));
	if (!w->txmm || !w->txiov || !w->rxmm || !w->rxiov)
		return -ENOMEM;
	for (unsigned i = 0; i < w->ncells; i++) {
		w->txiov[i].iov_base = w->txbuf + (size_t)i * RT_CALL_MAX;
		w->txmm[i].msg_hdr.msg_iov = &w->txiov[i];
		w->txmm[i].msg_hdr.msg_iovlen = 1;
	}
	for (unsigned i = 0; i < RT_UDP_RX_BATCH; i++) {
		w->rxiov[i].iov_base = w->rbuf + (size_t)i * RT_REPLY_MAX;
		w->rxiov[i].iov_len = RT_REPLY_MAX;
		w->rxmm[i].msg_hdr.msg_iov = &w->rxiov[i];
		w->rxmm[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

void rt_worker_free(struct eng_worker *e)
{
	struct rt_worker *w = (struct rt_worker *)e;

	rt_nfs_note_calls(e->eng->tool, e->id, w->next_seq);
	free(w->slots);
	free(w->txbuf);
	free(w->rbuf);
	free(w->gbuf);
	free(w->txmm);
	free(w->txiov);
	free(w->rxmm);
	free(w->rxiov);
}

int rt_may_start(struct rt_worker *w, uint64_t now)
{
	if (w->e.tx_stop || w->next_seq >= w->e.run_limit ||
	    w->nbusy >= max_inflight(w->ctx->o) ||
	    w->slots[w->next_seq & w->mask].state == RT_SLOT_BUSY)
		return 0;
	if (w->e.deadline && now >= w->e.deadline) {
		w->e.tx_stop = 1;
		return 0;
	}
	return 1;
}

int rt_run_done(const struct rt_worker *w)
{
	return w->nbusy == 0 && w->txoff == w->txlen && w->txfirst == w->txn &&
	       (w->e.tx_stop || w->next_seq >= w->e.run_limit);
}

size_t rt_call_start(struct rt_worker *w, uint64_t now, uint8_t *buf)
{
	struct rt_slot *s = &w->slots[w->next_seq & w->mask];

	s->xid = w->xid_base + (uint32_t)w->next_seq;
	s->t0 = now;
	s->state = RT_SLOT_BUSY;
	w->next_seq++;
	w->nbusy++;
	if (w->ctx->nfs.op != RT_OP_NULL)
		return rt_nfs_call_build(&w->ctx->nfs, w->e.id, w->next_seq - 1, s->xid, buf);
	return rt_call_build(&w->ctx->call, s->xid, buf);
}

/* Move tail past calls that are no longer in flight. */
static void advance_tail(struct rt_worker *w)
{
	while (w->tail < w->next_seq && w->slots[w->tail & w->mask].state != RT_SLOT_BUSY)
		w->tail++;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* -x: "; reply bytes: 00000001 00000001 ..." appended to buf. */
static void dump_bytes(char *buf, size_t len, const uint8_t *msg, size_t n)
{
	size_t k = strlen(buf);

	k += (size_t)snprintf(buf + k, k < len ? len - k : 0, "; reply bytes:");
	for (size_t i = 0; i < n && i < DUMP_MAX && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%02x", i % 4 ? "" : " ", msg[i]);
	if (n > DUMP_MAX && k < len)
		snprintf(buf + k, len - k, " ... (%zu bytes)", n);
}

/* -x: "; in flight: 0x... 0x... and N more" appended to buf. */
static void dump_inflight(const struct rt_worker *w, char *buf, size_t len)
{
	size_t k = strlen(buf);
	unsigned shown = 0;

	k += (size_t)snprintf(buf + k, k < len ? len - k : 0, "; in flight:");
	for (uint64_t s = w->tail; s < w->next_seq && shown < XIDS_MAX && k < len; s++) {
		const struct rt_slot *sl = &w->slots[s & w->mask];

		if (sl->state != RT_SLOT_BUSY)
			continue;
		k += (size_t)snprintf(buf + k, len - k, " 0x%08x", sl->xid);
		shown++;
	}
	if (shown < w->nbusy && k < len)
		snprintf(buf + k, len - k, " and %u more", w->nbusy - shown);
}

/* A reply whose xid is not that of a call in flight. */
static int unmatched(struct rt_worker *w, uint32_t xid, const struct rt_slot *s,
		     const uint8_t *msg, size_t len)
{
	char extra[RT_ERR_MAX] = "";

	if (w->ctx->o->debug) {
		dump_inflight(w, extra, sizeof(extra));
		dump_bytes(extra, sizeof(extra), msg, len);
	}
	return eng_fail(&w->e, "reply xid 0x%08x %s (%u in flight, %llu calls made)%s", xid,
		       s ? "is a duplicate: its call was answered already"
			 : "matches no call in flight",
		       w->nbusy, (unsigned long long)w->next_seq, extra);
}

/* A reply to none of the calls the ring remembers. Over UDP, once calls
 * have been lost, it may be the late reply of one of them: count it. */
static int stale(struct rt_worker *w, uint32_t xid, uint32_t back, const uint8_t *msg,
		 size_t len)
{
	if (!w->ctx->o->udp || !w->lost_total || back == 0 || back > w->next_seq ||
	    back > INT32_MAX)
		return unmatched(w, xid, NULL, msg, len);
	w->late++;
	if (w->ctx->o->debug)
		fprintf(stderr, "rpctest: thread %u: late reply to xid 0x%08x (call %llu)\n",
			w->e.id, xid, (unsigned long long)(w->next_seq - back));
	return 0;
}

static void complete(struct rt_worker *w, struct rt_slot *s, uint64_t now)
{
	hist_add(&w->e.hist, now - s->t0);
	w->e.done++;
	s->state = RT_SLOT_FREE;
	w->nbusy--;
	eng_progress(&w->e, now);
	advance_tail(w);
}

int rt_reply(struct rt_worker *w, const uint8_t *msg, size_t len, uint64_t now)
{
	struct rt_slot *s = NULL;
	char why[RT_ERR_MAX];
	uint32_t xid, back;
	uint64_t seq;

	if (len < 4)
		return eng_fail(&w->e, "a reply of %zu bytes: too short for an xid", len);
	xid = be32(msg);
	back = (uint32_t)w->next_seq - (xid - w->xid_base);	/* next_seq - seq */
	if (back == 0 || back > w->mask + 1 || back > w->next_seq)
		return stale(w, xid, back, msg, len);
	seq = w->next_seq - back;
	s = &w->slots[seq & w->mask];
	if (s->xid != xid || s->state == RT_SLOT_FREE)
		return unmatched(w, xid, s->xid == xid ? s : NULL, msg, len);
	if (s->state == RT_SLOT_LOST) {		/* UDP: it came after all */
		w->late++;
		s->state = RT_SLOT_FREE;
		if (w->ctx->o->debug)
			fprintf(stderr, "rpctest: thread %u: late reply to xid 0x%08x after "
				"%.3f s\n", w->e.id, xid, (double)(now - s->t0) / 1e9);
		return 0;
	}
	if (w->ctx->nfs.op != RT_OP_NULL ?
	    rt_nfs_reply_check(&w->ctx->nfs, w->e.id, seq, msg, len, why, sizeof(why)) :
	    rt_reply_check(w->ctx->o, msg, len, why, sizeof(why))) {
		if (w->ctx->o->debug)
			dump_bytes(why, sizeof(why), msg, len);
		return eng_fail(&w->e, "xid 0x%08x (call %llu): %s", xid,
			       (unsigned long long)seq, why);
	}
	complete(w, s, now);
	return 0;
}

/* The loss limit of --udp-loss N (a count) is passed by this thread alone. */
static int too_many_lost(struct rt_worker *w)
{
	const struct rt_opts *o = w->ctx->o;

	if (o->udp_loss_pct >= 0 || w->lost <= o->udp_loss)
		return 0;
	return eng_fail(&w->e, "%llu call(s) lost: no reply within %.3f s (--udp-loss allows %llu "
		       "per run)", (unsigned long long)w->lost,
		       (double)o->udp_timeout_ns / 1e9, (unsigned long long)o->udp_loss);
}

int rt_expire(struct rt_worker *w, uint64_t now)
{
	uint64_t tmo = w->ctx->o->udp_timeout_ns;
	struct rt_slot *s;

	while (w->nbusy && w->tail < w->next_seq) {
		s = &w->slots[w->tail & w->mask];
		if (s->state == RT_SLOT_BUSY) {
			if (now - s->t0 < tmo)
				break;	/* the oldest call in flight is still in time */
			s->state = RT_SLOT_LOST;
			w->nbusy--;
			w->lost++;
			w->lost_total++;
			if (w->ctx->o->debug)
				fprintf(stderr, "rpctest: thread %u: xid 0x%08x lost: no reply "
					"in %.3f s\n", w->e.id, s->xid, (double)tmo / 1e9);
			if (too_many_lost(w))
				return -1;
		}
		w->tail++;
	}
	return 0;
}

int rt_fail_stall(struct eng_worker *e)
{
	struct rt_worker *w = (struct rt_worker *)e;
	const struct rt_opts *o = w->ctx->o;
	const struct rt_slot *s = &w->slots[w->tail & w->mask];
	char extra[96] = "";

	if (w->txoff < w->txlen)
		snprintf(extra, sizeof(extra), ", %zu bytes of calls not yet sent",
			 w->txlen - w->txoff);
	if (w->nbusy && s->state == RT_SLOT_BUSY)
		return eng_fail(&w->e, "no progress for %.3f s: %u call(s) in flight, the oldest "
			       "xid 0x%08x started %.3f s ago%s", (double)o->l.stall_ns / 1e9,
			       w->nbusy, s->xid, (double)(cli_now_ns() - s->t0) / 1e9, extra);
	return eng_fail(&w->e, "no progress for %.3f s: %u call(s) in flight%s",
		       (double)o->l.stall_ns / 1e9, w->nbusy, extra);
}

int rt_worker_run(struct eng_worker *e)
{
	struct rt_worker *w = (struct rt_worker *)e;
	const struct rt_opts *o = w->ctx->o;
	uint64_t seq0 = w->next_seq;
	int rc;

	w->lost = w->late = 0;
	e->run_limit = o->l.count ? seq0 + o->l.count : UINT64_MAX;
	rc = o->udp ? rt_udp_run(w) : rt_tcp_run(w);
	w->started = w->next_seq - seq0;
	return rc;
}
