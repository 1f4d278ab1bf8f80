// fuzz-srcs: lib/rpc/recmark.c
// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the record reassembler (lib/rpc/recmark.c, RFC 5531
 * §11). The first two input bytes choose max_record (small values, so the
 * size limit is hit often), the rest is a byte stream, copied to a buffer of
 * its exact size so ASan sees any over-read. Records are taken off the
 * stream as a connection would, and every result is checked: a record spans
 * no more than the bytes given, its headers and data add up to the span, its
 * payload is within max_record and inside the span, gathering copies exactly
 * its payload, and "need more" asks for more than is there.
 */
#include <stdlib.h>
#include <string.h>
#include <ksf/rpc.h>

static void check_record(const uint8_t *p, size_t len, uint32_t max, int span,
			 const struct ksf_rpc_rec *rec)
{
	uint8_t *out;

	if ((size_t)span > len || rec->len > max || rec->nfrags < 1 ||
	    rec->nfrags > KSF_RPC_REC_MAX_FRAGS ||
	    (size_t)span != 4 * (size_t)rec->nfrags + rec->len)
		abort();
	if ((rec->nfrags == 1) != (rec->payload != NULL))
		abort();
	if (rec->payload && (rec->payload != p + 4 || rec->payload + rec->len > p + span))
		abort();
	out = malloc(rec->len ? rec->len : 1);
	if (ksf_rpc_rec_gather(p, (size_t)span, out) != rec->len)
		abort();
	if (rec->payload && rec->len && memcmp(out, rec->payload, rec->len))
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksf_rpc_rec rec;
	uint32_t max;
	uint8_t *buf, *out;
	size_t off = 0;
	int span;

	if (size < 2)
		return 0;
	max = (uint32_t)data[0] << 8 | data[1];
	max = max == 0xffff ? KSF_RPC_REC_MAX_DEFAULT : max;
	data += 2;
	size -= 2;
	buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	while ((span = ksf_rpc_rec_parse(buf + off, size - off, max, &rec)) > 0) {
		check_record(buf + off, size - off, max, span, &rec);
		off += (size_t)span;
	}
	if (span == 0 && rec.need <= size - off)
		abort();
	/* gather on bytes it was never meant for: stays inside them. */
	out = malloc(size ? size : 1);
	if (ksf_rpc_rec_gather(buf, size, out) > size)
		abort();
	free(out);
	free(buf);
	return 0;
}
