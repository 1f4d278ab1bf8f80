// SPDX-License-Identifier: BSD-2-Clause
/* XDR cursor (lib/rpc/xdr.c, RFC 4506): wire layout of every type, round
 * trips, sticky errors, bounds at every length (buffers are malloc'ed to
 * their exact size so an ASan build catches any over-read). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ksf/rpc.h>
#include "check.h"

static void layout(void)
{
	static const uint8_t want[] = {
		0x01, 0x02, 0x03, 0x04,			/* u32 */
		0xff, 0xff, 0xff, 0xfe,			/* i32 -2 */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,	/* u64 */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd,	/* hyper -3 */
		0x00, 0x00, 0x00, 0x01,			/* bool TRUE */
		0x00, 0x00, 0x00, 0x07,			/* enum 7 */
		'a', 'b', 'c', 'd', 'e', 0, 0, 0,	/* fixed opaque[5] */
		0x00, 0x00, 0x00, 0x02, 'h', 'i', 0, 0,	/* opaque<> */
		0x00, 0x00, 0x00, 0x04, 'n', 'f', 's', '3',	/* string<> */
		0x00, 0x00, 0x00, 0x00,			/* empty opaque */
	};
	uint8_t buf[sizeof(want)];
	struct ksf_xdr x;

	memset(buf, 0xaa, sizeof(buf));	/* padding must be written as zeros */
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	ksf_xdr_put_u32(&x, 0x01020304);
	ksf_xdr_put_i32(&x, -2);
	ksf_xdr_put_u64(&x, 0x0102030405060708ull);
	ksf_xdr_put_i64(&x, -3);
	ksf_xdr_put_bool(&x, true);
	ksf_xdr_put_enum(&x, 7);
	ksf_xdr_put_fixed(&x, "abcde", 5);
	ksf_xdr_put_opaque(&x, "hi", 2);
	ksf_xdr_put_string(&x, "nfs3", 4);
	CHECK_EQ(ksf_xdr_put_opaque(&x, NULL, 0), 0);
	CHECK_EQ(x.err, 0);
	CHECK_EQ(x.pos, sizeof(want));
	CHECK(memcmp(buf, want, sizeof(want)) == 0);
	/* Full: the next item does not fit. */
	CHECK_EQ(ksf_xdr_put_u32(&x, 1), -ENOSPC);
	CHECK_EQ(x.pos, sizeof(want));
}

static void round_trip(void)
{
	uint8_t *buf = malloc(64);
	struct ksf_xdr x;
	uint32_t u = 0, n = 0;
	int32_t i = 0, e = 0;
	uint64_t u64 = 0;
	int64_t i64 = 0;
	bool b = false;
	const uint8_t *p = NULL;
	const char *s = NULL;

	ksf_xdr_init_encode(&x, buf, 64);
	ksf_xdr_put_u32(&x, UINT32_MAX);
	ksf_xdr_put_i32(&x, INT32_MIN);
	ksf_xdr_put_u64(&x, UINT64_MAX);
	ksf_xdr_put_i64(&x, INT64_MIN);
	ksf_xdr_put_bool(&x, false);
	ksf_xdr_put_enum(&x, -5);
	ksf_xdr_put_opaque(&x, "xyz", 3);
	ksf_xdr_put_string(&x, "host", 4);
	CHECK_EQ(x.err, 0);
	CHECK_EQ(x.pos, 4 + 4 + 8 + 8 + 4 + 4 + 8 + 8);

	ksf_xdr_init_decode(&x, buf, 48);
	CHECK_EQ(ksf_xdr_get_u32(&x, &u), 0);
	CHECK_EQ(u, UINT32_MAX);
	CHECK_EQ(ksf_xdr_get_i32(&x, &i), 0);
	CHECK_EQ(i, INT32_MIN);
	CHECK_EQ(ksf_xdr_get_u64(&x, &u64), 0);
	CHECK(u64 == UINT64_MAX);
	CHECK_EQ(ksf_xdr_get_i64(&x, &i64), 0);
	CHECK(i64 == INT64_MIN);
	CHECK_EQ(ksf_xdr_get_bool(&x, &b), 0);
	CHECK(!b);
	CHECK_EQ(ksf_xdr_get_enum(&x, &e), 0);
	CHECK_EQ(e, -5);
	CHECK_EQ(ksf_xdr_get_opaque(&x, 3, &p, &n), 0);
	CHECK_EQ(n, 3);
	CHECK(p == buf + 36);	/* no copy: a pointer into the buffer */
	CHECK(memcmp(p, "xyz", 3) == 0);
	CHECK_EQ(ksf_xdr_get_string(&x, 255, &s, &n), 0);
	CHECK_EQ(n, 4);
	CHECK(memcmp(s, "host", 4) == 0);
	CHECK_EQ(ksf_xdr_left(&x), 0);
	CHECK_EQ(ksf_xdr_get_u32(&x, &u), -EBADMSG);
	free(buf);
}

