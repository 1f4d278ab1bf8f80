// SPDX-License-Identifier: BSD-2-Clause
/*
 * Record marking (RFC 5531 §11): how RPC messages are delimited on a byte
 * stream. A record is one or more fragments; each fragment is a 4-byte
 * big-endian header (bit 31 set on the record's last fragment, bits 0-30 the
 * fragment's length, 0 to 2^31-1) followed by its data.
 *
 * The parser is stateless: it is handed every unconsumed byte of the stream,
 * contiguous, and finds the first complete record, re-reading the fragment
 * headers of a record that is still arriving (at most KSF_RPC_REC_MAX_FRAGS
 * of them). A single-fragment record, the common case, is then used in
 * place; a multi-fragment one is gathered by the caller into one buffer.
 * The limits on record size and fragment count are checked as soon as a
 * header is seen, so a hostile peer cannot make the caller buffer more than
 * one maximal record.
 */
#include "rpc_int.h"

#define FRAG_LEN_MASK	0x7fffffffu

int ksf_rpc_rec_parse(const uint8_t *data, size_t len, uint32_t max_record,
		      struct ksf_rpc_rec *rec)
{
	uint32_t max = max_record < KSF_RPC_REC_MAX_LIMIT ? max_record : KSF_RPC_REC_MAX_LIMIT;
	uint32_t total = 0, nfrags = 0;
	size_t pos = 0;

	/* The common case first: one last fragment, whole and within max. */
	if (len >= KSF_RPC_REC_HDR) {
		uint32_t hdr = ksf__get_be32(data), flen = hdr & FRAG_LEN_MASK;

		if ((hdr & KSF_RPC_REC_LAST) && flen <= max && flen <= len - KSF_RPC_REC_HDR) {
			*rec = (struct ksf_rpc_rec){ .len = flen, .nfrags = 1,
						     .payload = data + KSF_RPC_REC_HDR };
			return (int)(KSF_RPC_REC_HDR + flen);
		}
	}
	memset(rec, 0, sizeof(*rec));
	for (;;) {
		uint32_t hdr, flen;

		if (len - pos < KSF_RPC_REC_HDR) {
			rec->need = pos + KSF_RPC_REC_HDR;
			return 0;
		}
		hdr = ksf__get_be32(data + pos);
		flen = hdr & FRAG_LEN_MASK;
		/* Count every fragment, empty ones too: a stream of empty
		 * non-last fragments would otherwise be an endless record. */
		if (++nfrags > KSF_RPC_REC_MAX_FRAGS)
			return -EBADMSG;
		/* total <= max holds, so this is total + flen > max without overflow. */
		if (flen > max - total)
			return -EMSGSIZE;
		total += flen;
		if (len - pos - KSF_RPC_REC_HDR < flen) {
			rec->need = pos + KSF_RPC_REC_HDR + flen +
				    (hdr & KSF_RPC_REC_LAST ? 0 : KSF_RPC_REC_HDR);
			return 0;
		}
		if (nfrags == 1)
			rec->payload = data + KSF_RPC_REC_HDR;
		pos += KSF_RPC_REC_HDR + flen;
		if (hdr & KSF_RPC_REC_LAST)
			break;
	}
	rec->len = total;
	rec->nfrags = nfrags;
	if (nfrags > 1)
		rec->payload = NULL;
	/* pos <= MAX_FRAGS * 4 + 2^30 < INT_MAX */
	return (int)pos;
}

size_t ksf_rpc_rec_gather(const uint8_t *data, size_t span, uint8_t *out)
{
	size_t pos = 0, n = 0;

	while (span - pos >= KSF_RPC_REC_HDR) {
		uint32_t hdr = ksf__get_be32(data + pos);
		size_t flen = hdr & FRAG_LEN_MASK;

		pos += KSF_RPC_REC_HDR;
		if (flen > span - pos)
			flen = span - pos;	/* not a parsed record: stay inside */
		if (flen)
			memcpy(out + n, data + pos, flen);
		n += flen;
		pos += flen;
		if (hdr & KSF_RPC_REC_LAST)
			break;
	}
	return n;
}

int ksf_rpc_rec_mark(uint8_t hdr[4], uint32_t len, bool last)
{
	if (len > FRAG_LEN_MASK)
		return -EMSGSIZE;
	ksf__put_be32(hdr, len | (last ? KSF_RPC_REC_LAST : 0));
	return 0;
}
