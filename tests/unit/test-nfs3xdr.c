// SPDX-License-Identifier: BSD-2-Clause
/* NFS version 3 XDR (svc/krpc/nfs3xdr_*.c, nfs3status.c; RFC 1813): exact
 * byte layouts of fattr3, wcc_data and some results, argument decoding of
 * every procedure with every truncation failing cleanly (inputs are
 * malloc'ed to their exact size so an ASan build catches over-reads),
 * oversized handles and names, discriminated unions, READDIR and
 * READDIRPLUS size accounting (§3.3.16-17), and the nfsstat3 mapping. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "../../svc/krpc/nfs3.h"
#include "check.h"

static const struct krpc_attr attr1 = {
	.type = KRPC_REG, .mode = 0100644, .nlink = 2, .uid = 1000, .gid = 100,
	.size = 0x0102030405060708ull, .used = 4096, .rdev_major = 8, .rdev_minor = 1,
	.fsid = 0x11, .fileid = 0x22,
	.atime = { 1, 2 }, .mtime = { 3, 4 }, .ctime = { 5, 6 },
};

static void fattr3_layout(void)
{
	static const uint8_t want[84] = {
		0, 0, 0, 1,  0, 0, 0x01, 0xa4,  0, 0, 0, 2,	/* type REG, mode 0644, nlink */
		0, 0, 0x03, 0xe8,  0, 0, 0, 100,		/* uid, gid */
		1, 2, 3, 4, 5, 6, 7, 8,				/* size */
		0, 0, 0, 0, 0, 0, 0x10, 0,			/* used */
		0, 0, 0, 8,  0, 0, 0, 1,			/* rdev specdata3 */
		0, 0, 0, 0, 0, 0, 0, 0x11,			/* fsid */
		0, 0, 0, 0, 0, 0, 0, 0x22,			/* fileid */
		0, 0, 0, 1,  0, 0, 0, 2,			/* atime */
		0, 0, 0, 3,  0, 0, 0, 4,			/* mtime */
		0, 0, 0, 5,  0, 0, 0, 6,			/* ctime */
	};
	uint8_t buf[100];
	struct ksf_xdr x;

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	CHECK_EQ(nfs3_put_fattr(&x, &attr1), 0);
	CHECK_EQ(x.pos, NFS3_FATTR_SIZE);
	CHECK(memcmp(buf, want, sizeof(want)) == 0);

	/* 83 bytes of room: -ENOSPC, nothing written past the end */
	ksf_xdr_init_encode(&x, buf, 83);
	CHECK_EQ(nfs3_put_fattr(&x, &attr1), -ENOSPC);
}

static void wcc_layout(void)
{
	static const uint8_t want[] = {
		0, 0, 0, 1,  0, 0, 0, 0, 0, 0, 0, 9,		/* pre_op_attr: TRUE, size */
		0, 0, 0, 7,  0, 0, 0, 8,			/* mtime */
		0, 0, 0, 9,  0, 0, 0, 10,			/* ctime */
		0, 0, 0, 0,					/* post_op_attr FALSE */
	};
	struct krpc_wcc w = { .pre_valid = true, .pre_size = 9, .pre_mtime = { 7, 8 },
			      .pre_ctime = { 9, 10 } };
	uint8_t buf[200];
	struct ksf_xdr x;

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	CHECK_EQ(nfs3_put_wcc(&x, &w), 0);
	CHECK_EQ(x.pos, sizeof(want));
	CHECK(memcmp(buf, want, sizeof(want)) == 0);

	/* both present: 4 + 24 + 4 + 84 */
	w.post.valid = true;
	w.post.a = attr1;
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	CHECK_EQ(nfs3_put_wcc(&x, &w), 0);
	CHECK_EQ(x.pos, 116);
}

/* ---- argument decoding ---------------------------------------------- */