/* Decoding stops with -EBADMSG at the buffer's end, leaves the output and
 * position alone, and the error sticks. */
static void decode_errors(void)
{
	static const uint8_t two[] = { 0, 0, 0, 2 };
	static const uint8_t big[] = { 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4 };
	static const uint8_t str5[] = { 0, 0, 0, 5, 'a', 'b', 'c', 'd', 'e', 0, 0, 0 };
	struct ksf_xdr x;
	uint32_t u = 77, n = 0;
	uint64_t u64 = 77;
	bool b = true;
	const uint8_t *p = NULL;
	const char *s = NULL;

	ksf_xdr_init_decode(&x, two, sizeof(two));
	CHECK_EQ(ksf_xdr_get_bool(&x, &b), -EBADMSG);	/* §4.4: only 0 and 1 */
	CHECK(!b);		/* a failing get leaves no unset output */
	CHECK_EQ(x.pos, 0);
	CHECK_EQ(ksf_xdr_get_u32(&x, &u), -EBADMSG);	/* sticky */
	CHECK_EQ(u, 0);

	ksf_xdr_init_decode(&x, two, sizeof(two));
	CHECK_EQ(ksf_xdr_get_u64(&x, &u64), -EBADMSG);
	CHECK(u64 == 0);

	/* A 2^32-1 length must not wrap any bounds arithmetic. */
	ksf_xdr_init_decode(&x, big, sizeof(big));
	CHECK_EQ(ksf_xdr_get_opaque(&x, UINT32_MAX, &p, &n), -EBADMSG);
	CHECK(p == NULL);
	CHECK_EQ(x.pos, 0);
	ksf_xdr_init_decode(&x, big, sizeof(big));
	CHECK_EQ(ksf_xdr_get_fixed(&x, SIZE_MAX, &p), -EBADMSG);
	ksf_xdr_init_decode(&x, big, sizeof(big));
	CHECK_EQ(ksf_xdr_get_fixed(&x, SIZE_MAX - 2, &p), -EBADMSG);

	/* Over the maximum: -EMSGSIZE, position unchanged. */
	ksf_xdr_init_decode(&x, str5, sizeof(str5));
	CHECK_EQ(ksf_xdr_get_string(&x, 4, &s, &n), -EMSGSIZE);
	CHECK_EQ(x.pos, 0);
	CHECK(s == NULL);
	ksf_xdr_init_decode(&x, str5, sizeof(str5));
	CHECK_EQ(ksf_xdr_get_string(&x, 5, &s, &n), 0);
	CHECK_EQ(n, 5);

	/* Data present but its padding cut off: still an error. */
	ksf_xdr_init_decode(&x, str5, 9);
	CHECK_EQ(ksf_xdr_get_string(&x, 5, &s, &n), -EBADMSG);
	ksf_xdr_init_decode(&x, str5, sizeof(str5));
	CHECK_EQ(ksf_xdr_get_fixed(&x, 5, NULL), 0);	/* skip */
	CHECK_EQ(x.pos, 8);
}

/* A message of every type, decoded from each of its prefixes: only the full
 * length succeeds, every shorter one fails with -EBADMSG and never reads
 * past its end. */
static void truncation(void)
{
	uint8_t full[64];
	struct ksf_xdr x;
	size_t total;

	ksf_xdr_init_encode(&x, full, sizeof(full));
	ksf_xdr_put_u32(&x, 1);
	ksf_xdr_put_u64(&x, 2);
	ksf_xdr_put_bool(&x, true);
	ksf_xdr_put_opaque(&x, "abcde", 5);
	ksf_xdr_put_string(&x, "fg", 2);
	ksf_xdr_put_fixed(&x, "hij", 3);
	total = x.pos;
	for (size_t len = 0; len <= total; len++) {
		uint8_t *buf = malloc(len ? len : 1);
		uint32_t u = 0, n = 0;
		uint64_t u64 = 0;
		bool b = false;
		const uint8_t *p = NULL;
		const char *s = NULL;

		memcpy(buf, full, len);
		ksf_xdr_init_decode(&x, buf, len);
		ksf_xdr_get_u32(&x, &u);
		ksf_xdr_get_u64(&x, &u64);
		ksf_xdr_get_bool(&x, &b);
		ksf_xdr_get_opaque(&x, 8, &p, &n);
		ksf_xdr_get_string(&x, 8, &s, &n);
		ksf_xdr_get_fixed(&x, 3, &p);
		CHECK_EQ(x.err, len == total ? 0 : -EBADMSG);
		CHECK(x.pos <= len);
		free(buf);
	}
}

