// SPDX-License-Identifier: BSD-2-Clause
/*
 * echotest's framing on the engine (tools/common/engine.h): message m of
 * thread t is the pattern of pattern.c, queued by reference (its header
 * and a slice of the shared pool: nothing is copied); every echoed byte is
 * checked against what was sent at the same stream position as it comes,
 * so partial messages and several messages per read are both fine, and
 * the server may never send more than it was sent. Up to -a messages are
 * in flight (one with -a 0, the engine's blocking loop). (A receive
 * low-water mark of one message, as the seed's echotest sets, cost 20-50%
 * more client CPU per 16 KiB message here for no more messages per
 * second: not set.)
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "echotest.h"

#define RBUF_LEN	(64 * 1024)

#define fail(w, ...) eng_fail(&(w)->e, __VA_ARGS__)

static struct et_slot *slot(const struct et_worker *w, uint64_t m)
{
	return &w->slots[m % w->nslots];
}

static int start(struct eng_worker *e, uint64_t now)
{
	struct et_worker *w = (struct et_worker *)e;
	const struct et_pattern *pat = &w->ctx->pat;
	uint64_t m = e->seq;
	size_t hlen = pat->len < ET_HDR_LEN ? pat->len : ET_HDR_LEN;
	struct et_slot *s = slot(w, m);

	if (m - w->rx_msg >= w->nslots)
		return 0;
	s->t0 = now;
	et_msg_header(s->hdr, e->id, m);
	eng_tx_ref(e, s->hdr, hlen);
	if (pat->len > ET_HDR_LEN)
		eng_tx_ref(e, et_msg_payload(pat, e->id, m), pat->len - ET_HDR_LEN);
	return 1;
}

static int fail_mismatch(struct et_worker *w, size_t bad, uint8_t got)
{
	const struct et_pattern *pat = &w->ctx->pat;

	return fail(w, "corrupt echo: message %llu, byte %zu of %zu (stream offset "
		    "%llu): expected 0x%02x, got 0x%02x",
		    (unsigned long long)w->rx_msg, bad, pat->len,
		    (unsigned long long)(w->rx_total + (bad - w->rx_off)),
		    et_msg_byte(pat, w->e.id, w->rx_msg, bad), got);
}

/* Take n received bytes apart by stream position: check each against the
 * message it belongs to, and close the messages that are complete. */
static ssize_t parse(struct eng_worker *e, const uint8_t *buf, size_t n, uint64_t now)
{
	struct et_worker *w = (struct et_worker *)e;
	size_t len = w->ctx->pat.len, k, bad, all = n, extra = 0;

	if (n > e->sent - w->rx_total) {
		extra = n - (size_t)(e->sent - w->rx_total);
		n -= extra;
	}
	while (n) {
		k = n < len - w->rx_off ? n : len - w->rx_off;
		if (et_msg_check(&w->ctx->pat, e->id, w->rx_msg, w->rx_off, buf, k, &bad))
			return fail_mismatch(w, bad, buf[bad - w->rx_off]);
		w->rx_off += k;
		w->rx_total += k;
		buf += k;
		n -= k;
		if (w->rx_off == len) {
			hist_add(&e->hist, now - slot(w, w->rx_msg)->t0);
			e->done++;
			w->rx_msg++;
			w->rx_off = 0;
		}
	}
	if (extra)
		return fail(w, "server sent %zu byte(s) more than it was sent (stream offset "
			    "%llu)", extra, (unsigned long long)w->rx_total);
	return (ssize_t)all;
}

/* At most the bytes sent and not yet echoed. */
static size_t rx_want(const struct eng_worker *e)
{
	return (size_t)(e->sent - ((const struct et_worker *)e)->rx_total);
}

static int idle(const struct eng_worker *e)
{
	return ((const struct et_worker *)e)->rx_msg == e->seq;
}

static void where(const struct eng_worker *e, char *buf, size_t len)
{
	const struct et_worker *w = (const struct et_worker *)e;

	snprintf(buf, len, "message %llu, byte %zu of %zu echoed",
		 (unsigned long long)w->rx_msg, w->rx_off, w->ctx->pat.len);
}

static int stall(struct eng_worker *e)
{
	struct et_worker *w = (struct et_worker *)e;
	size_t len = w->ctx->pat.len;
	char partial[96] = "";

	if (eng_tx_pending(e) && e->sent % len)
		snprintf(partial, sizeof(partial), ", message %llu sent up to byte %zu",
			 (unsigned long long)(e->sent / len), (size_t)(e->sent % len));
	return fail(w, "no progress for %.3f s: %llu message(s) in flight, echo of "
		    "message %llu has %zu of %zu bytes%s", (double)e->eng->stall_ns / 1e9,
		    (unsigned long long)(e->seq - w->rx_msg), (unsigned long long)w->rx_msg,
		    w->rx_off, len, partial);
}

/* O(inflight) slots per worker. */
static int init(struct eng_worker *e)
{
	struct et_worker *w = (struct et_worker *)e;

	w->ctx = e->eng->tool;
	w->nslots = e->eng->inflight ? e->eng->inflight : 1;
	w->slots = calloc(w->nslots, sizeof(*w->slots));
	return w->slots ? 0 : -ENOMEM;
}

static void free_worker(struct eng_worker *e)
{
	free(((struct et_worker *)e)->slots);
}

void et_wire(struct eng *e)
{
	long iov_max = sysconf(_SC_IOV_MAX);
	unsigned a = e->inflight ? e->inflight : 1;

	if (iov_max < 2)
		iov_max = 16;
	e->req_max = 0;
	e->req_iov = 2;
	e->batch_max = a < (unsigned long)iov_max / 2 ? a : (unsigned)(iov_max / 2);
	e->rx_max = RBUF_LEN;
	e->rx_batch = 1;
}

const struct eng_proto et_proto = {
	.size = sizeof(struct et_worker),
	.init = init,
	.free = free_worker,
	.start = start,
	.parse = parse,
	.rx_want = rx_want,
	.idle = idle,
	.where = where,
	.stall = stall,
};