static void put_fh(struct ksf_xdr *x, uint32_t len, uint8_t fill)
{
	uint8_t fh[80];

	memset(fh, fill, sizeof(fh));
	ksf_xdr_put_opaque(x, fh, len);
}

static void put_sattr_all(struct ksf_xdr *x)
{
	ksf_xdr_put_bool(x, true), ksf_xdr_put_u32(x, 0755);	/* mode */
	ksf_xdr_put_bool(x, true), ksf_xdr_put_u32(x, 7);	/* uid */
	ksf_xdr_put_bool(x, false);				/* gid */
	ksf_xdr_put_bool(x, true), ksf_xdr_put_u64(x, 1234);	/* size */
	ksf_xdr_put_enum(x, KRPC_TIME_SERVER);			/* atime */
	ksf_xdr_put_enum(x, KRPC_TIME_CLIENT);			/* mtime */
	ksf_xdr_put_u32(x, 50), ksf_xdr_put_u32(x, 60);
}

typedef int (*dec_fn)(struct ksf_xdr *x, void *args);

/* The copy decoded last: decoded strings point into it, so it lives
 * until the next decode. */
static uint8_t *last_copy;

/* Decode msg[0..len) from a buffer of exactly len bytes. */
static int dec_exact(dec_fn dec, const uint8_t *msg, size_t len, void *args, size_t asize)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct ksf_xdr x;
	int r;

	free(last_copy);
	last_copy = copy;
	memcpy(copy, msg, len);
	memset(args, 0, asize);
	ksf_xdr_init_decode(&x, copy, len);
	r = dec(&x, args);
	if (!r && x.err)
		r = x.err;
	return r;
}

/* Every proper prefix fails; the whole decodes. */
static void all_truncations(const char *what, dec_fn dec, const uint8_t *msg, size_t len)
{
	uint8_t args[512];

	for (size_t n = 0; n < len; n++)
		if (dec_exact(dec, msg, n, args, sizeof(args)) == 0) {
			fprintf(stderr, "%s: a %zu-byte prefix of %zu decoded\n", what, n, len);
			check_failures++;
		}
	CHECK_EQ(dec_exact(dec, msg, len, args, sizeof(args)), 0);
}

static void setattr_args(void)
{
	uint8_t buf[256];
	struct nfs3_setattr_args a;
	struct ksf_xdr x;

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 20, 0xab);
	put_sattr_all(&x);
	ksf_xdr_put_bool(&x, true);
	ksf_xdr_put_u32(&x, 77), ksf_xdr_put_u32(&x, 88);
	CHECK_EQ(x.err, 0);
	all_truncations("SETATTR", nfs3_dec_setattr, buf, x.pos);
	CHECK_EQ(dec_exact(nfs3_dec_setattr, buf, x.pos, &a, sizeof(a)), 0);
	CHECK_EQ(a.fh.len, 20);
	CHECK_EQ(a.fh.data[19], 0xab);
	CHECK(a.sa.set_mode && a.sa.set_uid && !a.sa.set_gid && a.sa.set_size);
	CHECK_EQ(a.sa.mode, 0755);
	CHECK_EQ(a.sa.uid, 7);
	CHECK_EQ(a.sa.size, 1234);
	CHECK_EQ(a.sa.atime_how, KRPC_TIME_SERVER);
	CHECK_EQ(a.sa.mtime_how, KRPC_TIME_CLIENT);
	CHECK_EQ(a.sa.mtime.sec, 50);
	CHECK_EQ(a.sa.mtime.nsec, 60);
	CHECK(a.guard);
	CHECK_EQ(a.guard_ctime.sec, 77);
}

