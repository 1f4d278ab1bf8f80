// SPDX-License-Identifier: BSD-2-Clause
/*
 * NFS version 3 XDR: the decoders of every procedure's arguments (RFC 1813
 * §3.3.1-21), in the shape of struct ksf_rpc_proc's decode. Bounds come
 * from the cursor: a truncated call, a handle over 64 bytes, a string over
 * NFS3_WIRE_STR_MAX, a bool or enum out of range, or WRITE data longer than
 * the call holds all fail, and the dispatcher answers GARBAGE_ARGS.
 * Strings and WRITE data point into the call message: nothing is copied
 * but handles.
 */
#include <errno.h>
#include <string.h>
#include "nfs3.h"

/* Fail the cursor with -EBADMSG (an enum value the type does not have). */
static int bad_enum(struct ksf_xdr *x)
{
	if (!x->err)
		x->err = -EBADMSG;
	return x->err;
}

/* An enum that must be in lo..hi (stable_how, createmode3). */
static int get_enum_range(struct ksf_xdr *x, int32_t lo, int32_t hi, uint32_t *v)
{
	int32_t e = 0;

	if (ksf_xdr_get_enum(x, &e))
		return x->err;
	if (e < lo || e > hi)
		return bad_enum(x);
	*v = (uint32_t)e;
	return 0;
}

/* GETATTR3args, READLINK3args, FSSTAT3args, FSINFO3args, PATHCONF3args
 * (§3.3.1, 5, 18, 19, 20): one nfs_fh3. */
int nfs3_dec_fh_args(struct ksf_xdr *x, void *args)
{
	struct nfs3_fh_args *a = args;

	return nfs3_get_fh(x, &a->fh);
}

/* SETATTR3args (§3.3.2): object, sattr3, sattrguard3. */
int nfs3_dec_setattr(struct ksf_xdr *x, void *args)
{
	struct nfs3_setattr_args *a = args;

	nfs3_get_fh(x, &a->fh);
	nfs3_get_sattr(x, &a->sa);
	if (!ksf_xdr_get_bool(x, &a->guard) && a->guard)
		nfs3_get_time(x, &a->guard_ctime);
	return x->err;
}

/* LOOKUP3args, REMOVE3args, RMDIR3args (§3.3.3, 12, 13): diropargs3. */
int nfs3_dec_diropargs(struct ksf_xdr *x, void *args)
{
	return nfs3_get_diropargs(x, args);
}

/* ACCESS3args (§3.3.4). */
int nfs3_dec_access(struct ksf_xdr *x, void *args)
{
	struct nfs3_access_args *a = args;

	nfs3_get_fh(x, &a->fh);
	return ksf_xdr_get_u32(x, &a->access);
}

/* READ3args (§3.3.6). */
int nfs3_dec_read(struct ksf_xdr *x, void *args)
{
	struct nfs3_read_args *a = args;

	nfs3_get_fh(x, &a->fh);
	ksf_xdr_get_u64(x, &a->offset);
	return ksf_xdr_get_u32(x, &a->count);
}

/* WRITE3args (§3.3.7): the data stay in the call. count is kept as sent;
 * the handler answers NFS3ERR_INVAL if it differs from the data's length. */
int nfs3_dec_write(struct ksf_xdr *x, void *args)
{
	struct nfs3_write_args *a = args;

	nfs3_get_fh(x, &a->fh);
	ksf_xdr_get_u64(x, &a->offset);
	ksf_xdr_get_u32(x, &a->count);
	get_enum_range(x, KRPC_UNSTABLE, KRPC_FILE_SYNC, &a->stable);
	return ksf_xdr_get_opaque(x, UINT32_MAX, &a->data, &a->len);
}

/* CREATE3args (§3.3.8): where, then createhow3: UNCHECKED and GUARDED
 * carry a sattr3, EXCLUSIVE a createverf3. */
int nfs3_dec_create(struct ksf_xdr *x, void *args)
{
	struct nfs3_create_args *a = args;
	const uint8_t *v;

	nfs3_get_diropargs(x, &a->where);
	if (get_enum_range(x, KRPC_UNCHECKED, KRPC_EXCLUSIVE, &a->how))
		return x->err;
	if (a->how != KRPC_EXCLUSIVE)
		return nfs3_get_sattr(x, &a->sa);
	if (!ksf_xdr_get_fixed(x, NFS3_CREATEVERFSIZE, &v))
		memcpy(a->verf, v, NFS3_CREATEVERFSIZE);
	return x->err;
}

