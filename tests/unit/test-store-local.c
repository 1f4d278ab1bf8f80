// SPDX-License-Identifier: BSD-2-Clause
/*
 * The local-directory store (svc/krpc/store_local*.c) on a scratch export
 * under /tmp: every operation, names, handles across a reopen, symlink
 * escapes, permissions as uid 65000, exclusive create, readdir resumed
 * from cookies while the directory changes, write stabilities, the
 * identity of concurrent threads, the descriptor cache's sets, the
 * access grants kept with them (a chmod behind the store's back), and the
 * cost of GETATTR. Needs root (SKIP otherwise).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include "../../svc/krpc/store_local.h"
#include "check.h"

static const struct krpc_store_ops *ops = &krpc_store_local;
static struct krpc_store *st;
static char top[64], exp_path[96];
static const struct krpc_cred root = { 0, 0, 0, { 0 } };
static const struct krpc_cred user = { 65000, 65000, 1, { 65000 } };
static struct krpc_sfh rootfh;

#define N(s) (s), (uint32_t)strlen(s)

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* LOOKUP, then again with KRPC_IO_NOWAIT (as on the event loop): that one
 * gives -EAGAIN or the very same answer. */
static int lookup(const struct krpc_sfh *dir, const char *name, struct krpc_sfh *out,
		  struct krpc_attr *a)
{
	struct krpc_pattr pa = { 0 }, da, pa2 = { 0 }, da2;
	struct krpc_sfh fh2;
	int err = ops->lookup(st, &root, dir, N(name), 0, out, &pa, &da);
	int err2 = ops->lookup(st, &root, dir, N(name), KRPC_IO_NOWAIT, &fh2, &pa2, &da2);

	CHECK(err2 == -EAGAIN || err2 == err);
	if (err == 0 && err2 == 0) {
		CHECK(fh2.len == out->len && memcmp(fh2.data, out->data, fh2.len) == 0);
		CHECK(pa2.valid && pa2.a.fileid == pa.a.fileid && pa2.a.type == pa.a.type);
		CHECK(da2.valid && da2.a.fileid == da.a.fileid);
	}
	if (a && pa.valid)
		*a = pa.a;
	return err;
}

static int mkfile(const struct krpc_sfh *dir, const char *name, uint32_t mode,
		  const struct krpc_cred *cr, struct krpc_sfh *out)
{
	struct krpc_sattr sa = { .set_mode = true, .mode = mode };
	struct krpc_pattr pa;
	struct krpc_wcc w;

	return ops->create(st, cr, dir, N(name), KRPC_UNCHECKED, &sa, NULL, out, &pa, &w);
}

static int put(const struct krpc_sfh *fh, const char *data, uint32_t stable)
{
	uint32_t n, c;
	struct krpc_wcc w;
	int err = ops->write(st, &root, fh, 0, data, (uint32_t)strlen(data), stable, &n, &c, &w);

	return err < 0 ? err : (int)n;
}

static void test_names(void)
{
	char big[300];

	memset(big, 'x', sizeof(big));
	CHECK_EQ(krpc_name_check("", 0, true), -ENOENT);
	CHECK_EQ(krpc_name_check(".", 1, false), -EEXIST);
	CHECK_EQ(krpc_name_check("..", 2, false), -EEXIST);
	CHECK_EQ(krpc_name_check(".", 1, true), 0);
	CHECK_EQ(krpc_name_check("..", 2, true), 0);
	CHECK_EQ(krpc_name_check("...", 3, false), 0);
	CHECK_EQ(krpc_name_check("a/b", 3, true), -EINVAL);
	CHECK_EQ(krpc_name_check("a\0b", 3, true), -EINVAL);
	CHECK_EQ(krpc_name_check(big, 255, false), 0);
	CHECK_EQ(krpc_name_check(big, 256, false), -ENAMETOOLONG);
	/* The store checks again, whoever calls it. */
	struct krpc_sfh fh;
	CHECK_EQ(lookup(&rootfh, "a/b", &fh, NULL), -EINVAL);
	CHECK_EQ(ops->lookup(st, &root, &rootfh, "a\0b", 3, 0, &fh, NULL, NULL), -EINVAL);
	CHECK_EQ(mkfile(&rootfh, "..", 0644, &root, &fh), -EEXIST);
}

static void test_root_and_dots(void)
{
	struct krpc_sfh fh, sub, sub2;
	struct krpc_attr a, ra;

	CHECK_EQ(ops->getattr(st, &rootfh, &ra), 0);
	CHECK_EQ(ra.type, KRPC_DIR);
	CHECK_EQ(lookup(&rootfh, "..", &fh, &a), 0);
	CHECK(fh.len == rootfh.len && memcmp(fh.data, rootfh.data, fh.len) == 0);
	CHECK_EQ(a.fileid, ra.fileid);
	CHECK_EQ(lookup(&rootfh, ".", &fh, &a), 0);
	CHECK_EQ(a.fileid, ra.fileid);
	struct krpc_pattr pa;
	struct krpc_wcc w;
	CHECK_EQ(ops->mkdir(st, &root, &rootfh, N("d"), NULL, &sub, &pa, &w), 0);
	CHECK(pa.valid && pa.a.type == KRPC_DIR && pa.a.mode == 0755);
	CHECK(w.pre_valid && w.post.valid);
	CHECK_EQ(ops->mkdir(st, &root, &sub, N("e"), NULL, &sub2, &pa, &w), 0);
	CHECK_EQ(lookup(&sub2, "..", &fh, &a), 0);
	CHECK(fh.len == sub.len && memcmp(fh.data, sub.data, fh.len) == 0);
	CHECK_EQ(lookup(&sub, "..", &fh, &a), 0);
	CHECK_EQ(a.fileid, ra.fileid);
	CHECK_EQ(ops->root(st, &root, "", &fh), 0);
	CHECK(fh.len == rootfh.len && memcmp(fh.data, rootfh.data, fh.len) == 0);
	CHECK_EQ(ops->root(st, &root, "d/e", &fh), 0);
	CHECK(fh.len == sub2.len && memcmp(fh.data, sub2.data, fh.len) == 0);
	CHECK_EQ(ops->root(st, &root, "d/nope", &fh), -ENOENT);
	CHECK_EQ(ops->root(st, &root, "d/../..", &fh), -EACCES);	/* never above the root */
	CHECK_EQ(lookup(&rootfh, "nope", &fh, NULL), -ENOENT);
}