static void sattr_bad_unions(void)
{
	uint8_t buf[64];
	struct nfs3_mkdir_args a;
	struct ksf_xdr x;

	/* time_how 3 does not exist */
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 8, 1);
	ksf_xdr_put_string(&x, "d", 1);
	for (int i = 0; i < 4; i++)
		ksf_xdr_put_bool(&x, false);
	ksf_xdr_put_enum(&x, 3);
	ksf_xdr_put_enum(&x, 0);
	CHECK(dec_exact(nfs3_dec_mkdir, buf, x.pos, &a, sizeof(a)) < 0);

	/* a set_it that is no bool */
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 8, 1);
	ksf_xdr_put_string(&x, "d", 1);
	ksf_xdr_put_u32(&x, 2);
	CHECK(dec_exact(nfs3_dec_mkdir, buf, x.pos, &a, sizeof(a)) < 0);
}

static void handle_sizes(void)
{
	uint8_t buf[128];
	struct nfs3_fh_args a;
	struct ksf_xdr x;

	for (uint32_t len = 0; len <= 65; len++) {
		ksf_xdr_init_encode(&x, buf, sizeof(buf));
		put_fh(&x, len, (uint8_t)len);
		CHECK_EQ(dec_exact(nfs3_dec_fh_args, buf, x.pos, &a, sizeof(a)),
			 len <= NFS3_FHSIZE ? 0 : -EMSGSIZE);
		if (len <= NFS3_FHSIZE)
			CHECK_EQ(a.fh.len, len);
	}
}

static void name_sizes(void)
{
	size_t cap = 8 + 4 + 4 + NFS3_WIRE_STR_MAX + 8;
	uint8_t *buf = malloc(cap), *name = malloc(NFS3_WIRE_STR_MAX + 1);
	struct nfs3_diropargs a;
	struct ksf_xdr x;

	memset(name, 'n', NFS3_WIRE_STR_MAX + 1);
	/* the longest name decodes (the handler says NAMETOOLONG) */
	ksf_xdr_init_encode(&x, buf, cap);
	put_fh(&x, 4, 1);
	ksf_xdr_put_string(&x, (char *)name, NFS3_WIRE_STR_MAX);
	CHECK_EQ(dec_exact(nfs3_dec_diropargs, buf, x.pos, &a, sizeof(a)), 0);
	CHECK_EQ(a.name.len, NFS3_WIRE_STR_MAX);
	/* one more byte is garbage */
	ksf_xdr_init_encode(&x, buf, cap);
	put_fh(&x, 4, 1);
	ksf_xdr_put_string(&x, (char *)name, NFS3_WIRE_STR_MAX + 1);
	CHECK_EQ(x.err, 0);
	CHECK_EQ(dec_exact(nfs3_dec_diropargs, buf, x.pos, &a, sizeof(a)), -EMSGSIZE);
	free(buf);
	free(name);
}

static void write_args(void)
{
	uint8_t buf[128];
	struct nfs3_write_args a;
	struct ksf_xdr x;

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 12, 3);
	ksf_xdr_put_u64(&x, 4096);
	ksf_xdr_put_u32(&x, 9);		/* count differs from the data: kept */
	ksf_xdr_put_enum(&x, KRPC_FILE_SYNC);
	ksf_xdr_put_opaque(&x, "hello", 5);
	all_truncations("WRITE", nfs3_dec_write, buf, x.pos);
	CHECK_EQ(dec_exact(nfs3_dec_write, buf, x.pos, &a, sizeof(a)), 0);
	CHECK_EQ(a.offset, 4096);
	CHECK_EQ(a.count, 9);
	CHECK_EQ(a.len, 5);
	CHECK_EQ(a.stable, KRPC_FILE_SYNC);

	/* the data's length says more than the record holds */
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 12, 3);
	ksf_xdr_put_u64(&x, 0);
	ksf_xdr_put_u32(&x, 1000);
	ksf_xdr_put_enum(&x, KRPC_UNSTABLE);
	ksf_xdr_put_u32(&x, 1000);
	ksf_xdr_put_fixed(&x, "abcd", 4);
	CHECK(dec_exact(nfs3_dec_write, buf, x.pos, &a, sizeof(a)) < 0);

	/* stable_how 3 */
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 12, 3);
	ksf_xdr_put_u64(&x, 0);
	ksf_xdr_put_u32(&x, 0);
	ksf_xdr_put_enum(&x, 3);
	ksf_xdr_put_u32(&x, 0);
	CHECK(dec_exact(nfs3_dec_write, buf, x.pos, &a, sizeof(a)) < 0);
}

