// SPDX-License-Identifier: BSD-2-Clause
/*
 * The buffer pool and byte queues: output queue appends of every size
 * across chunk boundaries, partial consumption, the iovec view, and the
 * input buffer, each checked byte for byte against a flat model; the chunk
 * cache's cap and its idle trim.
 */
#include <stdlib.h>
#include <string.h>
#include "ksf_int.h"
#include "check.h"

static void outq_model(struct ksf__worker *w)
{
	struct ksf__outq q = { 0 };
	struct iovec iov[KSF_IOV_MAX];
	static char model[8 << 20], tmp[3 << 20];
	size_t mhead = 0, mtail = 0;
	unsigned seed = 1;

	for (int step = 0; step < 2000; step++) {
		size_t n = (size_t)rand_r(&seed) % (step % 50 == 0 ? (3u << 20) : 40000);
		if (mtail + n < sizeof(model) && rand_r(&seed) % 3) {
			for (size_t i = 0; i < n; i++)
				tmp[i] = (char)(mtail + i);
			CHECK_EQ(ksf__outq_append(w, &q, tmp, n), 0);
			memcpy(model + mtail, tmp, n);
			mtail += n;
		}
		CHECK_EQ(q.bytes, mtail - mhead);
		/* the iovec view is the queue's bytes, in order */
		int cnt = ksf__outq_iov(&q, iov, KSF_IOV_MAX);
		size_t off = mhead;
		for (int i = 0; i < cnt; i++) {
			CHECK(memcmp(iov[i].iov_base, model + off, iov[i].iov_len) == 0);
			off += iov[i].iov_len;
		}
		CHECK(off <= mtail);
		size_t c = q.bytes ? (size_t)rand_r(&seed) % (q.bytes + 1) : 0;
		ksf__outq_consume(w, &q, c);
		mhead += c;
		if (mhead == mtail)
			mhead = mtail = 0;
		if (mhead == 0 && mtail == 0)
			CHECK_EQ(q.bytes, 0);
	}
	ksf__outq_free(w, &q);
	CHECK(q.head == NULL && q.tail == NULL && q.bytes == 0);
}

static void chunk_pool(struct ksf__worker *w)
{
	struct ksf__chunk *a = ksf__chunk_get(w, 100), *b;

	CHECK_EQ(a->cap, KSF_CHUNK);
	ksf__chunk_put(w, a);
	CHECK_EQ(w->nfree_chunks, 1);
	b = ksf__chunk_get(w, 10);
	CHECK(a == b);		/* recycled, not reallocated */
	CHECK_EQ(w->nfree_chunks, 0);
	ksf__chunk_put(w, b);
	b = ksf__chunk_get(w, 1 << 20);
	CHECK_EQ(b->cap, 1 << 20);
	ksf__chunk_put(w, b);	/* kept in its size's list, not the 16 KiB one */
	CHECK_EQ(w->nfree_chunks, 1);
	CHECK_EQ(w->big_cached, 1 << 20);
	ksf__bufpool_fini(w);
	CHECK_EQ(w->nfree_chunks, 0);
	CHECK_EQ(w->big_cached, 0);
}

/* Bigger chunks: power-of-two sizes from 32 KiB to 1 MiB, each reused
 * for a request of its size, at most 8 MiB of them kept; bigger than
 * 1 MiB: their own size, never kept. */
static void chunk_big(struct ksf__worker *w)
{
	struct ksf__chunk *a = ksf__chunk_get(w, KSF_CHUNK + 1), *b, *ch[9];

	CHECK_EQ(a->cap, 2 * KSF_CHUNK);
	ksf__chunk_put(w, a);
	b = ksf__chunk_get(w, 2 * KSF_CHUNK);
	CHECK(a == b);
	ksf__chunk_put(w, b);
	b = ksf__chunk_get(w, 40000);	/* not the 32 KiB one */
	CHECK(a != b);
	CHECK_EQ(b->cap, 65536);
	ksf__chunk_put(w, b);
	CHECK(ksf__chunk_get(w, 65536) == b);
	ksf__chunk_put(w, b);
	b = ksf__chunk_get(w, 300000);
	CHECK_EQ(b->cap, 512 << 10);
	ksf__chunk_put(w, b);
	b = ksf__chunk_get(w, (1 << 20) + 1);
	CHECK_EQ(b->cap, (1 << 20) + 1);
	ksf__chunk_put(w, b);	/* freed */
	CHECK_EQ(w->big_cached, (32 + 64 + 512) << 10);
	CHECK_EQ(ksf__bufpool_trim(w, 8), 3);
	CHECK_EQ(w->big_cached, 0);
	for (int i = 0; i < 9; i++)
		ch[i] = ksf__chunk_get(w, 1 << 20);
	for (int i = 0; i < 9; i++)
		ksf__chunk_put(w, ch[i]);
	CHECK_EQ(w->big_cached, 8 << 20);	/* the ninth was freed */
	ksf__bufpool_fini(w);
}

