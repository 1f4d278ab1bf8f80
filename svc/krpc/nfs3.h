/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NFS version 3 (RFC 1813): the protocol's constants, the arguments and
 * results of its 22 procedures as C structs, and the XDR codecs between
 * them and the wire (nfs3xdr_*.c).
 *
 * The codecs are freestanding (no system calls, no allocation, no global
 * state) and never touch the store or the exports, so unit tests and
 * fuzzers link them alone. Decoded names, symlink targets and WRITE data
 * point into the call message, which outlives the call; file handles are
 * copied (64 bytes at most). Attributes, wcc data and sattr3 map onto the
 * store's own structs (store.h), which follow RFC 1813 §2.5-2.6 field by
 * field. The handlers are in nfs3proc*.c.
 */
#ifndef KRPC_NFS3_H
#define KRPC_NFS3_H

#include <stdbool.h>
#include <stdint.h>
#include <ksf/rpc.h>
#include "store.h"

/* Sizes (RFC 1813 §2.4). */
#define NFS3_FHSIZE		64u
#define NFS3_COOKIEVERFSIZE	8u
#define NFS3_CREATEVERFSIZE	8u
#define NFS3_WRITEVERFSIZE	8u

/* Longest filename3 and nfspath3 decoded. RFC 1813 §2.5 leaves both
 * unbounded; longer ones than this are GARBAGE_ARGS, names between
 * KRPC_NAME_MAX and this get NFS3ERR_NAMETOOLONG from the handler. */
#define NFS3_WIRE_STR_MAX	4096u

/* nfsstat3 (RFC 1813 §2.6). */
enum nfs3_stat {
	NFS3_OK = 0,
	NFS3ERR_PERM = 1,
	NFS3ERR_NOENT = 2,
	NFS3ERR_IO = 5,
	NFS3ERR_NXIO = 6,
	NFS3ERR_ACCES = 13,
	NFS3ERR_EXIST = 17,
	NFS3ERR_XDEV = 18,
	NFS3ERR_NODEV = 19,
	NFS3ERR_NOTDIR = 20,
	NFS3ERR_ISDIR = 21,
	NFS3ERR_INVAL = 22,
	NFS3ERR_FBIG = 27,
	NFS3ERR_NOSPC = 28,
	NFS3ERR_ROFS = 30,
	NFS3ERR_MLINK = 31,
	NFS3ERR_NAMETOOLONG = 63,
	NFS3ERR_NOTEMPTY = 66,
	NFS3ERR_DQUOT = 69,
	NFS3ERR_STALE = 70,
	NFS3ERR_REMOTE = 71,
	NFS3ERR_BADHANDLE = 10001,
	NFS3ERR_NOT_SYNC = 10002,
	NFS3ERR_BAD_COOKIE = 10003,
	NFS3ERR_NOTSUPP = 10004,
	NFS3ERR_TOOSMALL = 10005,
	NFS3ERR_SERVERFAULT = 10006,
	NFS3ERR_BADTYPE = 10007,
	NFS3ERR_JUKEBOX = 10008,
};

/* ftype3 (RFC 1813 §2.5): the same values as enum krpc_ftype. */
enum nfs3_ftype {
	NF3REG = 1, NF3DIR = 2, NF3BLK = 3, NF3CHR = 4,
	NF3LNK = 5, NF3SOCK = 6, NF3FIFO = 7,
};

/* Procedure numbers (RFC 1813 §3.3). */
enum nfs3_proc {
	NFSPROC3_NULL = 0, NFSPROC3_GETATTR = 1, NFSPROC3_SETATTR = 2,
	NFSPROC3_LOOKUP = 3, NFSPROC3_ACCESS = 4, NFSPROC3_READLINK = 5,
	NFSPROC3_READ = 6, NFSPROC3_WRITE = 7, NFSPROC3_CREATE = 8,
	NFSPROC3_MKDIR = 9, NFSPROC3_SYMLINK = 10, NFSPROC3_MKNOD = 11,
	NFSPROC3_REMOVE = 12, NFSPROC3_RMDIR = 13, NFSPROC3_RENAME = 14,
	NFSPROC3_LINK = 15, NFSPROC3_READDIR = 16, NFSPROC3_READDIRPLUS = 17,
	NFSPROC3_FSSTAT = 18, NFSPROC3_FSINFO = 19, NFSPROC3_PATHCONF = 20,
	NFSPROC3_COMMIT = 21,
	NFS3_NPROCS = 22,
};

