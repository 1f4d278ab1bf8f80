// SPDX-License-Identifier: BSD-2-Clause
/*
 * NFS version 3 XDR: the encoders of every procedure's results (RFC 1813
 * §3.3.1-21), in the shape of struct ksf_rpc_proc's encode. Each result is
 * a union on nfsstat3: the status, then the resok arm for NFS3_OK or the
 * resfail arm otherwise; most resfail arms still carry attributes or weak
 * cache consistency data (§2.6), which the handler filled as far as it
 * could.
 */
#include <errno.h>
#include "nfs3.h"

/* GETATTR3res (§3.3.1): resok fattr3, resfail void. */
int nfs3_enc_getattr(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_getattr_res *r = res;

	ksf_xdr_put_u32(x, r->status);
	return r->status == NFS3_OK ? nfs3_put_fattr(x, &r->attr) : x->err;
}

/* SETATTR3res, REMOVE3res, RMDIR3res (§3.3.2, 12, 13): wcc_data in both
 * arms. */
int nfs3_enc_wcc(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_wcc_res *r = res;

	ksf_xdr_put_u32(x, r->status);
	return nfs3_put_wcc(x, &r->wcc);
}

/* LOOKUP3res (§3.3.3): resok object, obj_attributes, dir_attributes;
 * resfail dir_attributes. */
int nfs3_enc_lookup(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_lookup_res *r = res;

	ksf_xdr_put_u32(x, r->status);
	if (r->status == NFS3_OK) {
		nfs3_put_fh(x, r->fh.data, r->fh.len);
		nfs3_put_post_op_attr(x, &r->attr);
	}
	return nfs3_put_post_op_attr(x, &r->dir_attr);
}

/* ACCESS3res (§3.3.4): obj_attributes in both arms, then access. */
int nfs3_enc_access(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_access_res *r = res;

	ksf_xdr_put_u32(x, r->status);
	nfs3_put_post_op_attr(x, &r->attr);
	return r->status == NFS3_OK ? ksf_xdr_put_u32(x, r->access) : x->err;
}

/* READLINK3res (§3.3.5): symlink_attributes in both arms, then data. */
int nfs3_enc_readlink(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_readlink_res *r = res;

	if (r->len > sizeof(r->data))
		return -EINVAL;
	ksf_xdr_put_u32(x, r->status);
	nfs3_put_post_op_attr(x, &r->attr);
	return r->status == NFS3_OK ? ksf_xdr_put_string(x, r->data, r->len) : x->err;
}

/* READ3res (§3.3.6): file_attributes in both arms; resok count, eof and
 * the data, left where the handler read them when the transport can send
 * them from there (ksf_xdr_put_opaque_ref), else copied. */
int nfs3_enc_read(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_read_res *r = res;

	ksf_xdr_put_u32(x, r->status);
	nfs3_put_post_op_attr(x, &r->attr);
	if (r->status != NFS3_OK)
		return x->err;
	ksf_xdr_put_u32(x, r->count);
	ksf_xdr_put_bool(x, r->eof);
	return ksf_xdr_put_opaque_ref(x, r->data, r->count);
}

/* WRITE3res (§3.3.7): file_wcc in both arms; resok count, committed,
 * verf. */
int nfs3_enc_write(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_write_res *r = res;

	ksf_xdr_put_u32(x, r->status);
	nfs3_put_wcc(x, &r->wcc);
	if (r->status != NFS3_OK)
		return x->err;
	ksf_xdr_put_u32(x, r->count);
	ksf_xdr_put_enum(x, (int32_t)r->committed);
	return ksf_xdr_put_fixed(x, r->verf, NFS3_WRITEVERFSIZE);
}

/* CREATE3res, MKDIR3res, SYMLINK3res, MKNOD3res (§3.3.8-11): resok
 * obj (post_op_fh3), obj_attributes; dir_wcc in both arms. */
int nfs3_enc_newobj(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_newobj_res *r = res;

	ksf_xdr_put_u32(x, r->status);
	if (r->status == NFS3_OK) {
		nfs3_put_post_op_fh(x, r->fh_valid, &r->fh);
		nfs3_put_post_op_attr(x, &r->attr);
	}
	return nfs3_put_wcc(x, &r->dir_wcc);
}

