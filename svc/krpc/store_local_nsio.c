// SPDX-License-Identifier: BSD-2-Clause
/*
 * The local store's side of name changes started on an event loop
 * (store.h dir_get, name_fh, forget): REMOVE and RMDIR run as an unlinkat
 * on the worker's io_uring ring. dir_get holds a directory whose O_PATH
 * descriptor is cached and becomes the caller; name_fh finds the handle of
 * a name in it only from the kernel's dentry cache (openat2
 * RESOLVE_CACHED: -EAGAIN rather than read the directory), so that the
 * victim's cached descriptors can be closed once its name is gone, as
 * store_local_ns.c does. io_put (store_local_open.c) releases the
 * directory.
 *
 * CREATE, MKDIR, SYMLINK and LINK the same way (mk_prep, mk_done): the
 * openat (O_CREAT | O_EXCL), mkdirat, symlinkat or linkat the synchronous
 * operation makes runs on the ring; mk_done then finishes the new object
 * on the worker when that is sure not to wait for the disk: the object is
 * reached through CREATE's descriptor, or by its name with openat2
 * RESOLVE_CACHED (the name was just made, so its dentry is normally in
 * the cache; if it is not, the kernel answers EAGAIN rather than read the
 * directory); name_to_handle_at of a descriptor (AT_EMPTY_PATH) encodes
 * the in-core inode without any lookup, and statx of a descriptor reads
 * the in-core inode, as GETATTR on the event loop does. Anything that
 * changes the object (a chmod where the umask cut the mode, an owner, a
 * time, a size, EXCLUSIVE's verifier) goes through the file system's
 * journal and may wait: -EAGAIN, and the NFS layer calls mk_done again
 * on a helper thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include "store_local.h"

enum { IO_SLOT, IO_OWNFD, IO_OBJFD };	/* as store_local_open.c */

int krpc__sl_dir_get(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		     unsigned flags, struct krpc_io *io)
{
	struct sl_obj o;
	int err;

	io->fd = -1;
	err = (flags & KRPC_IO_NOWAIT) ? krpc__sl_obj_cached(s, fh, &o) : krpc__sl_obj_get(s, fh, &o);
	if (err < 0)
		return err;
	if ((err = krpc__sl_stat(s, o.fd, &io->attr)) < 0) {
		if (err == -ESTALE)
			krpc__sl_obj_stale(s, &o);
	} else if (io->attr.type != KRPC_DIR && !(flags & KRPC_IO_ANYTYPE)) {
		err = -ENOTDIR;
	} else if (s->flags & KRPC_STORE_RO) {
		err = -EROFS;
	} else {
		err = krpc__sl_become(cr);
	}
	if (err < 0) {
		krpc__sl_obj_put(s, &o);
		return err;
	}
	io->fd = o.fd;
	io->priv[IO_SLOT] = o.slot;
	io->priv[IO_OWNFD] = 0;
	io->priv[IO_OBJFD] = o.fd;
	return 0;
}

/* RESOLVE_CACHED fails with EAGAIN not only for a name the dentry cache
 * lacks but also when the kernel's lockless walk must restart because a
 * mount changed anywhere meanwhile (mount_lock's sequence moved: a mount
 * namespace made or gone elsewhere on the machine): 8 of 300000 lookups
 * of a cached name while `unshare -m true` ran in a loop, 3 with one
 * retry. Such a miss sends the call to a helper; RETRIES keeps it rare. */
#define RETRIES	2

/* krpc__sl_open_at (store_local_attr.c: ".." is the one name that may
 * leave dirfd, to its parent) from the dentry cache only. */
int krpc__sl_open_cached(int dirfd, const char *nm, int *fd)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_CACHED,
	};
	long r;
	int tries = 0;

	if (strcmp(nm, "..") == 0)
		how.resolve &= ~(__u64)RESOLVE_BENEATH;
	while ((r = syscall(SYS_openat2, dirfd, nm, &how, sizeof(how))) < 0 && errno == EAGAIN &&
	       tries++ < RETRIES)
		;
	if (r < 0)
		return -errno;
	*fd = (int)r;
	return 0;
}

static int name_fh_cached(int dirfd, const char *nm, struct krpc_sfh *fh)
{
	int fd, err = krpc__sl_open_cached(dirfd, nm, &fd);

	if (err < 0)
		return err;
	err = krpc__sl_fh_of(fd, "", fh, NULL);
	close(fd);
	return err;
}

int krpc__sl_name_fh(struct krpc_store *s, const struct krpc_io *dir, const char *nm,
		     unsigned flags, struct krpc_sfh *fh)
{
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
	};
	long fd;
	int err;

	(void)s;
	if (flags & KRPC_IO_NOWAIT)
		return name_fh_cached(dir->fd, nm, fh);
	if ((fd = syscall(SYS_openat2, dir->fd, nm, &how, sizeof(how))) < 0)
		return -errno;
	err = krpc__sl_fh_of((int)fd, "", fh, NULL);
	close((int)fd);
	return err;
}