/* MKDIR3args (§3.3.9). */
int nfs3_dec_mkdir(struct ksf_xdr *x, void *args)
{
	struct nfs3_mkdir_args *a = args;

	nfs3_get_diropargs(x, &a->where);
	return nfs3_get_sattr(x, &a->sa);
}

/* SYMLINK3args (§3.3.10): where, then symlinkdata3 (sattr3, nfspath3). */
int nfs3_dec_symlink(struct ksf_xdr *x, void *args)
{
	struct nfs3_symlink_args *a = args;

	nfs3_get_diropargs(x, &a->where);
	nfs3_get_sattr(x, &a->sa);
	return nfs3_get_str(x, &a->target);
}

/* MKNOD3args (§3.3.11): where, then mknoddata3, a union on ftype3:
 * devicedata3 (sattr3, specdata3) for NF3CHR and NF3BLK, sattr3 for
 * NF3SOCK and NF3FIFO, void for the other types (valid XDR, which the
 * handler answers with NFS3ERR_BADTYPE). A value that is no ftype3 is
 * GARBAGE_ARGS, as in Linux nfsd. */
int nfs3_dec_mknod(struct ksf_xdr *x, void *args)
{
	struct nfs3_mknod_args *a = args;

	nfs3_get_diropargs(x, &a->where);
	if (get_enum_range(x, NF3REG, NF3FIFO, &a->type))
		return x->err;
	switch (a->type) {
	case NF3CHR:
	case NF3BLK:
		nfs3_get_sattr(x, &a->sa);
		ksf_xdr_get_u32(x, &a->major);
		return ksf_xdr_get_u32(x, &a->minor);
	case NF3SOCK:
	case NF3FIFO:
		return nfs3_get_sattr(x, &a->sa);
	default:
		return 0;
	}
}

/* RENAME3args (§3.3.14). */
int nfs3_dec_rename(struct ksf_xdr *x, void *args)
{
	struct nfs3_rename_args *a = args;

	nfs3_get_diropargs(x, &a->from);
	return nfs3_get_diropargs(x, &a->to);
}

/* LINK3args (§3.3.15): the file, then the new name. */
int nfs3_dec_link(struct ksf_xdr *x, void *args)
{
	struct nfs3_link_args *a = args;

	nfs3_get_fh(x, &a->fh);
	return nfs3_get_diropargs(x, &a->link);
}

/* dir, cookie, cookieverf: the start of READDIR3args and READDIRPLUS3args. */
static int get_readdir_start(struct ksf_xdr *x, struct nfs3_readdir_args *a)
{
	const uint8_t *v;

	nfs3_get_fh(x, &a->dir);
	ksf_xdr_get_u64(x, &a->cookie);
	if (!ksf_xdr_get_fixed(x, NFS3_COOKIEVERFSIZE, &v))
		memcpy(a->verf, v, NFS3_COOKIEVERFSIZE);
	return x->err;
}

/* READDIR3args (§3.3.16): count bounds the whole reply, and there is no
 * separate directory-information limit (dircount is set to count). */
int nfs3_dec_readdir(struct ksf_xdr *x, void *args)
{
	struct nfs3_readdir_args *a = args;

	get_readdir_start(x, a);
	ksf_xdr_get_u32(x, &a->count);
	a->dircount = a->count;
	return x->err;
}

/* READDIRPLUS3args (§3.3.17): dircount, then maxcount (kept in count). */
int nfs3_dec_readdirplus(struct ksf_xdr *x, void *args)
{
	struct nfs3_readdir_args *a = args;

	get_readdir_start(x, a);
	ksf_xdr_get_u32(x, &a->dircount);
	return ksf_xdr_get_u32(x, &a->count);
}

/* COMMIT3args (§3.3.21). */
int nfs3_dec_commit(struct ksf_xdr *x, void *args)
{
	struct nfs3_commit_args *a = args;

	nfs3_get_fh(x, &a->fh);
	ksf_xdr_get_u64(x, &a->offset);
	return ksf_xdr_get_u32(x, &a->count);
}