static void test_symlinks(void)
{
	struct krpc_sfh lnk, fh, f;
	struct krpc_attr a;
	struct krpc_pattr pa;
	struct krpc_wcc w;
	char buf[64], passwd[16];
	uint32_t len, n;
	bool eof;

	CHECK_EQ(ops->symlink(st, &root, &rootfh, N("esc"), N("/etc"), NULL, &lnk, &pa, &w), 0);
	CHECK_EQ(ops->symlink(st, &root, &rootfh, N("escf"), N("/etc/passwd"), NULL, &fh, &pa, &w), 0);
	CHECK_EQ(ops->symlink(st, &root, &rootfh, N("nul"), "a\0b", 3, NULL, &fh, &pa, &w), -EINVAL);
	CHECK_EQ(lookup(&rootfh, "esc", &fh, &a), 0);
	CHECK_EQ(a.type, KRPC_LNK);
	CHECK(fh.len == lnk.len && memcmp(fh.data, lnk.data, fh.len) == 0);
	CHECK_EQ(ops->readlink(st, &root, &fh, buf, sizeof(buf), &len, &pa), 0);
	CHECK(len == 4 && memcmp(buf, "/etc", 4) == 0);
	/* Nothing goes through it. */
	CHECK_EQ(lookup(&fh, "passwd", &f, NULL), -ENOTDIR);
	CHECK_EQ(mkfile(&fh, "x", 0644, &root, &f), -ENOTDIR);
	CHECK_EQ(ops->readdir(st, &root, &fh, 0, (uint8_t[8]){ 0 }, false, NULL, NULL, &eof, &pa),
		 -ENOTDIR);
	CHECK_EQ(lookup(&rootfh, "escf", &fh, &a), 0);
	CHECK_EQ(ops->read(st, &root, &fh, 0, sizeof(passwd), 0, passwd, &n, &eof, &pa), -EINVAL);
	CHECK_EQ(ops->write(st, &root, &fh, 0, "x", 1, KRPC_UNSTABLE, &n, &len, &w), -EINVAL);
	CHECK_EQ(mkfile(&rootfh, "escf", 0644, &root, &f), -EEXIST);
	struct krpc_sattr sz = { .set_size = true, .size = 0 };
	CHECK_EQ(ops->setattr(st, &root, &fh, &sz, NULL, &w), -EINVAL);
	CHECK_EQ(ops->create(st, &root, &rootfh, N("escf"), KRPC_GUARDED, NULL, NULL, &f, &pa, &w),
		 -EEXIST);
	CHECK_EQ(ops->readlink(st, &root, &rootfh, buf, sizeof(buf), &len, &pa), -EINVAL);
	/* A symlink linked, not what it points to. */
	CHECK_EQ(ops->link(st, &root, &fh, &rootfh, N("escf2"), &pa, &w), 0);
	CHECK_EQ(lookup(&rootfh, "escf2", &f, &a), 0);
	CHECK_EQ(a.type, KRPC_LNK);
	struct stat sb;
	CHECK(stat("/etc/passwd", &sb) == 0 && sb.st_nlink == 1);
}

