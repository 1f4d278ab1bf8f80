// SPDX-License-Identifier: BSD-2-Clause
/*
 * The local store's descriptors for READ, WRITE and COMMIT, and the
 * caller's permission check on them (store.h io_get, io_put).
 *
 * As the kernel's nfsd (nfsd_permission, then its file cache), the check
 * and the open are separate: the caller's right to read or write is asked
 * with faccessat2(fd, "", R_OK or W_OK, AT_EACCESS | AT_EMPTY_PATH) on the
 * object's O_PATH descriptor while the thread has the caller's fsuid,
 * fsgid and groups (AT_EACCESS: the check uses the thread's file system
 * identity, not its real ids; with fsuid != 0 the kernel has dropped the
 * file system capabilities, so root's override does not apply), with the
 * nfsd's owner override (the owner of a regular file may read and write it
 * whatever its mode bits: a file created 0444 stays writable by its
 * creator). The descriptor itself is opened once as fsuid 0 through
 * /proc/self/fd and kept with the cached O_PATH descriptor (one for
 * reading, one for writing, opened at first use), so a READ costs a
 * faccessat2 instead of an open and a close (the reopen was about a fifth
 * of a 4 KiB READ's server CPU). Opening as root still refuses what no
 * one may do (EPERM: immutable or append-only files; EROFS).
 *
 * The kernel's answer is kept with the cached descriptor (one caller per
 * object: the last one checked) together with the object's ctime then,
 * and reused while a READ, WRITE or COMMIT finds the same ctime in the
 * statx it makes anyway for its attributes: everything the check depends
 * on but the caller (mode, owner, group, ACLs, the immutable and
 * append-only flags) sets ctime when it changes. A grant is kept only
 * when that ctime is older than the file system's timestamp granularity,
 * so that no later change can carry the same one. A file being written
 * changes ctime at every WRITE, so WRITEs ask each time; READs of a file
 * at rest ask once (a 4 KiB READ made three system calls, now two).
 *
 * A descriptor held open for writing keeps the file from being executed
 * on the server (ETXTBSY) while it is cached, as the nfsd's file cache
 * does; it is closed when its handle leaves the cache or the file is
 * removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "store_local.h"

#ifndef SYS_faccessat2
#define SYS_faccessat2 439	/* Linux 5.8; one number on every architecture */
#endif

enum { IO_SLOT, IO_OWNFD, IO_OBJFD };	/* what krpc_io.priv holds */

/* May cr (the thread's identity now) have access acc (R_OK, W_OK) to the
 * object of O_PATH descriptor fd with attributes a? 0 or -errno. */
static int may(struct krpc_store *s, int fd, int acc, const struct krpc_cred *cr,
	       const struct krpc_attr *a)
{
	__atomic_add_fetch(&s->io_checks, 1, __ATOMIC_RELAXED);
	if (syscall(SYS_faccessat2, fd, "", acc, AT_EACCESS | AT_EMPTY_PATH) == 0)
		return 0;
	if (errno == EACCES && a->type == KRPC_REG && a->uid == cr->uid && cr->uid != 0)
		return 0;	/* the owner override */
	return -errno;
}

/* A descriptor of o's object for reading or writing: the slot's, or one
 * opened as fsuid 0 (then offered to the slot). *own: the caller must
 * close it. Leaves the thread as cr. */
static int io_fd(struct krpc_store *s, const struct sl_obj *o, bool wr,
		 const struct krpc_cred *cr, bool *own)
{
	char path[32];
	int fd;

	*own = false;
	if ((fd = krpc__sl_slot_iofd(s, o, wr, -1)) >= 0)
		return fd;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", o->fd);
	krpc__sl_become_root();
	fd = open(path, (wr ? O_WRONLY : O_RDONLY) | O_CLOEXEC | O_NOCTTY);
	fd = fd < 0 ? -errno : fd;
	if (krpc__sl_become(cr) < 0) {
		if (fd >= 0)
			close(fd);
		return -EPERM;
	}
	if (fd >= 0 && krpc__sl_slot_iofd(s, o, wr, fd) < 0)
		*own = true;
	return fd;
}