static void create_args(void)
{
	uint8_t buf[256];
	struct nfs3_create_args a;
	struct ksf_xdr x;

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 32, 5);
	ksf_xdr_put_string(&x, "file", 4);
	ksf_xdr_put_enum(&x, KRPC_EXCLUSIVE);
	ksf_xdr_put_fixed(&x, "VERIFIER", 8);
	all_truncations("CREATE exclusive", nfs3_dec_create, buf, x.pos);
	CHECK_EQ(dec_exact(nfs3_dec_create, buf, x.pos, &a, sizeof(a)), 0);
	CHECK_EQ(a.how, KRPC_EXCLUSIVE);
	CHECK(memcmp(a.verf, "VERIFIER", 8) == 0);
	CHECK_EQ(a.where.name.len, 4);
	CHECK(memcmp(a.where.name.s, "file", 4) == 0);

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 32, 5);
	ksf_xdr_put_string(&x, "file", 4);
	ksf_xdr_put_enum(&x, KRPC_GUARDED);
	put_sattr_all(&x);
	all_truncations("CREATE guarded", nfs3_dec_create, buf, x.pos);
	CHECK_EQ(dec_exact(nfs3_dec_create, buf, x.pos, &a, sizeof(a)), 0);
	CHECK(a.sa.set_mode);

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 32, 5);
	ksf_xdr_put_string(&x, "file", 4);
	ksf_xdr_put_enum(&x, 3);	/* no such createmode3 */
	put_sattr_all(&x);
	CHECK(dec_exact(nfs3_dec_create, buf, x.pos, &a, sizeof(a)) < 0);
}

static void mknod_args(void)
{
	uint8_t buf[256];
	struct nfs3_mknod_args a;
	struct ksf_xdr x;

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 16, 5);
	ksf_xdr_put_string(&x, "tty", 3);
	ksf_xdr_put_enum(&x, NF3CHR);
	put_sattr_all(&x);
	ksf_xdr_put_u32(&x, 4), ksf_xdr_put_u32(&x, 64);
	all_truncations("MKNOD chr", nfs3_dec_mknod, buf, x.pos);
	CHECK_EQ(dec_exact(nfs3_dec_mknod, buf, x.pos, &a, sizeof(a)), 0);
	CHECK_EQ(a.type, NF3CHR);
	CHECK_EQ(a.major, 4);
	CHECK_EQ(a.minor, 64);

	/* NF3REG: a void arm (the handler says BADTYPE) */
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 16, 5);
	ksf_xdr_put_string(&x, "f", 1);
	ksf_xdr_put_enum(&x, NF3REG);
	CHECK_EQ(dec_exact(nfs3_dec_mknod, buf, x.pos, &a, sizeof(a)), 0);
	CHECK_EQ(a.type, NF3REG);

	/* 8 is no ftype3 */
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 16, 5);
	ksf_xdr_put_string(&x, "f", 1);
	ksf_xdr_put_enum(&x, 8);
	CHECK(dec_exact(nfs3_dec_mknod, buf, x.pos, &a, sizeof(a)) < 0);
}

