// SPDX-License-Identifier: BSD-2-Clause
/*
 * The local-directory store (store.h): an export is a directory of the
 * local file system, its objects named by the kernel's own file handles.
 * This file holds the ops table, opening and closing a store, MOUNT's
 * root lookup and the cheap queries (GETATTR, ACCESS, FSINFO, PATHCONF,
 * FSSTAT: a statx, faccessat2 or fstatfs on a cached descriptor, nothing
 * that waits for the disk). The rest, by job: store_local.h.
 *
 * Requirements, checked by open: the process runs as root (euid 0: the
 * identity switch relies on the capabilities fsuid 0 gives and fsuid != 0
 * takes away, store_local_ident.c), CAP_DAC_READ_SEARCH (handles are
 * opened with open_by_handle_at: -EPERM without it), a file system that
 * makes handles (-EOPNOTSUPP otherwise) and /proc (objects are reopened
 * for reading and writing through /proc/self/fd).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include "store_local.h"

static int check_root(struct krpc_store *s)
{
	struct krpc_attr a;
	struct sl_obj o;
	int err;

	if ((err = krpc__sl_fh_of(s->root_fd, "", &s->root_fh, &s->mnt_id)) < 0)
		return err;
	/* Decoding needs CAP_DAC_READ_SEARCH: find out now, not per call. */
	if ((err = krpc__sl_obj_get(s, &s->root_fh, &o)) < 0)
		return err;
	err = krpc__sl_stat(s, o.fd, &a);
	krpc__sl_obj_put(s, &o);
	if (err == 0 && a.fileid != s->root_ino)
		err = -EIO;
	return err;
}

static int local_open(struct krpc_store **sp, const char *path, unsigned flags)
{
	struct krpc_store *s;
	struct krpc_attr a;
	struct statfs sf;
	uint64_t v;
	int err;

	if (!path || path[0] != '/')
		return -EINVAL;
	if (geteuid() != 0)
		return -EPERM;
	if (access("/proc/self/fd", X_OK) < 0)
		return -errno;
	if (!(s = calloc(1, sizeof(*s))))
		return -ENOMEM;
	s->flags = flags;
	krpc__sl_cache_init(s);
	if ((s->root_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err = -errno;
		goto fail;
	}
	if (fstatfs(s->root_fd, &sf) < 0) {
		err = -errno;
		goto fail;
	}
	memcpy(&v, &sf.f_fsid, sizeof(v));
	s->fsid = v;
	if ((err = krpc__sl_stat(s, s->root_fd, &a)) < 0)
		goto fail;
	s->root_ino = a.fileid;
	/* The READDIR verifier: cookies are positions of the file system
	 * that outlive krpc (store_local_dir.c), so it depends only on it. */
	memcpy(s->cookieverf, "KRd1", 4);
	v = s->fsid ^ (s->fsid >> 32);
	memcpy(s->cookieverf + 4, &v, 4);
	if ((err = krpc__sl_become_root()) < 0 || (err = check_root(s)) < 0)
		goto fail;
	*sp = s;
	return 0;
fail:
	if (s->root_fd >= 0)
		close(s->root_fd);
	krpc__sl_cache_fini(s);
	free(s);
	return err;
}

static void local_close(struct krpc_store *s)
{
	if (!s)
		return;
	krpc__sl_cache_fini(s);
	close(s->root_fd);
	free(s);
}

/* MOUNT MNT's directory rel under the root, as the caller: every
 * component a directory reached without a symlink, a mount or "..". */
static int local_root(struct krpc_store *s, const struct krpc_cred *cr, const char *rel,
		      struct krpc_sfh *fh)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV |
			   RESOLVE_NO_MAGICLINKS,
	};
	long fd;
	int err;

	while (rel && *rel == '/')
		rel++;
	if (!rel || !*rel) {
		*fh = s->root_fh;
		return 0;
	}
	if ((err = krpc__sl_become(cr)) < 0)
		return err;
	fd = syscall(SYS_openat2, s->root_fd, rel, &how, sizeof(how));
	if (fd < 0) {
		err = -errno;
		if (err == -ELOOP)
			return -ENOTDIR;	/* a symlink is not a directory here */
		return err == -EXDEV ? -EACCES : err;
	}
	err = krpc__sl_fh_of((int)fd, "", fh, NULL);
	close((int)fd);
	return err;
}

