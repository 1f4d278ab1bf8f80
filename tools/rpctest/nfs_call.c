// SPDX-License-Identifier: BSD-2-Clause
/*
 * One call of an NFS workload and the check of its reply. Calls differ
 * only by what follows from (thread, call number): the offset of a READ
 * or WRITE, the name of a CREATE. So a reply is checked with the call
 * number its xid gives, and nothing per call is stored.
 *
 * The test file holds a pattern in which every byte is a function of its
 * offset (and of a per-test salt): a READ at any offset is checked byte
 * for byte without a copy of the file, and a WRITE writes the same bytes
 * again, so reads stay checkable whatever was written before.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "nfs.h"
#include "rpctest.h"

#define PATTERN_MUL	0x9e3779b97f4a7c15ull	/* 2^64 / golden ratio */
#define OFFSET_SPREAD	7919u			/* threads start apart */
#define CREATE_MODE	0644u

static const uint32_t op_proc[RT_OP_COUNT] = {
	[RT_OP_NULL] = NFSPROC3_NULL, [RT_OP_GETATTR] = NFSPROC3_GETATTR,
	[RT_OP_LOOKUP] = NFSPROC3_LOOKUP, [RT_OP_ACCESS] = NFSPROC3_ACCESS,
	[RT_OP_READ] = NFSPROC3_READ, [RT_OP_WRITE] = NFSPROC3_WRITE,
	[RT_OP_CREATE] = NFSPROC3_CREATE,
};

/* The 8 bytes of the pattern at offsets 8k..8k+7, little-endian. */
static inline uint64_t pattern_word(uint64_t salt, uint64_t k)
{
	return htole64((k + salt) * PATTERN_MUL);
}

static inline uint8_t pattern_byte(uint64_t salt, uint64_t off)
{
	return (uint8_t)(((off >> 3) + salt) * PATTERN_MUL >> (8 * (off & 7)));
}

void rt_pattern_fill(uint64_t salt, uint64_t off, uint8_t *buf, size_t len)
{
	size_t i = 0;

	for (; i < len && (off + i) & 7; i++)
		buf[i] = pattern_byte(salt, off + i);
	for (; i + 8 <= len; i += 8) {
		uint64_t w = pattern_word(salt, (off + i) >> 3);

		memcpy(buf + i, &w, 8);
	}
	for (; i < len; i++)
		buf[i] = pattern_byte(salt, off + i);
}

size_t rt_pattern_diff(uint64_t salt, uint64_t off, const uint8_t *buf, size_t len)
{
	size_t i = 0;

	for (; i < len && (off + i) & 7; i++)
		if (buf[i] != pattern_byte(salt, off + i))
			return i;
	for (; i + 8 <= len; i += 8) {
		uint64_t w = pattern_word(salt, (off + i) >> 3);

		if (memcmp(buf + i, &w, 8))
			break;		/* the byte loop below finds which */
	}
	for (; i < len; i++)
		if (buf[i] != pattern_byte(salt, off + i))
			return i;
	return len;
}

uint64_t rt_nfs_offset(const struct rt_nfs_work *nw, unsigned id, uint64_t seq)
{
	return (seq + (uint64_t)id * OFFSET_SPREAD) % nw->nslots * nw->size;
}

void rt_nfs_create_name(unsigned id, uint64_t seq, char *buf, size_t len)
{
	snprintf(buf, len, "c%u-%" PRIu64, id, seq % RT_NFS_CREATE_WINDOW);
}

size_t rt_nfs_call_max(const struct rt_nfs_work *nw)
{
	return RT_CALL_MAX + (nw->op == RT_OP_WRITE ? nw->size : 0);
}

size_t rt_nfs_reply_max(const struct rt_nfs_work *nw)
{
	return RT_REPLY_MAX + (nw->op == RT_OP_READ ? nw->size : 0);
}

/* The arguments of call seq of thread id. */
static int put_args(const struct rt_nfs_work *nw, unsigned id, uint64_t seq,
		    struct ksf_xdr *x)
{
	char name[32];
	uint8_t *data;
	uint64_t off;

	switch (nw->op) {
	case RT_OP_GETATTR:
		return rt_put_fh(x, &nw->file);
	case RT_OP_LOOKUP:
		return rt_put_diropargs(x, &nw->dir, nw->file_name);
	case RT_OP_ACCESS:
		rt_put_fh(x, &nw->file);
		return ksf_xdr_put_u32(x, NFS3_ACCESS_ALL);
	case RT_OP_READ:
		return rt_put_read(x, &nw->file, rt_nfs_offset(nw, id, seq), nw->size);
	case RT_OP_WRITE:
		off = rt_nfs_offset(nw, id, seq);
		if (rt_put_write(x, &nw->file, off, nw->size, nw->stable, &data))
			return x->err;
		rt_pattern_fill(nw->salt, off, data, nw->size);
		return 0;
	case RT_OP_CREATE:
		rt_nfs_create_name(id, seq, name, sizeof(name));
		return rt_put_create(x, &nw->dir, name, CREATE_MODE);
	default:
		return 0;
	}
}

