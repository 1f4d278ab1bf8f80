// SPDX-License-Identifier: BSD-2-Clause
/*
 * The local store's attributes: statx(2) to fattr3 (RFC 1813 §2.5), the
 * weak cache consistency data around changes (§2.6), SETATTR (§3.3.2) and
 * the small helpers every operation starts with (hold an object with its
 * attributes, copy and check a name, open a child without following a
 * symlink or crossing a mount).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "store_local.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452	/* Linux 6.6; one number on every architecture */
#endif

static uint32_t ftype_of(uint16_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return KRPC_REG;
	case S_IFDIR: return KRPC_DIR;
	case S_IFBLK: return KRPC_BLK;
	case S_IFCHR: return KRPC_CHR;
	case S_IFLNK: return KRPC_LNK;
	case S_IFSOCK: return KRPC_SOCK;
	default: return KRPC_FIFO;
	}
}

static struct krpc_time time_of(const struct statx_timestamp *t)
{
	/* nfstime3 seconds are unsigned 32 bits (RFC 1813 §2.5), as the
	 * Linux nfsd sends them. */
	return (struct krpc_time){ (uint32_t)t->tv_sec, t->tv_nsec };
}

/* The attributes of name in dirfd (name "": dirfd's object), no symlink
 * followed. Returns 0, -ESTALE for an object with no name left (nlink 0:
 * removed, though a descriptor keeps it), or -errno. */
int krpc__sl_stat_at(const struct krpc_store *s, int dirfd, const char *name,
		     struct krpc_attr *a)
{
	int flags = AT_SYMLINK_NOFOLLOW | AT_STATX_SYNC_AS_STAT | (name[0] ? 0 : AT_EMPTY_PATH);
	struct statx x;

	if (statx(dirfd, name, flags, STATX_BASIC_STATS, &x) < 0)
		return -errno;
	a->type = ftype_of(x.stx_mode);
	a->mode = x.stx_mode & 07777;
	a->nlink = x.stx_nlink;
	a->uid = x.stx_uid;
	a->gid = x.stx_gid;
	a->size = x.stx_size;
	a->used = x.stx_blocks * 512;
	a->rdev_major = x.stx_rdev_major;
	a->rdev_minor = x.stx_rdev_minor;
	a->fsid = s->fsid;
	a->fileid = x.stx_ino;
	a->atime = time_of(&x.stx_atime);
	a->mtime = time_of(&x.stx_mtime);
	a->ctime = time_of(&x.stx_ctime);
	return x.stx_nlink == 0 ? -ESTALE : 0;
}

int krpc__sl_stat(const struct krpc_store *s, int fd, struct krpc_attr *a)
{
	return krpc__sl_stat_at(s, fd, "", a);
}

void krpc__sl_post(const struct krpc_store *s, int fd, struct krpc_pattr *p)
{
	if (p)
		p->valid = fd >= 0 && krpc__sl_stat(s, fd, &p->a) == 0;
}

void krpc__sl_pre_of(const struct krpc_attr *a, struct krpc_wcc *w)
{
	if (!w)
		return;
	w->pre_valid = true;
	w->pre_size = a->size;
	w->pre_mtime = a->mtime;
	w->pre_ctime = a->ctime;
}

void krpc__sl_wcc_post(const struct krpc_store *s, int fd, struct krpc_wcc *w)
{
	if (w)
		krpc__sl_post(s, fd, &w->post);
}

/* Hold the object of fh with its attributes: the start of nearly every
 * operation. Returns 0, or -ESTALE (gone), -KRPC_EBADHANDLE, -EPERM. */
int krpc__sl_hold(struct krpc_store *s, const struct krpc_sfh *fh, struct sl_obj *o,
		  struct krpc_attr *a)
{
	int err;

	if ((err = krpc__sl_obj_get(s, fh, o)) < 0)
		return err;
	if ((err = krpc__sl_stat(s, o->fd, a)) < 0) {
		if (err == -ESTALE)
			krpc__sl_obj_stale(s, o);
		krpc__sl_obj_put(s, o);
	}
	return err;
}

/* Copy name[0..len) into buf as a C string, checking it once more: the
 * store never takes a path, whoever calls it. */
int krpc__sl_name(char buf[KRPC_NAME_MAX + 1], const char *name, uint32_t len, bool dots_ok)
{
	int err = krpc_name_check(name, len, dots_ok);

	if (err < 0)
		return err;
	memcpy(buf, name, len);
	buf[len] = '\0';
	return 0;
}

