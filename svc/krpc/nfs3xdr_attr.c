// SPDX-License-Identifier: BSD-2-Clause
/*
 * NFS version 3 XDR: the basic data types of RFC 1813 §2.5 and §2.6 that
 * every procedure's arguments and results are built from (nfs_fh3,
 * filename3, nfstime3, sattr3, fattr3, post_op_attr, pre_op_attr,
 * wcc_data, post_op_fh3). Freestanding: only the XDR cursor.
 */
#include <errno.h>
#include <string.h>
#include "nfs3.h"

/* nfs_fh3 (§2.5): opaque data<NFS3_FHSIZE>, copied. A longer one fails
 * with -EMSGSIZE (the call is GARBAGE_ARGS). */
int nfs3_get_fh(struct ksf_xdr *x, struct nfs3_fh *fh)
{
	const uint8_t *p;
	uint32_t n;

	if (ksf_xdr_get_opaque(x, NFS3_FHSIZE, &p, &n))
		return x->err;
	memcpy(fh->data, p, n);
	fh->len = n;
	return 0;
}

/* filename3 and nfspath3 (§2.5): string<>, pointing into the call. */
int nfs3_get_str(struct ksf_xdr *x, struct nfs3_str *s)
{
	return ksf_xdr_get_string(x, NFS3_WIRE_STR_MAX, &s->s, &s->len);
}

/* diropargs3 (§2.5). */
int nfs3_get_diropargs(struct ksf_xdr *x, struct nfs3_diropargs *d)
{
	nfs3_get_fh(x, &d->dir);
	return nfs3_get_str(x, &d->name);
}

/* nfstime3 (§2.5). */
int nfs3_get_time(struct ksf_xdr *x, struct krpc_time *t)
{
	ksf_xdr_get_u32(x, &t->sec);
	return ksf_xdr_get_u32(x, &t->nsec);
}

/* set_atime / set_mtime (§2.5): time_how, then an nfstime3 only for
 * SET_TO_CLIENT_TIME. */
static int get_set_time(struct ksf_xdr *x, uint32_t *how, struct krpc_time *t)
{
	int32_t v = 0;

	if (ksf_xdr_get_enum(x, &v))
		return x->err;
	if (v < KRPC_TIME_DONT || v > KRPC_TIME_CLIENT) {
		x->err = -EBADMSG;
		return x->err;
	}
	*how = (uint32_t)v;
	return v == KRPC_TIME_CLIENT ? nfs3_get_time(x, t) : 0;
}

/* One "set_it" arm of sattr3 (§2.5): a bool, then the value if TRUE. */
static void get_set_u32(struct ksf_xdr *x, bool *set, uint32_t *v)
{
	if (!ksf_xdr_get_bool(x, set) && *set)
		ksf_xdr_get_u32(x, v);
}

/* sattr3 (§2.5). */
int nfs3_get_sattr(struct ksf_xdr *x, struct krpc_sattr *sa)
{
	get_set_u32(x, &sa->set_mode, &sa->mode);
	get_set_u32(x, &sa->set_uid, &sa->uid);
	get_set_u32(x, &sa->set_gid, &sa->gid);
	if (!ksf_xdr_get_bool(x, &sa->set_size) && sa->set_size)
		ksf_xdr_get_u64(x, &sa->size);
	get_set_time(x, &sa->atime_how, &sa->atime);
	get_set_time(x, &sa->mtime_how, &sa->mtime);
	return x->err;
}

/* nfs_fh3 (§2.5). */
int nfs3_put_fh(struct ksf_xdr *x, const uint8_t *fh, uint32_t len)
{
	return ksf_xdr_put_opaque(x, fh, len);
}

/* post_op_fh3 (§2.6). */
int nfs3_put_post_op_fh(struct ksf_xdr *x, bool valid, const struct nfs3_fh *fh)
{
	ksf_xdr_put_bool(x, valid);
	return valid ? nfs3_put_fh(x, fh->data, fh->len) : x->err;
}

int nfs3_put_time(struct ksf_xdr *x, const struct krpc_time *t)
{
	ksf_xdr_put_u32(x, t->sec);
	return ksf_xdr_put_u32(x, t->nsec);
}

/* fattr3 (§2.5): 84 bytes. */
int nfs3_put_fattr(struct ksf_xdr *x, const struct krpc_attr *a)
{
	ksf_xdr_put_enum(x, (int32_t)a->type);
	ksf_xdr_put_u32(x, a->mode & 07777);
	ksf_xdr_put_u32(x, a->nlink);
	ksf_xdr_put_u32(x, a->uid);
	ksf_xdr_put_u32(x, a->gid);
	ksf_xdr_put_u64(x, a->size);
	ksf_xdr_put_u64(x, a->used);
	ksf_xdr_put_u32(x, a->rdev_major);	/* specdata3 */
	ksf_xdr_put_u32(x, a->rdev_minor);
	ksf_xdr_put_u64(x, a->fsid);
	ksf_xdr_put_u64(x, a->fileid);
	nfs3_put_time(x, &a->atime);
	nfs3_put_time(x, &a->mtime);
	return nfs3_put_time(x, &a->ctime);
}

/* post_op_attr (§2.6). */
int nfs3_put_post_op_attr(struct ksf_xdr *x, const struct krpc_pattr *pa)
{
	ksf_xdr_put_bool(x, pa->valid);
	return pa->valid ? nfs3_put_fattr(x, &pa->a) : x->err;
}

/* wcc_data (§2.6): pre_op_attr (wcc_attr: size, mtime, ctime), then
 * post_op_attr. */
int nfs3_put_wcc(struct ksf_xdr *x, const struct krpc_wcc *w)
{
	if (!ksf_xdr_put_bool(x, w->pre_valid) && w->pre_valid) {
		ksf_xdr_put_u64(x, w->pre_size);
		nfs3_put_time(x, &w->pre_mtime);
		nfs3_put_time(x, &w->pre_ctime);
	}
	return nfs3_put_post_op_attr(x, &w->post);
}