static int check_io(const struct krpc_store *s, const struct krpc_attr *a, unsigned mode)
{
	if (a->type == KRPC_DIR)
		return -EISDIR;
	if (a->type != KRPC_REG)
		return -EINVAL;		/* a FIFO or a device would block or reach the device */
	if (mode == KRPC_IO_WR && (s->flags & KRPC_STORE_RO))
		return -EROFS;
	return 0;
}

/* May a grant taken with attributes a be kept? Only when a later change
 * of the object (a chmod, chown, ACL, or flags change sets ctime to the
 * file system's clock then) cannot carry the same ctime: the tick of a's
 * ctime must be over. Timestamps with nanoseconds are at most a
 * scheduler tick coarse (10 ms at HZ=100); whole seconds (nsec 0: ext4
 * with 128-byte inodes, or FAT's 2 s) need seconds. */
static bool ctime_settled(const struct krpc_attr *a)
{
	struct timespec now;
	int64_t ct, margin = a->ctime.nsec ? 50000000 : 3000000000;

	clock_gettime(CLOCK_REALTIME_COARSE, &now);
	ct = (int64_t)a->ctime.sec * 1000000000 + a->ctime.nsec;
	return ct + margin < (int64_t)(uint32_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Which access to use (ANY, for COMMIT: reading if the caller may read,
 * else writing), and may cr have it? From the slot's grant when the
 * object's ctime is still the one it was granted at, else asked of the
 * kernel, and then granted to the slot when that ctime is settled. */
static int pick(struct krpc_store *s, const struct sl_obj *o, unsigned mode,
		const struct krpc_cred *cr, const struct krpc_attr *a, bool *wr)
{
	unsigned got = krpc__sl_slot_granted(s, o, cr, &a->ctime);
	int acc = mode == KRPC_IO_WR ? W_OK : R_OK, err;

	if (!(got & (unsigned)acc) && mode == KRPC_IO_ANY && (got & W_OK))
		acc = W_OK;
	*wr = acc == W_OK;
	if (got & (unsigned)acc)
		return 0;
	err = may(s, o->fd, acc, cr, a);
	if (err == -EACCES && mode == KRPC_IO_ANY) {
		acc = W_OK;
		*wr = true;
		err = may(s, o->fd, W_OK, cr, a);
	}
	if (err == 0 && ctime_settled(a))
		krpc__sl_slot_grant(s, o, cr, &a->ctime, (unsigned)acc);
	return err;
}

int krpc__sl_io_get(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		    unsigned mode, unsigned flags, struct krpc_io *io)
{
	struct sl_obj o;
	bool wr, own;
	int err;

	io->fd = -1;
	err = (flags & KRPC_IO_NOWAIT) ? krpc__sl_obj_cached(s, fh, &o) : krpc__sl_obj_get(s, fh, &o);
	if (err < 0)
		return err;
	if ((err = krpc__sl_stat(s, o.fd, &io->attr)) < 0) {
		if (err == -ESTALE)
			krpc__sl_obj_stale(s, &o);
		goto fail;
	}
	if ((err = check_io(s, &io->attr, mode)) < 0 || (err = krpc__sl_become(cr)) < 0 ||
	    (err = pick(s, &o, mode, cr, &io->attr, &wr)) < 0)
		goto fail;
	if ((io->fd = io_fd(s, &o, wr, cr, &own)) < 0) {
		err = io->fd;
		goto fail;
	}
	io->priv[IO_SLOT] = o.slot;
	io->priv[IO_OWNFD] = own;
	io->priv[IO_OBJFD] = o.fd;
	return 0;
fail:
	krpc__sl_obj_put(s, &o);
	return err;
}

void krpc__sl_io_put(struct krpc_store *s, struct krpc_io *io, struct krpc_pattr *after)
{
	struct sl_obj o = { .fd = io->priv[IO_OBJFD], .slot = io->priv[IO_SLOT] };

	if (after)
		krpc__sl_post(s, o.fd, after);
	if (io->priv[IO_OWNFD])
		close(io->fd);
	io->fd = -1;
	krpc__sl_obj_put(s, &o);
}

int krpc__sl_io_creds(struct krpc_store *s, const struct krpc_cred *cr)
{
	(void)s;
	return krpc__sl_become(cr);
}
