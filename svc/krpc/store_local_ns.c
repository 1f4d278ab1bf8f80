// SPDX-License-Identifier: BSD-2-Clause
/*
 * The local store's name space: LOOKUP and the operations that add,
 * remove or move names (RFC 1813 §3.3.3, §3.3.8-§3.3.15).
 *
 * Every name is one checked component used with a *at() call on a
 * descriptor decoded from a handle, as the caller (the kernel checks
 * search and write permission on the directory): no path is ever built
 * from client input, no symlink is followed (a symlink is an object like
 * any other: LOOKUP returns it, CREATE over one fails with EEXIST), and
 * a mount point inside the export is not crossed (LOOKUP answers -EXDEV,
 * NFS3ERR_XDEV). ".." of the export root is the root itself. LOOKUP with
 * KRPC_IO_NOWAIT (on an event loop) holds only a cached directory and
 * opens the name with RESOLVE_CACHED (store_local_nsio.c): -EAGAIN rather
 * than read the disk.
 *
 * New objects belong to the caller (fsuid/fsgid) and get the mode the
 * client asked for, else 0644 (files, nodes) or 0755 (directories); the
 * process umask is undone by a chmod when it cut the asked mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "store_local.h"

/* Start a change in directory dirfh: hold it, its pre-operation
 * attributes into wcc, checks, then become the caller. On error nothing
 * is held (wcc is filled as far as it could be). */
static int dir_begin(struct krpc_store *s, const struct krpc_cred *cr,
		     const struct krpc_sfh *dirfh, struct sl_obj *d, struct krpc_wcc *wcc)
{
	struct krpc_attr a;
	int err;

	if ((err = krpc__sl_hold(s, dirfh, d, &a)) < 0)
		return err;
	krpc__sl_pre_of(&a, wcc);
	if (a.type != KRPC_DIR)
		err = -ENOTDIR;
	else if (s->flags & KRPC_STORE_RO)
		err = -EROFS;
	else
		err = krpc__sl_become(cr);
	if (err < 0) {
		if (wcc)
			wcc->post = (struct krpc_pattr){ true, a };
		krpc__sl_obj_put(s, d);
	}
	return err;
}

static void dir_end(struct krpc_store *s, struct sl_obj *d, struct krpc_wcc *wcc)
{
	krpc__sl_wcc_post(s, d->fd, wcc);
	krpc__sl_obj_put(s, d);
}

/* Hold dir for a lookup: with KRPC_IO_NOWAIT only a cached descriptor
 * (-EAGAIN otherwise), as dir_get. */
static int lookup_hold(struct krpc_store *s, const struct krpc_sfh *dir, unsigned flags,
		       struct sl_obj *d, struct krpc_attr *da)
{
	int err;

	if (!(flags & KRPC_IO_NOWAIT))
		return krpc__sl_hold(s, dir, d, da);
	if ((err = krpc__sl_obj_cached(s, dir, d)) < 0)
		return err;
	if ((err = krpc__sl_stat(s, d->fd, da)) < 0)
		krpc__sl_obj_put(s, d);
	return err;
}

int krpc__sl_lookup(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		    const char *name, uint32_t namelen, unsigned flags, struct krpc_sfh *out,
		    struct krpc_pattr *attr, struct krpc_pattr *dir_attr)
{
	bool nowait = flags & KRPC_IO_NOWAIT;
	char nm[KRPC_NAME_MAX + 1];
	struct krpc_attr da, a;
	struct sl_obj d;
	int fd, err;

	if ((err = krpc__sl_name(nm, name, namelen, true)) < 0)
		return err;
	if ((err = lookup_hold(s, dir, flags, &d, &da)) < 0)
		return err;
	if (dir_attr)
		*dir_attr = (struct krpc_pattr){ true, da };
	if (da.type != KRPC_DIR) {
		err = -ENOTDIR;
		goto out;
	}
	if ((err = krpc__sl_become(cr)) < 0)
		goto out;
	/* No handle names anything above the export. */
	if (strcmp(nm, "..") == 0 && krpc__sl_is_root_attr(s, &da))
		strcpy(nm, ".");
	err = nowait ? krpc__sl_open_cached(d.fd, nm, &fd) : krpc__sl_open_at(d.fd, nm, &fd);
	if (err < 0)
		goto out;
	if ((err = krpc__sl_fh_of(fd, "", out, NULL)) < 0 || (err = krpc__sl_stat(s, fd, &a)) < 0) {
		close(fd);
		goto out;
	}
	if (attr)
		*attr = (struct krpc_pattr){ true, a };
	/* The client's next call is most likely about this object. */
	if (nowait)
		krpc__sl_cache_offer_empty(s, out, fd);
	else
		krpc__sl_cache_offer(s, out, fd);
out:
	krpc__sl_obj_put(s, &d);
	return err;
}

