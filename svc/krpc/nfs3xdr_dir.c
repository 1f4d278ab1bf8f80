// SPDX-License-Identifier: BSD-2-Clause
/*
 * NFS version 3 XDR: READDIR and READDIRPLUS entry lists (RFC 1813
 * §3.3.16-17), built entry by entry as the store lists the directory,
 * within the sizes the client asked for:
 *
 *  - READDIR count and READDIRPLUS maxcount bound the whole resok "with
 *    all XDR overhead": dir_attributes (counted at its largest, so the
 *    bound holds whatever the store returns), cookieverf, every entry with
 *    its value_follows, the list's final FALSE and eof;
 *  - READDIRPLUS dircount bounds the directory information alone: each
 *    entry's value_follows, fileid, name and cookie, not its attributes
 *    and handle.
 *
 * An entry that does not fit is not written, and the listing stops there;
 * a reply that cannot carry even one entry is NFS3ERR_TOOSMALL.
 */
#include "nfs3.h"

static uint32_t pad4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

/* value_follows, fileid3, filename3, cookie3: entry3, and the part of
 * entryplus3 that dircount counts. */
static size_t dirinfo_size(uint32_t namelen)
{
	return 4u + 8u + 4u + (size_t)pad4(namelen) + 8u;
}

size_t nfs3_entry_size(uint32_t namelen, bool plus, bool attr_valid, uint32_t fhlen)
{
	size_t n = dirinfo_size(namelen);

	if (!plus)
		return n;
	n += 4u + (attr_valid ? NFS3_FATTR_SIZE : 0u);		/* post_op_attr */
	n += 4u + (fhlen ? 4u + (size_t)pad4(fhlen) : 0u);	/* post_op_fh3 */
	return n;
}

int nfs3_dirbuf_init(struct nfs3_dirbuf *b, void *buf, size_t cap, uint32_t count,
		     uint32_t dircount, bool plus)
{
	size_t budget;

	if (count < NFS3_READDIR_FIXED)
		return -KRPC_ETOOSMALL;
	budget = count - NFS3_READDIR_FIXED;
	ksf_xdr_init_encode(&b->x, buf, budget < cap ? budget : cap);
	b->dirleft = plus ? dircount : UINT32_MAX;
	b->plus = plus;
	b->n = 0;
	return 0;
}

/* entryplus3's name_attributes and name_handle (§3.3.17). */
static void put_plus(struct ksf_xdr *x, const struct krpc_pattr *attr, const uint8_t *fh,
		     uint32_t fhlen)
{
	nfs3_put_post_op_attr(x, attr);
	ksf_xdr_put_bool(x, fhlen != 0);
	if (fhlen)
		nfs3_put_fh(x, fh, fhlen);
}

int nfs3_dirbuf_add(struct nfs3_dirbuf *b, const struct krpc_dirent *d, const uint8_t *fh,
		    uint32_t fhlen)
{
	size_t info = dirinfo_size(d->namelen);
	size_t need;

	if (!fh || fhlen > NFS3_FHSIZE)
		fhlen = 0;
	need = nfs3_entry_size(d->namelen, b->plus, d->attr.valid, fhlen);
	if (b->x.err || need > ksf_xdr_left(&b->x) || info > b->dirleft)
		return 1;
	ksf_xdr_put_bool(&b->x, true);		/* value_follows */
	ksf_xdr_put_u64(&b->x, d->fileid);
	ksf_xdr_put_string(&b->x, d->name, d->namelen);
	ksf_xdr_put_u64(&b->x, d->cookie);
	if (b->plus)
		put_plus(&b->x, &d->attr, fh, fhlen);
	b->dirleft -= (uint32_t)info;
	b->n++;
	return 0;
}

int nfs3_dirbuf_finish(const struct nfs3_dirbuf *b, bool eof)
{
	return b->n == 0 && !eof ? -KRPC_ETOOSMALL : 0;
}