/* The other procedures: a valid call, and every truncation of it. */
static void other_args(void)
{
	uint8_t buf[256];
	struct ksf_xdr x;
	union {
		struct nfs3_readdir_args rd;
		struct nfs3_rename_args rn;
		struct nfs3_link_args ln;
		struct nfs3_symlink_args sl;
		struct nfs3_read_args r;
	} a;

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 64, 9);
	ksf_xdr_put_u64(&x, 42);
	ksf_xdr_put_fixed(&x, "cookieVF", 8);
	ksf_xdr_put_u32(&x, 1024);
	ksf_xdr_put_u32(&x, 8192);
	all_truncations("READDIRPLUS", nfs3_dec_readdirplus, buf, x.pos);
	CHECK_EQ(dec_exact(nfs3_dec_readdirplus, buf, x.pos, &a, sizeof(a)), 0);
	CHECK_EQ(a.rd.cookie, 42);
	CHECK_EQ(a.rd.dircount, 1024);
	CHECK_EQ(a.rd.count, 8192);
	CHECK(memcmp(a.rd.verf, "cookieVF", 8) == 0);
	/* READDIR: the same minus maxcount; dircount is count */
	all_truncations("READDIR", nfs3_dec_readdir, buf, x.pos - 4);
	CHECK_EQ(dec_exact(nfs3_dec_readdir, buf, x.pos - 4, &a, sizeof(a)), 0);
	CHECK_EQ(a.rd.count, 1024);
	CHECK_EQ(a.rd.dircount, 1024);

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 8, 1), ksf_xdr_put_string(&x, "a", 1);
	put_fh(&x, 9, 2), ksf_xdr_put_string(&x, "bb", 2);
	all_truncations("RENAME", nfs3_dec_rename, buf, x.pos);
	CHECK_EQ(dec_exact(nfs3_dec_rename, buf, x.pos, &a, sizeof(a)), 0);
	CHECK_EQ(a.rn.to.dir.len, 9);
	CHECK_EQ(a.rn.to.name.len, 2);

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 8, 1), put_fh(&x, 8, 2), ksf_xdr_put_string(&x, "l", 1);
	all_truncations("LINK", nfs3_dec_link, buf, x.pos);

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 8, 1), ksf_xdr_put_string(&x, "s", 1);
	put_sattr_all(&x);
	ksf_xdr_put_string(&x, "../target", 9);
	all_truncations("SYMLINK", nfs3_dec_symlink, buf, x.pos);
	CHECK_EQ(dec_exact(nfs3_dec_symlink, buf, x.pos, &a, sizeof(a)), 0);
	CHECK_EQ(a.sl.target.len, 9);

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 8, 1), ksf_xdr_put_u64(&x, 1), ksf_xdr_put_u32(&x, 2);
	all_truncations("READ", nfs3_dec_read, buf, x.pos);
	all_truncations("COMMIT", nfs3_dec_commit, buf, x.pos);

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 8, 1), ksf_xdr_put_u32(&x, 0x3f);
	all_truncations("ACCESS", nfs3_dec_access, buf, x.pos);
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	put_fh(&x, 8, 1), ksf_xdr_put_string(&x, "..", 2);
	all_truncations("LOOKUP", nfs3_dec_diropargs, buf, x.pos);
	all_truncations("GETATTR", nfs3_dec_fh_args, buf, 12);
}

/* ---- results ---------------------------------------------------------- */

