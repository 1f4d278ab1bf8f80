// SPDX-License-Identifier: BSD-2-Clause
/*
 * Sending input without copying it (PASTE's zero copy, seed 002): a
 * recv_cb queues bytes of its own input for output by reference, so an
 * echo or a relay sends straight from the receive buffer. The output chunk
 * points into the backend's receive buffer (epoll: a buffer of rxbuf.c;
 * io_uring: a provided buffer), which the backend keeps (rx_hold) until the
 * chunk has been sent or dropped (rx_put): a provided buffer goes back to
 * the kernel's ring only then.
 *
 * Referenced bytes count in the output queue like copied ones, so
 * outq_high and outq_max bound them the same way. What they pin is
 * bounded as well: a connection holds at most w->rx_refs_max references,
 * and the backend refuses a hold when too many of its buffers are held
 * (io_uring: half the ring), so a peer that never reads cannot take the
 * buffers other connections receive into. Beyond either bound, and for
 * input held from earlier receives (not in a receive buffer), the bytes
 * are copied.
 *
 * ksf__conn_send_chunk queues a chunk of the worker's pool whose bytes
 * were written in place (an RPC reply's data read straight into it,
 * ksf_rpc_reply_buf): the chunk itself joins the output queue.
 */
#include <errno.h>
#include <stdint.h>
#include "ksf_int.h"

/* What an output chunk referencing a receive buffer gives back. */
struct rx_ref {
	struct ksf_conn *c;
	void *rxbuf;
};

static void rx_ref_put(void *arg)
{
	struct rx_ref *r = arg;
	struct ksf__worker *w = r->c->w;

	r->c->rx_refs--;
	w->be->rx_put(w, r->rxbuf);
}

/* The tail chunk already references the bytes just before p in the same
 * buffer (consecutive receives into one epoll buffer): extend it. */
static bool extend_tail(struct ksf_conn *c, const char *p, size_t len, void *rxbuf)
{
	struct ksf__chunk *t = c->out.tail;

	if (!t || !t->ref || t->ref_free != rx_ref_put || ((struct rx_ref *)t->ref_arg)->rxbuf != rxbuf ||
	    t->ref + t->len != p || len > UINT32_MAX - t->len)
		return false;
	t->len += (uint32_t)len;
	t->cap = t->len;
	c->out.bytes += len;
	return true;
}

/* Queue p[0..len) by reference to the receive buffer; false: cannot. */
static bool queue_ref(struct ksf_conn *c, const char *p, size_t len, void *rxbuf)
{
	struct ksf__worker *w = c->w;
	struct ksf__chunk *ch;
	struct rx_ref *r;

	if (extend_tail(c, p, len, rxbuf))
		return true;
	if (c->rx_refs >= w->rx_refs_max || !w->be->rx_hold(w, rxbuf))
		return false;
	if (!(ch = ksf__chunk_new_ref(p, len, sizeof(*r)))) {
		w->be->rx_put(w, rxbuf);
		return false;
	}
	r = (struct rx_ref *)(void *)ch->data;
	r->c = c;
	r->rxbuf = rxbuf;
	ch->ref_free = rx_ref_put;
	ch->ref_arg = r;
	c->rx_refs++;
	ksf__outq_push(&c->out, ch);
	return true;
}

int ksf_conn_send_input(struct ksf_conn *c, const void *data, size_t len)
{
	const struct ksf__input *in = &c->w->in;
	const char *p = data;
	int err;

	if (!in->p || p < in->p || len > in->len || (size_t)(p - in->p) > in->len - len)
		return -EINVAL;
	if (c->flags & (KSF__C_CLOSING | KSF__C_DEAD))
		return -EPIPE;
	if ((err = ksf__conn_check_max(c, len)))
		return err;
	if (!len)
		return 0;
	if (in->rxbuf && queue_ref(c, p, len, in->rxbuf)) {
		KSF__STAT_ADD(&c->sw->st, zc_bytes, len);
		ksf__conn_queued(c);
		return 0;
	}
	KSF__STAT_ADD(&c->sw->st, zc_copied, len);
	return ksf_conn_send(c, p, len);
}

int ksf__conn_send_chunk(struct ksf_conn *c, const void *pre, size_t npre, struct ksf__chunk *ch,
			 const void *post, size_t npost)
{
	size_t n = ch->len - ch->off, room = ksf_conn_room(c);
	int err;

	if (room < npre || room - npre < n || room - npre - n < npost)
		return -ENOBUFS;	/* no side effects: the caller copies instead */
	if ((err = ksf_conn_send(c, pre, npre)))
		return err;
	ksf__outq_push(&c->out, ch);
	if (npost && ksf__outq_append(c->w, &c->out, post, npost)) {
		/* the record is cut: the connection is unusable */
		KSF__STAT_ADD(&c->sw->st, errors, 1);
		ksf__conn_close_why(c, KSF_CLOSE_ERROR, 1);
		return 0;	/* ch is the queue's: freed with it */
	}
	ksf__conn_queued(c);
	return 0;
}
