// SPDX-License-Identifier: BSD-2-Clause
/* NFS version 3 handlers (svc/krpc/nfs3proc*.c, RFC 1813 §3.3) over a fake
 * store: the procedure table and its flags, handle errors as nfsstat3
 * replies, read-only exports, names, cross-export RENAME/LINK, WRITE count
 * checks, READ capped at rtmax (32 KiB over UDP), READDIR/READDIRPLUS
 * through the store's callback, MKNOD types, FSINFO from the context.
 *
 * The export.h and store_name.c functions the handlers call are faked
 * here (a handle is the export id, then the store handle): defined in
 * this test, they are never pulled from libkrpc.a, so the test links the
 * same before and after export.c and store_name.c exist. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <ksf/rpcsvc.h>
#include "../../svc/krpc/nfs3proc.h"
#include "check.h"

/* ---- fakes of export.h and krpc_name_check ---------------------------- */

int krpc_fh_unwrap(const struct krpc_exports *ex, const uint8_t *fh, uint32_t len,
		   const struct krpc_export **e, struct krpc_sfh *sfh)
{
	if (len < 1 || len - 1 > KRPC_SFH_MAX || fh[0] == 0)
		return -KRPC_EBADHANDLE;
	if (fh[0] > ex->n)
		return -ESTALE;
	*e = &ex->e[fh[0] - 1];
	sfh->len = (uint8_t)(len - 1);
	memcpy(sfh->data, fh + 1, len - 1);
	return 0;
}

int krpc_fh_wrap(const struct krpc_exports *ex, const struct krpc_export *e,
		 const struct krpc_sfh *sfh, uint8_t out[KRPC_FH_MAX])
{
	(void)ex;
	out[0] = e->id;
	memcpy(out + 1, sfh->data, sfh->len);
	return 1 + sfh->len;
}

void krpc_cred_of_call(const struct krpc_exports *ex, const struct ksf_rpc_call *call,
		       struct krpc_cred *cr)
{
	(void)ex;
	memset(cr, 0, sizeof(*cr));
	cr->uid = call->sys.uid;
}

int krpc_name_check(const char *name, uint32_t namelen, bool dots_ok)
{
	if (namelen == 0)
		return -ENOENT;
	if (memchr(name, '/', namelen) || memchr(name, 0, namelen))
		return -EINVAL;
	if (namelen > KRPC_NAME_MAX)
		return -ENAMETOOLONG;
	if ((namelen == 1 && name[0] == '.') || (namelen == 2 && !memcmp(name, "..", 2)))
		return dots_ok ? 0 : -EEXIST;
	return 0;
}

/* ---- a fake store: counts calls, answers from fixed data ------------- */

static int store_calls;
static uint32_t last_count;

static int f_getattr(struct krpc_store *s, const struct krpc_sfh *fh, struct krpc_attr *a)
{
	(void)s, (void)fh;
	memset(a, 0, sizeof(*a));
	a->type = KRPC_DIR;
	return 0;
}

static int f_fsinfo(struct krpc_store *s, const struct krpc_sfh *fh, struct krpc_fsinfo *fi,
		    struct krpc_pattr *attr)
{
	(void)s, (void)fh, (void)attr;	/* no attributes: the handler gets them */
	fi->maxfilesize = 1ull << 40;
	fi->properties = FSF3_LINK | FSF3_SYMLINK;
	return 0;
}

static int f_read(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		  uint64_t off, uint32_t count, unsigned flags, void *buf, uint32_t *n,
		  bool *eof, struct krpc_pattr *attr)
{
	(void)s, (void)cr, (void)fh, (void)off, (void)flags, (void)attr;
	store_calls++;
	last_count = count;
	memset(buf, 'r', count);
	*n = count;
	*eof = false;
	return 0;
}

static int f_write(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		   uint64_t off, const void *data, uint32_t count, uint32_t stable,
		   uint32_t *n, uint32_t *committed, struct krpc_wcc *wcc)
{
	(void)s, (void)cr, (void)fh, (void)off, (void)data, (void)wcc;
	store_calls++;
	*n = count;
	*committed = stable;
	return 0;
}

static int f_remove(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		    const char *name, uint32_t namelen, struct krpc_wcc *wcc)
{
	(void)s, (void)cr, (void)dir, (void)name, (void)namelen, (void)wcc;
	store_calls++;
	return -ENOENT;
}

static int f_rename(struct krpc_store *s, const struct krpc_cred *cr,
		    const struct krpc_sfh *fdir, const char *fname, uint32_t fnamelen,
		    const struct krpc_sfh *tdir, const char *tname, uint32_t tnamelen,
		    struct krpc_wcc *fwcc, struct krpc_wcc *twcc)
{
	(void)s, (void)cr, (void)fdir, (void)fname, (void)fnamelen, (void)tdir;
	(void)tname, (void)tnamelen, (void)fwcc, (void)twcc;
	store_calls++;
	return 0;
}