static void test_create_io(void)
{
	struct krpc_sfh f, g, h;
	struct krpc_pattr pa;
	struct krpc_wcc w;
	struct krpc_attr a;
	uint8_t v1[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, v2[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
	char buf[64];
	uint32_t n, c;
	bool eof;

	CHECK_EQ(mkfile(&rootfh, "f", 0640, &root, &f), 0);
	CHECK_EQ(ops->getattr(st, &f, &a), 0);
	CHECK_EQ(a.mode, 0640);
	CHECK_EQ(a.type, KRPC_REG);
	CHECK_EQ(put(&f, "hello world", KRPC_UNSTABLE), 11);
	/* UNCHECKED on an existing file: same file, size 0 applied. */
	struct krpc_sattr sz = { .set_size = true, .size = 0 };
	CHECK_EQ(ops->create(st, &root, &rootfh, N("f"), KRPC_UNCHECKED, &sz, NULL, &g, &pa, &w), 0);
	CHECK(g.len == f.len && memcmp(g.data, f.data, f.len) == 0);
	CHECK(pa.valid && pa.a.size == 0);
	CHECK_EQ(ops->create(st, &root, &rootfh, N("f"), KRPC_GUARDED, NULL, NULL, &g, &pa, &w), -EEXIST);
	/* Exclusive: a retry with the same verifier gets the same file. */
	CHECK_EQ(ops->create(st, &root, &rootfh, N("x"), KRPC_EXCLUSIVE, NULL, v1, &g, &pa, &w), 0);
	CHECK_EQ(ops->create(st, &root, &rootfh, N("x"), KRPC_EXCLUSIVE, NULL, v1, &h, &pa, &w), 0);
	CHECK(g.len == h.len && memcmp(g.data, h.data, g.len) == 0);
	CHECK_EQ(ops->create(st, &root, &rootfh, N("x"), KRPC_EXCLUSIVE, NULL, v2, &h, &pa, &w), -EEXIST);
	CHECK(w.pre_valid && w.post.valid);

	/* Stabilities: what was asked is what was reached. */
	for (uint32_t s = KRPC_UNSTABLE; s <= KRPC_FILE_SYNC; s++) {
		CHECK_EQ(ops->write(st, &root, &f, 0, "0123456789", 10, s, &n, &c, &w), 0);
		CHECK_EQ(n, 10);
		CHECK_EQ(c, s);
		CHECK(w.pre_valid && w.post.valid && w.post.a.size == 10);
	}
	CHECK_EQ(ops->write(st, &root, &f, 10, "abc", 3, KRPC_UNSTABLE, &n, &c, &w), 0);
	CHECK_EQ(w.pre_size, 10);
	CHECK_EQ(w.post.a.size, 13);
	CHECK_EQ(ops->commit(st, &root, &f, 0, 0, &w), 0);
	CHECK(w.post.valid);
	CHECK_EQ(ops->read(st, &root, &f, 0, 5, 0, buf, &n, &eof, &pa), 0);
	CHECK(n == 5 && !eof && memcmp(buf, "01234", 5) == 0);
	CHECK_EQ(ops->read(st, &root, &f, 5, 8, 0, buf, &n, &eof, &pa), 0);
	CHECK(n == 8 && eof && memcmp(buf, "56789abc", 8) == 0);
	CHECK_EQ(ops->read(st, &root, &f, 5, 60, 0, buf, &n, &eof, &pa), 0);
	CHECK(n == 8 && eof);
	CHECK_EQ(ops->read(st, &root, &f, 100, 60, 0, buf, &n, &eof, &pa), 0);
	CHECK(n == 0 && eof);
	/* just written, so in the page cache: a NOWAIT read (event loop) gets it */
	CHECK_EQ(ops->read(st, &root, &f, 5, 8, KRPC_IO_NOWAIT, buf, &n, &eof, &pa), 0);
	CHECK(n == 8 && eof && memcmp(buf, "56789abc", 8) == 0);
	CHECK_EQ(ops->read(st, &root, &rootfh, 0, 8, 0, buf, &n, &eof, &pa), -EISDIR);
	CHECK_EQ(ops->write(st, &root, &rootfh, 0, "x", 1, 0, &n, &c, &w), -EISDIR);
	CHECK_EQ(ops->commit(st, &root, &rootfh, 0, 0, &w), -EISDIR);
}

static void test_setattr(void)
{
	struct krpc_sfh f;
	struct krpc_attr a;
	struct krpc_wcc w;
	struct krpc_time guard;

	CHECK_EQ(lookup(&rootfh, "f", &f, &a), 0);
	guard = a.ctime;
	struct krpc_sattr sa = { .set_mode = true, .mode = 0604, .set_size = true, .size = 3,
				 .set_uid = true, .uid = 123, .set_gid = true, .gid = 456,
				 .atime_how = KRPC_TIME_CLIENT, .atime = { 1000, 5 },
				 .mtime_how = KRPC_TIME_CLIENT, .mtime = { 2000, 7 } };
	CHECK_EQ(ops->setattr(st, &root, &f, &sa, &guard, &w), 0);
	CHECK(w.pre_valid && w.post.valid);
	CHECK_EQ(w.pre_size, 13);
	CHECK_EQ(w.post.a.size, 3);
	CHECK_EQ(w.post.a.mode, 0604);
	CHECK_EQ(w.post.a.uid, 123);
	CHECK_EQ(w.post.a.gid, 456);
	CHECK_EQ(w.post.a.atime.sec, 1000);
	CHECK_EQ(w.post.a.mtime.sec, 2000);
	CHECK_EQ(w.post.a.mtime.nsec, 7);
	/* The old ctime no longer matches: nothing changes. */
	struct krpc_sattr m = { .set_mode = true, .mode = 0600 };
	CHECK_EQ(ops->setattr(st, &root, &f, &m, &guard, &w), -KRPC_ENOT_SYNC);
	CHECK_EQ(w.post.a.mode, 0604);
	struct krpc_sattr now = { .mtime_how = KRPC_TIME_SERVER };
	CHECK_EQ(ops->setattr(st, &root, &f, &now, NULL, &w), 0);
	CHECK(w.post.a.mtime.sec > 2000);
	struct krpc_sattr dsz = { .set_size = true, .size = 0 };
	CHECK_EQ(ops->setattr(st, &root, &rootfh, &dsz, NULL, &w), -EISDIR);
	CHECK(w.pre_valid && w.post.valid);
}

static void test_namespace(void)
{
	struct krpc_sfh d, f, g, n;
	struct krpc_attr a;
	struct krpc_pattr pa;
	struct krpc_wcc w, w2;

	CHECK_EQ(lookup(&rootfh, "d", &d, NULL), 0);
	CHECK_EQ(mkfile(&d, "m", 0644, &root, &f), 0);
	CHECK_EQ(ops->rename(st, &root, &d, N("m"), &rootfh, N("moved"), &w, &w2), 0);
	CHECK(w.pre_valid && w.post.valid && w2.pre_valid && w2.post.valid);
	CHECK_EQ(lookup(&rootfh, "moved", &g, &a), 0);
	CHECK(g.len == f.len && memcmp(g.data, f.data, f.len) == 0);	/* rename keeps it */
	CHECK_EQ(ops->link(st, &root, &f, &d, N("hard"), &pa, &w), 0);
	CHECK(pa.valid && pa.a.nlink == 2);
	CHECK_EQ(ops->link(st, &root, &d, &rootfh, N("dlink"), &pa, &w), -EISDIR);
	CHECK_EQ(ops->remove(st, &root, &rootfh, N("moved"), &w), 0);
	CHECK_EQ(ops->getattr(st, &f, &a), 0);	/* one link left */
	CHECK_EQ(a.nlink, 1);
	CHECK_EQ(ops->remove(st, &root, &d, N("hard"), &w), 0);
	CHECK_EQ(ops->getattr(st, &f, &a), -ESTALE);
	CHECK_EQ(ops->remove(st, &root, &rootfh, N("d"), &w), -EISDIR);
	CHECK_EQ(ops->rmdir(st, &root, &rootfh, N("d"), &w), -ENOTEMPTY);
	CHECK_EQ(ops->rmdir(st, &root, &rootfh, N("f"), &w), -ENOTDIR);
	CHECK_EQ(ops->remove(st, &root, &rootfh, N("nope"), &w), -ENOENT);
	CHECK_EQ(ops->mknod(st, &root, &d, N("fifo"), KRPC_FIFO, NULL, 0, 0, &n, &pa, &w), 0);
	CHECK(pa.valid && pa.a.type == KRPC_FIFO);
	CHECK_EQ(ops->mknod(st, &root, &d, N("sock"), KRPC_SOCK, NULL, 0, 0, &n, &pa, &w), 0);
	CHECK(pa.valid && pa.a.type == KRPC_SOCK);
	CHECK_EQ(ops->mknod(st, &root, &d, N("null"), KRPC_CHR, NULL, 1, 3, &n, &pa, &w), 0);
	CHECK(pa.valid && pa.a.type == KRPC_CHR && pa.a.rdev_major == 1 && pa.a.rdev_minor == 3);
	char buf[4];
	uint32_t cnt;
	bool eof;
	CHECK_EQ(ops->read(st, &root, &n, 0, 4, 0, buf, &cnt, &eof, &pa), -EINVAL);	/* not the device */
	CHECK_EQ(ops->mknod(st, &root, &d, N("reg"), KRPC_REG, NULL, 0, 0, &n, &pa, &w), -KRPC_EBADTYPE);
	CHECK_EQ(ops->mknod(st, &user, &d, N("null2"), KRPC_CHR, NULL, 1, 3, &n, &pa, &w), -EACCES);
	struct krpc_fsstat fs;
	CHECK_EQ(ops->fsstat(st, &root, &rootfh, &fs, &pa), 0);
	CHECK(fs.tbytes > 0 && fs.tbytes >= fs.fbytes && fs.fbytes >= fs.abytes && fs.tfiles > 0);
	struct krpc_fsinfo fi;
	CHECK_EQ(ops->fsinfo(st, &rootfh, &fi, &pa), 0);
	CHECK_EQ(fi.properties, 27);
	CHECK_EQ(fi.time_delta.nsec, 1);
	struct krpc_pathconf pc;
	CHECK_EQ(ops->pathconf(st, &rootfh, &pc, &pa), 0);
	CHECK(pc.linkmax > 1 && pc.name_max == 255 && pc.no_trunc && pc.case_preserving);
}

static void test_perms(void)
{
	struct krpc_sfh sec, pub, mine, f;
	struct krpc_pattr pa;
	struct krpc_wcc w;
	char buf[8];
	uint32_t n, c, g;
	int err;
	bool eof;

	CHECK_EQ(mkfile(&rootfh, "secret", 0600, &root, &sec), 0);
	CHECK_EQ(mkfile(&rootfh, "public", 0644, &root, &pub), 0);
	CHECK_EQ(put(&sec, "s3cret", KRPC_UNSTABLE), 6);
	CHECK_EQ(put(&pub, "hello", KRPC_UNSTABLE), 5);
	CHECK_EQ(ops->read(st, &user, &sec, 0, 8, 0, buf, &n, &eof, &pa), -EACCES);
	CHECK_EQ(ops->read(st, &user, &pub, 0, 8, 0, buf, &n, &eof, &pa), 0);
	CHECK_EQ(n, 5);
	CHECK_EQ(ops->write(st, &user, &pub, 0, "x", 1, 0, &n, &c, &w), -EACCES);
	CHECK_EQ(mkfile(&rootfh, "nope", 0644, &user, &f), -EACCES);	/* root's 0755 dir */
	CHECK_EQ(ops->remove(st, &user, &rootfh, N("public"), &w), -EACCES);
	CHECK_EQ(ops->access(st, &user, &sec, 0x3f, &g, &pa), 0);
	CHECK_EQ(g, 0);
	CHECK_EQ(ops->access(st, &user, &pub, 0x3f, &g, &pa), 0);
	CHECK_EQ(g, KRPC_ACCESS_READ);
	CHECK_EQ(ops->access(st, &user, &rootfh, 0x3f, &g, &pa), 0);
	CHECK_EQ(g, KRPC_ACCESS_READ | KRPC_ACCESS_LOOKUP);
	CHECK_EQ(ops->access(st, &root, &rootfh, 0x3f, &g, &pa), 0);
	CHECK_EQ(g, 0x1f);	/* no EXECUTE for a directory */

	/* A directory of the user's: what it creates is its own, and a
	 * file it made read-only stays writable to it (owner override). */
	struct krpc_sattr own = { .set_uid = true, .uid = 65000, .set_gid = true, .gid = 65000 };
	struct krpc_sfh ud;
	CHECK_EQ(ops->mkdir(st, &root, &rootfh, N("u"), &own, &ud, &pa, &w), 0);
	CHECK_EQ(pa.a.uid, 65000);
	CHECK_EQ(mkfile(&ud, "ro", 0444, &user, &mine), 0);
	CHECK_EQ(ops->getattr(st, &mine, &pa.a), 0);
	CHECK_EQ(pa.a.uid, 65000);
	CHECK_EQ(pa.a.gid, 65000);
	CHECK_EQ(pa.a.mode, 0444);
	CHECK_EQ(ops->write(st, &user, &mine, 0, "mine", 4, 0, &n, &c, &w), 0);
	CHECK_EQ(n, 4);
	CHECK_EQ(ops->access(st, &user, &mine, KRPC_ACCESS_MODIFY, &g, &pa), 0);
	CHECK_EQ(g, 0);	/* ACCESS stays the mode bits' answer, as nfsd's */
	struct krpc_sattr chown_root = { .set_uid = true, .uid = 0 };
	CHECK_EQ(ops->setattr(st, &user, &mine, &chown_root, NULL, &w), -EPERM);
	CHECK_EQ(ops->link(st, &user, &sec, &ud, N("stolen"), &pa, &w), -EPERM);	/* protected_hardlinks */

	/* A root-only directory: no lookup, no listing, no MNT inside. */
	struct krpc_sattr priv = { .set_mode = true, .mode = 0700 };
	struct krpc_sfh pd;
	uint8_t verf[8] = { 0 };
	CHECK_EQ(ops->mkdir(st, &root, &rootfh, N("priv"), &priv, &pd, &pa, &w), 0);
	CHECK_EQ(mkfile(&pd, "in", 0644, &root, &f), 0);
	CHECK_EQ(ops->lookup(st, &user, &pd, N("in"), 0, &f, &pa, NULL), -EACCES);
	CHECK_EQ(lookup(&pd, "in", &f, NULL), 0);	/* root: "in" in the dentry cache */
	err = ops->lookup(st, &user, &pd, N("in"), KRPC_IO_NOWAIT, &f, &pa, NULL);
	CHECK(err == -EACCES || err == -EAGAIN);
	CHECK_EQ(ops->readdir(st, &user, &pd, 0, verf, false, NULL, NULL, &eof, &pa), -EACCES);
	CHECK_EQ(ops->root(st, &user, "priv", &f), 0);		/* the directory itself */
	CHECK_EQ(ops->root(st, &user, "priv/x", &f), -EACCES);
}

/* The caller's access kept with the cached descriptor: a READ of a file
 * at rest asks the kernel once per caller, and any change of the file's
 * permissions behind the store's back (a chmod here, which sets ctime)
 * is seen by the very next READ; a grant to root is not one to the user. */
static void test_grants(void)
{
	struct krpc_sfh g;
	struct krpc_pattr pa;
	char buf[8], path[160];
	uint32_t n;
	uint64_t before;
	bool eof;

	CHECK_EQ(mkfile(&rootfh, "granted", 0644, &root, &g), 0);
	CHECK_EQ(put(&g, "grant", KRPC_UNSTABLE), 5);
	usleep(120 * 1000);	/* its ctime settles (50 ms with nanoseconds) */
	before = st->io_checks;
	for (int i = 0; i < 20; i++)
		CHECK_EQ(ops->read(st, &user, &g, 0, 8, 0, buf, &n, &eof, &pa), 0);
	CHECK_EQ(st->io_checks - before, 1);	/* asked once, then granted */
	snprintf(path, sizeof(path), "%s/granted", exp_path);
	CHECK_EQ(krpc__sl_become_root(), 0);	/* the store left the thread as the user */
	CHECK_EQ(chmod(path, 0600), 0);
	CHECK_EQ(ops->read(st, &user, &g, 0, 8, 0, buf, &n, &eof, &pa), -EACCES);
	CHECK_EQ(ops->read(st, &root, &g, 0, 8, 0, buf, &n, &eof, &pa), 0);
	usleep(120 * 1000);
	CHECK_EQ(ops->read(st, &root, &g, 0, 8, 0, buf, &n, &eof, &pa), 0);	/* root's grant */
	CHECK_EQ(ops->read(st, &user, &g, 0, 8, 0, buf, &n, &eof, &pa), -EACCES);
	CHECK_EQ(krpc__sl_become_root(), 0);
	CHECK_EQ(chmod(path, 0644), 0);
	CHECK_EQ(ops->read(st, &user, &g, 0, 8, 0, buf, &n, &eof, &pa), 0);
	/* A fresh ctime is not trusted: right after the chmod every READ asks. */
	before = st->io_checks;
	CHECK_EQ(ops->read(st, &user, &g, 0, 8, 0, buf, &n, &eof, &pa), 0);
	CHECK_EQ(st->io_checks - before, 1);
}

/* Two threads, two identities, at once: neither leaks into the other. */
static void *as_user(void *arg)
{
	struct krpc_sfh *sec = arg;
	struct krpc_pattr pa;
	char buf[8];
	uint32_t n;
	bool eof;
	long bad = 0;

	for (int i = 0; i < 2000; i++)
		if (ops->read(st, &user, sec, 0, 8, 0, buf, &n, &eof, &pa) != -EACCES)
			bad++;
	return (void *)bad;
}

static void test_threads(void)
{
	struct krpc_sfh sec;
	struct krpc_pattr pa;
	pthread_t t;
	char buf[8];
	uint32_t n;
	bool eof;
	long bad = 0;
	void *r;

	CHECK_EQ(lookup(&rootfh, "secret", &sec, NULL), 0);
	pthread_create(&t, NULL, as_user, &sec);
	for (int i = 0; i < 2000; i++)
		if (ops->read(st, &root, &sec, 0, 8, 0, buf, &n, &eof, &pa) != 0 || n != 6)
			bad++;
	pthread_join(t, &r);
	CHECK_EQ(bad, 0);
	CHECK_EQ((long)r, 0);
}

struct seen {
	int count[400];
	int keep_stop;
	int taken;
	uint64_t last;
};

static int seen_cb(void *arg, const struct krpc_dirent *e)
{
	struct seen *s = arg;
	int i;

	if (s->keep_stop && s->taken == s->keep_stop)
		return 1;
	s->taken++;
	s->last = e->cookie;
	if (e->namelen > 5 && memcmp(e->name, "keep-", 5) == 0 && (i = atoi(e->name + 5)) < 400)
		s->count[i]++;
	return 0;
}

/* 300 entries read 7 at a time, once still and once while entries come
 * and go between calls: every entry that stays is seen exactly once. */
static void test_readdir(bool plus, bool churn)
{
	struct krpc_sfh d, f;
	struct krpc_pattr pa;
	struct krpc_wcc w;
	struct seen s = { .keep_stop = 7 };
	uint8_t verf[8] = { 0 };
	uint64_t cookie = 0;
	bool eof = false;
	char name[32];
	int calls = 0, err;

	snprintf(name, sizeof(name), "rd%d%d", plus, churn);
	CHECK_EQ(ops->mkdir(st, &root, &rootfh, N(name), NULL, &d, &pa, &w), 0);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "keep-%d", i);
		CHECK_EQ(mkfile(&d, name, 0644, &root, &f), 0);
	}
	while (!eof && calls < 1000) {
		s.taken = 0;
		err = ops->readdir(st, &root, &d, cookie, verf, plus, seen_cb, &s, &eof, &pa);
		CHECK_EQ(err, 0);
		if (err)
			break;
		cookie = s.last;
		calls++;
		if (churn) {
			snprintf(name, sizeof(name), "tmp-%d", calls);
			CHECK_EQ(mkfile(&d, name, 0644, &root, &f), 0);
			if (calls > 3) {
				snprintf(name, sizeof(name), "tmp-%d", calls - 3);
				CHECK_EQ(ops->remove(st, &root, &d, N(name), &w), 0);
			}
		}
	}
	int bad = 0;
	for (int i = 0; i < 300; i++)
		bad += s.count[i] != 1;
	CHECK_EQ(bad, 0);
	CHECK(calls > 40);
	/* A verifier of another directory generation: bad cookie. */
	uint8_t other[8] = { 1 };
	CHECK_EQ(ops->readdir(st, &root, &d, cookie, other, plus, seen_cb, &s, &eof, &pa),
		 -KRPC_EBAD_COOKIE);
}

