// SPDX-License-Identifier: BSD-2-Clause
/*
 * The content of echotest's messages and its verification. Message m of
 * thread t is a header (m mod 2^32 and t, little-endian, 8 bytes) and then
 * len - 8 bytes of one read-only pseudo-random pool shared by all threads,
 * starting at an offset that depends on (t, m). Consecutive messages thus
 * differ in every byte with high probability, so a lost, repeated,
 * reordered or altered byte is caught at its stream position, and sending
 * or checking a message costs no more than a memcmp: nothing is generated
 * per message.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "echotest.h"

/* splitmix64's finaliser: a good 64-bit mix. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static size_t payload_len(const struct et_pattern *p)
{
	return p->len > ET_HDR_LEN ? p->len - ET_HDR_LEN : 0;
}

int et_pattern_init(struct et_pattern *p, size_t len)
{
	size_t n;
	uint64_t s = 0x6b73662d6563686fULL;	/* "ksf-echo" */

	p->len = len;
	p->pool = NULL;
	if (!payload_len(p))
		return 0;
	n = payload_len(p) + ET_POOL_SLACK;
	p->pool = malloc(n + sizeof(uint64_t));
	if (!p->pool)
		return -ENOMEM;
	for (size_t i = 0; i < n; i += sizeof(uint64_t)) {
		uint64_t v = mix64(s++);

		memcpy(p->pool + i, &v, sizeof(v));
	}
	return 0;
}

void et_pattern_free(struct et_pattern *p)
{
	free(p->pool);
	p->pool = NULL;
}

void et_msg_header(uint8_t hdr[ET_HDR_LEN], unsigned t, uint64_t m)
{
	for (int i = 0; i < 4; i++) {
		hdr[i] = (uint8_t)(m >> (8 * i));
		hdr[4 + i] = (uint8_t)(t >> (8 * i));
	}
}

const uint8_t *et_msg_payload(const struct et_pattern *p, unsigned t, uint64_t m)
{
	return p->pool + mix64(((uint64_t)t << 40) ^ m) % ET_POOL_SLACK;
}

uint8_t et_msg_byte(const struct et_pattern *p, unsigned t, uint64_t m, size_t off)
{
	uint8_t hdr[ET_HDR_LEN];

	if (off < ET_HDR_LEN) {
		et_msg_header(hdr, t, m);
		return hdr[off];
	}
	return et_msg_payload(p, t, m)[off - ET_HDR_LEN];
}

/* Offset of the first difference of a[0..n) and b[0..n). */
static size_t first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i = 0;

	while (i < n && a[i] == b[i])
		i++;
	return i;
}

int et_msg_check(const struct et_pattern *p, unsigned t, uint64_t m, size_t off,
		 const uint8_t *got, size_t n, size_t *bad)
{
	uint8_t hdr[ET_HDR_LEN];
	size_t k;

	if (off < ET_HDR_LEN) {
		et_msg_header(hdr, t, m);
		k = ET_HDR_LEN - off < n ? ET_HDR_LEN - off : n;
		if (memcmp(got, hdr + off, k)) {
			*bad = off + first_diff(got, hdr + off, k);
			return -1;
		}
		got += k;
		off += k;
		n -= k;
	}
	if (n && memcmp(got, et_msg_payload(p, t, m) + off - ET_HDR_LEN, n)) {
		*bad = off + first_diff(got, et_msg_payload(p, t, m) + off - ET_HDR_LEN, n);
		return -1;
	}
	return 0;
}
