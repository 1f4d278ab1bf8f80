// SPDX-License-Identifier: BSD-2-Clause
/*
 * krpc.ko over TCP: record marking (RFC 5531 §11) on a connection's input,
 * as lib/rpc_svc.c does it in user space. Every complete record is
 * dispatched (lib/rpc) and its reply, record marked, appended to the
 * worker's reply buffer; the replies of one read leave in one
 * ksf_conn_send. A record whose reply might not fit in the output queue
 * waits (unconsumed; the core pauses reading at outq_high and offers it
 * again once the queue drains). A framing error (a record over max_record,
 * more than 1024 fragments) closes the connection after the replies
 * already made, as in user space.
 */
#include <linux/errno.h>
#include "krpc.h"

static void one_record(struct krpc *k, struct krpc_worker *kw, size_t *used,
		       const u8 *msg, size_t len)
{
	u8 *hdr = kw->out + *used;
	int n = ksf_rpc_dispatch(k->srv, msg, len, hdr + 4, KRPC_OUT_CAP - *used - 4,
				 kw->scratch, sizeof(kw->scratch), NULL, &kw->rpc);

	if (n <= 0)
		return;		/* no reply due (counted) */
	ksf_rpc_rec_mark(hdr, (u32)n, true);
	*used += 4 + (size_t)n;
}

ssize_t krpc_tcp_recv(struct ksf_conn *c, const void *data, size_t len)
{
	struct krpc *k = ksf_svc_udata(ksf_conn_svc(c));
	struct krpc_worker *kw = k->w[ksf_conn_worker(c)];
	size_t off = 0, used = 0, sent = 0, room = ksf_conn_room(c);
	const u8 *p = data;
	int err = 0;

	while (off < len) {
		struct ksf_rpc_rec rec;
		int span = ksf_rpc_rec_parse(p + off, len - off, k->max_record, &rec);
		const u8 *msg = rec.payload;

		if (span <= 0) {
			if (span == -EMSGSIZE)
				kw->rec_too_big++;
			else if (span < 0)
				kw->rec_bad++;
			err = span;
			break;
		}
		if (sent + used + KRPC_REPLY_MAX + 4 > room)
			break;		/* the queue is full: later */
		if (KRPC_OUT_CAP - used < KRPC_REPLY_MAX + 4) {
			err = ksf_conn_send(c, kw->out, used);
			if (err)
				return err;
			sent += used;
			used = 0;
		}
		if (rec.nfrags != 1) {
			ksf_rpc_rec_gather(p + off, (size_t)span, kw->gather);
			msg = kw->gather;
		}
		one_record(k, kw, &used, msg, rec.len);
		off += (size_t)span;
	}
	if (used && (err = ksf_conn_send(c, kw->out, used)))
		return err;
	if (err < 0) {
		ksf_conn_close(c, 0);	/* the replies above still go out */
		return (ssize_t)len;
	}
	return (ssize_t)off;
}