static int f_mknod(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		   const char *name, uint32_t namelen, uint32_t type, const struct krpc_sattr *sa,
		   uint32_t major, uint32_t minor, struct krpc_sfh *out, struct krpc_pattr *attr,
		   struct krpc_wcc *dir_wcc)
{
	(void)s, (void)cr, (void)name, (void)namelen, (void)type, (void)sa, (void)major;
	(void)minor, (void)attr, (void)dir_wcc;
	store_calls++;
	*out = *dir;
	return 0;
}

/* Lists "." "..", then e0, e1, ... e(N-1); cookie i+1 after entry i. */
#define FAKE_DIR_N 40
static int f_readdir(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		     uint64_t cookie, uint8_t verf[8], bool plus, krpc_dirent_fn fn, void *arg,
		     bool *eof, struct krpc_pattr *dir_attr)
{
	char name[8];

	(void)s, (void)cr, (void)dir_attr;
	store_calls++;
	memcpy(verf, "VERF0001", 8);
	for (uint64_t i = cookie; i < FAKE_DIR_N; i++) {
		struct krpc_dirent d = { .name = name, .fileid = i + 10, .cookie = i + 1 };

		d.namelen = (uint32_t)snprintf(name, sizeof(name), "%s%u", i < 2 ? "" : "e",
					       (unsigned)i);
		d.fh_valid = plus;
		d.fh = *dir;
		if (fn(arg, &d)) {
			*eof = false;
			return 0;
		}
	}
	*eof = true;
	return 0;
}

static const struct krpc_store_ops fake_ops = {
	.name = "fake", .getattr = f_getattr, .fsinfo = f_fsinfo, .read = f_read,
	.write = f_write, .remove = f_remove, .rename = f_rename, .mknod = f_mknod,
	.readdir = f_readdir,
};

/* ---- calling procedures ------------------------------------------------ */

static struct krpc_ctx kc;
static struct ksf_rpc_req req = { .udata = &kc, .proto = IPPROTO_TCP };
static struct ksf_rpc_call call;

static void setup(void)
{
	kc.exports.n = 2;
	for (int i = 0; i < 2; i++) {
		kc.exports.e[i].id = (uint8_t)(i + 1);
		kc.exports.e[i].ops = &fake_ops;
		kc.exports.e[i].ro = i == 1;	/* export 2 is read-only */
	}
	memcpy(kc.exports.write_verf, "WVERF123", 8);
	kc.rtmax = kc.wtmax = 1u << 20;
	kc.dtpref = 65536;
}

static const struct ksf_rpc_proc *proc(uint32_t n)
{
	return &krpc_nfs3_prog.vers[0].procs[n];
}

/* Run procedure n on args into res; also encode the result. */
static uint32_t run(uint32_t n, void *args, void *res)
{
	static uint8_t out[(1u << 20) + 4096];
	const struct ksf_rpc_proc *p = proc(n);
	struct ksf_xdr x;

	memset(res, 0, p->res_size);
	CHECK_EQ(p->handle(&call, args, res, &req), 0);
	ksf_xdr_init_encode(&x, out, sizeof(out));
	CHECK_EQ(p->encode(&x, res), 0);
	return *(uint32_t *)res;	/* status: every result's first member */
}

static struct nfs3_fh fh_of(uint8_t export_id)
{
	struct nfs3_fh fh = { .len = 5, .data = { export_id, 1, 2, 3, 4 } };

	return fh;
}

static struct nfs3_str str(const char *s)
{
	struct nfs3_str r = { s, (uint32_t)strlen(s) };

	return r;
}

static void table_flags(void)
{
	const unsigned cheap[] = { NFSPROC3_NULL, NFSPROC3_GETATTR, NFSPROC3_ACCESS,
				   NFSPROC3_FSINFO, NFSPROC3_PATHCONF };
	const unsigned nonidem[] = { NFSPROC3_SETATTR, NFSPROC3_CREATE, NFSPROC3_MKDIR,
				     NFSPROC3_SYMLINK, NFSPROC3_MKNOD, NFSPROC3_REMOVE,
				     NFSPROC3_RMDIR, NFSPROC3_RENAME, NFSPROC3_LINK };

	CHECK_EQ(krpc_nfs3_prog.vers[0].nprocs, 22);
	for (uint32_t i = 0; i < NFS3_NPROCS; i++) {
		bool blocking = true, ni = false;

		for (size_t j = 0; j < sizeof(cheap) / sizeof(cheap[0]); j++)
			blocking &= cheap[j] != i;
		for (size_t j = 0; j < sizeof(nonidem) / sizeof(nonidem[0]); j++)
			ni |= nonidem[j] == i;
		CHECK(proc(i)->handle != NULL);
		CHECK_EQ(!!(proc(i)->flags & KSF_RPC_PROC_BLOCKING), blocking);
		CHECK_EQ(!!(proc(i)->flags & KSF_RPC_PROC_NONIDEMPOTENT), ni);
		CHECK(proc(i)->args_size + proc(i)->res_size + 16 <= 65536);
	}
}