/* An O_PATH descriptor of name (a checked single component, or "." or
 * "..") in dirfd, as the current identity (the kernel checks search
 * permission on dirfd): never following a symlink (a symlink is opened
 * itself), never crossing into another mount (-EXDEV: a mount point inside
 * the export is not part of it), and for a plain name never leaving dirfd.
 * Returns 0 with *fd set, or -errno. */
int krpc__sl_open_at(int dirfd, const char *name, int *fd)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
	};
	long r;

	if (strcmp(name, "..") != 0)
		how.resolve |= RESOLVE_BENEATH;
	r = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	if (r < 0)
		return -errno;
	*fd = (int)r;
	return 0;
}

bool krpc__sl_is_root_attr(const struct krpc_store *s, const struct krpc_attr *a)
{
	return a->type == KRPC_DIR && a->fileid == s->root_ino;
}

static int set_size(int fd, const struct krpc_cred *cr, const struct krpc_attr *a,
		    uint64_t size)
{
	int rfd, err = 0;

	if (a->type == KRPC_DIR)
		return -EISDIR;
	if (a->type != KRPC_REG)
		return -EINVAL;
	if (size > INT64_MAX)
		return -EFBIG;
	if ((rfd = krpc__sl_reopen(fd, O_WRONLY, cr, a)) < 0)
		return rfd;
	if (ftruncate(rfd, (off_t)size) < 0)
		err = -errno;
	close(rfd);
	return err;
}

static int set_mode(int fd, uint32_t mode)
{
	char path[32];

	if (syscall(SYS_fchmodat2, fd, "", mode & 07777, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return chmod(path, mode & 07777) < 0 ? -errno : 0;
}

static struct timespec ts_of(uint32_t how, const struct krpc_time *t)
{
	switch (how) {
	case KRPC_TIME_SERVER:
		return (struct timespec){ 0, UTIME_NOW };
	case KRPC_TIME_CLIENT:
		return (struct timespec){ t->sec, t->nsec };
	default:
		return (struct timespec){ 0, UTIME_OMIT };
	}
}

/* Apply sa to the object of fd (attributes a) as the current identity
 * cr, in the order the Linux nfsd uses: size first (while the mode may
 * still allow writing), owner, mode (after chown, which clears set-id
 * bits), times last (every other change moves ctime, some mtime).
 * Returns 0 or the first error; what came before it stays applied. */
int krpc__sl_apply(int fd, const struct krpc_cred *cr, const struct krpc_attr *a,
		   const struct krpc_sattr *sa)
{
	struct timespec ts[2];
	int err;

	if (!sa)
		return 0;
	if (sa->set_size && (err = set_size(fd, cr, a, sa->size)) < 0)
		return err;
	if ((sa->set_uid || sa->set_gid) &&
	    fchownat(fd, "", sa->set_uid ? sa->uid : (uid_t)-1, sa->set_gid ? sa->gid : (gid_t)-1,
		     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	/* A symlink's mode means nothing on Linux; nfsd drops it too. */
	if (sa->set_mode && a->type != KRPC_LNK && (err = set_mode(fd, sa->mode)) < 0)
		return err;
	if (sa->atime_how == KRPC_TIME_DONT && sa->mtime_how == KRPC_TIME_DONT)
		return 0;
	ts[0] = ts_of(sa->atime_how, &sa->atime);
	ts[1] = ts_of(sa->mtime_how, &sa->mtime);
	if (utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

/* SETATTR (RFC 1813 §3.3.2): guard is the ctime the client saw. */
int krpc__sl_setattr(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		     const struct krpc_sattr *sa, const struct krpc_time *guard,
		     struct krpc_wcc *wcc)
{
	struct krpc_attr a;
	struct sl_obj o;
	int err;

	if ((err = krpc__sl_hold(s, fh, &o, &a)) < 0)
		return err;
	krpc__sl_pre_of(&a, wcc);
	if (s->flags & KRPC_STORE_RO)
		err = -EROFS;
	else if (guard && (guard->sec != a.ctime.sec || guard->nsec != a.ctime.nsec))
		err = -KRPC_ENOT_SYNC;
	else if ((err = krpc__sl_become(cr)) == 0)
		err = krpc__sl_apply(o.fd, cr, &a, sa);
	krpc__sl_wcc_post(s, o.fd, wcc);
	krpc__sl_obj_put(s, &o);
	return err;
}