static int plus_cb(void *arg, const struct krpc_dirent *e)
{
	int *n = arg;

	if (e->namelen == 2 && memcmp(e->name, "..", 2) == 0)
		n[0] += e->fh_valid && e->attr.valid && e->attr.a.type == KRPC_DIR;
	if (e->namelen == 3 && memcmp(e->name, "esc", 3) == 0)
		n[1] += e->fh_valid && e->attr.valid && e->attr.a.type == KRPC_LNK;
	if (e->namelen == 3 && memcmp(e->name, "mnt", 3) == 0)
		n[2] += !e->fh_valid;
	return 0;
}

static void test_mount_point(void)
{
	struct krpc_sfh d, fh;
	struct krpc_pattr pa;
	struct krpc_wcc w;
	char path[160];
	uint8_t verf[8];
	bool eof;
	int n[3] = { 0, 0, 0 };

	CHECK_EQ(ops->mkdir(st, &root, &rootfh, N("mnt"), NULL, &d, &pa, &w), 0);
	snprintf(path, sizeof(path), "%s/mnt", exp_path);
	if (mount("ksf-test", path, "tmpfs", 0, "size=64k") < 0) {
		printf("mount point: SKIP (mount: %s)\n", strerror(errno));
		return;
	}
	CHECK_EQ(lookup(&rootfh, "mnt", &fh, NULL), -EXDEV);
	CHECK_EQ(ops->root(st, &root, "mnt", &fh), -EACCES);
	CHECK_EQ(ops->readdir(st, &root, &rootfh, 0, verf, true, plus_cb, n, &eof, &pa), 0);
	CHECK(eof);
	CHECK_EQ(n[0], 1);
	CHECK_EQ(n[1], 1);
	CHECK_EQ(n[2], 1);
	umount2(path, MNT_DETACH);
}