/* FSINFO properties (RFC 1813 §3.3.19). */
#define FSF3_LINK		0x0001u
#define FSF3_SYMLINK		0x0002u
#define FSF3_HOMOGENEOUS	0x0008u
#define FSF3_CANSETTIME		0x0010u

/* Wire sizes used in reply accounting (RFC 1813 §2.5, §3.3.16-17). */
#define NFS3_FATTR_SIZE		84u	/* fattr3 */
#define NFS3_POST_OP_ATTR_MAX	(4u + NFS3_FATTR_SIZE)

/* ------------------------------------------------------------------------
 * Argument and result pieces.
 */

/* nfs_fh3 (§2.5): a copy of the client's handle. */
struct nfs3_fh {
	uint32_t len;			/* <= NFS3_FHSIZE */
	uint8_t data[NFS3_FHSIZE];
};

/* filename3 or nfspath3: points into the call, NOT NUL-terminated. */
struct nfs3_str {
	const char *s;
	uint32_t len;			/* <= NFS3_WIRE_STR_MAX */
};

/* diropargs3 (§2.5). */
struct nfs3_diropargs {
	struct nfs3_fh dir;
	struct nfs3_str name;
};

/* ------------------------------------------------------------------------
 * Arguments, one struct per shape (§3.3.x names the procedure).
 */

/* GETATTR (§3.3.1), READLINK (§3.3.5), FSSTAT, FSINFO, PATHCONF
 * (§3.3.18-20): one handle. */
struct nfs3_fh_args {
	struct nfs3_fh fh;
};

struct nfs3_setattr_args {		/* §3.3.2 */
	struct nfs3_fh fh;
	struct krpc_sattr sa;
	bool guard;			/* sattrguard3.check */
	struct krpc_time guard_ctime;
};

/* LOOKUP (§3.3.3), REMOVE (§3.3.12), RMDIR (§3.3.13): struct nfs3_diropargs. */

struct nfs3_access_args {		/* §3.3.4 */
	struct nfs3_fh fh;
	uint32_t access;		/* KRPC_ACCESS_* */
};

struct nfs3_read_args {			/* §3.3.6 */
	struct nfs3_fh fh;
	uint64_t offset;
	uint32_t count;
};

struct nfs3_write_args {		/* §3.3.7 */
	struct nfs3_fh fh;
	uint64_t offset;
	uint32_t count;			/* as the client says */
	uint32_t stable;		/* enum krpc_stable */
	const uint8_t *data;		/* into the call: no copy */
	uint32_t len;			/* bytes of data really sent */
};

struct nfs3_create_args {		/* §3.3.8 */
	struct nfs3_diropargs where;
	uint32_t how;			/* enum krpc_createmode */
	struct krpc_sattr sa;		/* UNCHECKED, GUARDED */
	uint8_t verf[NFS3_CREATEVERFSIZE];	/* EXCLUSIVE */
};

struct nfs3_mkdir_args {		/* §3.3.9 */
	struct nfs3_diropargs where;
	struct krpc_sattr sa;
};

struct nfs3_symlink_args {		/* §3.3.10 */
	struct nfs3_diropargs where;
	struct krpc_sattr sa;
	struct nfs3_str target;
};

struct nfs3_mknod_args {		/* §3.3.11 */
	struct nfs3_diropargs where;
	uint32_t type;			/* enum nfs3_ftype */
	struct krpc_sattr sa;		/* CHR, BLK, SOCK, FIFO */
	uint32_t major, minor;		/* CHR, BLK: specdata3 */
};

