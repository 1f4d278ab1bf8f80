/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The file store under krpc's NFS layer: one table of object operations,
 * as nfs-ganesha's FSALs are (../shared/STYLE.md). The NFS v3 and MOUNT
 * code (nfs3*.c, mount3.c) reaches files only through struct
 * krpc_store_ops; the first store is a local directory (store_local.c). A
 * later store (a durable log, a distributed file system) is a new file that
 * fills the same table.
 *
 * Conventions, for every operation:
 *  - Calls are synchronous and MAY BLOCK (disk, fsync, big directories):
 *    the NFS layer calls them from helper threads, never from a worker's
 *    event loop, except the operations marked "cheap" below. They are
 *    thread-safe: several threads call one store at once.
 *  - Return 0 or a negative error: -errno (-ENOENT, -EACCES, -EEXIST, ...),
 *    or -KRPC_E* for the NFS-only conditions below. nfs3_status() maps
 *    both to nfsstat3 (RFC 1813 §2.6).
 *  - cred is the caller's identity after squashing (root squash, AUTH_NONE
 *    as nobody): the store checks permissions as that user (the local
 *    store switches the calling thread's fsuid/fsgid/groups to it).
 *  - Names are single components, already checked by krpc_name_check():
 *    never "", ".", "..", never containing '/' or NUL, at most
 *    KRPC_NAME_MAX bytes, and NOT NUL-terminated (use namelen). Only
 *    lookup accepts "." and ".." (".." of the export root is the root).
 *    The store never follows a symlink on the server side.
 *  - Output structs are filled as far as they can be even when the
 *    operation fails (RFC 1813 returns wcc data and post-op attributes in
 *    failed replies); their valid flags say what was filled.
 */
#ifndef KRPC_STORE_H
#define KRPC_STORE_H

#include <stdbool.h>
#include <stdint.h>

/* NFS-only errors, as negative nfsstat3 values (RFC 1813 §2.6). */
#define KRPC_EBADHANDLE		10001	/* handle failed internal checks */
#define KRPC_ENOT_SYNC		10002	/* SETATTR guard mismatch */
#define KRPC_EBAD_COOKIE	10003	/* READDIR cookie/verifier is stale */
#define KRPC_ENOTSUPP		10004	/* operation not supported */
#define KRPC_ETOOSMALL		10005	/* buffer or request too small */
#define KRPC_ESERVERFAULT	10006	/* anything else */
#define KRPC_EBADTYPE		10007	/* object type not supported (MKNOD) */

/* READ flag: the caller is an event loop; read only what needs no wait for
 * the disk (data in the page cache), else fail with -EAGAIN (the call is
 * then made again without the flag, on a thread that may block). */
#define KRPC_IO_NOWAIT		0x1u
/* dir_get flag: hold an object of any type (LINK's object), not only a
 * directory. */
#define KRPC_IO_ANYTYPE		0x2u
#define KRPC_EJUKEBOX		10008	/* try again later */

/* io_get access: read, write, or whichever the caller may open (COMMIT:
 * fsync works on any descriptor). */
enum krpc_io_mode { KRPC_IO_RD = 1, KRPC_IO_WR = 2, KRPC_IO_ANY = 3 };

#define KRPC_NAME_MAX		255u	/* bytes in one name component */
#define KRPC_PATH_MAX		1024u	/* bytes in a symlink target (MNTPATHLEN) */
#define KRPC_SFH_MAX		40u	/* bytes of a store handle (see krpc_fh_wrap) */

/* A store's own handle of an object: opaque bytes the store made, which
 * name the object for as long as it exists (the local store: the kernel's
 * file handle from name_to_handle_at). The NFS layer wraps it with an
 * export id and a MAC (export.h), so a store handle reaching the store
 * always came from this store, unmodified. */
struct krpc_sfh {
	uint8_t len;
	uint8_t data[KRPC_SFH_MAX];
};

/* The caller's identity (AUTH_SYS after squashing). */
#define KRPC_CRED_MAXGIDS	16u
struct krpc_cred {
	uint32_t uid, gid;
	uint32_t ngids;
	uint32_t gids[KRPC_CRED_MAXGIDS];
};

/* Object types: the values of ftype3 (RFC 1813 §2.5). */
enum krpc_ftype {
	KRPC_REG = 1, KRPC_DIR = 2, KRPC_BLK = 3, KRPC_CHR = 4,
	KRPC_LNK = 5, KRPC_SOCK = 6, KRPC_FIFO = 7,
};

struct krpc_time {
	uint32_t sec;		/* nfstime3: seconds since the epoch */
	uint32_t nsec;
};

/* fattr3 (RFC 1813 §2.5). mode holds the permission bits only (07777). */
struct krpc_attr {
	uint32_t type, mode, nlink, uid, gid;
	uint64_t size, used;
	uint32_t rdev_major, rdev_minor;
	uint64_t fsid, fileid;
	struct krpc_time atime, mtime, ctime;
};

/* post_op_attr: attributes, when the store could get them. */
struct krpc_pattr {
	bool valid;
	struct krpc_attr a;
};

/* wcc_data (RFC 1813 §2.6): the object before (size, mtime, ctime) and
 * after the operation. */
struct krpc_wcc {
	bool pre_valid;
	uint64_t pre_size;
	struct krpc_time pre_mtime, pre_ctime;
	struct krpc_pattr post;
};

/* sattr3 (RFC 1813 §2.5): what to set. */
enum krpc_time_how { KRPC_TIME_DONT = 0, KRPC_TIME_SERVER = 1, KRPC_TIME_CLIENT = 2 };
struct krpc_sattr {
	bool set_mode, set_uid, set_gid, set_size;
	uint32_t mode, uid, gid;
	uint64_t size;
	uint32_t atime_how, mtime_how;	/* enum krpc_time_how */
	struct krpc_time atime, mtime;	/* KRPC_TIME_CLIENT */
};

/* WRITE stability and CREATE modes: the values of stable_how and
 * createmode3 (RFC 1813 §3.3.7, §3.3.8). */
enum krpc_stable { KRPC_UNSTABLE = 0, KRPC_DATA_SYNC = 1, KRPC_FILE_SYNC = 2 };
enum krpc_createmode { KRPC_UNCHECKED = 0, KRPC_GUARDED = 1, KRPC_EXCLUSIVE = 2 };

/* ACCESS bits (RFC 1813 §3.3.4). */
#define KRPC_ACCESS_READ	0x01u
#define KRPC_ACCESS_LOOKUP	0x02u
#define KRPC_ACCESS_MODIFY	0x04u
#define KRPC_ACCESS_EXTEND	0x08u
#define KRPC_ACCESS_DELETE	0x10u
#define KRPC_ACCESS_EXECUTE	0x20u

/* One directory entry, handed to a krpc_dirent_fn. name is not
 * NUL-terminated. fh and attr are filled only for READDIRPLUS (plus). */
struct krpc_dirent {
	const char *name;
	uint32_t namelen;
	uint64_t fileid;
	uint64_t cookie;	/* where the listing resumes after this entry */
	bool fh_valid;
	struct krpc_sfh fh;
	struct krpc_pattr attr;
};

/* Called per entry, in order. Return 0 to go on, or 1 when the reply is
 * full: that entry was NOT taken, and the listing stops there (eof false). */
typedef int (*krpc_dirent_fn)(void *arg, const struct krpc_dirent *e);

struct krpc_fsstat {		/* FSSTAT3resok (RFC 1813 §3.3.18) */
	uint64_t tbytes, fbytes, abytes, tfiles, ffiles, afiles;
	uint32_t invarsec;
};

struct krpc_fsinfo {		/* the store's part of FSINFO3resok (§3.3.19) */
	uint64_t maxfilesize;
	struct krpc_time time_delta;
	uint32_t properties;	/* FSF3_LINK 1, FSF3_SYMLINK 2, FSF3_HOMOGENEOUS 8, FSF3_CANSETTIME 16 */
};

struct krpc_pathconf {		/* PATHCONF3resok (§3.3.20) */
	uint32_t linkmax, name_max;
	bool no_trunc, chown_restricted, case_insensitive, case_preserving;
};

/* An object held open for I/O by the caller (io_get .. io_put): fd is a
 * descriptor of a regular file open for the asked access, which the
 * caller may read, write or fsync from any thread (pread, pwrite, fsync,
 * or their io_uring operations) until io_put. attr: the object's
 * attributes when it was held. */
struct krpc_io {
	int fd;
	struct krpc_attr attr;
	int priv[3];		/* the store's */
};

/* A name to make from an event loop (store.h mk_prep, mk_done): what the
 * object is, and what the client asked for it. */
struct krpc_mk {
	uint32_t type;			/* KRPC_REG (CREATE), KRPC_DIR, KRPC_LNK, or 0:
					 * a new name of obj (LINK) */
	uint32_t how;			/* KRPC_REG: enum krpc_createmode */
	const struct krpc_sattr *sa;	/* may be NULL (EXCLUSIVE CREATE, LINK) */
	const char *target;		/* KRPC_LNK: NUL-terminated, checked */
	const struct krpc_io *obj;	/* LINK: held with dir_get KRPC_IO_ANYTYPE */
	char path[32];			/* the store's, for LINK */
};

/* The system call mk_prep asks its caller to run: openat (res: a
 * descriptor), mkdirat, symlinkat (path2: the target, dirfd/path: the
 * link) or linkat (dirfd/path: the object, dirfd2/path2: the new name),
 * as ksf/fileop.h's preparers of the same names take them. */
enum krpc_mk_call { KRPC_MK_OPENAT = 1, KRPC_MK_MKDIRAT, KRPC_MK_SYMLINKAT, KRPC_MK_LINKAT };
struct krpc_mkcall {
	uint32_t call;		/* enum krpc_mk_call */
	int dirfd, dirfd2, flags;
	unsigned mode;
	const char *path, *path2;
};

/* Store flags for open. */
#define KRPC_STORE_RO	0x1u	/* refuse every change with -EROFS */

struct krpc_store;

struct krpc_store_ops {
	const char *name;

	/* Open the store rooted at path (an absolute directory). Checks
	 * what the store needs to work (the local store: the directory
	 * exists, handles can be made and opened: CAP_DAC_READ_SEARCH) and
	 * fails with a clear -errno otherwise (-EPERM without the
	 * capability). Not thread-safe; called once at start. */
	int (*open)(struct krpc_store **sp, const char *path, unsigned flags);
	void (*close)(struct krpc_store *s);

	/* The handle of the root (rel == "") or of the directory rel
	 * ("a/b", components separated by '/', no "." or "..", no
	 * symlinks followed) under it, for MOUNT MNT. -ENOENT, -ENOTDIR,
	 * -EACCES. */
	int (*root)(struct krpc_store *s, const struct krpc_cred *cr, const char *rel,
		    struct krpc_sfh *fh);

	/* Cheap: may be called on a worker's event loop. */
	int (*getattr)(struct krpc_store *s, const struct krpc_sfh *fh, struct krpc_attr *a);
	int (*access)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		      uint32_t want, uint32_t *granted, struct krpc_pattr *attr);
	int (*fsinfo)(struct krpc_store *s, const struct krpc_sfh *fh, struct krpc_fsinfo *fi,
		      struct krpc_pattr *attr);
	int (*pathconf)(struct krpc_store *s, const struct krpc_sfh *fh, struct krpc_pathconf *pc,
			struct krpc_pattr *attr);

	/* SETATTR; guard (may be NULL) is the ctime the object must still
	 * have, else -KRPC_ENOT_SYNC and nothing changes. */
	int (*setattr)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		       const struct krpc_sattr *sa, const struct krpc_time *guard,
		       struct krpc_wcc *wcc);
	/* LOOKUP name (also "." and "..") in dir. flags: KRPC_IO_NOWAIT:
	 * cheap (may be called on an event loop), -EAGAIN when it would
	 * read the disk (dir not cached, name not in the kernel's dentry
	 * cache). */
	int (*lookup)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		      const char *name, uint32_t namelen, unsigned flags, struct krpc_sfh *out,
		      struct krpc_pattr *attr, struct krpc_pattr *dir_attr);
	/* READLINK into buf[0..cap): *len bytes, not NUL-terminated. */
	int (*readlink)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
			char *buf, uint32_t cap, uint32_t *len, struct krpc_pattr *attr);
	/* READ up to count bytes at off into buf: *n bytes, *eof when the
	 * read reached the end of the file. flags: KRPC_IO_NOWAIT. */
	int (*read)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		    uint64_t off, uint32_t count, unsigned flags, void *buf, uint32_t *n,
		    bool *eof, struct krpc_pattr *attr);
	/* WRITE count bytes at off with the asked stability (enum
	 * krpc_stable): *n written, *committed the stability reached
	 * (>= the asked one). */
	int (*write)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		     uint64_t off, const void *data, uint32_t count, uint32_t stable,
		     uint32_t *n, uint32_t *committed, struct krpc_wcc *wcc);
	/* Asynchronous data path (may be NULL: not offered). Hold fh open
	 * for I/O in mode (enum krpc_io_mode) after checking that cr may
	 * (-EACCES, -EROFS for writing a read-only store, -EISDIR, -EINVAL
	 * for a non-regular object). With KRPC_IO_NOWAIT it is cheap (may be
	 * called on an event loop): -EAGAIN when holding the object would
	 * mean decoding its handle (which may read the disk). io_put
	 * releases it, filling after (may be NULL) with the attributes now. */
	int (*io_get)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		      unsigned mode, unsigned flags, struct krpc_io *io);
	void (*io_put)(struct krpc_store *s, struct krpc_io *io, struct krpc_pattr *after);
	/* Make the calling thread act as cr for I/O on io_get's descriptors
	 * (a write by a non-root caller clears the file's set-user-ID bit).
	 * io_get leaves the thread so too. 0 or -EPERM. */
	int (*io_creds)(struct krpc_store *s, const struct krpc_cred *cr);
	/* Name changes started on an event loop (may be NULL: not offered).
	 * dir_get holds directory fh as io_get holds a file (KRPC_IO_NOWAIT:
	 * -EAGAIN unless it is cached), io->fd a descriptor of it for *at()
	 * calls, io->attr its attributes; -ENOTDIR, -EROFS; it leaves the
	 * thread as cr; io_put releases it. name_fh: the handle of the object
	 * of name nm (NUL-terminated, checked) in dir (KRPC_IO_NOWAIT: -EAGAIN
	 * when finding it would read the disk). forget: fh's object lost a
	 * name; drop what the store keeps open of it. */
	int (*dir_get)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		       unsigned flags, struct krpc_io *io);
	int (*name_fh)(struct krpc_store *s, const struct krpc_io *dir, const char *nm,
		       unsigned flags, struct krpc_sfh *fh);
	void (*forget)(struct krpc_store *s, const struct krpc_sfh *fh);
	/* Names made on an event loop (may be NULL: not offered). mk_prep
	 * fills call with the system call that makes name nm in the held
	 * directory dir as mk says, the one the synchronous operation makes
	 * (CREATE: an exclusive create, whose result is a descriptor):
	 * 0 or -EAGAIN. The caller runs it as cr (a file operation). mk_done
	 * then, as cr, finishes a made object (not LINK) nm in dir (fd >= 0:
	 * CREATE's descriptor of it; fd < 0 for CREATE: the name was taken,
	 * decide as the create's mode says: 0 and the file, or -EEXIST):
	 * what the client asked beyond the system call
	 * (the mode where the umask cut it, owner, times, size; verf, may be
	 * NULL: EXCLUSIVE CREATE's verifier to keep), its handle into out and
	 * attributes into attr. With KRPC_IO_NOWAIT it is cheap: -EAGAIN and
	 * nothing done when that would change the object or read the disk
	 * (a name not in the kernel's dentry cache); then call it again
	 * without the flag from a thread that may block. */
	int (*mk_prep)(struct krpc_store *s, const struct krpc_io *dir, const char *nm,
		       struct krpc_mk *mk, struct krpc_mkcall *call);
	int (*mk_done)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_io *dir,
		       const char *nm, const struct krpc_mk *mk, int fd, const uint8_t *verf,
		       unsigned flags, struct krpc_sfh *out, struct krpc_pattr *attr);
	/* COMMIT: make count bytes at off (0: to the end) durable. */
	int (*commit)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		      uint64_t off, uint32_t count, struct krpc_wcc *wcc);
	/* CREATE a regular file (enum krpc_createmode). EXCLUSIVE stores
	 * verf with the file, so a retried CREATE with the same verifier
	 * succeeds and returns the same file; a different one gets -EEXIST. */
	int (*create)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		      const char *name, uint32_t namelen, uint32_t how, const struct krpc_sattr *sa,
		      const uint8_t verf[8], struct krpc_sfh *out, struct krpc_pattr *attr,
		      struct krpc_wcc *dir_wcc);
	int (*mkdir)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		     const char *name, uint32_t namelen, const struct krpc_sattr *sa,
		     struct krpc_sfh *out, struct krpc_pattr *attr, struct krpc_wcc *dir_wcc);
	int (*symlink)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		       const char *name, uint32_t namelen, const char *target, uint32_t targetlen,
		       const struct krpc_sattr *sa, struct krpc_sfh *out, struct krpc_pattr *attr,
		       struct krpc_wcc *dir_wcc);
	/* MKNOD of type KRPC_CHR/BLK (major, minor), KRPC_SOCK or KRPC_FIFO;
	 * other types -KRPC_EBADTYPE; a store without it -KRPC_ENOTSUPP. */
	int (*mknod)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		     const char *name, uint32_t namelen, uint32_t type, const struct krpc_sattr *sa,
		     uint32_t major, uint32_t minor, struct krpc_sfh *out, struct krpc_pattr *attr,
		     struct krpc_wcc *dir_wcc);
	int (*remove)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		      const char *name, uint32_t namelen, struct krpc_wcc *dir_wcc);
	int (*rmdir)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		     const char *name, uint32_t namelen, struct krpc_wcc *dir_wcc);
	int (*rename)(struct krpc_store *s, const struct krpc_cred *cr,
		      const struct krpc_sfh *fdir, const char *fname, uint32_t fnamelen,
		      const struct krpc_sfh *tdir, const char *tname, uint32_t tnamelen,
		      struct krpc_wcc *fwcc, struct krpc_wcc *twcc);
	/* LINK: a new name in dir for the object fh. */
	int (*link)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		    const struct krpc_sfh *dir, const char *name, uint32_t namelen,
		    struct krpc_pattr *attr, struct krpc_wcc *dir_wcc);
	/* READDIR / READDIRPLUS (plus: fill each entry's fh and attr) from
	 * cookie (0: the start; "." and ".." are listed too), checking and
	 * setting the cookie verifier verf (in: the client's, out: the
	 * current one; a stale one with cookie != 0 gets -KRPC_EBAD_COOKIE).
	 * Cookies stay valid across calls: a directory changed between calls
	 * gives -KRPC_EBAD_COOKIE or a correct listing, never a skipped or
	 * repeated entry. Entries go to fn until it returns 1 (*eof false)
	 * or the directory ends (*eof true). */
	int (*readdir)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *dir,
		       uint64_t cookie, uint8_t verf[8], bool plus, krpc_dirent_fn fn, void *arg,
		       bool *eof, struct krpc_pattr *dir_attr);
	int (*fsstat)(struct krpc_store *s, const struct krpc_cred *cr, const struct krpc_sfh *fh,
		      struct krpc_fsstat *fs, struct krpc_pattr *attr);
};

/* The local-directory store (store_local.c). */
extern const struct krpc_store_ops krpc_store_local;

/* Check one name component from the wire (store_name.c). Returns 0 or
 * the error the NFS layer answers with: -ENOENT for "", -EINVAL for a
 * name containing '/' or NUL, -ENAMETOOLONG above KRPC_NAME_MAX bytes, and
 * for "." and ".." -EEXIST unless dots_ok (only LOOKUP passes dots_ok; as
 * the kernel's nfsd, a CREATE of "." is NFS3ERR_EXIST; REMOVE, RMDIR and
 * a RENAME source map it to NFS3ERR_INVAL themselves). */
int krpc_name_check(const char *name, uint32_t namelen, bool dots_ok);

#endif