/* The same handle bytes name the same object after the store reopens;
 * and the store trusts its handles: one made outside the export (which
 * the MAC of krpc's NFS handles keeps from clients) still resolves. */
static void test_reopen_and_trust(void)
{
	struct krpc_sfh f;
	struct krpc_attr a, b;
	char path[128];

	struct krpc_sfh lnk;
	char tgt[16];
	uint32_t len;
	struct krpc_pattr lpa;
	CHECK_EQ(lookup(&rootfh, "esc", &lnk, NULL), 0);
	CHECK_EQ(lookup(&rootfh, "public", &f, &a), 0);
	ops->close(st);
	CHECK_EQ(ops->open(&st, exp_path, 0), 0);
	CHECK_EQ(ops->getattr(st, &f, &b), 0);
	CHECK_EQ(a.fileid, b.fileid);
	CHECK_EQ(ops->readlink(st, &user, &lnk, tgt, sizeof(tgt), &len, &lpa), 0);
	CHECK(len == 4 && memcmp(tgt, "/etc", 4) == 0);
	CHECK_EQ(ops->root(st, &root, "", &f), 0);
	CHECK(f.len == rootfh.len && memcmp(f.data, rootfh.data, f.len) == 0);

	struct { struct file_handle h; char b[128]; } k;
	struct stat sb;
	int mnt;
	snprintf(path, sizeof(path), "%s/outside", top);
	k.h.handle_bytes = 128;
	CHECK_EQ(name_to_handle_at(AT_FDCWD, path, &k.h, &mnt, 0), 0);
	CHECK(stat(path, &sb) == 0);
	f.len = (uint8_t)(1 + k.h.handle_bytes);
	f.data[0] = (uint8_t)k.h.handle_type;
	memcpy(f.data + 1, k.h.f_handle, k.h.handle_bytes);
	CHECK_EQ(ops->getattr(st, &f, &b), 0);
	CHECK_EQ(b.fileid, sb.st_ino);
	f.data[1] ^= 0x55;	/* an inode that is not there */
	CHECK(ops->getattr(st, &f, &b) < 0);
	f.len = 1;
	CHECK_EQ(ops->getattr(st, &f, &b), -KRPC_EBADHANDLE);

	/* Read-only: every change refused, queries answered. */
	struct krpc_store *ro;
	struct krpc_wcc w;
	struct krpc_pattr pa;
	uint32_t g;
	CHECK_EQ(ops->open(&ro, exp_path, KRPC_STORE_RO), 0);
	CHECK_EQ(ops->remove(ro, &root, &rootfh, N("public"), &w), -EROFS);
	CHECK_EQ(ops->access(ro, &root, &rootfh, 0x3f, &g, &pa), 0);
	CHECK_EQ(g, KRPC_ACCESS_READ | KRPC_ACCESS_LOOKUP);
	ops->close(ro);
	CHECK_EQ(ops->open(&ro, "relative", 0), -EINVAL);
	CHECK_EQ(ops->open(&ro, "/nonexistent-ksf", 0), -ENOENT);
}

