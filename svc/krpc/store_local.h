/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internals of the local-directory store (store_local*.c), shared by its
 * files and by nothing else. The store's contract is store.h; this header
 * holds the store object, the O_PATH descriptor cache, the per-thread
 * identity switch and the attribute helpers its operations are built from.
 *
 * The files, one job each:
 *   store_local.c        the ops table, open/close, root, the cheap queries
 *   store_local_fh.c     handles: make, decode, the bounded fd cache, reopen
 *   store_local_ident.c  per-thread fsuid/fsgid/groups of the caller
 *   store_local_attr.c   statx to struct krpc_attr, wcc, SETATTR
 *   store_local_ns.c     lookup and the operations that change names
 *   store_local_io.c     readlink, read, write, commit
 *   store_local_open.c   descriptors for I/O, the caller's permission check
 *   store_local_dir.c    readdir and readdirplus
 */
#ifndef KRPC_STORE_LOCAL_H
#define KRPC_STORE_LOCAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "store.h"

#define SL_CACHE_WAYS	4u	/* slots a handle may go to (one set) */
#define SL_CACHE_SETS	64u
#define SL_CACHE_SLOTS	(SL_CACHE_SETS * SL_CACHE_WAYS)	/* O_PATH fds kept open, at most */
#define SL_CACHE_LOCKS	16u	/* stripes of the cache's locks, by set */

/* A caller's access to a slot's object that the kernel granted
 * (store_local_open.c): valid while the object's ctime is the same. */
struct sl_grant {
	struct krpc_cred cr;
	struct krpc_time ctime;
	unsigned acc;		/* R_OK | W_OK; 0: none */
};

/* One cached O_PATH descriptor of a handle's object. */
struct sl_slot {
	struct krpc_sfh fh;	/* the key; len 0: not findable */
	int fd;			/* -1: empty */
	int rfd, wfd;		/* regular files: opened for reading, writing
				 * (store_local_open.c), -1 until first used */
	uint32_t refs;		/* operations using fd now */
	uint32_t used;		/* its set's clock at the last use: the least
				 * recently used way is replaced first */
	struct sl_grant grant;	/* the last caller's access checked */
};

struct krpc_store {
	int root_fd;		/* the export root, O_RDONLY|O_DIRECTORY: the
				 * mount_fd of open_by_handle_at */
	unsigned flags;		/* KRPC_STORE_RO */
	int mnt_id;		/* mount of the root: objects elsewhere are
				 * not crossed into */
	uint64_t root_ino;
	uint64_t fsid;		/* statfs f_fsid: stable per file system */
	struct krpc_sfh root_fh;
	uint8_t cookieverf[8];	/* READDIR verifier, see store_local_dir.c */
	struct sl_slot slots[SL_CACHE_SLOTS];	/* set k: ways k*WAYS.. */
	uint32_t clock[SL_CACHE_SETS];
	pthread_mutex_t locks[SL_CACHE_LOCKS];
	uint64_t io_checks;	/* READ/WRITE/COMMIT access checks the kernel
				 * made (atomic; tests count the grants' use) */
};

/* An object of a handle, held for one operation: an O_PATH descriptor,
 * from the cache (slot >= 0) or opened for this operation (slot -1). */
struct sl_obj {
	int fd;
	int slot;
};

/* store_local_fh.c */
int krpc__sl_fh_of(int dirfd, const char *name, struct krpc_sfh *fh, int *mnt_id);
int krpc__sl_obj_get(struct krpc_store *s, const struct krpc_sfh *fh, struct sl_obj *o);
int krpc__sl_obj_cached(struct krpc_store *s, const struct krpc_sfh *fh, struct sl_obj *o);
int krpc__sl_slot_iofd(struct krpc_store *s, const struct sl_obj *o, bool wr, int fd);
unsigned krpc__sl_slot_granted(struct krpc_store *s, const struct sl_obj *o,
			       const struct krpc_cred *cr, const struct krpc_time *ctime);
void krpc__sl_slot_grant(struct krpc_store *s, const struct sl_obj *o, const struct krpc_cred *cr,
			 const struct krpc_time *ctime, unsigned acc);
