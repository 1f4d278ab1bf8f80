// SPDX-License-Identifier: BSD-2-Clause
/*
 * The duplicate request cache (rpc_drc.h): a hash table of fixed entries,
 * chained by index, reused in clock order. Keys are the client's address
 * and port, xid, program, version, procedure and a checksum of the first
 * bytes of the arguments (as nfsd: a reused xid with other arguments is a
 * new call).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "rpc_drc.h"

#define SUM_BYTES	1024u

enum { E_FREE, E_INPROG, E_DONE };

struct drc_entry {
	uint8_t addr[16];
	uint16_t port;
	uint8_t family, state;
	uint32_t xid, prog, vers, proc;
	uint64_t sum;
	uint32_t gen;
	int32_t next;		/* bucket chain, -1 ends it */
	uint32_t bucket;
	uint32_t reply_len;
	uint8_t *reply;
};

struct rpc_drc {
	unsigned n, nbuckets, clock;
	int32_t *buckets;
	struct drc_entry *e;
};

int ksf__drc_create(struct rpc_drc **dp, unsigned entries)
{
	struct rpc_drc *d = calloc(1, sizeof(*d));

	if (!d || !entries)
		goto fail;
	d->n = entries;
	for (d->nbuckets = 1; d->nbuckets < 2 * entries; d->nbuckets <<= 1)
		;
	if (!(d->e = calloc(entries, sizeof(*d->e))) ||
	    !(d->buckets = malloc(d->nbuckets * sizeof(*d->buckets))))
		goto fail;
	for (unsigned i = 0; i < d->nbuckets; i++)
		d->buckets[i] = -1;
	*dp = d;
	return 0;
fail:
	ksf__drc_destroy(d);
	return entries ? -ENOMEM : -EINVAL;
}

void ksf__drc_destroy(struct rpc_drc *d)
{
	if (!d)
		return;
	for (unsigned i = 0; d->e && i < d->n; i++)
		free(d->e[i].reply);
	free(d->e);
	free(d->buckets);
	free(d);
}

static uint64_t fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

/* The key of a call, in an entry-shaped struct. */
static void make_key(struct drc_entry *k, const struct sockaddr *peer, socklen_t peerlen,
		     const struct ksf_rpc_peek *pk, const uint8_t *msg, size_t len)
{
	size_t off = pk->args_off <= len ? pk->args_off : len;
	size_t n = len - off < SUM_BYTES ? len - off : SUM_BYTES;

	memset(k, 0, sizeof(*k));
	if (peer && peer->sa_family == AF_INET && peerlen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *s = (const void *)peer;
		memcpy(k->addr, &s->sin_addr, 4);
		k->port = s->sin_port;
		k->family = AF_INET;
	} else if (peer && peer->sa_family == AF_INET6 && peerlen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s = (const void *)peer;
		memcpy(k->addr, &s->sin6_addr, 16);
		k->port = s->sin6_port;
		k->family = AF_INET6;
	}
	k->xid = pk->xid;
	k->prog = pk->prog;
	k->vers = pk->vers;
	k->proc = pk->proc;
	k->sum = fnv1a(0xcbf29ce484222325ull ^ len, msg + off, n);
}

static bool same_key(const struct drc_entry *a, const struct drc_entry *b)
{
	return a->xid == b->xid && a->sum == b->sum && a->port == b->port &&
	       a->family == b->family && a->proc == b->proc && a->prog == b->prog &&
	       a->vers == b->vers && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static uint32_t bucket_of(const struct rpc_drc *d, const struct drc_entry *k)
{
	uint64_t h = fnv1a(k->sum ^ k->xid, k->addr, sizeof(k->addr)) ^ k->port;
	return (uint32_t)(h ^ (h >> 32)) & (d->nbuckets - 1);
}

static void unlink_entry(struct rpc_drc *d, int32_t i)
{
	int32_t *pp = &d->buckets[d->e[i].bucket];

	while (*pp != -1 && *pp != i)
		pp = &d->e[*pp].next;
	if (*pp == i)
		*pp = d->e[i].next;
	free(d->e[i].reply);
	d->e[i].reply = NULL;
	d->e[i].state = E_FREE;
}

/* Take the next entry in clock order, evicting what it held. */
static int32_t take_entry(struct rpc_drc *d)
{
	int32_t i = (int32_t)d->clock;

	d->clock = (d->clock + 1) % d->n;
	if (d->e[i].state != E_FREE)
		unlink_entry(d, i);
	return i;
}

enum rpc_drc_result ksf__drc_lookup(struct rpc_drc *d, const struct sockaddr *peer,
				   socklen_t peerlen, const struct ksf_rpc_peek *pk,
				   const uint8_t *msg, size_t len, struct rpc_drc_ref *ref,
				   const uint8_t **reply, size_t *rlen)
{
	struct drc_entry k;
	uint32_t b;

	make_key(&k, peer, peerlen, pk, msg, len);
	b = bucket_of(d, &k);
	ref->slot = -1;
	for (int32_t i = d->buckets[b]; i != -1; i = d->e[i].next) {
		struct drc_entry *e = &d->e[i];
		if (!same_key(e, &k))
			continue;
		if (e->state == E_INPROG)
			return RPC_DRC_INPROG;
		*reply = e->reply;
		*rlen = e->reply_len;
		return RPC_DRC_HIT;
	}
	int32_t i = take_entry(d);
	uint32_t gen = d->e[i].gen + 1;
	d->e[i] = k;
	d->e[i].gen = gen;
	d->e[i].bucket = b;
	d->e[i].state = E_INPROG;
	d->e[i].next = d->buckets[b];
	d->buckets[b] = i;
	ref->slot = i;
	ref->gen = gen;
	return RPC_DRC_MISS;
}

void ksf__drc_done(struct rpc_drc *d, const struct rpc_drc_ref *ref, const uint8_t *reply,
		  size_t len)
{
	struct drc_entry *e;

	if (ref->slot < 0 || (unsigned)ref->slot >= d->n)
		return;
	e = &d->e[ref->slot];
	if (e->gen != ref->gen || e->state != E_INPROG)
		return;		/* reused for another call meanwhile */
	if (!reply || len > RPC_DRC_REPLY_MAX || !(e->reply = malloc(len))) {
		unlink_entry(d, ref->slot);
		return;
	}
	memcpy(e->reply, reply, len);
	e->reply_len = (uint32_t)len;
	e->state = E_DONE;
}
