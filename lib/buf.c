// SPDX-License-Identifier: BSD-2-Clause
/*
 * The worker's buffer pool and the two byte queues built on it: the output
 * queue (a chain of chunks handed to writev/sendmsg without copying) and the
 * input buffer that holds bytes recv_cb has not consumed yet. Chunks are
 * recycled through a per-worker free list (no locks, no sharing). The list
 * is capped, and a worker idle for the pool's idle_trim_ms shrinks it to a
 * small floor (ksf__bufpool_trim, called by worker.c's idle trim).
 *
 * Bigger chunks (up to 1 MiB: data read straight into them for an RPC
 * reply, ksf_rpc_reply_buf, or a big write's own chunk) come in
 * power-of-two sizes, each size with its own free list, all of them
 * together holding at most BIG_KEEP bytes per worker and emptied by the
 * idle trim: a fresh 1 MiB allocation per READ costs an mmap and 256 page
 * faults, a pooled one nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ksf_int.h"

#define FREE_CHUNKS_MAX 512	/* 8 MiB of 16 KiB chunks kept per worker */
#define BIG_KEEP	(8u << 20)	/* bytes of bigger chunks kept per worker */

/* The size class of a chunk of more than KSF_CHUNK bytes: the smallest
 * power of two >= want (class 0: 2 * KSF_CHUNK), or -1 above the largest. */
static int big_class(size_t want)
{
	int k = 0;

	for (size_t cap = 2 * KSF_CHUNK; cap < want; cap <<= 1)
		if (++k >= KSF__BIG_CLASSES)
			return -1;
	return k;
}

static struct ksf__chunk *chunk_alloc(size_t cap)
{
	struct ksf__chunk *ch = malloc(sizeof(*ch) + cap);

	if (ch)
		ch->cap = (uint32_t)cap;
	return ch;
}

/* A chunk of more than KSF_CHUNK bytes: pooled by class up to 1 MiB. */
static struct ksf__chunk *big_get(struct ksf__worker *w, size_t want)
{
	int k = big_class(want);
	struct ksf__chunk *ch;

	if (k < 0)
		return chunk_alloc(want);
	if ((ch = w->big_free[k])) {
		w->big_free[k] = ch->next;
		w->big_cached -= ch->cap;
		return ch;
	}
	return chunk_alloc((size_t)(2 * KSF_CHUNK) << k);
}

struct ksf__chunk *ksf__chunk_get(struct ksf__worker *w, size_t want)
{
	struct ksf__chunk *ch;

	if (want > KSF_CHUNK) {
		ch = big_get(w, want);
	} else if ((ch = w->free_chunks)) {
		w->free_chunks = ch->next;
		w->nfree_chunks--;
	} else {
		ch = chunk_alloc(KSF_CHUNK);
	}
	if (!ch)
		return NULL;
	ch->next = NULL;
	ch->off = ch->len = 0;
	ch->ref = NULL;
	return ch;
}

/* Keep a bigger chunk of a class size for reuse, within BIG_KEEP. */
static bool big_put(struct ksf__worker *w, struct ksf__chunk *ch)
{
	int k = big_class(ch->cap);

	if (k < 0 || ((size_t)(2 * KSF_CHUNK) << k) != ch->cap ||
	    w->big_cached + ch->cap > BIG_KEEP)
		return false;
	ch->next = w->big_free[k];
	w->big_free[k] = ch;
	w->big_cached += ch->cap;
	return true;
}

void ksf__chunk_put(struct ksf__worker *w, struct ksf__chunk *ch)
{
	if (ch->ref) {		/* the caller's bytes: give them back */
		if (ch->ref_free)
			ch->ref_free(ch->ref_arg);
		free(ch);
		return;
	}
	if (ch->cap == KSF_CHUNK && w->nfree_chunks < FREE_CHUNKS_MAX) {
		ch->next = w->free_chunks;
		w->free_chunks = ch;
		w->nfree_chunks++;
		return;
	}
	if (ch->cap > KSF_CHUNK && big_put(w, ch))
		return;
	free(ch);
}

/* Free cached chunks until at most keep of KSF_CHUNK are left, and every
 * bigger one; returns how many went. */
unsigned ksf__bufpool_trim(struct ksf__worker *w, unsigned keep)
{
	struct ksf__chunk *ch;
	unsigned n = 0;

	while (w->nfree_chunks > keep && (ch = w->free_chunks)) {
		w->free_chunks = ch->next;
		w->nfree_chunks--;
		free(ch);
		n++;
	}
	for (int k = 0; k < KSF__BIG_CLASSES; k++)
		while ((ch = w->big_free[k])) {
			w->big_free[k] = ch->next;
			free(ch);
			n++;
		}
	w->big_cached = 0;
	return n;
}

void ksf__bufpool_fini(struct ksf__worker *w)
{
	ksf__bufpool_trim(w, 0);
}