/* Without CAP_DAC_READ_SEARCH no handle opens: open says -EPERM (in a
 * child that drops the capability). */
static void test_no_cap(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct c[2];
	struct krpc_store *s2;
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		if (syscall(SYS_capget, &h, c) < 0)
			_exit(2);
		c[0].effective &= ~(1u << CAP_DAC_READ_SEARCH);
		c[0].permitted &= ~(1u << CAP_DAC_READ_SEARCH);
		if (syscall(SYS_capset, &h, c) < 0)
			_exit(3);
		_exit(ops->open(&s2, exp_path, 0) == -EPERM ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
}

/* Two threads getattr over more handles than the cache holds: every
 * answer is the object asked about. */
static struct krpc_sfh many[600];
static uint64_t many_ino[600];

static void *getattr_loop(void *arg)
{
	struct krpc_attr a;
	unsigned seed = (unsigned)(uintptr_t)arg;
	long bad = 0;

	for (int i = 0; i < 5000; i++) {
		int k = (int)(rand_r(&seed) % 600);

		if (ops->getattr(st, &many[k], &a) != 0 || a.fileid != many_ino[k])
			bad++;
	}
	return (void *)bad;
}

static void test_cache_threads(void)
{
	pthread_t t;
	void *r1, *r2;

	pthread_create(&t, NULL, getattr_loop, (void *)1);
	r1 = getattr_loop((void *)2);
	pthread_join(t, &r2);
	CHECK_EQ((long)r1, 0);
	CHECK_EQ((long)r2, 0);
}

/* Whether fh's descriptor is cached: an event loop's READ (NOWAIT)
 * finds it. */
static bool cached(const struct krpc_sfh *fh)
{
	struct krpc_io io;

	if (ops->io_get(st, &root, fh, KRPC_IO_RD, KRPC_IO_NOWAIT, &io) != 0)
		return false;
	ops->io_put(st, &io, NULL);
	return true;
}

/* Four files whose handles hash to one set stay cached while they are
 * used in turn (a direct-mapped cache evicted one with the other at every
 * use, sending every READ to a helper); with SL_CACHE_WAYS files in the
 * set, one more replaces the least recently used. */
static void test_cache_sets(void)
{
	enum { TURN = 4, N = TURN > SL_CACHE_WAYS ? TURN : SL_CACHE_WAYS };
	struct krpc_attr a;
	int in_set[N + 1], n = 0, count[SL_CACHE_SETS] = { 0 };
	unsigned set = 0;

	for (int k = 0; k < 600; k++)	/* the fullest set */
		if (++count[krpc__sl_cache_set(&many[k])] > count[set])
			set = krpc__sl_cache_set(&many[k]);
	for (int k = 0; k < 600 && n <= N; k++)
		if (krpc__sl_cache_set(&many[k]) == set)
			in_set[n++] = k;
	CHECK_EQ(n, N + 1);	/* 600 names over the sets */
	if (n <= N)
		return;
	for (int i = 0; i < TURN; i++)
		CHECK_EQ(ops->getattr(st, &many[in_set[i]], &a), 0);
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < TURN; i++)
			CHECK(cached(&many[in_set[i]]));
	for (int i = TURN; i < (int)SL_CACHE_WAYS; i++)
		CHECK_EQ(ops->getattr(st, &many[in_set[i]], &a), 0);
	CHECK_EQ(ops->getattr(st, &many[in_set[SL_CACHE_WAYS]], &a), 0);
	CHECK(!cached(&many[in_set[0]]));	/* the least recently used */
	for (int i = 1; i <= (int)SL_CACHE_WAYS; i++)
		CHECK(cached(&many[in_set[i]]));
}