size_t rt_nfs_call_build(const struct rt_nfs_work *nw, unsigned id, uint64_t seq,
			 uint32_t xid, uint8_t *buf)
{
	size_t hdr = nw->stream ? KSF_RPC_REC_HDR : 0;
	struct ksf_xdr x;

	ksf_xdr_init_encode(&x, buf + hdr, rt_nfs_call_max(nw) - hdr);
	ksf_rpc_call_hdr(&x, xid, NFS_PROGRAM, NFS_V3, op_proc[nw->op], nw->cred);
	if (put_args(nw, id, seq, &x) || x.err)
		return 0;	/* cannot be once setup encoded one: sizes are fixed */
	if (nw->stream)
		ksf_rpc_rec_mark(buf, (uint32_t)x.pos, true);
	return hdr + x.pos;
}

/* READ: the whole size, every byte the pattern's. */
static int check_read(const struct rt_nfs_work *nw, uint64_t off, const struct rt_nfs_res *r,
		      char *why, size_t whylen)
{
	size_t bad;

	if (r->count != nw->size) {
		snprintf(why, whylen, "READ of %u bytes at offset %" PRIu64 " (of a %" PRIu64
			 "-byte file) returned %u bytes%s", nw->size, off, nw->file_size,
			 r->count, r->eof ? " and eof" : "");
		return -1;
	}
	bad = rt_pattern_diff(nw->salt, off, r->data, r->count);
	if (bad == r->count)
		return 0;
	snprintf(why, whylen, "READ of %u bytes at offset %" PRIu64 ": byte %" PRIu64
		 " is 0x%02x, rpctest wrote 0x%02x there", nw->size, off, off + bad,
		 r->data[bad], pattern_byte(nw->salt, off + bad));
	return -1;
}

static int check_write(const struct rt_nfs_work *nw, uint64_t off, const struct rt_nfs_res *r,
		       char *why, size_t whylen)
{
	if (r->count != nw->size)
		snprintf(why, whylen, "WRITE of %u bytes at offset %" PRIu64 " wrote %u",
			 nw->size, off, r->count);
	else if (r->committed < nw->stable || r->committed > NFS3_FILE_SYNC)
		snprintf(why, whylen, "WRITE %s at offset %" PRIu64 " committed as %s (%u)",
			 rt_stable_name(nw->stable), off, rt_stable_name(r->committed),
			 r->committed);
	else
		return 0;
	return -1;
}

/* What NFS3_OK results must hold, per operation. */
static int check_resok(const struct rt_nfs_work *nw, unsigned id, uint64_t seq,
		       const struct rt_nfs_res *r, char *why, size_t whylen)
{
	switch (nw->op) {
	case RT_OP_READ:
		return check_read(nw, rt_nfs_offset(nw, id, seq), r, why, whylen);
	case RT_OP_WRITE:
		return check_write(nw, rt_nfs_offset(nw, id, seq), r, why, whylen);
	case RT_OP_GETATTR:
	case RT_OP_LOOKUP:
		if (nw->op == RT_OP_LOOKUP && (!r->has_fh || !r->fh.len))
			snprintf(why, whylen, "LOOKUP returned an empty handle");
		else if (r->has_attr && r->fileid != nw->fileid)
			snprintf(why, whylen, "%s: fileid %" PRIu64 ", the test file's is %"
				 PRIu64, nw->op == RT_OP_LOOKUP ? "LOOKUP" : "GETATTR",
				 r->fileid, nw->fileid);
		else
			return 0;
		return -1;
	case RT_OP_ACCESS:
		if (!(r->access & ~NFS3_ACCESS_ALL))
			return 0;
		snprintf(why, whylen, "ACCESS granted 0x%x, more than the 0x%x asked",
			 r->access, NFS3_ACCESS_ALL);
		return -1;
	default:
		return 0;
	}
}

int rt_nfs_reply_check(const struct rt_nfs_work *nw, unsigned id, uint64_t seq,
		       const uint8_t *msg, size_t len, char *why, size_t whylen)
{
	const char *op = rt_op_name(nw->op);
	struct ksf_rpc_reply rep;
	struct rt_nfs_res r;
	int rc;

	if (rt_reply_success(msg, len, &rep, why, whylen))
		return -1;
	rc = rt_nfs_res_decode(op_proc[nw->op], rep.results, rep.results_len, nw->size, &r);
	if (rc == -E2BIG)
		snprintf(why, whylen, "%s results are followed by stray bytes (%zu bytes of "
			 "results)", op, rep.results_len);
	else if (rc)
		snprintf(why, whylen, "%s results are truncated or malformed (%zu bytes)",
			 op, rep.results_len);
	else if (r.status != NFS3_OK)
		snprintf(why, whylen, "%s: status NFS3ERR_%s (%u), expected NFS3_OK", op,
			 rt_stat_name(r.status), r.status);
	else
		return check_resok(nw, id, seq, &r, why, whylen);
	return -1;
}
