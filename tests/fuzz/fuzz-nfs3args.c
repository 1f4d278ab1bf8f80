// fuzz-srcs: lib/rpc/xdr.c svc/krpc/nfs3xdr_attr.c svc/krpc/nfs3xdr_args.c svc/krpc/nfs3xdr_res.c svc/krpc/nfs3xdr_dir.c svc/krpc/nfs3status.c
// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for the NFS version 3 argument decoders
 * (svc/krpc/nfs3xdr_args.c, RFC 1813 §3.3). Input byte 0 picks the
 * procedure (low 5 bits, modulo 22) and the size of the reply buffer
 * (high 3 bits); the rest are the arguments, in a buffer of their exact
 * size so any over-read is caught. A decode must succeed or fail cleanly;
 * when it succeeds, what it decoded must lie inside the input (handles of
 * at most 64 bytes, strings and WRITE data within the message), and a
 * result derived from the arguments (both the OK and the failure arm) is
 * encoded into the bounded reply buffer, which must either hold it or
 * fail with -ENOSPC. READDIR and READDIRPLUS build entry lists from the
 * input within the decoded count/dircount/maxcount, and the encoded resok
 * must fit in count.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "../../svc/krpc/nfs3.h"

union args {
	struct nfs3_fh_args fh;
	struct nfs3_setattr_args setattr;
	struct nfs3_diropargs dirop;
	struct nfs3_access_args access;
	struct nfs3_read_args read;
	struct nfs3_write_args write;
	struct nfs3_create_args create;
	struct nfs3_mkdir_args mkdir;
	struct nfs3_symlink_args symlink;
	struct nfs3_mknod_args mknod;
	struct nfs3_rename_args rename;
	struct nfs3_link_args link;
	struct nfs3_readdir_args readdir;
	struct nfs3_commit_args commit;
};

static int (*const decoders[NFS3_NPROCS])(struct ksf_xdr *, void *) = {
	[NFSPROC3_GETATTR] = nfs3_dec_fh_args,	[NFSPROC3_SETATTR] = nfs3_dec_setattr,
	[NFSPROC3_LOOKUP] = nfs3_dec_diropargs,	[NFSPROC3_ACCESS] = nfs3_dec_access,
	[NFSPROC3_READLINK] = nfs3_dec_fh_args,	[NFSPROC3_READ] = nfs3_dec_read,
	[NFSPROC3_WRITE] = nfs3_dec_write,	[NFSPROC3_CREATE] = nfs3_dec_create,
	[NFSPROC3_MKDIR] = nfs3_dec_mkdir,	[NFSPROC3_SYMLINK] = nfs3_dec_symlink,
	[NFSPROC3_MKNOD] = nfs3_dec_mknod,	[NFSPROC3_REMOVE] = nfs3_dec_diropargs,
	[NFSPROC3_RMDIR] = nfs3_dec_diropargs,	[NFSPROC3_RENAME] = nfs3_dec_rename,
	[NFSPROC3_LINK] = nfs3_dec_link,	[NFSPROC3_READDIR] = nfs3_dec_readdir,
	[NFSPROC3_READDIRPLUS] = nfs3_dec_readdirplus,
	[NFSPROC3_FSSTAT] = nfs3_dec_fh_args,	[NFSPROC3_FSINFO] = nfs3_dec_fh_args,
	[NFSPROC3_PATHCONF] = nfs3_dec_fh_args,	[NFSPROC3_COMMIT] = nfs3_dec_commit,
};

static const uint8_t *in_lo, *in_hi;	/* the arguments' buffer */

static void inside(const void *p, size_t n)
{
	const uint8_t *b = p;

	if (n && (!b || b < in_lo || b > in_hi || n > (size_t)(in_hi - b)))
		abort();
}

static void check_fh(const struct nfs3_fh *fh)
{
	if (fh->len > NFS3_FHSIZE)
		abort();
}

static void check_str(const struct nfs3_str *s)
{
	if (s->len > NFS3_WIRE_STR_MAX)
		abort();
	inside(s->s, s->len);
}

/* Attributes made from arguments bytes, so every value is reached. */
static void fake_attr(struct krpc_pattr *pa, const struct nfs3_fh *fh, bool valid)
{
	pa->valid = valid;
	memset(&pa->a, 0, sizeof(pa->a));
	memcpy(&pa->a, fh->data, fh->len < sizeof(pa->a) ? fh->len : sizeof(pa->a));
}

static void fake_wcc(struct krpc_wcc *w, const struct nfs3_fh *fh, bool valid)
{
	w->pre_valid = valid;
	w->pre_size = fh->len;
	fake_attr(&w->post, fh, !valid);
}