/* What is left to apply to a new object (attributes a) made with mode:
 * the mode where the umask cut it (not a symlink's), a regular file's
 * size when not 0, the rest of sa (may be NULL) as it is. */
static struct krpc_sattr rest_of(const struct krpc_attr *a, uint32_t mode,
				 const struct krpc_sattr *sa)
{
	struct krpc_sattr rest = sa ? *sa : (struct krpc_sattr){ .set_mode = false };

	rest.set_mode = a->type != KRPC_LNK && a->mode != mode;
	rest.mode = mode;
	rest.set_size = sa && sa->set_size && sa->size != 0 && a->type == KRPC_REG;
	return rest;
}

bool krpc__sl_new_done(const struct krpc_attr *a, uint32_t mode, const struct krpc_sattr *sa)
{
	struct krpc_sattr r = rest_of(a, mode, sa);

	return !r.set_mode && !r.set_uid && !r.set_gid && !r.set_size &&
	       r.atime_how == KRPC_TIME_DONT && r.mtime_how == KRPC_TIME_DONT;
}

/* The handle and attributes of fd, a new object, and the rest of the
 * client's attributes (rest_of). */
int krpc__sl_finish_new(struct krpc_store *s, const struct krpc_cred *cr, int fd, uint32_t mode,
			const struct krpc_sattr *sa, struct krpc_sfh *out, struct krpc_pattr *attr)
{
	struct krpc_sattr rest;
	struct krpc_attr a;
	int err;

	if ((err = krpc__sl_fh_of(fd, "", out, NULL)) < 0 || (err = krpc__sl_stat(s, fd, &a)) < 0)
		return err;
	rest = rest_of(&a, mode, sa);
	if ((err = krpc__sl_apply(fd, cr, &a, &rest)) < 0)
		return err;
	krpc__sl_post(s, fd, attr);
	return 0;
}

uint32_t krpc__sl_new_mode(uint32_t type, const struct krpc_sattr *sa)
{
	if (type == KRPC_LNK)
		return 0777;
	return sa && sa->set_mode ? sa->mode & 07777 : type == KRPC_DIR ? 0755 : 0644;
}

/* sa as it applies to a new object of type, in *buf: no size for
 * anything but a file, no mode for a symlink. */
const struct krpc_sattr *krpc__sl_new_sattr(uint32_t type, const struct krpc_sattr *sa,
					    struct krpc_sattr *buf)
{
	if (!sa)
		return NULL;
	*buf = *sa;
	if (type != KRPC_REG)
		buf->set_size = false;
	if (type == KRPC_LNK)
		buf->set_mode = false;
	return buf;
}

/* CREATE found name existing (RFC 1813 §3.3.8): UNCHECKED takes a
 * regular file as it is (only a size in sa applies, as in the Linux
 * nfsd), EXCLUSIVE succeeds if it is the file an earlier try with the
 * same verifier made, everything else is -EEXIST. -EAGAIN: the name went
 * away meanwhile (create again), or with KRPC_IO_NOWAIT (flags) it is
 * not in the dentry cache or a size is to be set. */
static int create_exists(struct krpc_store *s, const struct krpc_cred *cr, int dirfd,
			 const char *nm, uint32_t how, const struct krpc_sattr *sa,
			 const uint32_t v[2], unsigned flags, struct krpc_sfh *out,
			 struct krpc_pattr *attr)
{
	bool nowait = flags & KRPC_IO_NOWAIT;
	struct krpc_attr a;
	int fd, err;

