// SPDX-License-Identifier: BSD-2-Clause
/* Record marking (lib/rpc/recmark.c, RFC 5531 §11): single and multiple
 * fragments, every incomplete prefix, the size limit (a 2^31-1 record mark),
 * the fragment cap (a flood of empty fragments), gathering, and marks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ksf/rpc.h>
#include "check.h"

/* Append a fragment of len bytes of value `fill` at buf + *pos. */
static void frag(uint8_t *buf, size_t *pos, uint32_t len, bool last, uint8_t fill)
{
	CHECK_EQ(ksf_rpc_rec_mark(buf + *pos, len, last), 0);
	memset(buf + *pos + 4, fill, len);
	*pos += 4 + len;
}

static void single(void)
{
	uint8_t buf[64];
	struct ksf_rpc_rec rec;
	size_t n = 0;

	frag(buf, &n, 24, true, 0x11);
	frag(buf, &n, 8, true, 0x22);	/* a second record behind it */
	CHECK_EQ(ksf_rpc_rec_parse(buf, n, KSF_RPC_REC_MAX_DEFAULT, &rec), 28);
	CHECK_EQ(rec.len, 24);
	CHECK_EQ(rec.nfrags, 1);
	CHECK(rec.payload == buf + 4);	/* in place, no copy */
	CHECK_EQ(ksf_rpc_rec_parse(buf + 28, n - 28, KSF_RPC_REC_MAX_DEFAULT, &rec), 12);
	CHECK_EQ(rec.len, 8);
	CHECK_EQ(rec.payload[0], 0x22);

	/* Every prefix of the first record: need more, and `need` is a
	 * length that is both beyond what we have and not beyond the end. */
	for (size_t len = 0; len < 28; len++) {
		uint8_t *p = malloc(len ? len : 1);

		memcpy(p, buf, len);
		CHECK_EQ(ksf_rpc_rec_parse(p, len, KSF_RPC_REC_MAX_DEFAULT, &rec), 0);
		CHECK(rec.need > len);
		CHECK(rec.need <= 28);
		free(p);
	}

	/* An empty record (a last fragment of length 0) is a record. */
	n = 0;
	frag(buf, &n, 0, true, 0);
	CHECK_EQ(ksf_rpc_rec_parse(buf, n, KSF_RPC_REC_MAX_DEFAULT, &rec), 4);
	CHECK_EQ(rec.len, 0);
	CHECK_EQ(rec.nfrags, 1);
}

static void multi(void)
{
	uint8_t buf[128], out[64];
	struct ksf_rpc_rec rec;
	size_t n = 0;

	frag(buf, &n, 12, false, 'a');
	frag(buf, &n, 0, false, 0);
	frag(buf, &n, 8, false, 'b');
	frag(buf, &n, 4, true, 'c');
	CHECK_EQ(ksf_rpc_rec_parse(buf, n, KSF_RPC_REC_MAX_DEFAULT, &rec), (int)n);
	CHECK_EQ(rec.len, 24);
	CHECK_EQ(rec.nfrags, 4);
	CHECK(rec.payload == NULL);	/* not contiguous: gather */
	memset(out, 0, sizeof(out));
	CHECK_EQ(ksf_rpc_rec_gather(buf, n, out), 24);
	CHECK(memcmp(out, "aaaaaaaaaaaabbbbbbbbcccc", 24) == 0);
	CHECK_EQ(out[24], 0);

	for (size_t len = 0; len < n; len++) {
		uint8_t *p = malloc(len ? len : 1);

		memcpy(p, buf, len);
		CHECK_EQ(ksf_rpc_rec_parse(p, len, KSF_RPC_REC_MAX_DEFAULT, &rec), 0);
		CHECK(rec.need > len && rec.need <= n);
		free(p);
	}
	/* `need` after the first fragment's header: its data and the next
	 * header. */
	CHECK_EQ(ksf_rpc_rec_parse(buf, 5, KSF_RPC_REC_MAX_DEFAULT, &rec), 0);
	CHECK_EQ(rec.need, 4 + 12 + 4);
}