static void result_layouts(void)
{
	uint8_t buf[512];
	struct ksf_xdr x;
	struct nfs3_read_res rr = { .status = NFS3_OK, .count = 3, .eof = true,
				    .data = (const uint8_t *)"abc" };
	struct nfs3_lookup_res lr = { .status = NFS3ERR_NOENT };
	struct nfs3_write_res wr = { .status = NFS3_OK, .count = 5,
				     .committed = KRPC_DATA_SYNC, .verf = "WRVERF!" };
	struct nfs3_fsinfo_res fr = { .status = NFS3_OK };
	struct nfs3_getattr_res gr = { .status = NFS3ERR_STALE };
	static const uint8_t read_want[] = {
		0, 0, 0, 0,  0, 0, 0, 0,	/* NFS3_OK, no attributes */
		0, 0, 0, 3,  0, 0, 0, 1,	/* count, eof */
		0, 0, 0, 3,  'a', 'b', 'c', 0,	/* data<> */
	};
	static const uint8_t lookup_want[] = { 0, 0, 0, 2,  0, 0, 0, 0 };
	static const uint8_t write_want[] = {
		0, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, 0,	/* OK, wcc: no pre, no post */
		0, 0, 0, 5,  0, 0, 0, 1,		/* count, committed */
		'W', 'R', 'V', 'E', 'R', 'F', '!', 0,	/* verf */
	};

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	CHECK_EQ(nfs3_enc_read(&x, &rr), 0);
	CHECK_EQ(x.pos, sizeof(read_want));
	CHECK(memcmp(buf, read_want, sizeof(read_want)) == 0);

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	CHECK_EQ(nfs3_enc_lookup(&x, &lr), 0);
	CHECK_EQ(x.pos, sizeof(lookup_want));
	CHECK(memcmp(buf, lookup_want, sizeof(lookup_want)) == 0);

	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	CHECK_EQ(nfs3_enc_write(&x, &wr), 0);
	CHECK_EQ(x.pos, sizeof(write_want));
	CHECK(memcmp(buf, write_want, sizeof(write_want)) == 0);

	/* FSINFO3resok with attributes: 4 + 88 + 7*4 + 8 + 8 + 4 */
	fr.attr.valid = true;
	fr.attr.a = attr1;
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	CHECK_EQ(nfs3_enc_fsinfo(&x, &fr), 0);
	CHECK_EQ(x.pos, 4 + 88 + 28 + 8 + 8 + 4);

	/* GETATTR resfail is void */
	ksf_xdr_init_encode(&x, buf, sizeof(buf));
	CHECK_EQ(nfs3_enc_getattr(&x, &gr), 0);
	CHECK_EQ(x.pos, 4);

	/* a READ reply that does not fit fails, never overruns */
	ksf_xdr_init_encode(&x, buf, sizeof(read_want) - 1);
	CHECK_EQ(nfs3_enc_read(&x, &rr), -ENOSPC);
}

/* ---- READDIR accounting --------------------------------------------- */

static struct krpc_dirent dent(const char *name, uint64_t cookie)
{
	struct krpc_dirent d = { .name = name, .namelen = (uint32_t)strlen(name),
				 .fileid = cookie + 100, .cookie = cookie };
	return d;
}

/* Encode the whole READDIR reply the way the handler does, and check the
 * resok (everything after the status) is within count. */
static void check_reply_fits(const struct nfs3_dirbuf *b, const uint8_t *ebuf, uint32_t count,
			     bool eof)
{
	struct nfs3_readdir_res r = { .status = NFS3_OK, .entries = ebuf,
				      .entries_len = (uint32_t)b->x.pos, .eof = eof };
	static uint8_t out[8192];
	struct ksf_xdr x;

	r.dir_attr.valid = true;
	r.dir_attr.a = attr1;
	ksf_xdr_init_encode(&x, out, sizeof(out));
	CHECK_EQ(nfs3_enc_readdir(&x, &r), 0);
	CHECK(x.pos - 4 <= count);
}