static void handles(void)
{
	struct nfs3_fh_args a = { .fh = { .len = 0 } };
	struct nfs3_getattr_res r;

	CHECK_EQ(run(NFSPROC3_GETATTR, &a, &r), NFS3ERR_BADHANDLE);
	a.fh = fh_of(9);
	CHECK_EQ(run(NFSPROC3_GETATTR, &a, &r), NFS3ERR_STALE);
	a.fh = fh_of(1);
	CHECK_EQ(run(NFSPROC3_GETATTR, &a, &r), NFS3_OK);
	CHECK_EQ(r.attr.type, KRPC_DIR);
}

static void read_only(void)
{
	struct nfs3_write_args w = { .fh = fh_of(2), .count = 3, .len = 3,
				     .data = (const uint8_t *)"abc" };
	struct nfs3_write_res wr;
	struct nfs3_diropargs d = { .dir = fh_of(2), .name = str("f") };
	struct nfs3_wcc_res dr;
	struct nfs3_commit_args c = { .fh = fh_of(2) };
	struct nfs3_commit_res cr;

	store_calls = 0;
	CHECK_EQ(run(NFSPROC3_WRITE, &w, &wr), NFS3ERR_ROFS);
	CHECK_EQ(run(NFSPROC3_REMOVE, &d, &dr), NFS3ERR_ROFS);
	CHECK(dr.wcc.post.valid);	/* attributes even in a failure */
	CHECK_EQ(run(NFSPROC3_COMMIT, &c, &cr), NFS3ERR_ROFS);
	CHECK_EQ(store_calls, 0);
}

static void names(void)
{
	struct nfs3_diropargs d = { .dir = fh_of(1), .name = str(".") };
	struct nfs3_wcc_res r;
	struct nfs3_mknod_args m = { .where = { .dir = fh_of(1), .name = str("..") },
				     .type = NF3FIFO };
	struct nfs3_newobj_res nr;

	store_calls = 0;
	CHECK_EQ(run(NFSPROC3_REMOVE, &d, &r), NFS3ERR_INVAL);
	d.name = str("..");
	CHECK_EQ(run(NFSPROC3_RMDIR, &d, &r), NFS3ERR_INVAL);
	d.name = str("a/b");
	CHECK_EQ(run(NFSPROC3_REMOVE, &d, &r), NFS3ERR_INVAL);
	d.name = str("");
	CHECK_EQ(run(NFSPROC3_REMOVE, &d, &r), NFS3ERR_NOENT);
	CHECK_EQ(run(NFSPROC3_MKNOD, &m, &nr), NFS3ERR_EXIST);
	CHECK_EQ(store_calls, 0);
	d.name = str("gone");
	CHECK_EQ(run(NFSPROC3_REMOVE, &d, &r), NFS3ERR_NOENT);	/* the store's -ENOENT */
	CHECK_EQ(store_calls, 1);
}

static void mknod_types(void)
{
	struct nfs3_mknod_args m = { .where = { .dir = fh_of(1), .name = str("n") },
				     .type = NF3REG };
	struct nfs3_newobj_res r;

	CHECK_EQ(run(NFSPROC3_MKNOD, &m, &r), NFS3ERR_BADTYPE);
	m.type = NF3CHR;
	CHECK_EQ(run(NFSPROC3_MKNOD, &m, &r), NFS3_OK);
	CHECK(r.fh_valid);
	CHECK_EQ(r.fh.len, 5);
	CHECK_EQ(r.fh.data[0], 1);
}

static void cross_export(void)
{
	struct nfs3_rename_args a = { .from = { .dir = fh_of(1), .name = str("a") },
				      .to = { .dir = fh_of(2), .name = str("b") } };
	struct nfs3_rename_res r;
	struct nfs3_link_args l = { .fh = fh_of(2), .link = { .dir = fh_of(1), .name = str("l") } };
	struct nfs3_link_res lr;

	CHECK_EQ(run(NFSPROC3_RENAME, &a, &r), NFS3ERR_XDEV);
	CHECK_EQ(run(NFSPROC3_LINK, &l, &lr), NFS3ERR_XDEV);
	a.to.dir = fh_of(1);
	CHECK_EQ(run(NFSPROC3_RENAME, &a, &r), NFS3_OK);
	a.to.name = str(".");
	CHECK_EQ(run(NFSPROC3_RENAME, &a, &r), NFS3ERR_EXIST);
}

