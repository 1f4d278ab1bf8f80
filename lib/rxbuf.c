// SPDX-License-Identifier: BSD-2-Clause
/*
 * The epoll backend's receive buffers, which output queues may reference
 * (ksf_conn_send_input, conn_zc.c). A worker receives into the free tail
 * of its current buffer; input recv_cb queued by reference stays where it
 * is, and the next receive goes after it. A buffer nobody references is
 * reused from the start; one with too little room left is replaced, and
 * its last reference, once sent, returns it to a short list of spares.
 *
 * So an echo of a 64 KiB receive costs no copy and no allocation, and
 * small messages of many connections share one buffer. At most
 * RX_HELD_MAX buffers are referenced at once per worker (then ksf_conn_
 * send_input copies), which bounds what peers that do not read can pin.
 */
#include <stdlib.h>
#include "ksf_int.h"

#define RX_HELD_MAX	64	/* referenced buffers per worker (4 MiB of 64 KiB) */
#define RX_SPARES_MAX	8	/* unreferenced buffers kept for reuse */

static struct ksf__rxbuf *rx_new(struct ksf__worker *w)
{
	struct ksf__rxbuf *b = w->rx_free;

	if (b) {
		w->rx_free = b->next;
		w->rx_nfree--;
	} else if (!(b = malloc(sizeof(*b) + w->rxlen))) {
		return NULL;
	}
	b->next = NULL;
	b->refs = 0;
	b->used = 0;
	b->cap = (uint32_t)w->rxlen;
	return b;
}

static void rx_spare(struct ksf__worker *w, struct ksf__rxbuf *b)
{
	if (w->rx_nfree >= RX_SPARES_MAX) {
		free(b);
		return;
	}
	b->next = w->rx_free;
	w->rx_free = b;
	w->rx_nfree++;
}

/* The current buffer if a quarter of it is still free, else a fresh one
 * (the old one is referenced: its last rx_put lets it go). */
struct ksf__rxbuf *ksf__rxbuf_cur(struct ksf__worker *w)
{
	struct ksf__rxbuf *b = w->rx;

	if (b && b->cap - b->used >= w->rxlen / 4)
		return b;
	return w->rx = rx_new(w);
}

/* Keep the n bytes just received if recv_cb referenced any of the buffer,
 * else start again from the beginning. */
void ksf__rxbuf_received(struct ksf__worker *w, struct ksf__rxbuf *b, size_t n)
{
	(void)w;
	if (b->refs)
		b->used += (uint32_t)n;
	else
		b->used = 0;
}

bool ksf__rxbuf_hold(struct ksf__worker *w, void *rxbuf)
{
	struct ksf__rxbuf *b = rxbuf;

	if (!b->refs) {
		if (w->rx_held >= RX_HELD_MAX)
			return false;
		w->rx_held++;
	}
	b->refs++;
	return true;
}

void ksf__rxbuf_put(struct ksf__worker *w, void *rxbuf)
{
	struct ksf__rxbuf *b = rxbuf;

	if (--b->refs)
		return;
	w->rx_held--;
	if (b == w->rx)
		b->used = 0;
	else
		rx_spare(w, b);
}

/* Idle: free the spares (the current buffer stays). */
void ksf__rxbuf_trim(struct ksf__worker *w)
{
	struct ksf__rxbuf *b;

	while ((b = w->rx_free)) {
		w->rx_free = b->next;
		free(b);
	}
	w->rx_nfree = 0;
}

/* Worker exit: every connection is gone, so no buffer is referenced. */
void ksf__rxbuf_fini(struct ksf__worker *w)
{
	ksf__rxbuf_trim(w);
	free(w->rx);
	w->rx = NULL;
}