struct nfs3_rename_args {		/* §3.3.14 */
	struct nfs3_diropargs from, to;
};

struct nfs3_link_args {			/* §3.3.15 */
	struct nfs3_fh fh;
	struct nfs3_diropargs link;
};

/* READDIR (§3.3.16: dircount is set to count) and READDIRPLUS (§3.3.17). */
struct nfs3_readdir_args {
	struct nfs3_fh dir;
	uint64_t cookie;
	uint8_t verf[NFS3_COOKIEVERFSIZE];
	uint32_t dircount;
	uint32_t count;			/* READDIR count, READDIRPLUS maxcount */
};

struct nfs3_commit_args {		/* §3.3.21 */
	struct nfs3_fh fh;
	uint64_t offset;
	uint32_t count;
};

/* ------------------------------------------------------------------------
 * Results. status is an nfsstat3; the other fields are encoded as the
 * status's arm of the result union says (resok or resfail).
 */

struct nfs3_getattr_res {		/* §3.3.1 */
	uint32_t status;
	struct krpc_attr attr;
};

/* SETATTR (§3.3.2), REMOVE (§3.3.12), RMDIR (§3.3.13): wcc_data in both arms. */
struct nfs3_wcc_res {
	uint32_t status;
	struct krpc_wcc wcc;
};

struct nfs3_lookup_res {		/* §3.3.3 */
	uint32_t status;
	struct nfs3_fh fh;
	struct krpc_pattr attr;
	struct krpc_pattr dir_attr;	/* in both arms */
};

struct nfs3_access_res {		/* §3.3.4 */
	uint32_t status;
	struct krpc_pattr attr;		/* in both arms */
	uint32_t access;
};

struct nfs3_readlink_res {		/* §3.3.5 */
	uint32_t status;
	struct krpc_pattr attr;		/* in both arms */
	uint32_t len;
	char data[KRPC_PATH_MAX];
};

struct nfs3_read_res {			/* §3.3.6 */
	uint32_t status;
	struct krpc_pattr attr;		/* in both arms */
	uint32_t count;
	bool eof;
	const uint8_t *data;		/* count bytes, the handler's buffer */
};

struct nfs3_write_res {			/* §3.3.7 */
	uint32_t status;
	struct krpc_wcc wcc;		/* in both arms */
	uint32_t count;
	uint32_t committed;		/* enum krpc_stable */
	uint8_t verf[NFS3_WRITEVERFSIZE];
};

/* CREATE, MKDIR, SYMLINK, MKNOD (§3.3.8-11): post_op_fh3, post_op_attr,
 * and the directory's wcc_data (in both arms). */
struct nfs3_newobj_res {
	uint32_t status;
	bool fh_valid;
	struct nfs3_fh fh;
	struct krpc_pattr attr;
	struct krpc_wcc dir_wcc;
};

struct nfs3_rename_res {		/* §3.3.14: both wcc in both arms */
	uint32_t status;
	struct krpc_wcc from_wcc, to_wcc;
};

struct nfs3_link_res {			/* §3.3.15: both in both arms */
	uint32_t status;
	struct krpc_pattr attr;
	struct krpc_wcc dir_wcc;
};

/* READDIR and READDIRPLUS (§3.3.16-17): entries holds the entry list
 * already in XDR (entry3 or entryplus3, each after its value_follows
 * TRUE; see struct nfs3_dirbuf), in the handler's buffer. */
struct nfs3_readdir_res {
	uint32_t status;
	struct krpc_pattr dir_attr;	/* in both arms */
	uint8_t verf[NFS3_COOKIEVERFSIZE];
	const uint8_t *entries;
	uint32_t entries_len;
	bool eof;
};

struct nfs3_fsstat_res {		/* §3.3.18 */
	uint32_t status;
	struct krpc_pattr attr;		/* in both arms */
	struct krpc_fsstat st;
};