void krpc__sl_forget(struct krpc_store *s, const struct krpc_sfh *fh)
{
	krpc__sl_cache_forget(s, fh);
}

int krpc__sl_mk_prep(struct krpc_store *s, const struct krpc_io *dir, const char *nm,
		     struct krpc_mk *mk, struct krpc_mkcall *c)
{
	(void)s;
	*c = (struct krpc_mkcall){ .dirfd = dir->fd, .path = nm,
				   .mode = krpc__sl_new_mode(mk->type, mk->sa) };
	switch (mk->type) {
	case KRPC_REG:	/* as krpc__sl_create */
		c->call = KRPC_MK_OPENAT;
		c->flags = O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW | O_CLOEXEC;
		return 0;
	case KRPC_DIR:
		c->call = KRPC_MK_MKDIRAT;
		return 0;
	case KRPC_LNK:
		c->call = KRPC_MK_SYMLINKAT;
		c->path2 = mk->target;
		return 0;
	case 0:		/* LINK: the object through its /proc link, as krpc__sl_link */
		if (!mk->obj || mk->obj->attr.type == KRPC_DIR)
			return -EAGAIN;
		snprintf(mk->path, sizeof(mk->path), "/proc/self/fd/%d", mk->obj->fd);
		*c = (struct krpc_mkcall){ .call = KRPC_MK_LINKAT, .dirfd = AT_FDCWD,
					   .path = mk->path, .dirfd2 = dir->fd, .path2 = nm,
					   .flags = AT_SYMLINK_FOLLOW };
		return 0;
	default:
		return -EAGAIN;
	}
}

/* An O_PATH descriptor of the new name nm in dirfd; KRPC_IO_NOWAIT: only
 * from the dentry cache (-EAGAIN otherwise). */
static int open_new(int dirfd, const char *nm, unsigned flags, int *fd)
{
	if (flags & KRPC_IO_NOWAIT)
		return krpc__sl_open_cached(dirfd, nm, fd);
	return krpc__sl_open_at(dirfd, nm, fd);
}

/* On the event loop: the handle and attributes of fd, if nothing is left
 * to change; else -EAGAIN. */
static int mk_quick(struct krpc_store *s, int fd, uint32_t mode, const struct krpc_sattr *sa,
		    struct krpc_sfh *out, struct krpc_pattr *attr)
{
	struct krpc_attr a;
	int err;

	if ((err = krpc__sl_stat(s, fd, &a)) < 0)
		return err;
	if (!krpc__sl_new_done(&a, mode, sa))
		return -EAGAIN;
	if ((err = krpc__sl_fh_of(fd, "", out, NULL)) < 0)
		return err;
	if (attr)
		*attr = (struct krpc_pattr){ true, a };
	return 0;
}

/* Keep a descriptor of the object just made (or linked) in the handle
 * cache, so that the first WRITE, SETATTR or LINK naming it does not
 * decode its handle on a helper: ofd itself when mk_done opened it, else
 * a duplicate of CREATE's descriptor (the caller closes that one). On the
 * event loop only into an empty slot (nothing cached is closed there).
 * Takes ofd when it is not fd. */
static void keep_new(struct krpc_store *s, const struct krpc_sfh *fh, int ofd, int fd,
		     unsigned flags)
{
	int k = ofd != fd ? ofd : fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (k < 0)
		return;
	if (flags & KRPC_IO_NOWAIT)
		krpc__sl_cache_offer_empty(s, fh, k);
	else
		krpc__sl_cache_offer(s, fh, k);
}

int krpc__sl_mk_done(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_io *dir,
		     const char *nm, const struct krpc_mk *mk, int fd, const uint8_t *verf,
		     unsigned flags, struct krpc_sfh *out, struct krpc_pattr *attr)
{
	uint32_t mode = krpc__sl_new_mode(mk->type, mk->sa);
	struct krpc_sattr buf;
	const struct krpc_sattr *sa = krpc__sl_new_sattr(mk->type, mk->sa, &buf);
	int ofd = fd, err;

	if ((err = krpc__sl_become(cr)) < 0)
		return err;
	if (mk->type == KRPC_REG && fd < 0)	/* the name was taken */
		return krpc__sl_create_taken(s, cr, dir->fd, nm, mk->how, mk->sa, verf, flags,
					     out, attr);
	if (verf && (flags & KRPC_IO_NOWAIT))
		return -EAGAIN;		/* the verifier is a change */
	if (ofd < 0 && (err = open_new(dir->fd, nm, flags, &ofd)) < 0)
		return err;
	if (flags & KRPC_IO_NOWAIT)
		err = mk_quick(s, ofd, mode, sa, out, attr);
	else if (!verf || (err = krpc__sl_verf_set(ofd, verf)) == 0)
		err = krpc__sl_finish_new(s, cr, ofd, mode, sa, out, attr);
	if (!err)
		keep_new(s, out, ofd, fd, flags);
	else if (ofd != fd)
		close(ofd);
	return err;
}