/* Encode res with enc into a reply buffer of cap bytes. */
static void encode(int (*enc)(struct ksf_xdr *, const void *), const void *res, size_t cap)
{
	uint8_t *buf = malloc(cap ? cap : 1);
	struct ksf_xdr x;
	int r;

	ksf_xdr_init_encode(&x, buf, cap);
	r = enc(&x, res);
	if ((r && r != -ENOSPC) || x.pos > cap)
		abort();
	free(buf);
}

/* READDIR / READDIRPLUS: entries named by slices of the input. */
static void listing(const struct nfs3_readdir_args *a, bool plus, const uint8_t *d, size_t n,
		    size_t cap)
{
	static uint8_t ebuf[1 << 16];
	struct nfs3_readdir_res r = { .status = NFS3_OK };
	struct nfs3_dirbuf b;
	struct krpc_dirent e = { 0 };
	uint8_t *out;
	struct ksf_xdr x;
	size_t off = 0;

	check_fh(&a->dir);
	if (nfs3_dirbuf_init(&b, ebuf, sizeof(ebuf), a->count, a->dircount, plus))
		return;
	while (off < n) {
		e.namelen = d[off] % 64u;
		e.name = (const char *)d + off;
		e.cookie = off;
		e.attr.valid = d[off] & 1;
		if (e.namelen > n - off || nfs3_dirbuf_add(&b, &e, a->dir.data, a->dir.len))
			break;
		off += e.namelen + 1;
	}
	if (nfs3_dirbuf_finish(&b, off >= n) && b.n)
		abort();
	r.entries = ebuf;
	r.entries_len = (uint32_t)b.x.pos;
	r.dir_attr.valid = true;
	out = malloc(b.x.pos + NFS3_READDIR_FIXED + 4);
	ksf_xdr_init_encode(&x, out, b.x.pos + NFS3_READDIR_FIXED + 4);
	if (nfs3_enc_readdir(&x, &r) || x.pos - 4 > a->count)
		abort();	/* the resok must fit in count */
	free(out);
	encode(nfs3_enc_readdir, &r, cap);
}

static void results_fh(uint32_t proc, const union args *a, bool ok, size_t cap)
{
	union {
		struct nfs3_getattr_res ga;
		struct nfs3_access_res ac;
		struct nfs3_readlink_res rl;
		struct nfs3_fsstat_res fs;
		struct nfs3_fsinfo_res fi;
		struct nfs3_pathconf_res pc;
		struct nfs3_commit_res cm;
	} r;

	memset(&r, 0, sizeof(r));
	check_fh(&a->fh.fh);
	r.ga.status = ok ? NFS3_OK : NFS3ERR_STALE;
	switch (proc) {
	case NFSPROC3_GETATTR:
		encode(nfs3_enc_getattr, &r.ga, cap);
		break;
	case NFSPROC3_ACCESS:
		fake_attr(&r.ac.attr, &a->fh.fh, true);
		r.ac.access = a->access.access;
		encode(nfs3_enc_access, &r.ac, cap);
		break;
	case NFSPROC3_READLINK:
		r.rl.len = a->fh.fh.len;
		memcpy(r.rl.data, a->fh.fh.data, a->fh.fh.len);
		encode(nfs3_enc_readlink, &r.rl, cap);
		break;
	case NFSPROC3_FSSTAT:
		encode(nfs3_enc_fsstat, &r.fs, cap);
		break;
	case NFSPROC3_FSINFO:
		fake_attr(&r.fi.attr, &a->fh.fh, true);
		encode(nfs3_enc_fsinfo, &r.fi, cap);
		break;
	case NFSPROC3_PATHCONF:
		encode(nfs3_enc_pathconf, &r.pc, cap);
		break;
	case NFSPROC3_COMMIT:
		fake_wcc(&r.cm.wcc, &a->commit.fh, ok);
		encode(nfs3_enc_commit, &r.cm, cap);
		break;
	}
}

static void results_data(uint32_t proc, const union args *a, bool ok, size_t cap)
{
	struct nfs3_read_res rr = { .status = ok ? NFS3_OK : NFS3ERR_IO };
	struct nfs3_write_res wr = { .status = ok ? NFS3_OK : NFS3ERR_INVAL };

	if (proc == NFSPROC3_READ) {
		check_fh(&a->read.fh);
		rr.count = a->read.count < a->read.fh.len ? a->read.count : a->read.fh.len;
		rr.data = a->read.fh.data;
		encode(nfs3_enc_read, &rr, cap);
	} else {
		check_fh(&a->write.fh);
		inside(a->write.data, a->write.len);
		if (a->write.stable > KRPC_FILE_SYNC)
			abort();
		wr.count = a->write.len;
		wr.committed = a->write.stable;
		fake_wcc(&wr.wcc, &a->write.fh, ok);
		encode(nfs3_enc_write, &wr, cap);
	}
}

