/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rpctest's NFS version 3 workloads (RFC 1813): what its files share.
 *
 *   nfs_xdr.c    encoders of the MOUNT and NFS arguments rpctest sends and
 *                bounded decoders of the results it checks (no I/O)
 *   nfs_call.c   one workload call (GETATTR, LOOKUP, ACCESS, READ, WRITE,
 *                CREATE) built per call and its reply checked, and the data
 *                pattern that makes every byte read checkable
 *   nfs_sess.c   a small blocking client, one call at a time (or a few
 *                pipelined), for MNT and for preparing and removing the data
 *   nfs_prep.c   MNT, the scratch directory and its files, the cleanup, and
 *                SIGINT/SIGTERM
 *
 * Nothing here depends on krpc's server code: rpctest is a client of any
 * NFSv3 server.
 */
#ifndef KSF_RPCTEST_NFS_H
#define KSF_RPCTEST_NFS_H

#include <stddef.h>
#include <stdint.h>
#include <ksf/rpc.h>

#define NFS_PROGRAM	100003u		/* RFC 1813 §2.1 */
#define NFS_V3		3u
#define MOUNT_PROGRAM	100005u		/* RFC 1813 Appendix I */
#define MOUNT_V3	3u
#define MOUNTPROC3_MNT	1u
#define MOUNTPROC3_UMNT	3u
#define MNT3_PATHLEN	1024u		/* dirpath<MNTPATHLEN> */
#define NFS3_FHSIZE	64u		/* nfs_fh3 data<NFS3_FHSIZE> */
#define NFS3_NAMELEN	255u		/* what rpctest sends is far shorter */
#define NFS3_OK		0u
#define NFS3ERR_NOENT	2u
#define NFS3_MAXDATA	(1u << 20)	/* -l: at most 1 MiB */

enum nfs3_proc {			/* RFC 1813 §3.3 */
	NFSPROC3_NULL = 0, NFSPROC3_GETATTR = 1, NFSPROC3_LOOKUP = 3,
	NFSPROC3_ACCESS = 4, NFSPROC3_READ = 6, NFSPROC3_WRITE = 7,
	NFSPROC3_CREATE = 8, NFSPROC3_MKDIR = 9, NFSPROC3_REMOVE = 12,
	NFSPROC3_RMDIR = 13,
};

enum nfs3_stable { NFS3_UNSTABLE = 0, NFS3_DATA_SYNC = 1, NFS3_FILE_SYNC = 2 };

/* ACCESS3_READ | LOOKUP | MODIFY | EXTEND | DELETE | EXECUTE (§3.3.4) */
#define NFS3_ACCESS_ALL	0x3fu

enum rt_op {				/* --op */
	RT_OP_NULL, RT_OP_GETATTR, RT_OP_LOOKUP, RT_OP_ACCESS, RT_OP_READ,
	RT_OP_WRITE, RT_OP_CREATE, RT_OP_COUNT
};

struct rt_fh {				/* nfs_fh3 */
	uint32_t len;
	uint8_t data[NFS3_FHSIZE];
};

/* What a decoded NFS result holds: the fields rpctest checks. */
struct rt_nfs_res {
	uint32_t status;		/* nfsstat3 */
	int has_attr;			/* post_op_attr (or GETATTR's fattr3) */
	uint32_t type;			/* ftype3 */
	uint64_t size, fileid;
	int has_fh;			/* LOOKUP's object, CREATE's/MKDIR's post_op_fh3 */
	struct rt_fh fh;
	uint32_t access;		/* ACCESS */
	uint32_t count;			/* READ, WRITE */
	int eof;			/* READ */
	uint32_t committed;		/* WRITE */
	const uint8_t *data;		/* READ: points into the reply */
};

/* nfs_xdr.c ------------------------------------------------------------- */

const char *rt_op_name(enum rt_op op);
/* "null", "getattr", ...: 0 or -EINVAL. */
int rt_op_parse(const char *s, enum rt_op *op);
const char *rt_stable_name(uint32_t stable);
int rt_stable_parse(const char *s, uint32_t *stable);
/* The name of an nfsstat3 or mountstat3 without its prefix: "OK",
 * "ACCES" (for NFS3ERR_ACCES, MNT3ERR_ACCES), ..., or "unknown". */
const char *rt_stat_name(uint32_t status);