/* Writes under this size go into pooled KSF_CHUNK chunks (a message of 16
 * to 256 KiB spans a few of them); only bigger writes get chunks of their
 * own size. A chunk of its own per message is malloc'd and freed at every
 * turn, and glibc then trims the worker's arena at every turn: one madvise
 * per turn, 844 us each, with 16 KiB echoes 32 in flight (strace -c; kecho
 * on epoll ran at 0.07-0.15x the plain echo server). */
#define OUTQ_OWN_CHUNK_MIN	(256u << 10)

/* Copy n bytes to the tail of q: fill the tail chunk, then add chunks.
 * Writes of OUTQ_OWN_CHUNK_MIN and more get chunks of their own size
 * (capped at 1 MiB each). */
int ksf__outq_append(struct ksf__worker *w, struct ksf__outq *q, const void *p, size_t n)
{
	const char *s = p;
	struct ksf__chunk *t = q->tail;

	while (n) {
		if (!t || t->len == t->cap) {
			size_t want = n < OUTQ_OWN_CHUNK_MIN ? KSF_CHUNK
				    : n > (1u << 20) ? (1u << 20) : n;
			struct ksf__chunk *ch = ksf__chunk_get(w, want);

			if (!ch)
				return -ENOMEM;
			if (t)
				t->next = ch;
			else
				q->head = ch;
			q->tail = t = ch;
		}
		size_t k = t->cap - t->len;
		if (k > n)
			k = n;
		memcpy(t->data + t->len, s, k);
		t->len += (uint32_t)k;
		s += k;
		n -= k;
		q->bytes += k;
	}
	return 0;
}

/* A chunk whose bytes are p[0..n), not data[]; data[] has room for extra
 * bytes (a record for the chunk's free_fn). */
struct ksf__chunk *ksf__chunk_new_ref(const void *p, size_t n, size_t extra)
{
	struct ksf__chunk *ch;

	if (n > UINT32_MAX || !(ch = malloc(sizeof(*ch) + extra)))
		return NULL;
	ch->next = NULL;
	ch->off = 0;
	ch->len = ch->cap = (uint32_t)n;	/* full: appends start a new chunk */
	ch->ref = (char *)p;
	ch->ref_free = NULL;
	ch->ref_arg = NULL;
	return ch;
}

void ksf__outq_push(struct ksf__outq *q, struct ksf__chunk *ch)
{
	if (q->tail)
		q->tail->next = ch;
	else
		q->head = ch;
	q->tail = ch;
	q->bytes += ch->len - ch->off;
}

/* Queue the caller's bytes p[0..n) by reference: a chunk header points
 * at them, and free_fn(arg) runs once they are sent or dropped. */
int ksf__outq_append_ref(struct ksf__worker *w, struct ksf__outq *q, const void *p, size_t n,
			 void (*free_fn)(void *arg), void *arg)
{
	struct ksf__chunk *ch = ksf__chunk_new_ref(p, n, 0);

	(void)w;
	if (!ch)
		return -ENOMEM;
	ch->ref_free = free_fn;
	ch->ref_arg = arg;
	ksf__outq_push(q, ch);
	return 0;
}

void ksf__outq_consume(struct ksf__worker *w, struct ksf__outq *q, size_t n)
{
	while (n && q->head) {
		struct ksf__chunk *h = q->head;
		size_t k = h->len - h->off;

		if (n < k) {
			h->off += (uint32_t)n;
			q->bytes -= n;
			return;
		}
		n -= k;
		q->bytes -= k;
		q->head = h->next;
		if (!q->head)
			q->tail = NULL;
		ksf__chunk_put(w, h);
	}
}

int ksf__outq_iov(const struct ksf__outq *q, struct iovec *iov, int max)
{
	int n = 0;

	for (struct ksf__chunk *c = q->head; c && n < max; c = c->next) {
		if (c->len == c->off)
			continue;
		iov[n].iov_base = (c->ref ? c->ref : c->data) + c->off;
		iov[n].iov_len = c->len - c->off;
		n++;
	}
	return n;
}

void ksf__outq_free(struct ksf__worker *w, struct ksf__outq *q)
{
	ksf__outq_consume(w, q, q->bytes);
	while (q->head) {	/* empty chunks left behind */
		struct ksf__chunk *h = q->head;
		q->head = h->next;
		ksf__chunk_put(w, h);
	}
	q->tail = NULL;
	q->bytes = 0;
}

int ksf__inbuf_append(struct ksf__inbuf *b, const void *p, size_t n)
{
	if (!n)
		return 0;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np)
			return -ENOMEM;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

void ksf__inbuf_consume(struct ksf__inbuf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		if (b->cap > 65536)	/* give back what a big message grew */
			ksf__inbuf_free(b);
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

void ksf__inbuf_free(struct ksf__inbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