/* Procedures on names: check the decoded names, encode the result. */
static void results_names(uint32_t proc, const union args *a, bool ok, size_t cap)
{
	struct nfs3_lookup_res lr = { .status = ok ? NFS3_OK : NFS3ERR_NOENT };
	struct nfs3_newobj_res nr = { .status = ok ? NFS3_OK : NFS3ERR_EXIST, .fh_valid = ok };
	struct nfs3_wcc_res wr = { .status = ok ? NFS3_OK : NFS3ERR_ACCES };
	struct nfs3_rename_res rn = { .status = ok ? NFS3_OK : NFS3ERR_XDEV };
	struct nfs3_link_res ln = { .status = ok ? NFS3_OK : NFS3ERR_ROFS };
	const struct nfs3_diropargs *d = &a->dirop;	/* first member of each */

	if (proc == NFSPROC3_LINK)
		d = &a->link.link;
	check_fh(&d->dir);
	check_str(&d->name);
	switch (proc) {
	case NFSPROC3_LOOKUP:
		lr.fh = d->dir;
		fake_attr(&lr.dir_attr, &d->dir, ok);
		encode(nfs3_enc_lookup, &lr, cap);
		break;
	case NFSPROC3_SYMLINK:
		check_str(&a->symlink.target);
		/* fall through */
	case NFSPROC3_CREATE: case NFSPROC3_MKDIR: case NFSPROC3_MKNOD:
		if (proc == NFSPROC3_MKNOD && (a->mknod.type < NF3REG || a->mknod.type > NF3FIFO))
			abort();
		nr.fh = d->dir;
		fake_wcc(&nr.dir_wcc, &d->dir, ok);
		encode(nfs3_enc_newobj, &nr, cap);
		break;
	case NFSPROC3_REMOVE: case NFSPROC3_RMDIR:
		fake_wcc(&wr.wcc, &d->dir, ok);
		encode(nfs3_enc_wcc, &wr, cap);
		break;
	case NFSPROC3_RENAME:
		check_fh(&a->rename.to.dir);
		check_str(&a->rename.to.name);
		fake_wcc(&rn.to_wcc, &a->rename.to.dir, ok);
		encode(nfs3_enc_rename, &rn, cap);
		break;
	case NFSPROC3_LINK:
		check_fh(&a->link.fh);
		fake_attr(&ln.attr, &a->link.fh, ok);
		encode(nfs3_enc_link, &ln, cap);
		break;
	}
}

static void results(uint32_t proc, const union args *a, const uint8_t *d, size_t n,
		    size_t cap)
{
	bool ok = n & 1;
	struct nfs3_wcc_res sr = { .status = ok ? NFS3_OK : NFS3ERR_NOT_SYNC };

	switch (proc) {
	case NFSPROC3_SETATTR:
		check_fh(&a->setattr.fh);
		if (a->setattr.sa.atime_how > KRPC_TIME_CLIENT ||
		    a->setattr.sa.mtime_how > KRPC_TIME_CLIENT)
			abort();
		fake_wcc(&sr.wcc, &a->setattr.fh, ok);
		encode(nfs3_enc_wcc, &sr, cap);
		break;
	case NFSPROC3_READ: case NFSPROC3_WRITE:
		results_data(proc, a, ok, cap);
		break;
	case NFSPROC3_LOOKUP: case NFSPROC3_CREATE: case NFSPROC3_MKDIR:
	case NFSPROC3_SYMLINK: case NFSPROC3_MKNOD: case NFSPROC3_REMOVE:
	case NFSPROC3_RMDIR: case NFSPROC3_RENAME: case NFSPROC3_LINK:
		results_names(proc, a, ok, cap);
		break;
	case NFSPROC3_READDIR: case NFSPROC3_READDIRPLUS:
		listing(&a->readdir, proc == NFSPROC3_READDIRPLUS, d, n, cap);
		break;
	default:
		results_fh(proc, a, ok, cap);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t caps[8] = { 0, 4, 8, 40, 100, 200, 1024, 1 << 17 };
	union args a;
	struct ksf_xdr x;
	uint32_t proc;
	uint8_t *msg;
	int r;

	if (size < 1)
		return 0;
	proc = 1u + (data[0] & 31u) % (NFS3_NPROCS - 1u);
	msg = malloc(size - 1 ? size - 1 : 1);
	memcpy(msg, data + 1, size - 1);
	in_lo = msg;
	in_hi = msg + (size - 1);
	memset(&a, 0, sizeof(a));
	ksf_xdr_init_decode(&x, msg, size - 1);
	r = decoders[proc](&x, &a);
	if (r != x.err || x.pos > x.len)
		abort();
	if (!r)
		results(proc, &a, data + 1, size - 1, caps[data[0] >> 5]);
	free(msg);
	return 0;
}