	if (how == KRPC_GUARDED)
		return -EEXIST;
	err = nowait ? krpc__sl_open_cached(dirfd, nm, &fd) : krpc__sl_open_at(dirfd, nm, &fd);
	if (err < 0)
		return err == -ENOENT ? -EAGAIN : err;
	if ((err = krpc__sl_stat(s, fd, &a)) < 0)
		goto out;
	err = -EEXIST;
	if (a.type != KRPC_REG)
		goto out;
	if (how == KRPC_EXCLUSIVE && (a.mtime.sec != v[0] || a.atime.sec != v[1] || a.size != 0))
		goto out;
	err = 0;
	if (how == KRPC_UNCHECKED && sa && sa->set_size) {
		struct krpc_sattr sz = { .set_size = true, .size = sa->size };

		err = nowait ? -EAGAIN : krpc__sl_apply(fd, cr, &a, &sz);
	}
	if (err == 0 && (err = krpc__sl_fh_of(fd, "", out, NULL)) == 0)
		krpc__sl_post(s, fd, attr);
out:
	close(fd);
	return err;
}

/* EXCLUSIVE: the verifier lives in the new file's mtime and atime
 * seconds, as the Linux nfsd keeps it (high bits clear: some clients and
 * file systems cannot take them); the client sets the real times with a
 * SETATTR afterwards (RFC 1813 §3.3.8). */
static void verf_split(const uint8_t verf[8], uint32_t v[2])
{
	memcpy(v, verf, 8);
	v[0] &= 0x7fffffffu;
	v[1] &= 0x7fffffffu;
}

int krpc__sl_create_taken(struct krpc_store *s, const struct krpc_cred *cr, int dirfd,
			  const char *nm, uint32_t how, const struct krpc_sattr *sa,
			  const uint8_t *verf, unsigned flags, struct krpc_sfh *out,
			  struct krpc_pattr *attr)
{
	uint32_t v[2] = { 0, 0 };

	if (how == KRPC_EXCLUSIVE && verf)
		verf_split(verf, v);
	return create_exists(s, cr, dirfd, nm, how, how == KRPC_EXCLUSIVE ? NULL : sa, v, flags,
			     out, attr);
}

int krpc__sl_verf_set(int fd, const uint8_t verf[8])
{
	uint32_t v[2];
	struct timespec ts[2];

	verf_split(verf, v);
	ts[0] = (struct timespec){ v[1], 0 };
	ts[1] = (struct timespec){ v[0], 0 };
	return utimensat(fd, "", ts, AT_EMPTY_PATH) < 0 ? -errno : 0;
}

int krpc__sl_create(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		    const char *name, uint32_t namelen, uint32_t how, const struct krpc_sattr *sa,
		    const uint8_t verf[8], struct krpc_sfh *out, struct krpc_pattr *attr,
		    struct krpc_wcc *dir_wcc)
{
	char nm[KRPC_NAME_MAX + 1];
	uint32_t mode = krpc__sl_new_mode(KRPC_REG, sa), v[2] = { 0, 0 };
	struct sl_obj d;
	int fd, err, tries = 0;

	if (how > KRPC_EXCLUSIVE)
		return -EINVAL;
	if ((err = krpc__sl_name(nm, name, namelen, false)) < 0)
		return err;
	if ((err = dir_begin(s, cr, dir, &d, dir_wcc)) < 0)
		return err;
	if (how == KRPC_EXCLUSIVE) {
		verf_split(verf, v);
		sa = NULL;	/* the client sends none; SETATTR follows */
	}
again:
	fd = openat(d.fd, nm, O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		err = -errno;
		if (err == -EEXIST)
			err = create_exists(s, cr, d.fd, nm, how, sa, v, 0, out, attr);
		/* Removed between our two looks: create again. */
		if (err == -EAGAIN && ++tries < 3)
			goto again;
		goto out;
	}
	if (how == KRPC_EXCLUSIVE)
		err = krpc__sl_verf_set(fd, verf);
	if (err == 0)
		err = krpc__sl_finish_new(s, cr, fd, mode, sa, out, attr);
	if (err == 0)		/* the first WRITE then finds it cached */
		krpc__sl_cache_offer(s, out, fd);
	else
		close(fd);
out:
	dir_end(s, &d, dir_wcc);
	return err == -EAGAIN ? -EEXIST : err;
}

/* What MKDIR, SYMLINK and MKNOD share once the object exists under nm. */
static int made_at(struct krpc_store *s, const struct krpc_cred *cr, int dirfd, const char *nm,
		   uint32_t mode, const struct krpc_sattr *sa, struct krpc_sfh *out,
		   struct krpc_pattr *attr)
{
	int fd, err;