static void readdir_accounting(void)
{
	uint8_t ebuf[4096];
	struct nfs3_dirbuf b;
	struct krpc_dirent d1 = dent("a", 1), d2 = dent("hello", 2);
	size_t e1 = nfs3_entry_size(1, false, false, 0);

	CHECK_EQ(e1, 4 + 8 + 8 + 8);		/* value_follows, fileid, name "a", cookie */
	CHECK_EQ(nfs3_entry_size(5, false, false, 0), 4 + 8 + 12 + 8);
	CHECK_EQ(nfs3_entry_size(1, true, true, 20), 28 + 4 + 84 + 4 + 4 + 20);
	CHECK_EQ(nfs3_entry_size(1, true, false, 0), 28 + 4 + 4);

	/* count below the fixed part: TOOSMALL at once */
	CHECK_EQ(nfs3_dirbuf_init(&b, ebuf, sizeof(ebuf), NFS3_READDIR_FIXED - 1, 0, false),
		 -KRPC_ETOOSMALL);

	/* room for exactly the first entry */
	CHECK_EQ(nfs3_dirbuf_init(&b, ebuf, sizeof(ebuf), NFS3_READDIR_FIXED + (uint32_t)e1,
				  0, false), 0);
	CHECK_EQ(nfs3_dirbuf_add(&b, &d1, NULL, 0), 0);
	CHECK_EQ(b.x.pos, e1);
	CHECK_EQ(nfs3_dirbuf_add(&b, &d2, NULL, 0), 1);	/* not emitted */
	CHECK_EQ(b.x.pos, e1);
	CHECK_EQ(b.n, 1);
	CHECK_EQ(nfs3_dirbuf_finish(&b, false), 0);
	check_reply_fits(&b, ebuf, NFS3_READDIR_FIXED + (uint32_t)e1, false);

	/* one byte short of the first entry: none fits, TOOSMALL */
	CHECK_EQ(nfs3_dirbuf_init(&b, ebuf, sizeof(ebuf), NFS3_READDIR_FIXED + (uint32_t)e1 - 1,
				  0, false), 0);
	CHECK_EQ(nfs3_dirbuf_add(&b, &d1, NULL, 0), 1);
	CHECK_EQ(b.x.pos, 0);
	CHECK_EQ(nfs3_dirbuf_finish(&b, false), -KRPC_ETOOSMALL);
	/* ... but an empty directory's end fits */
	CHECK_EQ(nfs3_dirbuf_finish(&b, true), 0);

	/* the buffer, not count, is the limit when smaller */
	CHECK_EQ(nfs3_dirbuf_init(&b, ebuf, e1, UINT32_MAX, 0, false), 0);
	CHECK_EQ(nfs3_dirbuf_add(&b, &d1, NULL, 0), 0);
	CHECK_EQ(nfs3_dirbuf_add(&b, &d1, NULL, 0), 1);
}

static void readdirplus_accounting(void)
{
	uint8_t ebuf[4096], fh[20];
	struct nfs3_dirbuf b;
	struct krpc_dirent d = dent("x", 7);
	size_t info = nfs3_entry_size(1, false, false, 0);
	size_t full = nfs3_entry_size(1, true, true, sizeof(fh));
	uint32_t max = NFS3_READDIR_FIXED + 2 * (uint32_t)full;

	memset(fh, 0x5a, sizeof(fh));
	d.attr.valid = true;
	d.attr.a = attr1;

	/* maxcount for two whole entries, dircount for 2.5 entries' names */
	CHECK_EQ(nfs3_dirbuf_init(&b, ebuf, sizeof(ebuf), max, (uint32_t)(info * 5 / 2), true), 0);
	CHECK_EQ(nfs3_dirbuf_add(&b, &d, fh, sizeof(fh)), 0);
	CHECK_EQ(nfs3_dirbuf_add(&b, &d, fh, sizeof(fh)), 0);
	CHECK_EQ(nfs3_dirbuf_add(&b, &d, fh, sizeof(fh)), 1);
	CHECK_EQ(b.x.pos, 2 * full);
	check_reply_fits(&b, ebuf, max, false);

	/* dircount for 1.5 entries: the second stops on dircount */
	CHECK_EQ(nfs3_dirbuf_init(&b, ebuf, sizeof(ebuf), max, (uint32_t)(info * 3 / 2), true), 0);
	CHECK_EQ(nfs3_dirbuf_add(&b, &d, fh, sizeof(fh)), 0);
	CHECK_EQ(nfs3_dirbuf_add(&b, &d, fh, sizeof(fh)), 1);
	CHECK_EQ(b.n, 1);

	/* dircount too small for one entry: TOOSMALL */
	CHECK_EQ(nfs3_dirbuf_init(&b, ebuf, sizeof(ebuf), max, (uint32_t)info - 1, true), 0);
	CHECK_EQ(nfs3_dirbuf_add(&b, &d, fh, sizeof(fh)), 1);
	CHECK_EQ(nfs3_dirbuf_finish(&b, false), -KRPC_ETOOSMALL);

	/* entryplus3 layout: ... cookie, post_op_attr TRUE + fattr3, post_op_fh3 */
	CHECK_EQ(nfs3_dirbuf_init(&b, ebuf, sizeof(ebuf), max, max, true), 0);
	CHECK_EQ(nfs3_dirbuf_add(&b, &d, fh, sizeof(fh)), 0);
	CHECK_EQ(ebuf[3], 1);				/* value_follows */
	CHECK_EQ(ebuf[11], 107);			/* fileid */
	CHECK_EQ(ebuf[15], 1);				/* name length */
	CHECK_EQ(ebuf[16], 'x');
	CHECK_EQ(ebuf[27], 7);				/* cookie */
	CHECK_EQ(ebuf[31], 1);				/* attributes follow */
	CHECK_EQ(ebuf[32 + 84 + 3], 1);			/* handle follows */
	CHECK_EQ(ebuf[32 + 84 + 7], sizeof(fh));
	CHECK_EQ(ebuf[32 + 84 + 8], 0x5a);
}