struct nfs3_fsinfo_res {		/* §3.3.19 */
	uint32_t status;
	struct krpc_pattr attr;		/* in both arms */
	uint32_t rtmax, rtpref, rtmult;
	uint32_t wtmax, wtpref, wtmult;
	uint32_t dtpref;
	struct krpc_fsinfo fi;
};

struct nfs3_pathconf_res {		/* §3.3.20 */
	uint32_t status;
	struct krpc_pattr attr;		/* in both arms */
	struct krpc_pathconf pc;
};

struct nfs3_commit_res {		/* §3.3.21 */
	uint32_t status;
	struct krpc_wcc wcc;		/* in both arms */
	uint8_t verf[NFS3_WRITEVERFSIZE];
};

/* ------------------------------------------------------------------------
 * Basic types (nfs3xdr_attr.c). Each returns 0 or the cursor's error.
 */
int nfs3_get_fh(struct ksf_xdr *x, struct nfs3_fh *fh);	/* > 64 bytes: -EMSGSIZE */
int nfs3_get_str(struct ksf_xdr *x, struct nfs3_str *s);	/* filename3, nfspath3 */
int nfs3_get_diropargs(struct ksf_xdr *x, struct nfs3_diropargs *d);
int nfs3_get_time(struct ksf_xdr *x, struct krpc_time *t);
int nfs3_get_sattr(struct ksf_xdr *x, struct krpc_sattr *sa);	/* bad time_how: -EBADMSG */

int nfs3_put_fh(struct ksf_xdr *x, const uint8_t *fh, uint32_t len);
int nfs3_put_post_op_fh(struct ksf_xdr *x, bool valid, const struct nfs3_fh *fh);
int nfs3_put_time(struct ksf_xdr *x, const struct krpc_time *t);
int nfs3_put_fattr(struct ksf_xdr *x, const struct krpc_attr *a);	/* 84 bytes */
int nfs3_put_post_op_attr(struct ksf_xdr *x, const struct krpc_pattr *pa);
int nfs3_put_wcc(struct ksf_xdr *x, const struct krpc_wcc *w);	/* pre_op_attr, post_op_attr */

/* ------------------------------------------------------------------------
 * Procedure codecs, in the shape of struct ksf_rpc_proc's decode and
 * encode. Decoders (nfs3xdr_args.c) return 0 or < 0 (GARBAGE_ARGS): a
 * truncated message, a handle over 64 bytes, a string over
 * NFS3_WIRE_STR_MAX, an enum or bool out of range, or WRITE data longer
 * than the message holds. Encoders (nfs3xdr_res.c) return 0 or the
 * cursor's error.
 */
int nfs3_dec_fh_args(struct ksf_xdr *x, void *args);		/* struct nfs3_fh_args */
int nfs3_dec_setattr(struct ksf_xdr *x, void *args);
int nfs3_dec_diropargs(struct ksf_xdr *x, void *args);	/* struct nfs3_diropargs */
int nfs3_dec_access(struct ksf_xdr *x, void *args);
int nfs3_dec_read(struct ksf_xdr *x, void *args);
int nfs3_dec_write(struct ksf_xdr *x, void *args);
int nfs3_dec_create(struct ksf_xdr *x, void *args);
int nfs3_dec_mkdir(struct ksf_xdr *x, void *args);
int nfs3_dec_symlink(struct ksf_xdr *x, void *args);
int nfs3_dec_mknod(struct ksf_xdr *x, void *args);
int nfs3_dec_rename(struct ksf_xdr *x, void *args);
int nfs3_dec_link(struct ksf_xdr *x, void *args);
int nfs3_dec_readdir(struct ksf_xdr *x, void *args);		/* struct nfs3_readdir_args */
int nfs3_dec_readdirplus(struct ksf_xdr *x, void *args);	/* struct nfs3_readdir_args */
int nfs3_dec_commit(struct ksf_xdr *x, void *args);

