/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * File operations started from a worker's event loop, completed back on
 * it. On the io_uring backend an operation is one SQE on the worker's own
 * ring (network and disk completions in one ring: IORING_OP_READ, WRITE,
 * FSYNC, STATX, UNLINKAT, RENAMEAT, OPENAT, MKDIRAT, SYMLINKAT, LINKAT,
 * FTRUNCATE); the kernel runs it inline when it
 * need not wait and on its own io-wq threads otherwise, and its
 * completion is dispatched to the operation's done callback in the loop's
 * completion pass. On the epoll backend (or when the ring has no free
 * SQE, or a kernel whose ring lacks the operation: IORING_OP_FTRUNCATE
 * came in Linux 6.9, the ring's operations are probed when it is set up)
 * the same operation runs on one of the worker's helper threads
 * (ksf/offload.h) and done runs back on the worker from a task. Either way the service has one
 * code path, and whatever done queues leaves in the worker's batched flush.
 *
 * Identity: an operation runs with the credentials of whoever issues it.
 * On the ring that is a personality (ksf_fileop_creds_register: the
 * worker thread's credentials at registration, fsuid, fsgid and groups
 * included), or the worker's credentials at submit time when none is
 * given. On a helper, creds_cb runs first on the helper thread.
 */
#ifndef KSF_FILEOP_H
#define KSF_FILEOP_H

#include <stddef.h>
#include <stdint.h>
#include <ksf/offload.h>

struct statx;

enum ksf_fileop_kind { KSF_FILEOP_READ = 1, KSF_FILEOP_WRITE, KSF_FILEOP_FSYNC,
		       KSF_FILEOP_STATX, KSF_FILEOP_UNLINKAT, KSF_FILEOP_RENAMEAT,
		       KSF_FILEOP_OPENAT, KSF_FILEOP_MKDIRAT, KSF_FILEOP_SYMLINKAT,
		       KSF_FILEOP_LINKAT, KSF_FILEOP_FTRUNCATE };

/* One operation: embed it in your own struct, fill it with one of the
 * ksf_fileop_* preparers, set done (and personality, creds_cb), submit. */
struct ksf_fileop {
	/* The caller's. */
	void (*done)(struct ksf_fileop *op);	/* on the submitting worker */
	void (*creds_cb)(struct ksf_fileop *op);	/* on a helper, before the op; may be NULL */
	int personality;	/* ring personality, 0: the worker's credentials */
	int res;		/* in done: bytes (READ, WRITE), a descriptor (OPENAT),
				 * 0, or -errno */
	int on_ring;		/* in done: 1 if it ran on the ring, 0 on a helper */
	/* The library's (set by the preparers). */
	int kind, fd, flags;
	void *buf;
	size_t len;
	uint64_t off;
	const char *path;	/* STATX, UNLINKAT, RENAMEAT, OPENAT, MKDIRAT, SYMLINKAT,
				 * LINKAT: the (old) name */
	int fd2;		/* RENAMEAT, LINKAT: the new name's directory */
	const char *path2;	/* RENAMEAT, LINKAT: the new name; SYMLINKAT: the target */
	unsigned mask;
	unsigned mode;		/* OPENAT, MKDIRAT */
	struct statx *stx;
	int stage, wres;	/* a durable write on the ring: write, then sync */
	struct ksf_offload *helpers;
	struct ksf_offload_job job;
};

/* Preparers: record what to do, nothing runs yet. flags: WRITE takes
 * pwritev2 RWF_* flags (RWF_DSYNC, RWF_SYNC: on the ring a write, then an
 * fsync of the range written; done runs after both, with the write's
 * result or the sync's error); FSYNC takes 1 for
 * fdatasync; STATX takes statx(2) AT_* flags. Preparing a done operation
 * again (in its done callback) and submitting it chains a second one. */
void ksf_fileop_read(struct ksf_fileop *op, int fd, void *buf, size_t len, uint64_t off);
void ksf_fileop_write(struct ksf_fileop *op, int fd, const void *buf, size_t len, uint64_t off,
		      int flags);
void ksf_fileop_fsync(struct ksf_fileop *op, int fd, int datasync);
/* fsync (datasync: fdatasync) of len bytes at off only (len 0: to the end),
 * as sync_file_range cannot: data and the metadata to reach them. */
void ksf_fileop_fsync_range(struct ksf_fileop *op, int fd, int datasync, uint64_t off,
			    uint32_t len);
void ksf_fileop_statx(struct ksf_fileop *op, int dirfd, const char *path, int flags,
		      unsigned mask, struct statx *stx);
/* unlinkat(2) of path in dirfd; flags: 0 or AT_REMOVEDIR. On the ring it
 * always runs on the kernel's io-wq threads. */
void ksf_fileop_unlinkat(struct ksf_fileop *op, int dirfd, const char *path, int flags);
/* renameat2(2) of path in dirfd to path2 in dirfd2; flags: renameat2's
 * RENAME_* (0: renameat). On the ring always on io-wq, as unlinkat. */
void ksf_fileop_renameat(struct ksf_fileop *op, int dirfd, const char *path, int dirfd2,
			 const char *path2, int flags);
/* openat(2) of path in dirfd with open flags and mode (O_CREAT); res is
 * the new descriptor, which done must close. On the ring an open that
 * creates always runs on io-wq; the descriptor is an ordinary one. */
void ksf_fileop_openat(struct ksf_fileop *op, int dirfd, const char *path, int flags,
		       unsigned mode);
/* mkdirat(2), symlinkat(2) (a symlink path in dirfd to target) and
 * linkat(2) (flags: AT_SYMLINK_FOLLOW or 0): on the ring always on io-wq. */
void ksf_fileop_mkdirat(struct ksf_fileop *op, int dirfd, const char *path, unsigned mode);
void ksf_fileop_symlinkat(struct ksf_fileop *op, const char *target, int dirfd,
			  const char *path);
void ksf_fileop_linkat(struct ksf_fileop *op, int olddirfd, const char *oldpath, int newdirfd,
		       const char *newpath, int flags);
/* ftruncate(2) of fd (open for writing) to len bytes: on the ring from
 * Linux 6.9 (IORING_OP_FTRUNCATE), on a helper before. */
void ksf_fileop_ftruncate(struct ksf_fileop *op, int fd, uint64_t len);

/* From a worker thread: start op on this worker's ring, or (epoll backend,
 * no free SQE, an operation the ring lacks) on helpers' (the worker's helper threads of `helpers`, which
 * may be NULL on io_uring, where the operation then fails rather than fall
 * back). op->done runs once, later, on this worker, never from inside this
 * call. op, its buffer and path must stay valid until then. Returns 0, or
 * -EINVAL (not on a worker, no way to run it): done is then never called. */
int ksf_fileop_submit(struct ksf_offload *helpers, struct ksf_fileop *op);

/* From a worker thread: register its current credentials (fsuid, fsgid,
 * groups, capabilities) as a personality of its ring, for
 * ksf_fileop.personality. Returns the id (> 0), -EOPNOTSUPP on the epoll
 * backend, or -errno. Operations prepared but not yet submitted keep the
 * credentials they name: unregister submits what is queued first. */
int ksf_fileop_creds_register(void);
int ksf_fileop_creds_unregister(int id);

/* Operations started on the workers of p, on their rings and on helper
 * threads (any thread; counters since the pool started). */
struct ksf_pool;
struct ksf_fileop_stats {
	uint64_t ring, helper;
};
void ksf_fileop_stats(const struct ksf_pool *p, struct ksf_fileop_stats *st);

/* Operations submitted on this worker and not yet done (a snapshot). */
unsigned long ksf_fileop_inflight(void);

#endif
