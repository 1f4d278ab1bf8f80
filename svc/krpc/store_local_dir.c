// SPDX-License-Identifier: BSD-2-Clause
/*
 * The local store's READDIR and READDIRPLUS (RFC 1813 §3.3.16, §3.3.17).
 *
 * Cookies are the file system's own directory positions: each entry's
 * cookie is the d_off getdents64(2) gives it, and a call resumes with
 * lseek(cookie) on a directory descriptor opened for that call (as the
 * caller: read permission is the kernel's check). Those positions stay
 * valid while the directory changes on the file systems an export sits
 * on: ext4 hashes names (d_off is the hash of the next name, the listing
 * is in hash order), tmpfs since Linux 6.6 gives every name a stable
 * offset, and a linear ext2/ext4 directory keeps byte offsets that
 * deletions do not move. So between two calls an entry that existed
 * throughout is listed exactly once, and one created or removed in
 * between is listed at most once; no state is kept between calls.
 *
 * The cookie verifier: since cookies are positions that outlive krpc,
 * the verifier is constant per export file system (its f_fsid with a tag,
 * store_local.c), the same across restarts; a cookie != 0 with another
 * verifier is -KRPC_EBAD_COOKIE.
 *
 * "." and ".." are listed as the file system lists them; ".." of the
 * export root is the root (its fileid and, for READDIRPLUS, its handle).
 * READDIRPLUS adds each entry's handle and attributes by name relative to
 * the directory; an entry removed since getdents is skipped, a mount
 * point is listed without handle or attributes.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "store_local.h"

#define DIRBUF	16384u

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Handle and attributes of e, named in dirfd. Returns 0, or -ENOENT when
 * the entry is gone (skip it). */
static int plus_of(struct krpc_store *s, int dirfd, bool at_root, const struct krpc_attr *da,
		   struct krpc_dirent *e)
{
	int mnt, err;

	if (at_root && strcmp(e->name, "..") == 0) {
		e->fh = s->root_fh;
		e->fh_valid = true;
		e->attr = (struct krpc_pattr){ true, *da };
		return 0;
	}
	err = krpc__sl_fh_of(dirfd, e->name, &e->fh, &mnt);
	if (err == -ENOENT)
		return err;
	if (err < 0 || mnt != s->mnt_id)
		return 0;		/* listed without them */
	e->fh_valid = true;
	err = krpc__sl_stat_at(s, dirfd, e->name, &e->attr.a);
	if (err == -ENOENT)
		return err;
	e->attr.valid = err == 0;
	if (e->attr.valid)
		e->fileid = e->attr.a.fileid;
	return 0;
}

/* List from fd's current position until fn stops or the end. Returns 0
 * (eof set) or -errno. */
static int list(struct krpc_store *s, int fd, bool plus, bool at_root,
		const struct krpc_attr *da, krpc_dirent_fn fn, void *arg, bool *eof)
{
	char buf[DIRBUF] __attribute__((aligned(8)));
	struct krpc_dirent e;
	long n;

	for (;;) {
		n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		if (n == 0) {
			*eof = true;
			return 0;
		}
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);

			off += d->d_reclen;
			memset(&e, 0, sizeof(e));
			e.name = d->d_name;
			e.namelen = (uint32_t)strlen(d->d_name);
			e.fileid = d->d_ino;
			e.cookie = (uint64_t)d->d_off;
			if (at_root && strcmp(d->d_name, "..") == 0)
				e.fileid = s->root_ino;
			if (plus && plus_of(s, fd, at_root, da, &e) == -ENOENT)
				continue;
			if (fn(arg, &e) != 0)
				return 0;	/* *eof stays false */
		}
	}
}

int krpc__sl_readdir(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		     uint64_t cookie, uint8_t verf[8], bool plus, krpc_dirent_fn fn, void *arg,
		     bool *eof, struct krpc_pattr *dir_attr)
{
	struct krpc_attr da;
	struct sl_obj d;
	int fd, err;

	*eof = false;
	if ((err = krpc__sl_hold(s, dir, &d, &da)) < 0)
		return err;
	if (dir_attr)
		*dir_attr = (struct krpc_pattr){ true, da };
	if (da.type != KRPC_DIR) {
		err = -ENOTDIR;
		goto out;
	}
	if (cookie != 0 && memcmp(verf, s->cookieverf, 8) != 0) {
		err = -KRPC_EBAD_COOKIE;
		goto out;
	}
	memcpy(verf, s->cookieverf, 8);
	if ((err = krpc__sl_become(cr)) < 0)
		goto out;
	if ((fd = krpc__sl_reopen(d.fd, O_RDONLY | O_DIRECTORY, cr, NULL)) < 0) {
		err = fd;
		goto out;
	}
	if (cookie > INT64_MAX || lseek(fd, (off_t)cookie, SEEK_SET) < 0)
		err = -KRPC_EBAD_COOKIE;
	else
		err = list(s, fd, plus, krpc__sl_is_root_attr(s, &da), &da, fn, arg, eof);
	close(fd);
out:
	krpc__sl_obj_put(s, &d);
	return err;
}
