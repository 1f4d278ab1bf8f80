// SPDX-License-Identifier: BSD-2-Clause
/*
 * XDR (RFC 4506): a bounds-checked cursor over one caller-owned buffer.
 * Decoding hands out pointers into the buffer instead of copying opaques and
 * strings; every read is checked against the buffer's end first, so a short
 * or hostile message yields an error value, never an over-read. Errors are
 * sticky (the first one is kept), so callers may chain calls and check once.
 */
#include "rpc_int.h"

/* RFC 4506 §3: every item occupies a multiple of 4 bytes; n bytes of data
 * are followed by (4 - n mod 4) mod 4 bytes of zero padding. */
static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

int ksf__xdr_fail(struct ksf_xdr *x, int err)
{
	if (!x->err)
		x->err = err;
	return x->err;
}

void ksf_xdr_init_decode(struct ksf_xdr *x, const void *buf, size_t len)
{
	x->rbuf = buf;
	x->wbuf = NULL;
	x->len = len;
	x->pos = 0;
	x->err = 0;
	x->ref = NULL;
}

void ksf_xdr_init_encode(struct ksf_xdr *x, void *buf, size_t cap)
{
	x->rbuf = buf;
	x->wbuf = buf;
	x->len = cap;
	x->pos = 0;
	x->err = 0;
	x->ref = NULL;
}

/* Consume n data bytes plus their padding; NULL (and the error set) if the
 * buffer ends first. The position does not move on failure. */
static const uint8_t *take(struct ksf_xdr *x, size_t n)
{
	const uint8_t *p = NULL;
	size_t left = x->len - x->pos;

	if (x->err)
		return NULL;
	if (n > left || pad4(n) > left - n) {
		ksf__xdr_fail(x, -EBADMSG);
		return NULL;
	}
	p = x->rbuf + x->pos;
	x->pos += n + pad4(n);
	return p;
}

/* Room for n data bytes plus their padding, which is zeroed here. */
static uint8_t *room(struct ksf_xdr *x, size_t n)
{
	uint8_t *p;
	size_t left = x->len - x->pos;

	if (x->err)
		return NULL;
	if (!x->wbuf) {
		ksf__xdr_fail(x, -EINVAL);
		return NULL;
	}
	if (n > left || pad4(n) > left - n) {
		ksf__xdr_fail(x, -ENOSPC);
		return NULL;
	}
	p = x->wbuf + x->pos;
	memset(p + n, 0, pad4(n));
	x->pos += n + pad4(n);
	return p;
}

/* §4.1, §4.2: 32-bit integers, most significant byte first. */
int ksf_xdr_get_u32(struct ksf_xdr *x, uint32_t *v)
{
	const uint8_t *p = take(x, 4);

	*v = p ? ksf__get_be32(p) : 0;
	return x->err;
}

int ksf_xdr_get_i32(struct ksf_xdr *x, int32_t *v)
{
	uint32_t u = 0;

	ksf_xdr_get_u32(x, &u);
	*v = (int32_t)u;
	return x->err;
}

/* §4.5: hyper and unsigned hyper, most significant word first. */
int ksf_xdr_get_u64(struct ksf_xdr *x, uint64_t *v)
{
	const uint8_t *p = take(x, 8);

	*v = p ? (uint64_t)ksf__get_be32(p) << 32 | ksf__get_be32(p + 4) : 0;
	return x->err;
}

int ksf_xdr_get_i64(struct ksf_xdr *x, int64_t *v)
{
	uint64_t u = 0;

	ksf_xdr_get_u64(x, &u);
	*v = (int64_t)u;
	return x->err;
}

/* §4.3: an enum is encoded as a signed int. */
int ksf_xdr_get_enum(struct ksf_xdr *x, int32_t *v)
{
	return ksf_xdr_get_i32(x, v);
}

/* §4.4: bool is enum { FALSE = 0, TRUE = 1 }; anything else is an error. */
int ksf_xdr_get_bool(struct ksf_xdr *x, bool *v)
{
	size_t pos = x->pos;
	uint32_t u = 0;

	*v = false;
	if (ksf_xdr_get_u32(x, &u))
		return x->err;
	if (u > 1) {
		x->pos = pos;
		return ksf__xdr_fail(x, -EBADMSG);
	}
	*v = u == 1;
	return 0;
}