/* GETATTR is "cheap" (store.h): print what it costs, with the fd cache
 * hit, and with a cache miss on every call (open_by_handle_at). */
static void bench_getattr(void)
{
	struct krpc_sfh fh[600], d;
	struct krpc_attr a;
	struct krpc_pattr pa;
	struct krpc_wcc w;
	char name[32];
	const int iters = 5000;
	double t;
	uint32_t g;

	CHECK_EQ(ops->mkdir(st, &root, &rootfh, N("many"), NULL, &d, &pa, &w), 0);
	for (int i = 0; i < 600; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		CHECK_EQ(mkfile(&d, name, 0644, &root, &fh[i]), 0);
		many[i] = fh[i];
		CHECK_EQ(ops->getattr(st, &fh[i], &a), 0);
		many_ino[i] = a.fileid;
	}
	CHECK_EQ(ops->getattr(st, &fh[0], &a), 0);
	struct statx x;
	char path[160];
	snprintf(path, sizeof(path), "%s/many/f0", exp_path);
	t = now_ns();
	for (int i = 0; i < iters; i++)
		statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &x);
	printf("statx(2) of the path:     %6.0f ns/call (for scale)\n", (now_ns() - t) / iters);
	t = now_ns();
	for (int i = 0; i < iters; i++)
		ops->getattr(st, &fh[0], &a);
	printf("getattr, cached fd:       %6.0f ns/call\n", (now_ns() - t) / iters);
	t = now_ns();
	for (int i = 0; i < iters; i++)
		ops->getattr(st, &fh[i % 600], &a);
	printf("getattr, 600 handles:     %6.0f ns/call (256 cached fds)\n", (now_ns() - t) / iters);
	t = now_ns();
	for (int i = 0; i < iters; i++)
		ops->access(st, &user, &fh[0], 0x3f, &g, &pa);
	printf("access as uid 65000:      %6.0f ns/call\n", (now_ns() - t) / iters);
	t = now_ns();
	for (int i = 0; i < iters; i++)
		ops->access(st, i & 1 ? &user : &root, &fh[0], 0x3f, &g, &pa);
	printf("access, alternating uids: %6.0f ns/call\n", (now_ns() - t) / iters);
	char buf[4096];
	uint32_t n;
	bool eof;
	t = now_ns();
	for (int i = 0; i < iters / 4; i++)
		ops->read(st, &user, &fh[0], 0, sizeof(buf), 0, buf, &n, &eof, &pa);
	printf("read 4 KiB as uid 65000:  %6.0f ns/call\n", (now_ns() - t) / (iters / 4));
}

