// SPDX-License-Identifier: BSD-2-Clause
/*
 * From the errors of the store and of the NFS layer to nfsstat3 (RFC 1813
 * §2.6). Stores return -errno or -KRPC_E* (store.h); the table follows
 * Linux nfsd's nfserrno() and nfsd3_map_status() where they differ from
 * the obvious: ELOOP (a symlink where none may be) is NFS3ERR_INVAL, EAGAIN
 * and ENOMEM ask the client to retry (NFS3ERR_JUKEBOX), EBADF is
 * NFS3ERR_STALE.
 */
#include <errno.h>
#include "nfs3.h"

static const struct {
	int err;
	uint32_t stat;
} errno_map[] = {
	{ EPERM, NFS3ERR_PERM },		{ ENOENT, NFS3ERR_NOENT },
	{ EIO, NFS3ERR_IO },			{ ENXIO, NFS3ERR_NXIO },
	{ EACCES, NFS3ERR_ACCES },		{ EEXIST, NFS3ERR_EXIST },
	{ EXDEV, NFS3ERR_XDEV },		{ ENODEV, NFS3ERR_NODEV },
	{ ENOTDIR, NFS3ERR_NOTDIR },		{ EISDIR, NFS3ERR_ISDIR },
	{ EINVAL, NFS3ERR_INVAL },		{ EFBIG, NFS3ERR_FBIG },
	{ ENOSPC, NFS3ERR_NOSPC },		{ EROFS, NFS3ERR_ROFS },
	{ EMLINK, NFS3ERR_MLINK },		{ ENAMETOOLONG, NFS3ERR_NAMETOOLONG },
	{ ENOTEMPTY, NFS3ERR_NOTEMPTY },	{ EDQUOT, NFS3ERR_DQUOT },
	{ ESTALE, NFS3ERR_STALE },		{ EBADF, NFS3ERR_STALE },
	{ EREMOTE, NFS3ERR_REMOTE },		{ ELOOP, NFS3ERR_INVAL },
	{ EOPNOTSUPP, NFS3ERR_NOTSUPP },	{ EAGAIN, NFS3ERR_JUKEBOX },
	{ ENOMEM, NFS3ERR_JUKEBOX },
};

uint32_t nfs3_status(int err)
{
	if (err == 0)
		return NFS3_OK;
	if (err <= -KRPC_EBADHANDLE && err >= -KRPC_EJUKEBOX)
		return (uint32_t)-err;
	for (size_t i = 0; i < sizeof(errno_map) / sizeof(errno_map[0]); i++)
		if (err == -errno_map[i].err)
			return errno_map[i].stat;
	return NFS3ERR_SERVERFAULT;
}