void krpc__sl_obj_put(struct krpc_store *s, struct sl_obj *o);
void krpc__sl_obj_stale(struct krpc_store *s, struct sl_obj *o);
void krpc__sl_cache_offer(struct krpc_store *s, const struct krpc_sfh *fh, int fd);
void krpc__sl_cache_offer_empty(struct krpc_store *s, const struct krpc_sfh *fh, int fd);
void krpc__sl_cache_forget(struct krpc_store *s, const struct krpc_sfh *fh);
void krpc__sl_cache_init(struct krpc_store *s);
unsigned krpc__sl_cache_set(const struct krpc_sfh *fh);
void krpc__sl_cache_fini(struct krpc_store *s);
int krpc__sl_reopen(int fd, int flags, const struct krpc_cred *cr,
		    const struct krpc_attr *owner_of);

/* store_local_open.c */
int krpc__sl_io_get(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		    unsigned mode, unsigned flags, struct krpc_io *io);
void krpc__sl_io_put(struct krpc_store *s, struct krpc_io *io, struct krpc_pattr *after);
int krpc__sl_io_creds(struct krpc_store *s, const struct krpc_cred *cr);

/* store_local_nsio.c */
int krpc__sl_dir_get(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		     unsigned flags, struct krpc_io *io);
int krpc__sl_name_fh(struct krpc_store *s, const struct krpc_io *dir, const char *nm,
		     unsigned flags, struct krpc_sfh *fh);
void krpc__sl_forget(struct krpc_store *s, const struct krpc_sfh *fh);
int krpc__sl_mk_prep(struct krpc_store *s, const struct krpc_io *dir, const char *nm,
		     struct krpc_mk *mk, struct krpc_mkcall *call);
int krpc__sl_mk_done(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_io *dir,
		     const char *nm, const struct krpc_mk *mk, int fd, const uint8_t *verf,
		     unsigned flags, struct krpc_sfh *out, struct krpc_pattr *attr);

/* store_local_ns.c: what the synchronous and the event loop's name
 * making share. The mode a new object of type gets (sa may be NULL); sa
 * as it applies to one, in *buf; whether an object (attributes a) made
 * with mode needs no more of sa; the end of a new object (handle,
 * attributes, the rest of sa); EXCLUSIVE CREATE's verifier kept. */
uint32_t krpc__sl_new_mode(uint32_t type, const struct krpc_sattr *sa);
const struct krpc_sattr *krpc__sl_new_sattr(uint32_t type, const struct krpc_sattr *sa,
					    struct krpc_sattr *buf);
bool krpc__sl_new_done(const struct krpc_attr *a, uint32_t mode, const struct krpc_sattr *sa);
int krpc__sl_finish_new(struct krpc_store *s, const struct krpc_cred *cr, int fd, uint32_t mode,
			const struct krpc_sattr *sa, struct krpc_sfh *out, struct krpc_pattr *attr);
int krpc__sl_verf_set(int fd, const uint8_t verf[8]);
/* CREATE (how, sa, verf) found nm in dirfd taken: 0 with its handle and
 * attributes when the mode accepts it, -EEXIST, or -EAGAIN (gone, or
 * KRPC_IO_NOWAIT and it would need the disk). */
int krpc__sl_create_taken(struct krpc_store *s, const struct krpc_cred *cr, int dirfd,
			  const char *nm, uint32_t how, const struct krpc_sattr *sa,
			  const uint8_t *verf, unsigned flags, struct krpc_sfh *out,
			  struct krpc_pattr *attr);
/* store_local_nsio.c: an O_PATH descriptor of name in dirfd from the
 * dentry cache only (openat2 RESOLVE_CACHED: -EAGAIN otherwise). */
int krpc__sl_open_cached(int dirfd, const char *nm, int *fd);

/* store_local_ident.c */
int krpc__sl_become(const struct krpc_cred *cr);
int krpc__sl_become_root(void);

/* store_local_attr.c */
int krpc__sl_stat_at(const struct krpc_store *s, int dirfd, const char *name,
		     struct krpc_attr *a);
