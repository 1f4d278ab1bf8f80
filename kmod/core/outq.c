// SPDX-License-Identifier: BSD-2-Clause
/*
 * Output queues: bytes a connection's service sent and the socket has not
 * taken yet, in 16 KiB chunks. ksf_conn_send copies into the last chunk
 * while it has room; a flush hands up to 64 chunks to one kernel_sendmsg
 * (MSG_DONTWAIT), so all the output of one run leaves in one call. A send
 * the socket cannot take (-EAGAIN) waits for sk_write_space.
 */
#include <linux/slab.h>
#include <linux/uio.h>
#include "ksf_kint.h"

#define FLUSH_IOV	64

static struct ksf_obuf *obuf_new(void)
{
	struct ksf_obuf *b = kmalloc(KSF_OBUF_SIZE, GFP_KERNEL);

	if (!b)
		return NULL;
	atomic_long_inc(&ksf__live);
	b->len = 0;
	b->off = 0;
	b->cap = KSF_OBUF_SIZE - sizeof(*b);
	return b;
}

static void obuf_free(struct ksf_obuf *b)
{
	kfree(b);
	atomic_long_dec(&ksf__live);
}

/* All or nothing: -ENOMEM leaves the queue as it was. */
int ksf__outq_add(struct ksf_conn *c, const void *data, size_t len)
{
	struct ksf_obuf *b = list_empty(&c->outq) ? NULL :
			     list_last_entry(&c->outq, struct ksf_obuf, node);
	size_t room = b ? b->cap - b->len : 0;
	size_t n = len > room ? len - room : 0;	/* bytes for new chunks */
	size_t per = KSF_OBUF_SIZE - sizeof(struct ksf_obuf);
	LIST_HEAD(fresh);
	const u8 *p = data;

	for (size_t got = 0; got < n; got += per) {
		struct ksf_obuf *nb = obuf_new();

		if (!nb) {
			struct ksf_obuf *t, *tmp;

			list_for_each_entry_safe(t, tmp, &fresh, node)
				obuf_free(t);
			return -ENOMEM;
		}
		list_add_tail(&nb->node, &fresh);
	}
	if (b && room) {
		size_t k = len < room ? len : room;

		memcpy(b->data + b->len, p, k);
		b->len += k;
		p += k;
		len -= k;
		c->outq_bytes += k;
	}
	list_for_each_entry(b, &fresh, node) {
		size_t k = len < b->cap ? len : b->cap;

		memcpy(b->data, p, k);
		b->len = k;
		p += k;
		len -= k;
		c->outq_bytes += k;
	}
	list_splice_tail(&fresh, &c->outq);
	return 0;
}

/* Send what the socket takes. 0 (sent all, or it is full: wait for write
 * space), or -errno. */
int ksf__outq_flush(struct ksf_conn *c)
{
	struct kvec v[FLUSH_IOV];
	struct ksf_obuf *b, *tmp;

	while (c->outq_bytes) {
		struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
		size_t total = 0;
		int n = 0, sent;

		list_for_each_entry(b, &c->outq, node) {
			if (n == FLUSH_IOV)
				break;
			v[n].iov_base = b->data + b->off;
			v[n].iov_len = b->len - b->off;
			total += v[n].iov_len;
			n++;
		}
		sent = kernel_sendmsg(c->sock, &msg, v, n, total);
		c->sw->st.flushes++;
		if (sent == -EAGAIN)
			return 0;	/* sk_write_space wakes us */
		if (sent < 0)
			return sent;
		c->last_io = jiffies;
		c->sw->st.bytes_out += (u64)sent;
		c->outq_bytes -= (size_t)sent;
		list_for_each_entry_safe(b, tmp, &c->outq, node) {
			size_t k = b->len - b->off;

			if ((size_t)sent < k) {
				b->off += (size_t)sent;
				break;
			}
			sent -= (int)k;
			list_del(&b->node);
			obuf_free(b);
		}
	}
	return 0;
}

void ksf__outq_free(struct ksf_conn *c)
{
	struct ksf_obuf *b, *tmp;

	list_for_each_entry_safe(b, tmp, &c->outq, node) {
		list_del(&b->node);
		obuf_free(b);
	}
	c->outq_bytes = 0;
}