/* §4.9: fixed-length opaque. */
int ksf_xdr_get_fixed(struct ksf_xdr *x, size_t n, const uint8_t **p)
{
	const uint8_t *q = take(x, n);

	if (p)
		*p = q;
	return x->err;
}

/* §4.10: variable-length opaque<max>: length word, bytes, padding. */
int ksf_xdr_get_opaque(struct ksf_xdr *x, uint32_t max, const uint8_t **p, uint32_t *n)
{
	size_t pos = x->pos;
	const uint8_t *q;
	uint32_t len = 0;

	*p = NULL;
	*n = 0;
	if (ksf_xdr_get_u32(x, &len))
		return x->err;
	if (len > max) {
		x->pos = pos;
		return ksf__xdr_fail(x, -EMSGSIZE);
	}
	q = take(x, len);
	if (!q) {
		x->pos = pos;
		return x->err;
	}
	*p = q;
	*n = len;
	return 0;
}

/* §4.11: string<max> has the encoding of opaque<max>. */
int ksf_xdr_get_string(struct ksf_xdr *x, uint32_t max, const char **s, uint32_t *n)
{
	const uint8_t *p = NULL;

	ksf_xdr_get_opaque(x, max, &p, n);
	*s = (const char *)p;
	return x->err;
}

int ksf_xdr_put_u32(struct ksf_xdr *x, uint32_t v)
{
	uint8_t *p = room(x, 4);

	if (p)
		ksf__put_be32(p, v);
	return x->err;
}

int ksf_xdr_put_i32(struct ksf_xdr *x, int32_t v)
{
	return ksf_xdr_put_u32(x, (uint32_t)v);
}

int ksf_xdr_put_u64(struct ksf_xdr *x, uint64_t v)
{
	uint8_t *p = room(x, 8);

	if (p) {
		ksf__put_be32(p, (uint32_t)(v >> 32));
		ksf__put_be32(p + 4, (uint32_t)v);
	}
	return x->err;
}

int ksf_xdr_put_i64(struct ksf_xdr *x, int64_t v)
{
	return ksf_xdr_put_u64(x, (uint64_t)v);
}

int ksf_xdr_put_enum(struct ksf_xdr *x, int32_t v)
{
	return ksf_xdr_put_i32(x, v);
}

int ksf_xdr_put_bool(struct ksf_xdr *x, bool v)
{
	return ksf_xdr_put_u32(x, v ? 1 : 0);
}

int ksf_xdr_put_fixed(struct ksf_xdr *x, const void *p, size_t n)
{
	uint8_t *q = room(x, n);

	if (q && n)
		memcpy(q, p, n);
	return x->err;
}

int ksf_xdr_put_opaque(struct ksf_xdr *x, const void *p, uint32_t n)
{
	size_t pos = x->pos;

	if (ksf_xdr_put_u32(x, n) || ksf_xdr_put_fixed(x, p, n))
		x->pos = pos;	/* all or nothing, as every failing call */
	return x->err;
}

int ksf_xdr_put_opaque_ref(struct ksf_xdr *x, const void *p, uint32_t n)
{
	struct ksf_xdr_ref *r = x->ref;
	size_t pos = x->pos;
	uint8_t *q;

	if (!r || r->p || r->copy || !n || !p) {
		if (r && !ksf_xdr_put_opaque(x, p, n))
			r->copied += n;
		return r ? x->err : ksf_xdr_put_opaque(x, p, n);
	}
	/* room as if the data were here: the length, the data, the padding */
	if (ksf_xdr_put_u32(x, n) || !(q = room(x, n))) {
		x->pos = pos;
		return x->err;
	}
	/* the padding follows the hole: give back the data's bytes */
	memset(q, 0, pad4(n));
	x->pos -= n;
	x->len -= n;
	r->p = p;
	r->len = n;
	r->pos = (size_t)(q - x->wbuf);
	return 0;
}

void ksf_xdr_ref_drop(struct ksf_xdr *x)
{
	struct ksf_xdr_ref *r = x->ref;

	if (!r || !r->p)
		return;
	x->len += r->len;
	r->p = NULL;
	r->len = 0;
	r->pos = 0;
}

int ksf_xdr_put_string(struct ksf_xdr *x, const char *s, uint32_t n)
{
	return ksf_xdr_put_opaque(x, s, n);
}

uint8_t *ksf_xdr_reserve(struct ksf_xdr *x, size_t n)
{
	return room(x, n);
}