int krpc__sl_stat(const struct krpc_store *s, int fd, struct krpc_attr *a);
int krpc__sl_hold(struct krpc_store *s, const struct krpc_sfh *fh, struct sl_obj *o,
		  struct krpc_attr *a);
void krpc__sl_post(const struct krpc_store *s, int fd, struct krpc_pattr *p);
void krpc__sl_pre_of(const struct krpc_attr *a, struct krpc_wcc *w);
void krpc__sl_wcc_post(const struct krpc_store *s, int fd, struct krpc_wcc *w);
int krpc__sl_apply(int fd, const struct krpc_cred *cr, const struct krpc_attr *a,
		   const struct krpc_sattr *sa);
int krpc__sl_name(char buf[KRPC_NAME_MAX + 1], const char *name, uint32_t len, bool dots_ok);
int krpc__sl_open_at(int dirfd, const char *name, int *fd);
bool krpc__sl_is_root_attr(const struct krpc_store *s, const struct krpc_attr *a);

/* The operations of the ops table, by file. */
int krpc__sl_setattr(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		     const struct krpc_sattr *sa, const struct krpc_time *guard,
		     struct krpc_wcc *wcc);
int krpc__sl_lookup(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		    const char *name, uint32_t namelen, unsigned flags, struct krpc_sfh *out,
		    struct krpc_pattr *attr, struct krpc_pattr *dir_attr);
int krpc__sl_create(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		    const char *name, uint32_t namelen, uint32_t how, const struct krpc_sattr *sa,
		    const uint8_t verf[8], struct krpc_sfh *out, struct krpc_pattr *attr,
		    struct krpc_wcc *dir_wcc);
int krpc__sl_mkdir(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		   const char *name, uint32_t namelen, const struct krpc_sattr *sa,
		   struct krpc_sfh *out, struct krpc_pattr *attr, struct krpc_wcc *dir_wcc);
int krpc__sl_symlink(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		     const char *name, uint32_t namelen, const char *target, uint32_t targetlen,
		     const struct krpc_sattr *sa, struct krpc_sfh *out, struct krpc_pattr *attr,
		     struct krpc_wcc *dir_wcc);
int krpc__sl_mknod(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		   const char *name, uint32_t namelen, uint32_t type, const struct krpc_sattr *sa,
		   uint32_t major, uint32_t minor, struct krpc_sfh *out, struct krpc_pattr *attr,
		   struct krpc_wcc *dir_wcc);
int krpc__sl_remove(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		    const char *name, uint32_t namelen, struct krpc_wcc *dir_wcc);
int krpc__sl_rmdir(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		   const char *name, uint32_t namelen, struct krpc_wcc *dir_wcc);
int krpc__sl_rename(struct krpc_store *s, const struct krpc_cred *cr,
		    const struct krpc_sfh *fdir, const char *fname, uint32_t fnamelen,
		    const struct krpc_sfh *tdir, const char *tname, uint32_t tnamelen,
		    struct krpc_wcc *fwcc, struct krpc_wcc *twcc);
int krpc__sl_link(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		  const struct krpc_sfh *dir, const char *name, uint32_t namelen,
		  struct krpc_pattr *attr, struct krpc_wcc *dir_wcc);
int krpc__sl_readlink(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		      char *buf, uint32_t cap, uint32_t *len, struct krpc_pattr *attr);
int krpc__sl_read(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		  uint64_t off, uint32_t count, unsigned flags, void *buf, uint32_t *n,
		  bool *eof, struct krpc_pattr *attr);
int krpc__sl_write(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		   uint64_t off, const void *data, uint32_t count, uint32_t stable,
		   uint32_t *n, uint32_t *committed, struct krpc_wcc *wcc);
int krpc__sl_commit(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		    uint64_t off, uint32_t count, struct krpc_wcc *wcc);
int krpc__sl_readdir(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		     uint64_t cookie, uint8_t verf[8], bool plus, krpc_dirent_fn fn, void *arg,
		     bool *eof, struct krpc_pattr *dir_attr);

#endif