	if ((err = krpc__sl_open_at(dirfd, nm, &fd)) < 0)
		return err;
	err = krpc__sl_finish_new(s, cr, fd, mode, sa, out, attr);
	if (err == 0)
		krpc__sl_cache_offer(s, out, fd);
	else
		close(fd);
	return err;
}

int krpc__sl_mkdir(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		   const char *name, uint32_t namelen, const struct krpc_sattr *sa,
		   struct krpc_sfh *out, struct krpc_pattr *attr, struct krpc_wcc *dir_wcc)
{
	char nm[KRPC_NAME_MAX + 1];
	uint32_t mode = krpc__sl_new_mode(KRPC_DIR, sa);
	struct krpc_sattr rest;
	struct sl_obj d;
	int err;

	if ((err = krpc__sl_name(nm, name, namelen, false)) < 0)
		return err;
	if ((err = dir_begin(s, cr, dir, &d, dir_wcc)) < 0)
		return err;
	if (mkdirat(d.fd, nm, mode) < 0)
		err = -errno;
	else
		err = made_at(s, cr, d.fd, nm, mode, krpc__sl_new_sattr(KRPC_DIR, sa, &rest), out,
			      attr);
	dir_end(s, &d, dir_wcc);
	return err;
}

int krpc__sl_symlink(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		     const char *name, uint32_t namelen, const char *target, uint32_t targetlen,
		     const struct krpc_sattr *sa, struct krpc_sfh *out, struct krpc_pattr *attr,
		     struct krpc_wcc *dir_wcc)
{
	char nm[KRPC_NAME_MAX + 1], tgt[KRPC_PATH_MAX + 1];
	struct krpc_sattr rest;
	struct sl_obj d;
	int err;

	if ((err = krpc__sl_name(nm, name, namelen, false)) < 0)
		return err;
	/* The target is kept byte for byte; only a NUL cannot be. */
	if (targetlen > KRPC_PATH_MAX)
		return -ENAMETOOLONG;
	if (targetlen == 0 || memchr(target, '\0', targetlen))
		return -EINVAL;
	memcpy(tgt, target, targetlen);
	tgt[targetlen] = '\0';
	if ((err = dir_begin(s, cr, dir, &d, dir_wcc)) < 0)
		return err;
	if (symlinkat(tgt, d.fd, nm) < 0)
		err = -errno;
	else
		err = made_at(s, cr, d.fd, nm, krpc__sl_new_mode(KRPC_LNK, sa),
			      krpc__sl_new_sattr(KRPC_LNK, sa, &rest), out, attr);
	dir_end(s, &d, dir_wcc);
	return err;
}

int krpc__sl_mknod(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		   const char *name, uint32_t namelen, uint32_t type, const struct krpc_sattr *sa,
		   uint32_t major, uint32_t minor, struct krpc_sfh *out, struct krpc_pattr *attr,
		   struct krpc_wcc *dir_wcc)
{
	char nm[KRPC_NAME_MAX + 1];
	uint32_t mode = krpc__sl_new_mode(KRPC_REG, sa);
	struct krpc_sattr rest;
	mode_t fmt;
	dev_t dev = 0;
	struct sl_obj d;
	int err;

	switch (type) {
	case KRPC_CHR: fmt = S_IFCHR; dev = makedev(major, minor); break;
	case KRPC_BLK: fmt = S_IFBLK; dev = makedev(major, minor); break;
	case KRPC_SOCK: fmt = S_IFSOCK; break;
	case KRPC_FIFO: fmt = S_IFIFO; break;
	default: return -KRPC_EBADTYPE;
	}
	if ((err = krpc__sl_name(nm, name, namelen, false)) < 0)
		return err;
	if ((err = dir_begin(s, cr, dir, &d, dir_wcc)) < 0)
		return err;
	if (mknodat(d.fd, nm, fmt | mode, dev) < 0)
		err = -errno;
	else
		err = made_at(s, cr, d.fd, nm, mode, krpc__sl_new_sattr(type, sa, &rest), out, attr);
	dir_end(s, &d, dir_wcc);
	return err;
}

/* unlinkat for REMOVE and RMDIR; the victim's cached descriptor goes with
 * its name, so a removed file's blocks are freed at once. */