int main(void)
{
	char cmd[128], path[128];
	int fd, err;

	if (geteuid() != 0) {
		printf("SKIP: the local store needs root (CAP_DAC_READ_SEARCH, setfsuid)\n");
		return 77;
	}
	strcpy(top, "/tmp/ksf-store.XXXXXX");
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(exp_path, sizeof(exp_path), "%s/export", top);
	snprintf(path, sizeof(path), "%s/outside", top);
	mkdir(exp_path, 0755);
	chmod(top, 0755);
	if ((fd = open(path, O_CREAT | O_WRONLY, 0600)) >= 0)
		close(fd);
	umask(022);
	if ((err = ops->open(&st, exp_path, 0)) < 0) {
		printf("SKIP: store open: %s\n", strerror(-err));
		return 77;
	}
	CHECK_EQ(ops->root(st, &root, "", &rootfh), 0);
	test_names();
	test_root_and_dots();
	test_symlinks();
	test_create_io();
	test_setattr();
	test_namespace();
	test_perms();
	test_threads();
	test_readdir(false, false);
	test_readdir(true, false);
	test_readdir(false, true);
	test_readdir(true, true);
	test_mount_point();
	test_reopen_and_trust();
	test_no_cap();
	bench_getattr();
	test_cache_threads();
	test_cache_sets();
	test_grants();
	ops->close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", top);
	return CHECK_DONE();
}