static void encode_errors(void)
{
	uint8_t buf[16], ro[8] = { 0 };
	struct ksf_xdr x;
	uint8_t *r;

	/* Room for exactly the item, at every capacity below it: -ENOSPC
	 * and nothing written past cap. */
	for (size_t cap = 0; cap < 12; cap++) {
		memset(buf, 0x55, sizeof(buf));
		ksf_xdr_init_encode(&x, buf, cap);
		CHECK_EQ(ksf_xdr_put_opaque(&x, "abcde", 5), -ENOSPC);
		CHECK_EQ(x.pos, 0);
		for (size_t i = cap; i < sizeof(buf); i++)
			CHECK_EQ(buf[i], 0x55);
	}
	ksf_xdr_init_encode(&x, buf, 12);
	CHECK_EQ(ksf_xdr_put_opaque(&x, "abcde", 5), 0);
	CHECK_EQ(x.pos, 12);

	/* Encoding on a decode cursor is refused. */
	ksf_xdr_init_decode(&x, ro, sizeof(ro));
	CHECK_EQ(ksf_xdr_put_u32(&x, 1), -EINVAL);
	CHECK_EQ(ro[0], 0);

	/* reserve: the space and its zeroed padding. */
	memset(buf, 0x55, sizeof(buf));
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	r = ksf_xdr_reserve(&x, 6);
	CHECK(r == buf);
	CHECK_EQ(x.pos, 8);
	CHECK_EQ(buf[6], 0);
	CHECK_EQ(buf[7], 0);
	CHECK(ksf_xdr_reserve(&x, 9) == NULL);
	CHECK_EQ(x.err, -ENOSPC);
	CHECK(ksf_xdr_reserve(&x, 0) == NULL);	/* sticky */
}

/* put_opaque_ref: the bytes left out of the buffer with the length and
 * padding around the hole, the cap still counting them; copied (and
 * counted) in copy mode, once a hole is taken, and without a ref. */
static void opaque_ref(void)
{
	uint8_t buf[32], want[32];
	struct ksf_xdr_ref ref = { .p = NULL };
	struct ksf_xdr x;

	memset(buf, 0x55, sizeof(buf));
	ksf_xdr_init_encode(&x, buf, 20);
	CHECK(x.ref == NULL);
	x.ref = &ref;
	CHECK_EQ(ksf_xdr_put_u32(&x, 7), 0);
	CHECK_EQ(ksf_xdr_put_opaque_ref(&x, "abcde", 5), 0);
	CHECK(ref.p && memcmp(ref.p, "abcde", 5) == 0);
	CHECK_EQ(ref.len, 5);
	CHECK_EQ(ref.pos, 8);		/* after the u32 and the length */
	CHECK_EQ(x.pos, 11);		/* the padding, 3 bytes, in the buffer */
	CHECK_EQ(buf[7], 5);
	CHECK_EQ(buf[8], 0);
	CHECK_EQ(buf[10], 0);
	CHECK_EQ(x.len, 15);		/* 20 less the 5 data bytes */
	/* 4 bytes of room were left for 20 bytes in all: 11 + 5 + 4 */
	CHECK_EQ(ksf_xdr_put_u32(&x, 9), 0);
	CHECK_EQ(ksf_xdr_put_u32(&x, 9), -ENOSPC);
	/* a second one is copied (one hole per message), and counted */
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	x.ref = &ref;
	ref.p = NULL;
	CHECK_EQ(ksf_xdr_put_opaque_ref(&x, "xy", 2), 0);
	CHECK_EQ(ksf_xdr_put_opaque_ref(&x, "abc", 3), 0);
	CHECK_EQ(x.pos, 14);		/* 4 + 2 padding, then 8 copied */
	CHECK_EQ(ref.copied, 3);
	memcpy(want, "\0\0\0\3abc\0", 8);
	CHECK(memcmp(buf + 6, want, 8) == 0);
	/* drop: the hole forgotten, its room given back */
	CHECK_EQ(x.len, sizeof(buf) - 2);
	ksf_xdr_ref_drop(&x);
	CHECK(ref.p == NULL);
	CHECK_EQ(x.len, sizeof(buf));
	/* no room for the data: -ENOSPC, nothing recorded, nothing moved */
	ksf_xdr_init_encode(&x, buf, 8);
	x.ref = &ref;
	CHECK_EQ(ksf_xdr_put_opaque_ref(&x, "abcde", 5), -ENOSPC);
	CHECK(ref.p == NULL);
	CHECK_EQ(x.pos, 0);
	/* copy mode and no ref: exactly put_opaque */
	ref.copy = true;
	ref.copied = 0;
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	x.ref = &ref;
	CHECK_EQ(ksf_xdr_put_opaque_ref(&x, "abcde", 5), 0);
	CHECK(ref.p == NULL);
	CHECK_EQ(ref.copied, 5);
	CHECK_EQ(x.pos, 12);
	ksf_xdr_init_encode(&x, want, sizeof(want));
	CHECK_EQ(ksf_xdr_put_opaque(&x, "abcde", 5), 0);
	CHECK(memcmp(buf, want, 12) == 0);
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	CHECK_EQ(ksf_xdr_put_opaque_ref(&x, "abcde", 5), 0);
	CHECK(memcmp(buf, want, 12) == 0);
}

int main(void)
{
	layout();
	round_trip();
	decode_errors();
	truncation();
	encode_errors();
	opaque_ref();
	return CHECK_DONE();
}