/* RENAME3res (§3.3.14): fromdir_wcc, todir_wcc in both arms. */
int nfs3_enc_rename(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_rename_res *r = res;

	ksf_xdr_put_u32(x, r->status);
	nfs3_put_wcc(x, &r->from_wcc);
	return nfs3_put_wcc(x, &r->to_wcc);
}

/* LINK3res (§3.3.15): file_attributes, linkdir_wcc in both arms. */
int nfs3_enc_link(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_link_res *r = res;

	ksf_xdr_put_u32(x, r->status);
	nfs3_put_post_op_attr(x, &r->attr);
	return nfs3_put_wcc(x, &r->dir_wcc);
}

/* READDIR3res and READDIRPLUS3res (§3.3.16-17): dir_attributes in both
 * arms; resok cookieverf, then the entries (already XDR, each with its
 * value_follows TRUE), the list's final FALSE, and eof. */
int nfs3_enc_readdir(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_readdir_res *r = res;

	ksf_xdr_put_u32(x, r->status);
	nfs3_put_post_op_attr(x, &r->dir_attr);
	if (r->status != NFS3_OK)
		return x->err;
	ksf_xdr_put_fixed(x, r->verf, NFS3_COOKIEVERFSIZE);
	if (r->entries_len)
		ksf_xdr_put_fixed(x, r->entries, r->entries_len);
	ksf_xdr_put_bool(x, false);
	return ksf_xdr_put_bool(x, r->eof);
}

/* FSSTAT3res (§3.3.18). */
int nfs3_enc_fsstat(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_fsstat_res *r = res;

	ksf_xdr_put_u32(x, r->status);
	nfs3_put_post_op_attr(x, &r->attr);
	if (r->status != NFS3_OK)
		return x->err;
	ksf_xdr_put_u64(x, r->st.tbytes);
	ksf_xdr_put_u64(x, r->st.fbytes);
	ksf_xdr_put_u64(x, r->st.abytes);
	ksf_xdr_put_u64(x, r->st.tfiles);
	ksf_xdr_put_u64(x, r->st.ffiles);
	ksf_xdr_put_u64(x, r->st.afiles);
	return ksf_xdr_put_u32(x, r->st.invarsec);
}

/* FSINFO3res (§3.3.19). */
int nfs3_enc_fsinfo(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_fsinfo_res *r = res;

	ksf_xdr_put_u32(x, r->status);
	nfs3_put_post_op_attr(x, &r->attr);
	if (r->status != NFS3_OK)
		return x->err;
	ksf_xdr_put_u32(x, r->rtmax);
	ksf_xdr_put_u32(x, r->rtpref);
	ksf_xdr_put_u32(x, r->rtmult);
	ksf_xdr_put_u32(x, r->wtmax);
	ksf_xdr_put_u32(x, r->wtpref);
	ksf_xdr_put_u32(x, r->wtmult);
	ksf_xdr_put_u32(x, r->dtpref);
	ksf_xdr_put_u64(x, r->fi.maxfilesize);
	nfs3_put_time(x, &r->fi.time_delta);
	return ksf_xdr_put_u32(x, r->fi.properties);
}

/* PATHCONF3res (§3.3.20). */
int nfs3_enc_pathconf(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_pathconf_res *r = res;

	ksf_xdr_put_u32(x, r->status);
	nfs3_put_post_op_attr(x, &r->attr);
	if (r->status != NFS3_OK)
		return x->err;
	ksf_xdr_put_u32(x, r->pc.linkmax);
	ksf_xdr_put_u32(x, r->pc.name_max);
	ksf_xdr_put_bool(x, r->pc.no_trunc);
	ksf_xdr_put_bool(x, r->pc.chown_restricted);
	ksf_xdr_put_bool(x, r->pc.case_insensitive);
	return ksf_xdr_put_bool(x, r->pc.case_preserving);
}

/* COMMIT3res (§3.3.21): file_wcc in both arms; resok verf. */
int nfs3_enc_commit(struct ksf_xdr *x, const void *res)
{
	const struct nfs3_commit_res *r = res;

	ksf_xdr_put_u32(x, r->status);
	nfs3_put_wcc(x, &r->wcc);
	if (r->status != NFS3_OK)
		return x->err;
	return ksf_xdr_put_fixed(x, r->verf, NFS3_WRITEVERFSIZE);
}
