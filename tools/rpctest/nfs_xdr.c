// SPDX-License-Identifier: BSD-2-Clause
/*
 * The XDR of rpctest's NFS workloads (RFC 1813): encoders of the MOUNT and
 * NFS version 3 arguments it sends, and decoders of the results it checks.
 * Results come from the network, so every decoder works through libksf's
 * bounded XDR cursor (a truncated result is an error, never a read past
 * the end), refuses handles over NFS3_FHSIZE and READ data longer than
 * asked, and says when bytes follow the results. Only the fields rpctest
 * checks are kept; the rest is skipped as its type says.
 */
#include <errno.h>
#include <string.h>
#include "nfs.h"

static const char *const op_names[RT_OP_COUNT] = {
	[RT_OP_NULL] = "null", [RT_OP_GETATTR] = "getattr", [RT_OP_LOOKUP] = "lookup",
	[RT_OP_ACCESS] = "access", [RT_OP_READ] = "read", [RT_OP_WRITE] = "write",
	[RT_OP_CREATE] = "create",
};

static const char *const stable_names[] = { "unstable", "data_sync", "file_sync" };

const char *rt_op_name(enum rt_op op)
{
	return op < RT_OP_COUNT ? op_names[op] : "?";
}

int rt_op_parse(const char *s, enum rt_op *op)
{
	for (int i = 0; i < RT_OP_COUNT; i++) {
		if (!strcmp(s, op_names[i])) {
			*op = (enum rt_op)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *rt_stable_name(uint32_t stable)
{
	return stable <= NFS3_FILE_SYNC ? stable_names[stable] : "unknown";
}

int rt_stable_parse(const char *s, uint32_t *stable)
{
	for (uint32_t i = 0; i <= NFS3_FILE_SYNC; i++) {
		if (!strcmp(s, stable_names[i])) {
			*stable = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* nfsstat3 (§2.6) and mountstat3 (§5.1.5) share most numbers. */
static const struct { uint32_t v; const char *name; } stat_names[] = {
	{ 0, "OK" }, { 1, "PERM" }, { 2, "NOENT" }, { 5, "IO" }, { 6, "NXIO" },
	{ 13, "ACCES" }, { 17, "EXIST" }, { 18, "XDEV" }, { 19, "NODEV" },
	{ 20, "NOTDIR" }, { 21, "ISDIR" }, { 22, "INVAL" }, { 27, "FBIG" },
	{ 28, "NOSPC" }, { 30, "ROFS" }, { 31, "MLINK" }, { 63, "NAMETOOLONG" },
	{ 66, "NOTEMPTY" }, { 69, "DQUOT" }, { 70, "STALE" }, { 71, "REMOTE" },
	{ 10001, "BADHANDLE" }, { 10002, "NOT_SYNC" }, { 10003, "BAD_COOKIE" },
	{ 10004, "NOTSUPP" }, { 10005, "TOOSMALL" }, { 10006, "SERVERFAULT" },
	{ 10007, "BADTYPE" }, { 10008, "JUKEBOX" },
};

const char *rt_stat_name(uint32_t status)
{
	for (size_t i = 0; i < sizeof(stat_names) / sizeof(stat_names[0]); i++)
		if (stat_names[i].v == status)
			return stat_names[i].name;
	return "unknown";
}

/* ------------------------------------------------------------------------
 * Encoders (RFC 1813 §3.3, Appendix I §5.2).
 */

int rt_put_dirpath(struct ksf_xdr *x, const char *path)
{
	size_t n = strlen(path);

	if (n > MNT3_PATHLEN)
		return -ENAMETOOLONG;
	return ksf_xdr_put_string(x, path, (uint32_t)n);
}

int rt_put_fh(struct ksf_xdr *x, const struct rt_fh *fh)
{
	return ksf_xdr_put_opaque(x, fh->data, fh->len);
}

int rt_put_diropargs(struct ksf_xdr *x, const struct rt_fh *dir, const char *name)
{
	size_t n = strlen(name);

	if (n > NFS3_NAMELEN)
		return -ENAMETOOLONG;
	rt_put_fh(x, dir);
	return ksf_xdr_put_string(x, name, (uint32_t)n);
}

int rt_put_read(struct ksf_xdr *x, const struct rt_fh *fh, uint64_t off, uint32_t count)
{
	rt_put_fh(x, fh);
	ksf_xdr_put_u64(x, off);
	return ksf_xdr_put_u32(x, count);
}

int rt_put_write(struct ksf_xdr *x, const struct rt_fh *fh, uint64_t off, uint32_t count,
		 uint32_t stable, uint8_t **data)
{
	rt_put_fh(x, fh);
	ksf_xdr_put_u64(x, off);
	ksf_xdr_put_u32(x, count);
	ksf_xdr_put_u32(x, stable);
	ksf_xdr_put_u32(x, count);		/* opaque data<>: its length */
	*data = ksf_xdr_reserve(x, count);
	return x->err;
}

/* sattr3 (§2.6) that sets the mode and nothing else. */
static int put_sattr_mode(struct ksf_xdr *x, uint32_t mode)
{
	ksf_xdr_put_bool(x, true);		/* set_mode3 */
	ksf_xdr_put_u32(x, mode);
	ksf_xdr_put_bool(x, false);		/* uid, gid, size */
	ksf_xdr_put_bool(x, false);
	ksf_xdr_put_bool(x, false);
	ksf_xdr_put_u32(x, 0);			/* atime, mtime: DONT_CHANGE */
	return ksf_xdr_put_u32(x, 0);
}

int rt_put_create(struct ksf_xdr *x, const struct rt_fh *dir, const char *name, uint32_t mode)
{
	rt_put_diropargs(x, dir, name);
	ksf_xdr_put_u32(x, 0);			/* createmode3 UNCHECKED */
	return put_sattr_mode(x, mode);
}

int rt_put_mkdir(struct ksf_xdr *x, const struct rt_fh *dir, const char *name, uint32_t mode)
{
	rt_put_diropargs(x, dir, name);
	return put_sattr_mode(x, mode);
}

/* ------------------------------------------------------------------------
 * Decoders. Each returns x->err (sticky), so a chain is checked once.
 */

static int get_fh(struct ksf_xdr *x, struct rt_fh *fh)
{
	const uint8_t *p;
	uint32_t n;

	if (ksf_xdr_get_opaque(x, NFS3_FHSIZE, &p, &n))
		return x->err;
	fh->len = n;
	memcpy(fh->data, p, n);
	return 0;
}

/* fattr3 (§2.6): 21 words; keep the type, size and fileid. */
static int get_fattr(struct ksf_xdr *x, struct rt_nfs_res *r)
{
	uint32_t skip;

	ksf_xdr_get_u32(x, &r->type);
	for (int i = 0; i < 4; i++)		/* mode, nlink, uid, gid */
		ksf_xdr_get_u32(x, &skip);
	ksf_xdr_get_u64(x, &r->size);
	ksf_xdr_get_fixed(x, 16, NULL);		/* used, rdev */
	ksf_xdr_get_fixed(x, 8, NULL);		/* fsid */
	ksf_xdr_get_u64(x, &r->fileid);
	ksf_xdr_get_fixed(x, 24, NULL);		/* atime, mtime, ctime */
	if (!x->err)
		r->has_attr = 1;
	return x->err;
}

static int get_post_op_attr(struct ksf_xdr *x, struct rt_nfs_res *r)
{
	bool present;

	if (ksf_xdr_get_bool(x, &present) || !present)
		return x->err;
	return get_fattr(x, r);
}

/* wcc_data (§2.6): pre_op_attr (wcc_attr: 6 words), post_op_attr. */
static int get_wcc(struct ksf_xdr *x, struct rt_nfs_res *r)
{
	bool present;

	if (!ksf_xdr_get_bool(x, &present) && present)
		ksf_xdr_get_fixed(x, 24, NULL);
	return get_post_op_attr(x, r);
}

static int get_post_op_fh(struct ksf_xdr *x, struct rt_nfs_res *r)
{
	bool present;

	if (ksf_xdr_get_bool(x, &present) || !present)
		return x->err;
	if (!get_fh(x, &r->fh))
		r->has_fh = 1;
	return x->err;
}

/* READ3resok (§3.3.6): data no longer than its count, nor than max. */
static int get_read(struct ksf_xdr *x, struct rt_nfs_res *r, uint32_t max)
{
	uint32_t n;
	bool eof;

	get_post_op_attr(x, r);
	ksf_xdr_get_u32(x, &r->count);
	ksf_xdr_get_bool(x, &eof);
	if (ksf_xdr_get_opaque(x, max, &r->data, &n))
		return x->err;
	r->eof = eof;
	return n == r->count ? 0 : -EBADMSG;
}

static int get_write(struct ksf_xdr *x, struct rt_nfs_res *r)
{
	get_wcc(x, r);
	ksf_xdr_get_u32(x, &r->count);
	ksf_xdr_get_u32(x, &r->committed);
	return ksf_xdr_get_fixed(x, 8, NULL);	/* writeverf3 */
}

/* The resok arm of procedure proc. */
static int get_resok(struct ksf_xdr *x, uint32_t proc, uint32_t max, struct rt_nfs_res *r)
{
	switch (proc) {
	case NFSPROC3_GETATTR:
		return get_fattr(x, r);
	case NFSPROC3_LOOKUP:
		get_fh(x, &r->fh);
		r->has_fh = !x->err;
		get_post_op_attr(x, r);
		return get_post_op_attr(x, &(struct rt_nfs_res){ 0 });	/* the dir's */
	case NFSPROC3_ACCESS:
		get_post_op_attr(x, r);
		return ksf_xdr_get_u32(x, &r->access);
	case NFSPROC3_READ:
		return get_read(x, r, max);
	case NFSPROC3_WRITE:
		return get_write(x, r);
	case NFSPROC3_CREATE:
	case NFSPROC3_MKDIR:
		get_post_op_fh(x, r);
		get_post_op_attr(x, r);
		return get_wcc(x, &(struct rt_nfs_res){ 0 });		/* the dir's */
	case NFSPROC3_REMOVE:
	case NFSPROC3_RMDIR:
		return get_wcc(x, r);
	default:
		return -EINVAL;
	}
}

int rt_nfs_res_decode(uint32_t proc, const uint8_t *res, size_t len, uint32_t max_data,
		      struct rt_nfs_res *r)
{
	struct ksf_xdr x;
	int rc;

	memset(r, 0, sizeof(*r));
	ksf_xdr_init_decode(&x, res, len);
	if (ksf_xdr_get_u32(&x, &r->status))
		return -EBADMSG;
	if (r->status != NFS3_OK)
		return 0;
	rc = get_resok(&x, proc, max_data, r);
	if (rc == -EINVAL)
		return rc;
	if (rc)
		return -EBADMSG;
	return ksf_xdr_left(&x) ? -E2BIG : 0;
}

int rt_mnt_res_decode(const uint8_t *res, size_t len, uint32_t *status, struct rt_fh *fh)
{
	struct ksf_xdr x;
	uint32_t n, flavor;

	ksf_xdr_init_decode(&x, res, len);
	if (ksf_xdr_get_u32(&x, status))
		return -EBADMSG;
	if (*status != 0)
		return 0;
	get_fh(&x, fh);
	if (ksf_xdr_get_u32(&x, &n) || n > ksf_xdr_left(&x) / 4)	/* auth_flavors<> */
		return -EBADMSG;
	for (uint32_t i = 0; i < n; i++)
		ksf_xdr_get_u32(&x, &flavor);
	if (x.err)
		return -EBADMSG;
	return ksf_xdr_left(&x) ? -EBADMSG : 0;
}