/* Encoders: each appends its arguments at x and returns 0 or x's error. */
int rt_put_dirpath(struct ksf_xdr *x, const char *path);
int rt_put_fh(struct ksf_xdr *x, const struct rt_fh *fh);
int rt_put_diropargs(struct ksf_xdr *x, const struct rt_fh *dir, const char *name);
int rt_put_read(struct ksf_xdr *x, const struct rt_fh *fh, uint64_t off, uint32_t count);
/* WRITE3args with count bytes of data; *data points at the room left for
 * them in the buffer (the caller fills it). */
int rt_put_write(struct ksf_xdr *x, const struct rt_fh *fh, uint64_t off, uint32_t count,
		 uint32_t stable, uint8_t **data);
/* CREATE3args UNCHECKED, or MKDIR3args, with mode as the only attribute. */
int rt_put_create(struct ksf_xdr *x, const struct rt_fh *dir, const char *name, uint32_t mode);
int rt_put_mkdir(struct ksf_xdr *x, const struct rt_fh *dir, const char *name, uint32_t mode);

/* Decode mountres3 (§5.2.1) from res[0..len): *status, and on MNT3_OK the
 * root handle into *fh. Returns 0, or -EBADMSG (truncated, a handle over
 * 64 bytes, stray bytes after it). */
int rt_mnt_res_decode(const uint8_t *res, size_t len, uint32_t *status, struct rt_fh *fh);

/* Decode the results of NFS procedure proc (one of enum nfs3_proc but
 * NULL) from res[0..len) into *r. A status other than NFS3_OK is decoded
 * alone (the rest is not looked at). Returns 0; -EBADMSG when the results
 * are truncated or malformed (a handle over 64 bytes, READ data longer
 * than its count or than max_data); -E2BIG when bytes follow them;
 * -EINVAL for a procedure it does not know. */
int rt_nfs_res_decode(uint32_t proc, const uint8_t *res, size_t len, uint32_t max_data,
		      struct rt_nfs_res *r);

/* nfs_call.c ------------------------------------------------------------ */

#define RT_NFS_CREATE_WINDOW	4096u	/* create: names per thread, cycled */

/* A workload, fixed before the threads start and then only read. */
struct rt_nfs_work {
	enum rt_op op;
	uint32_t size;			/* -l: READ/WRITE bytes per call */
	uint32_t stable;		/* --stable */
	uint64_t file_size;		/* bytes of the test file's pattern */
	uint64_t nslots;		/* READ/WRITE offsets: file_size / size */
	uint64_t salt;			/* the pattern's seed */
	uint64_t fileid;		/* of the test file (LOOKUP's check) */
	struct rt_fh dir, file;		/* the scratch directory, the test file */
	const char *file_name;		/* the test file's name in dir */
	const struct ksf_rpc_cred_sys *cred;	/* NULL: AUTH_NONE */
	int stream;			/* TCP: a record mark before each call */
};

/* The pattern: byte i of the file is a function of i and salt alone. */
void rt_pattern_fill(uint64_t salt, uint64_t off, uint8_t *buf, size_t len);
/* Offset of the first byte of buf[0..len) that differs from the pattern
 * at off, or len when all are equal. */
size_t rt_pattern_diff(uint64_t salt, uint64_t off, const uint8_t *buf, size_t len);

/* The file offset of call seq of thread id (READ, WRITE). */
uint64_t rt_nfs_offset(const struct rt_nfs_work *nw, unsigned id, uint64_t seq);
/* The name call seq of thread id creates (CREATE): "c<id>-<n>". */
void rt_nfs_create_name(unsigned id, uint64_t seq, char *buf, size_t len);

/* The longest call and reply of the workload, for the buffers. */
size_t rt_nfs_call_max(const struct rt_nfs_work *nw);
size_t rt_nfs_reply_max(const struct rt_nfs_work *nw);

/* Encode call seq of thread id with this xid into buf (room for
 * rt_nfs_call_max()), behind its record mark on a stream. Returns its
 * length on the wire. */
size_t rt_nfs_call_build(const struct rt_nfs_work *nw, unsigned id, uint64_t seq,
			 uint32_t xid, uint8_t *buf);

/* Check the reply msg[0..len) to call seq of thread id: MSG_ACCEPTED and
 * SUCCESS, results that decode to their end, NFS3_OK, and the checks of
 * the operation (READ: count == size and every byte equal to the pattern;
 * WRITE: count == size, committed at least --stable; LOOKUP: the test
 * file's fileid; ACCESS: no bit that was not asked for). Returns 0, or -1
 * with why (whylen bytes) filled. */
int rt_nfs_reply_check(const struct rt_nfs_work *nw, unsigned id, uint64_t seq,
		       const uint8_t *msg, size_t len, char *why, size_t whylen);

#endif
