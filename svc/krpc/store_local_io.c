// SPDX-License-Identifier: BSD-2-Clause
/*
 * The local store's data operations: READLINK, READ, WRITE and COMMIT
 * (RFC 1813 §3.3.5-§3.3.7, §3.3.21).
 *
 * READ, WRITE and COMMIT hold the object open for I/O (krpc__sl_io_get,
 * store_local_open.c: its type checked, a directory -EISDIR, anything
 * else not regular -EINVAL; the caller's permission checked as the
 * caller; a descriptor cached with the handle's). WRITE asks the
 * kernel for the stability the client asked for with pwritev2's
 * RWF_DSYNC and RWF_SYNC, so *committed is exactly what was asked; COMMIT
 * is an fsync of the whole file (simplest and always enough). READ with
 * KRPC_IO_NOWAIT (on an event loop) reads with preadv2's RWF_NOWAIT, which
 * fails with EAGAIN instead of waiting for the disk: -EAGAIN then, and the
 * read is made again on a helper thread; so does a file system that does
 * not support RWF_NOWAIT at all (EOPNOTSUPP: tmpfs on older kernels).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include "store_local.h"

int krpc__sl_readlink(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		      char *buf, uint32_t cap, uint32_t *len, struct krpc_pattr *attr)
{
	char tgt[KRPC_PATH_MAX + 1];
	struct krpc_attr a;
	struct sl_obj o;
	ssize_t n;
	int err;

	*len = 0;
	if ((err = krpc__sl_hold(s, fh, &o, &a)) < 0)
		return err;
	if (attr)
		*attr = (struct krpc_pattr){ true, a };
	if (a.type != KRPC_LNK) {
		err = -EINVAL;
		goto out;
	}
	if ((err = krpc__sl_become(cr)) < 0)
		goto out;
	n = readlinkat(o.fd, "", tgt, sizeof(tgt));
	if (n < 0)
		err = -errno;
	else if ((size_t)n > cap || (size_t)n > KRPC_PATH_MAX)
		err = -ENAMETOOLONG;
	else
		memcpy(buf, tgt, (size_t)n), *len = (uint32_t)n;
out:
	krpc__sl_obj_put(s, &o);
	return err;
}

int krpc__sl_read(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		  uint64_t off, uint32_t count, unsigned flags, void *buf, uint32_t *n,
		  bool *eof, struct krpc_pattr *attr)
{
	int rwf = (flags & KRPC_IO_NOWAIT) ? RWF_NOWAIT : 0;
	struct krpc_io io;
	uint32_t done = 0;
	ssize_t r = 1;
	int err;

	*n = 0;
	*eof = false;
	if ((err = krpc__sl_io_get(s, cr, fh, KRPC_IO_RD, flags, &io)) < 0)
		return err;	/* the NFS layer adds the attributes */
	if (attr)
		*attr = (struct krpc_pattr){ true, io.attr };
	if (off > INT64_MAX) {
		*eof = true;
		goto out;
	}
	while (done < count && r > 0) {
		struct iovec iov = { (char *)buf + done, count - done };

		r = preadv2(io.fd, &iov, 1, (off_t)(off + done), rwf);
		if (r < 0 && errno != EINTR) {
			err = -errno;	/* -EAGAIN: not all in memory (NOWAIT) */
			/* a file system without RWF_NOWAIT (tmpfs before
			 * Linux 6.6): read on a helper thread instead */
			if (rwf && (err == -EOPNOTSUPP || err == -EINVAL))
				err = -EAGAIN;
			break;
		}
		if (r > 0)
			done += (uint32_t)r;
	}
	*n = done;
	/* A short read met the end; a full one may end exactly on it. */
	*eof = err == 0 && (r == 0 || off + done >= io.attr.size);
out:
	krpc__sl_io_put(s, &io, NULL);
	return err;
}

static int write_all(int fd, uint64_t off, const void *data, uint32_t count, int flags,
		     uint32_t *n)
{
	struct iovec iov;
	ssize_t r;

	*n = 0;
	while (*n < count) {
		iov.iov_base = (char *)data + *n;
		iov.iov_len = count - *n;
		r = pwritev2(fd, &iov, 1, (off_t)(off + *n), flags);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return *n ? 0 : -errno;	/* a short write is a result */
		if (r == 0)
			return *n ? 0 : -EIO;
		*n += (uint32_t)r;
	}
	return 0;
}

int krpc__sl_write(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		   uint64_t off, const void *data, uint32_t count, uint32_t stable,
		   uint32_t *n, uint32_t *committed, struct krpc_wcc *wcc)
{
	struct krpc_io io;
	int err, flags;

	*n = 0;
	*committed = KRPC_UNSTABLE;
	if ((err = krpc__sl_io_get(s, cr, fh, KRPC_IO_WR, 0, &io)) < 0)
		return err;
	krpc__sl_pre_of(&io.attr, wcc);
	if (off > INT64_MAX || count > INT64_MAX - off) {
		err = -EFBIG;
		goto out;
	}
	flags = stable == KRPC_FILE_SYNC ? RWF_SYNC : stable == KRPC_DATA_SYNC ? RWF_DSYNC : 0;
	err = write_all(io.fd, off, data, count, flags, n);
	if (err == 0)
		*committed = stable > KRPC_FILE_SYNC ? KRPC_FILE_SYNC : stable;
out:
	krpc__sl_io_put(s, &io, wcc ? &wcc->post : NULL);
	return err;
}

int krpc__sl_commit(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		    uint64_t off, uint32_t count, struct krpc_wcc *wcc)
{
	struct krpc_io io;
	int err;

	(void)off;
	(void)count;
	if ((err = krpc__sl_io_get(s, cr, fh, KRPC_IO_ANY, 0, &io)) < 0)
		return err;
	krpc__sl_pre_of(&io.attr, wcc);
	if (fsync(io.fd) < 0)
		err = -errno;
	krpc__sl_io_put(s, &io, wcc ? &wcc->post : NULL);
	return err;
}