/* The cache keeps at most 512 chunks; a trim frees all but the floor. */
static void chunk_trim(struct ksf__worker *w)
{
	struct ksf__chunk *ch[600];

	for (int i = 0; i < 600; i++)
		ch[i] = ksf__chunk_get(w, KSF_CHUNK);
	for (int i = 0; i < 600; i++)
		ksf__chunk_put(w, ch[i]);
	CHECK_EQ(w->nfree_chunks, 512);
	CHECK_EQ(ksf__bufpool_trim(w, 8), 504);
	CHECK_EQ(w->nfree_chunks, 8);
	CHECK_EQ(ksf__bufpool_trim(w, 8), 0);	/* at the floor: nothing to do */
	CHECK_EQ(ksf__bufpool_trim(w, 0), 8);
	CHECK(w->free_chunks == NULL);
}

static void inbuf(void)
{
	struct ksf__inbuf b = { 0 };

	CHECK_EQ(ksf__inbuf_append(&b, "hello ", 6), 0);
	CHECK_EQ(ksf__inbuf_append(&b, "world", 5), 0);
	CHECK_EQ(b.len, 11);
	ksf__inbuf_consume(&b, 6);
	CHECK_EQ(b.len, 5);
	CHECK(memcmp(b.p, "world", 5) == 0);
	ksf__inbuf_consume(&b, 5);
	CHECK_EQ(b.len, 0);
	char *big = calloc(1, 200000);
	CHECK_EQ(ksf__inbuf_append(&b, big, 200000), 0);
	ksf__inbuf_consume(&b, 200000);
	CHECK(b.p == NULL);	/* a big buffer is given back when emptied */
	free(big);
	ksf__inbuf_free(&b);
}

static int ref_freed;
static void ref_free(void *arg)
{
	ref_freed += *(int *)arg;
}

/* Bytes queued by reference sit between copied ones in order, are never
 * copied, and are given back exactly once, when consumed or dropped. */
static void outq_ref(struct ksf__worker *w)
{
	struct ksf__outq q = { 0 };
	struct iovec iov[8];
	static char ext[100000];
	int one = 1, ten = 10;

	memset(ext, 'r', sizeof(ext));
	CHECK_EQ(ksf__outq_append(w, &q, "abc", 3), 0);
	CHECK_EQ(ksf__outq_append_ref(w, &q, ext, sizeof(ext), ref_free, &one), 0);
	CHECK_EQ(ksf__outq_append(w, &q, "de", 2), 0);
	CHECK_EQ(q.bytes, 3 + sizeof(ext) + 2);
	CHECK_EQ(ksf__outq_iov(&q, iov, 8), 3);
	CHECK(iov[1].iov_base == ext);		/* not copied */
	CHECK_EQ(iov[1].iov_len, sizeof(ext));
	CHECK(memcmp(iov[2].iov_base, "de", 2) == 0);
	ksf__outq_consume(w, &q, 3 + 500);	/* partly sent: still held */
	CHECK_EQ(ref_freed, 0);
	CHECK_EQ(ksf__outq_iov(&q, iov, 8), 2);
	CHECK(iov[0].iov_base == ext + 500);
	ksf__outq_consume(w, &q, sizeof(ext) - 500);
	CHECK_EQ(ref_freed, 1);
	CHECK_EQ(ksf__outq_append_ref(w, &q, ext, 10, ref_free, &ten), 0);
	ksf__outq_free(w, &q);			/* dropped: given back too */
	CHECK_EQ(ref_freed, 11);
	CHECK_EQ(q.bytes, 0);
}

int main(void)
{
	struct ksf__worker w;

	memset(&w, 0, sizeof(w));
	chunk_pool(&w);
	chunk_big(&w);
	chunk_trim(&w);
	outq_model(&w);
	outq_ref(&w);
	ksf__bufpool_fini(&w);
	inbuf();
	return CHECK_DONE();
}