int nfs3_enc_getattr(struct ksf_xdr *x, const void *res);
int nfs3_enc_wcc(struct ksf_xdr *x, const void *res);		/* struct nfs3_wcc_res */
int nfs3_enc_lookup(struct ksf_xdr *x, const void *res);
int nfs3_enc_access(struct ksf_xdr *x, const void *res);
int nfs3_enc_readlink(struct ksf_xdr *x, const void *res);
int nfs3_enc_read(struct ksf_xdr *x, const void *res);
int nfs3_enc_write(struct ksf_xdr *x, const void *res);
int nfs3_enc_newobj(struct ksf_xdr *x, const void *res);	/* struct nfs3_newobj_res */
int nfs3_enc_rename(struct ksf_xdr *x, const void *res);
int nfs3_enc_link(struct ksf_xdr *x, const void *res);
int nfs3_enc_readdir(struct ksf_xdr *x, const void *res);	/* READDIR and READDIRPLUS */
int nfs3_enc_fsstat(struct ksf_xdr *x, const void *res);
int nfs3_enc_fsinfo(struct ksf_xdr *x, const void *res);
int nfs3_enc_pathconf(struct ksf_xdr *x, const void *res);
int nfs3_enc_commit(struct ksf_xdr *x, const void *res);

/* ------------------------------------------------------------------------
 * READDIR / READDIRPLUS reply building (nfs3xdr_dir.c): entries are
 * encoded as the store hands them over, into a buffer the handler owns,
 * within the sizes the client gave (RFC 1813 §3.3.16-17).
 *
 * count (READDIR count, READDIRPLUS maxcount) bounds the whole resok:
 * post_op_attr (counted at its largest, 88 bytes), cookieverf, the entries,
 * the list's final FALSE and eof. READDIRPLUS's dircount bounds the
 * entries' directory information alone: value_follows, fileid, name and
 * cookie, not the attributes and handles.
 */
#define NFS3_READDIR_FIXED	(NFS3_POST_OP_ATTR_MAX + NFS3_COOKIEVERFSIZE + 4u + 4u)

struct nfs3_dirbuf {
	struct ksf_xdr x;	/* encodes into the buffer, len = the entries' budget */
	uint32_t dirleft;	/* READDIRPLUS: dircount still free */
	bool plus;
	uint32_t n;		/* entries taken */
};

/* Start a listing in buf[0..cap) for count (and, if plus, dircount).
 * Returns 0, or -KRPC_ETOOSMALL when count cannot hold even an empty
 * resok. */
int nfs3_dirbuf_init(struct nfs3_dirbuf *b, void *buf, size_t cap, uint32_t count,
		     uint32_t dircount, bool plus);

/* Bytes an entry takes in the reply: entry3 (plus false) or entryplus3
 * with attributes if attr_valid and a handle of fhlen bytes (0: none),
 * its value_follows included. */
size_t nfs3_entry_size(uint32_t namelen, bool plus, bool attr_valid, uint32_t fhlen);

/* Append entry d (for READDIRPLUS with d->attr and the wire handle
 * fh[0..fhlen), fh NULL for none). Returns 0, or 1 when it does not fit
 * in what is left: nothing was written (krpc_dirent_fn's meaning). */
int nfs3_dirbuf_add(struct nfs3_dirbuf *b, const struct krpc_dirent *d, const uint8_t *fh,
		    uint32_t fhlen);

/* After the listing: -KRPC_ETOOSMALL when no entry was taken and the
 * directory did not end (RFC 1813 §3.3.16: the count was too small for
 * one entry), else 0. */
int nfs3_dirbuf_finish(const struct nfs3_dirbuf *b, bool eof);

/* ------------------------------------------------------------------------
 * nfs3status.c: the nfsstat3 for an error of the store or the NFS layer:
 * 0 gives NFS3_OK, a -KRPC_E* value its nfsstat3, a -errno the matching
 * NFS3ERR_* (as Linux nfsd's nfserrno), anything else NFS3ERR_SERVERFAULT.
 */
uint32_t nfs3_status(int err);

#endif