static void read_write(void)
{
	struct nfs3_read_args a = { .fh = fh_of(1), .count = UINT32_MAX };
	struct nfs3_read_res r;
	struct nfs3_write_args w = { .fh = fh_of(1), .count = 4, .len = 3,
				     .stable = KRPC_DATA_SYNC, .data = (const uint8_t *)"abc" };
	struct nfs3_write_res wr;

	kc.rtmax = 8192;
	CHECK_EQ(run(NFSPROC3_READ, &a, &r), NFS3_OK);
	CHECK_EQ(last_count, 8192);
	CHECK_EQ(r.count, 8192);
	CHECK_EQ(r.data[8191], 'r');
	kc.rtmax = 1u << 20;
	req.proto = IPPROTO_UDP;
	CHECK_EQ(run(NFSPROC3_READ, &a, &r), NFS3_OK);
	CHECK_EQ(r.count, NFS3_UDP_XFER_MAX);
	req.proto = IPPROTO_TCP;
	CHECK_EQ(run(NFSPROC3_READ, &a, &r), NFS3_OK);
	CHECK_EQ(r.count, 1u << 20);

	CHECK_EQ(run(NFSPROC3_WRITE, &w, &wr), NFS3ERR_INVAL);	/* count != data */
	w.count = 3;
	CHECK_EQ(run(NFSPROC3_WRITE, &w, &wr), NFS3_OK);
	CHECK_EQ(wr.count, 3);
	CHECK_EQ(wr.committed, KRPC_DATA_SYNC);
	CHECK(memcmp(wr.verf, "WVERF123", 8) == 0);
}

static void readdir(void)
{
	struct nfs3_readdir_args a = { .dir = fh_of(1), .count = 4096, .dircount = 4096 };
	struct nfs3_readdir_res r;
	uint64_t cookie = 0;
	int calls = 0;

	/* small replies, resumed by cookie until eof: every entry once */
	a.count = NFS3_READDIR_FIXED + 3 * 28 + 27;	/* 3 entries, not 4 */
	do {
		a.cookie = cookie;
		CHECK_EQ(run(NFSPROC3_READDIR, &a, &r), NFS3_OK);
		CHECK(memcmp(r.verf, "VERF0001", 8) == 0);
		CHECK(r.entries_len <= 3 * 28);
		cookie += r.entries_len / 28;	/* entry3 of a name <= 4 bytes: 28 */
		calls++;
	} while (!r.eof && calls < 100);
	CHECK(r.eof);
	CHECK_EQ(cookie, FAKE_DIR_N);
	CHECK(calls >= FAKE_DIR_N / 3);

	a.cookie = 0;
	a.count = NFS3_READDIR_FIXED + 8;	/* less than one entry */
	CHECK_EQ(run(NFSPROC3_READDIR, &a, &r), NFS3ERR_TOOSMALL);
	CHECK(r.dir_attr.valid);

	/* READDIRPLUS entries carry handles wrapped for the export */
	a.count = 1 << 16;
	a.dircount = 1 << 16;
	CHECK_EQ(run(NFSPROC3_READDIRPLUS, &a, &r), NFS3_OK);
	CHECK(r.eof);
	CHECK_EQ(r.entries[4 + 8 + 4 + 4 + 8 + 4 + 3], 1);	/* "." : no attrs, fh follows */
	CHECK_EQ(r.entries[4 + 8 + 4 + 4 + 8 + 4 + 4 + 3], 5);	/* its length */
}

static void fsinfo(void)
{
	struct nfs3_fh_args a = { .fh = fh_of(1) };
	struct nfs3_fsinfo_res r;

	CHECK_EQ(run(NFSPROC3_FSINFO, &a, &r), NFS3_OK);
	CHECK(r.attr.valid);		/* filled by the handler: the client needs them */
	CHECK_EQ(r.rtmax, 1u << 20);
	CHECK_EQ(r.wtpref, 1u << 20);
	CHECK_EQ(r.rtmult, 4096);
	CHECK_EQ(r.dtpref, 65536);
	CHECK_EQ(r.fi.maxfilesize, 1ull << 40);
	CHECK_EQ(r.fi.properties, FSF3_LINK | FSF3_SYMLINK);
}

int main(void)
{
	setup();
	table_flags();
	handles();
	read_only();
	names();
	mknod_types();
	cross_export();
	read_write();
	readdir();
	fsinfo();
	return CHECK_DONE();
}
