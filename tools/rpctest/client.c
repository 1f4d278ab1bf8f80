// SPDX-License-Identifier: BSD-2-Clause
/*
 * One thread's calls, whatever the transport: the slot and xid of each
 * call in flight, matching a reply to its call, checking and timing it,
 * UDP timeouts (there is no retransmission: a call with no reply within
 * --udp-timeout is lost, a reply that comes later late, and the run fails
 * only when more calls are lost than --udp-loss allows), and stalls.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "rpctest.h"

#define DUMP_MAX	64	/* reply bytes shown by -x */
#define XIDS_MAX	8	/* xids in flight shown by -x */

/* Move tail past calls that are no longer in flight. */
static void advance_tail(struct rt_worker *w)
{
	while (w->tail < w->e.seq && w->slots[w->tail & w->mask].state != RT_SLOT_BUSY)
		w->tail++;
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
	for (uint64_t s = w->tail; s < w->e.seq && shown < XIDS_MAX && k < len; s++) {
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
		       w->nbusy, (unsigned long long)w->e.seq, extra);
}

/* A reply to none of the calls the ring remembers. Over UDP, once calls
 * have been lost, it may be the late reply of one of them: count it. */
static int stale(struct rt_worker *w, uint32_t xid, uint32_t back, const uint8_t *msg,
		 size_t len)
{
	if (!w->ctx->o->udp || !w->lost_total || back == 0 || back > w->e.seq ||
	    back > INT32_MAX)
		return unmatched(w, xid, NULL, msg, len);
	w->late++;
	if (w->ctx->o->debug)
		fprintf(stderr, "rpctest: thread %u: late reply to xid 0x%08x (call %llu)\n",
			w->e.id, xid, (unsigned long long)(w->e.seq - back));
	return 0;
}

void rt_rtt_flush(struct rt_worker *w)
{
	hist_add_n(&w->e.hist, w->rtt_same, w->rtt_n);
	w->rtt_n = 0;
}

/* The replies of one recv() to calls that started together (-b) have one
 * RTT: they go into the histogram as one run (rt_rtt_flush). */
static void rtt_add(struct rt_worker *w, uint64_t rtt)
{
	if (w->rtt_n && rtt == w->rtt_same) {
		w->rtt_n++;
		return;
	}
	rt_rtt_flush(w);
	w->rtt_same = rtt;
	w->rtt_n = 1;
}

static void complete(struct rt_worker *w, struct rt_slot *s, uint64_t now)
{
	rtt_add(w, now - s->t0);
	w->e.done++;
	s->state = RT_SLOT_FREE;
	w->nbusy--;
	if (w->ctx->o->udp)	/* TCP: rx() saw the bytes come */
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
	xid = rt_be32(msg);
	back = (uint32_t)w->e.seq - (xid - w->xid_base);	/* next_seq - seq */
	if (back == 0 || back > w->mask + 1 || back > w->e.seq)
		return stale(w, xid, back, msg, len);
	seq = w->e.seq - back;
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

int rt_expire(struct eng_worker *e, uint64_t now)
{
	struct rt_worker *w = (struct rt_worker *)e;
	uint64_t tmo = w->ctx->o->udp_timeout_ns;
	struct rt_slot *s;

	while (w->nbusy && w->tail < w->e.seq) {
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

	if (eng_tx_pending(e))
		snprintf(extra, sizeof(extra), ", %zu bytes of calls not yet sent",
			 eng_tx_pending(e));
	if (w->nbusy && s->state == RT_SLOT_BUSY)
		return eng_fail(e, "no progress for %.3f s: %u call(s) in flight, the oldest "
				"xid 0x%08x started %.3f s ago%s", (double)o->l.stall_ns / 1e9,
				w->nbusy, s->xid, (double)(cli_now_ns() - s->t0) / 1e9, extra);
	return eng_fail(e, "no progress for %.3f s: %u call(s) in flight%s",
			(double)o->l.stall_ns / 1e9, w->nbusy, extra);
}