/* ---- nfsstat3 ----------------------------------------------------------- */

static void status_mapping(void)
{
	static const struct { int err; uint32_t st; } t[] = {
		{ 0, NFS3_OK }, { -EPERM, NFS3ERR_PERM }, { -ENOENT, NFS3ERR_NOENT },
		{ -EIO, NFS3ERR_IO }, { -EACCES, NFS3ERR_ACCES }, { -EEXIST, NFS3ERR_EXIST },
		{ -EXDEV, NFS3ERR_XDEV }, { -ENODEV, NFS3ERR_NODEV },
		{ -ENOTDIR, NFS3ERR_NOTDIR }, { -EISDIR, NFS3ERR_ISDIR },
		{ -EINVAL, NFS3ERR_INVAL }, { -EFBIG, NFS3ERR_FBIG }, { -ENOSPC, NFS3ERR_NOSPC },
		{ -EROFS, NFS3ERR_ROFS }, { -EMLINK, NFS3ERR_MLINK },
		{ -ENAMETOOLONG, NFS3ERR_NAMETOOLONG }, { -ENOTEMPTY, NFS3ERR_NOTEMPTY },
		{ -EDQUOT, NFS3ERR_DQUOT }, { -ESTALE, NFS3ERR_STALE },
		{ -ELOOP, NFS3ERR_INVAL }, { -EOPNOTSUPP, NFS3ERR_NOTSUPP },
		{ -EAGAIN, NFS3ERR_JUKEBOX }, { -EWOULDBLOCK, NFS3ERR_JUKEBOX },
		{ -KRPC_EBADHANDLE, NFS3ERR_BADHANDLE }, { -KRPC_ENOT_SYNC, NFS3ERR_NOT_SYNC },
		{ -KRPC_EBAD_COOKIE, NFS3ERR_BAD_COOKIE }, { -KRPC_ETOOSMALL, NFS3ERR_TOOSMALL },
		{ -KRPC_EJUKEBOX, NFS3ERR_JUKEBOX }, { -KRPC_EBADTYPE, NFS3ERR_BADTYPE },
		{ -EPIPE, NFS3ERR_SERVERFAULT }, { -10009, NFS3ERR_SERVERFAULT },
		{ -10000, NFS3ERR_SERVERFAULT }, { 5, NFS3ERR_SERVERFAULT },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK_EQ(nfs3_status(t[i].err), t[i].st);
}

int main(void)
{
	fattr3_layout();
	wcc_layout();
	setattr_args();
	sattr_bad_unions();
	handle_sizes();
	name_sizes();
	write_args();
	create_args();
	mknod_args();
	other_args();
	result_layouts();
	readdir_accounting();
	readdirplus_accounting();
	status_mapping();
	free(last_copy);
	return CHECK_DONE();
}