static int unlink_name(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		       const char *name, uint32_t namelen, int flags, struct krpc_wcc *dir_wcc)
{
	char nm[KRPC_NAME_MAX + 1];
	struct krpc_sfh victim;
	struct sl_obj d;
	bool known;
	int err;

	if ((err = krpc__sl_name(nm, name, namelen, false)) < 0)
		return err;
	if ((err = dir_begin(s, cr, dir, &d, dir_wcc)) < 0)
		return err;
	known = krpc__sl_fh_of(d.fd, nm, &victim, NULL) == 0;
	/* unlinkat of a directory without AT_REMOVEDIR is EISDIR, as the
	 * Linux nfsd answers REMOVE of one; RMDIR of a non-directory is
	 * ENOTDIR. */
	if (unlinkat(d.fd, nm, flags) < 0)
		err = -errno;
	else if (known)
		krpc__sl_cache_forget(s, &victim);
	dir_end(s, &d, dir_wcc);
	return err;
}

int krpc__sl_remove(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		    const char *name, uint32_t namelen, struct krpc_wcc *dir_wcc)
{
	return unlink_name(s, cr, dir, name, namelen, 0, dir_wcc);
}

int krpc__sl_rmdir(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		   const char *name, uint32_t namelen, struct krpc_wcc *dir_wcc)
{
	return unlink_name(s, cr, dir, name, namelen, AT_REMOVEDIR, dir_wcc);
}

int krpc__sl_rename(struct krpc_store *s, const struct krpc_cred *cr,
		    const struct krpc_sfh *fdir, const char *fname, uint32_t fnamelen,
		    const struct krpc_sfh *tdir, const char *tname, uint32_t tnamelen,
		    struct krpc_wcc *fwcc, struct krpc_wcc *twcc)
{
	char fnm[KRPC_NAME_MAX + 1], tnm[KRPC_NAME_MAX + 1];
	struct krpc_sfh victim, moved;
	struct sl_obj f, t;
	bool known;
	int err;

	if ((err = krpc__sl_name(fnm, fname, fnamelen, false)) < 0 ||
	    (err = krpc__sl_name(tnm, tname, tnamelen, false)) < 0)
		return err;
	if ((err = dir_begin(s, cr, fdir, &f, fwcc)) < 0)
		return err;
	if ((err = dir_begin(s, cr, tdir, &t, twcc)) < 0) {
		dir_end(s, &f, fwcc);
		return err;
	}
	/* The name replaced (if any) loses its cached descriptor, unless it
	 * is the very object moved (two links of one file). */
	known = krpc__sl_fh_of(t.fd, tnm, &victim, NULL) == 0 &&
		!(krpc__sl_fh_of(f.fd, fnm, &moved, NULL) == 0 && moved.len == victim.len &&
		  memcmp(moved.data, victim.data, moved.len) == 0);
	if (renameat(f.fd, fnm, t.fd, tnm) < 0)
		err = -errno;
	else if (known)
		krpc__sl_cache_forget(s, &victim);
	dir_end(s, &t, twcc);
	dir_end(s, &f, fwcc);
	return err;
}

int krpc__sl_link(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		  const struct krpc_sfh *dir, const char *name, uint32_t namelen,
		  struct krpc_pattr *attr, struct krpc_wcc *dir_wcc)
{
	char nm[KRPC_NAME_MAX + 1], path[32];
	struct krpc_attr a;
	struct sl_obj o, d;
	int err;

	if ((err = krpc__sl_name(nm, name, namelen, false)) < 0)
		return err;
	if ((err = krpc__sl_hold(s, fh, &o, &a)) < 0)
		return err;
	if ((err = dir_begin(s, cr, dir, &d, dir_wcc)) < 0)
		goto out;
	/* Linux has no hard links of directories (nfsd: NFS3ERR_ISDIR).
	 * The object is named through its descriptor's /proc link, which
	 * needs no capability, unlike linkat(AT_EMPTY_PATH); the link
	 * itself is followed only to the object, never through a symlink
	 * the object may be. */
	if (a.type == KRPC_DIR) {
		err = -EISDIR;
	} else {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", o.fd);
		if (linkat(AT_FDCWD, path, d.fd, nm, AT_SYMLINK_FOLLOW) < 0)
			err = -errno;
	}
	dir_end(s, &d, dir_wcc);
out:
	krpc__sl_post(s, o.fd, attr);
	krpc__sl_obj_put(s, &o);
	return err;
}
