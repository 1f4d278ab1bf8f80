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
 */
#include <errno.h>
#include <fcntl.h>
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
	} else if (io->attr.type != KRPC_DIR) {
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
		how.resolve |= RESOLVE_CACHED;
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