static void limits(void)
{
	uint8_t buf[16];
	struct ksf_rpc_rec rec;
	size_t n = 0;

	/* A 2^31-1 record mark is refused from its 4 bytes alone. */
	CHECK_EQ(ksf_rpc_rec_mark(buf, 0x7fffffff, true), 0);
	CHECK_EQ(buf[0], 0xff);
	CHECK_EQ(ksf_rpc_rec_parse(buf, 4, KSF_RPC_REC_MAX_DEFAULT, &rec), -EMSGSIZE);
	CHECK_EQ(ksf_rpc_rec_parse(buf, 4, UINT32_MAX, &rec), -EMSGSIZE);	/* capped */
	CHECK_EQ(ksf_rpc_rec_mark(buf, 0x7fffffff, false), 0);
	CHECK_EQ(ksf_rpc_rec_parse(buf, 4, KSF_RPC_REC_MAX_DEFAULT, &rec), -EMSGSIZE);
	/* Exactly the maximum is fine (waits for its data); one more is not. */
	CHECK_EQ(ksf_rpc_rec_mark(buf, 1000, true), 0);
	CHECK_EQ(ksf_rpc_rec_parse(buf, 4, 1000, &rec), 0);
	CHECK_EQ(rec.need, 1004);
	CHECK_EQ(ksf_rpc_rec_parse(buf, 4, 999, &rec), -EMSGSIZE);
	/* The sum of fragments counts, not just each one. */
	n = 0;
	frag(buf, &n, 4, false, 1);
	CHECK_EQ(ksf_rpc_rec_mark(buf + n, 997, true), 0);
	n += 4;
	/* 4 + 997 = 1001 bytes: over a 1000-byte maximum, within 1001. */
	CHECK_EQ(ksf_rpc_rec_parse(buf, n, 1000, &rec), -EMSGSIZE);
	CHECK_EQ(ksf_rpc_rec_parse(buf, n, 1001, &rec), 0);
	CHECK_EQ(rec.need, n + 997);
	/* Marks: bit 31 is "last", lengths of 2^31 and more do not exist. */
	CHECK_EQ(ksf_rpc_rec_mark(buf, 0x80000000u, true), -EMSGSIZE);
	CHECK_EQ(ksf_rpc_rec_mark(buf, 5, false), 0);
	CHECK(memcmp(buf, "\0\0\0\5", 4) == 0);
	CHECK_EQ(ksf_rpc_rec_mark(buf, 5, true), 0);
	CHECK(memcmp(buf, "\x80\0\0\5", 4) == 0);
}

/* A flood of empty non-last fragments: the fragment cap ends it. */
static void flood(void)
{
	size_t max = KSF_RPC_REC_MAX_FRAGS + 8, n = 0;
	uint8_t *buf = calloc(max, 4);
	struct ksf_rpc_rec rec;

	for (size_t i = 0; i < KSF_RPC_REC_MAX_FRAGS + 4; i++)
		frag(buf, &n, 0, false, 0);
	CHECK_EQ(ksf_rpc_rec_parse(buf, n, KSF_RPC_REC_MAX_DEFAULT, &rec), -EBADMSG);
	/* Up to the cap it is still a (slow-arriving) record... */
	CHECK_EQ(ksf_rpc_rec_parse(buf, 4 * (KSF_RPC_REC_MAX_FRAGS - 1),
				   KSF_RPC_REC_MAX_DEFAULT, &rec), 0);
	/* ...and KSF_RPC_REC_MAX_FRAGS fragments make a valid one. */
	n = 4 * (KSF_RPC_REC_MAX_FRAGS - 1);
	frag(buf, &n, 0, true, 0);
	CHECK_EQ(ksf_rpc_rec_parse(buf, n, KSF_RPC_REC_MAX_DEFAULT, &rec), (int)n);
	CHECK_EQ(rec.nfrags, KSF_RPC_REC_MAX_FRAGS);
	CHECK_EQ(rec.len, 0);
	/* One more fragment is one too many. */
	n -= 4;
	frag(buf, &n, 0, false, 0);
	frag(buf, &n, 0, true, 0);
	CHECK_EQ(ksf_rpc_rec_parse(buf, n, KSF_RPC_REC_MAX_DEFAULT, &rec), -EBADMSG);
	free(buf);
}

/* gather on spans it was not meant for stays inside them. */
static void gather_bounds(void)
{
	uint8_t buf[12] = { 0, 0, 0, 100, 1, 2, 3, 4, 5, 6, 7, 8 }, out[12];

	CHECK_EQ(ksf_rpc_rec_gather(buf, sizeof(buf), out), 8);
	CHECK_EQ(ksf_rpc_rec_gather(buf, 3, out), 0);
	CHECK_EQ(ksf_rpc_rec_gather(buf, 0, out), 0);
}

int main(void)
{
	single();
	multi();
	limits();
	flood();
	gather_bounds();
	return CHECK_DONE();
}