static int local_getattr(struct krpc_store *s, const struct krpc_sfh *fh, struct krpc_attr *a)
{
	struct sl_obj o;
	int err;

	if ((err = krpc__sl_hold(s, fh, &o, a)) < 0)
		return err;
	krpc__sl_obj_put(s, &o);
	return 0;
}

/* ACCESS (RFC 1813 §3.3.4) bits to access(2) modes, as the Linux nfsd
 * maps them: for a directory LOOKUP is search, MODIFY, EXTEND and DELETE
 * need write and search; for anything else EXECUTE is execute, MODIFY and
 * EXTEND write. Bits with no meaning for the type are never granted. */
static int access_mode(uint32_t bit, bool dir)
{
	switch (bit) {
	case KRPC_ACCESS_READ: return R_OK;
	case KRPC_ACCESS_LOOKUP: return dir ? X_OK : -1;
	case KRPC_ACCESS_MODIFY:
	case KRPC_ACCESS_EXTEND: return dir ? W_OK | X_OK : W_OK;
	case KRPC_ACCESS_DELETE: return dir ? W_OK | X_OK : -1;
	case KRPC_ACCESS_EXECUTE: return dir ? -1 : X_OK;
	default: return -1;
	}
}

static bool may(int fd, int mode)
{
	/* AT_EACCESS: the thread's fs identity, not the real uid. */
	return syscall(SYS_faccessat2, fd, "", mode,
		       AT_EACCESS | AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0;
}

/* Which of R_OK, W_OK, X_OK (in need) the caller has on fd: one
 * faccessat2 each at most. With no x bit in the mode nobody may execute
 * or search (ACL entries are capped by the mode's group bits), so X needs
 * no call then. */
static int may_modes(int fd, const struct krpc_attr *a, int need)
{
	int ok = 0;

	if ((need & R_OK) && may(fd, R_OK))
		ok |= R_OK;
	if ((need & W_OK) && may(fd, W_OK))
		ok |= W_OK;
	if ((need & X_OK) && (a->mode & 0111) && may(fd, X_OK))
		ok |= X_OK;
	return ok;
}

static int local_access(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
			uint32_t want, uint32_t *granted, struct krpc_pattr *attr)
{
	const uint32_t changes = KRPC_ACCESS_MODIFY | KRPC_ACCESS_EXTEND | KRPC_ACCESS_DELETE;
	bool dir;
	struct krpc_attr a;
	struct sl_obj o;
	int err, need = 0, ok, m;

	*granted = 0;
	if ((err = krpc__sl_hold(s, fh, &o, &a)) < 0)
		return err;
	if (attr)
		*attr = (struct krpc_pattr){ true, a };
	dir = a.type == KRPC_DIR;
	if (s->flags & KRPC_STORE_RO)
		want &= ~changes;
	for (uint32_t bit = 1; bit <= KRPC_ACCESS_EXECUTE; bit <<= 1)
		if ((want & bit) && (m = access_mode(bit, dir)) >= 0)
			need |= m;
	if (need && (err = krpc__sl_become(cr)) == 0) {
		ok = may_modes(o.fd, &a, need);
		for (uint32_t bit = 1; bit <= KRPC_ACCESS_EXECUTE; bit <<= 1)
			if ((want & bit) && (m = access_mode(bit, dir)) >= 0 && (ok & m) == m)
				*granted |= bit;
	}
	krpc__sl_obj_put(s, &o);
	return err;
}

static int local_fsinfo(struct krpc_store *s, const struct krpc_sfh *fh, struct krpc_fsinfo *fi,
			struct krpc_pattr *attr)
{
	struct krpc_attr a;
	struct sl_obj o;
	int err;

	if ((err = krpc__sl_hold(s, fh, &o, &a)) < 0)
		return err;
	if (attr)
		*attr = (struct krpc_pattr){ true, a };
	krpc__sl_obj_put(s, &o);
	fi->maxfilesize = INT64_MAX;	/* what off_t takes; the file system says EFBIG */
	fi->time_delta = (struct krpc_time){ 0, 1 };
	fi->properties = 1 | 2 | 8 | 16;	/* LINK, SYMLINK, HOMOGENEOUS, CANSETTIME */
	return 0;
}

static int local_pathconf(struct krpc_store *s, const struct krpc_sfh *fh, struct krpc_pathconf *pc,
			  struct krpc_pattr *attr)
{
	struct krpc_attr a;
	struct sl_obj o;
	long lm;
	int err;

	if ((err = krpc__sl_hold(s, fh, &o, &a)) < 0)
		return err;
	if (attr)
		*attr = (struct krpc_pattr){ true, a };
	lm = fpathconf(o.fd, _PC_LINK_MAX);	/* an fstatfs: fine on O_PATH */
	krpc__sl_obj_put(s, &o);
	pc->linkmax = lm > 0 && lm < UINT32_MAX ? (uint32_t)lm : 1;
	pc->name_max = KRPC_NAME_MAX;
	pc->no_trunc = true;
	pc->chown_restricted = true;
	pc->case_insensitive = false;
	pc->case_preserving = true;
	return 0;
}

static int local_fsstat(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
			struct krpc_fsstat *fs, struct krpc_pattr *attr)
{
	struct krpc_attr a;
	struct statfs sf;
	struct sl_obj o;
	int err;

	(void)cr;
	if ((err = krpc__sl_hold(s, fh, &o, &a)) < 0)
		return err;
	if (attr)
		*attr = (struct krpc_pattr){ true, a };
	if (fstatfs(o.fd, &sf) < 0) {
		err = -errno;
	} else {
		fs->tbytes = (uint64_t)sf.f_blocks * (uint64_t)sf.f_frsize;
		fs->fbytes = (uint64_t)sf.f_bfree * (uint64_t)sf.f_frsize;
		fs->abytes = (uint64_t)sf.f_bavail * (uint64_t)sf.f_frsize;
		fs->tfiles = sf.f_files;
		fs->ffiles = sf.f_ffree;
		fs->afiles = sf.f_ffree;
		fs->invarsec = 0;
	}
	krpc__sl_obj_put(s, &o);
	return err;
}

const struct krpc_store_ops krpc_store_local = {
	.name = "local",
	.open = local_open,
	.close = local_close,
	.root = local_root,
	.getattr = local_getattr,
	.access = local_access,
	.fsinfo = local_fsinfo,
	.pathconf = local_pathconf,
	.setattr = krpc__sl_setattr,
	.lookup = krpc__sl_lookup,
	.readlink = krpc__sl_readlink,
	.read = krpc__sl_read,
	.io_get = krpc__sl_io_get,
	.io_put = krpc__sl_io_put,
	.io_creds = krpc__sl_io_creds,
	.dir_get = krpc__sl_dir_get,
	.name_fh = krpc__sl_name_fh,
	.forget = krpc__sl_forget,
	.mk_prep = krpc__sl_mk_prep,
	.mk_done = krpc__sl_mk_done,
	.write = krpc__sl_write,
	.commit = krpc__sl_commit,
	.create = krpc__sl_create,
	.mkdir = krpc__sl_mkdir,
	.symlink = krpc__sl_symlink,
	.mknod = krpc__sl_mknod,
	.remove = krpc__sl_remove,
	.rmdir = krpc__sl_rmdir,
	.rename = krpc__sl_rename,
	.link = krpc__sl_link,
	.readdir = krpc__sl_readdir,
	.fsstat = local_fsstat,
};
