/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside krpc's NFS version 3 server: what the procedure handlers
 * (nfs3proc_*.c) share. Each handler has the shape of struct
 * ksf_rpc_proc's handle: it unwraps the handle(s) of its arguments, takes
 * the caller's identity, checks names and read-only exports, calls the
 * store through the export's ops table, and puts the nfsstat3 and whatever
 * attributes it has in its result. NFS errors are results, never RPC
 * errors: handlers return 0 (< 0 only if the reply itself cannot be made).
 *
 * Handlers run on several threads at once (the transport runs BLOCKING
 * procedures on helper threads): they keep no mutable state but the
 * per-thread buffer of nfs3_thread_buf().
 */
#ifndef KRPC_NFS3PROC_H
#define KRPC_NFS3PROC_H

#include "krpc.h"
#include "nfs3.h"

/* One object a procedure works on: its export and store handle, the
 * caller's identity, and the service context. */
struct nfs3_op {
	const struct ksf_rpc_req *req;	/* the call's transport and peer */
	struct krpc_ctx *k;
	const struct krpc_export *e;	/* NULL until the handle unwrapped */
	struct krpc_sfh fh;
	struct krpc_cred cr;
};

/* How a name from the wire may be used (krpc_name_check's dots_ok, and
 * what "." and ".." give). */
enum nfs3_name_use {
	NFS3_NAME_LOOKUP,	/* "." and ".." allowed */
	NFS3_NAME_NEW,		/* a name to create: "." and ".." are NFS3ERR_EXIST */
	NFS3_NAME_OLD,		/* REMOVE, RMDIR, RENAME from: NFS3ERR_INVAL */
};

/* Unwrap fh (krpc_fh_unwrap) and take the caller's identity
 * (krpc_cred_of_call). Returns 0, -KRPC_EBADHANDLE or -ESTALE; op->e stays
 * NULL on failure. */
int nfs3_op_start(struct nfs3_op *op, const struct ksf_rpc_call *call, void *ctx,
		  const struct nfs3_fh *fh);

/* A second object of the same call (RENAME's target directory, LINK's
 * file): as nfs3_op_start, then -EXDEV unless it is in first's export. */
int nfs3_op_start2(struct nfs3_op *op, const struct nfs3_op *first,
		   const struct ksf_rpc_call *call, void *ctx, const struct nfs3_fh *fh);

/* 0, or -EROFS when the export is read-only (RFC 1813: every change). */
int nfs3_op_writable(const struct nfs3_op *op);

/* 0 or the error krpc_name_check gives for n used as use says. */
int nfs3_name_ok(const struct nfs3_str *n, enum nfs3_name_use use);

/* Fill pa with op's object's attributes unless it is already valid or the
 * handle did not unwrap: failed replies carry attributes too (RFC 1813
 * §2.6, post_op_attr). */
void nfs3_op_post_attr(const struct nfs3_op *op, struct krpc_pattr *pa);

/* Wrap a store handle of op's export into an NFS handle. 0 or < 0. */
int nfs3_op_wrap(const struct nfs3_op *op, const struct krpc_sfh *sfh, struct nfs3_fh *out);

/* The largest READ and WRITE for op's call (FSINFO rtmax and wtmax): the
 * context's (KRPC_XFER_MIN when it has none), at most NFS3_UDP_XFER_MAX
 * over UDP, where a reply is one datagram. */
#define NFS3_UDP_XFER_MAX	(32u << 10)	/* as Linux nfsd's RPCSVC_MAXPAYLOAD_UDP */
uint32_t nfs3_rtmax(const struct nfs3_op *op);
uint32_t nfs3_wtmax(const struct nfs3_op *op);

/* This thread's reply-data buffer (READ data, READDIR entries) of at least
 * size bytes, allocated at first use and kept for the thread's life (freed
 * when the thread ends). The result encoder copies out of it before the
 * thread's next call. NULL if it cannot be allocated. */
void *nfs3_thread_buf(size_t size);
/* Free this thread's buffer (an idle helper thread: the next call makes
 * it again). */
void nfs3_thread_buf_free(void);

/* READ, WRITE and COMMIT as file operations of the worker, the reply
 * deferred to their completion (nfs3proc_aio.c): -EINPROGRESS when
 * started, -EAGAIN when the call must run on a helper instead. Only on
 * the event loop (op->req->nowait). */
/* READ reads into buf (the call's reply buffer, ksf_rpc_reply_buf), or
 * into memory of its own when buf is NULL. */
int nfs3_aio_read(const struct nfs3_op *op, const struct ksf_rpc_call *call, uint64_t off,
		  uint32_t count, void *buf);
int nfs3_aio_write(const struct nfs3_op *op, const struct ksf_rpc_call *call, uint64_t off,
		   const void *data, uint32_t count, uint32_t stable);
int nfs3_aio_commit(const struct nfs3_op *op, const struct ksf_rpc_call *call);
/* REMOVE (dir false) and RMDIR of name in op's directory, the same way
 * (nfs3proc_aio_ns.c); the reply is a struct nfs3_wcc_res. */
int nfs3_aio_unlink(const struct nfs3_op *op, const struct ksf_rpc_call *call,
		    const struct nfs3_str *name, bool dir);
/* RENAME of fname in from's directory to tname in to's, the same way. */
int nfs3_aio_rename(const struct nfs3_op *from, const struct nfs3_op *to,
		    const struct ksf_rpc_call *call, const struct nfs3_str *fname,
		    const struct nfs3_str *tname);
/* CREATE, MKDIR, SYMLINK of name in op's directory and LINK of obj's
 * object as name in dir's, the same way (nfs3proc_aio_new.c); the reply
 * is a struct nfs3_newobj_res (LINK: nfs3_link_res). */
int nfs3_aio_create(const struct nfs3_op *op, const struct ksf_rpc_call *call,
		    const struct nfs3_str *name, uint32_t how, const struct krpc_sattr *sa,
		    const uint8_t verf[NFS3_CREATEVERFSIZE]);
int nfs3_aio_mkdir(const struct nfs3_op *op, const struct ksf_rpc_call *call,
		   const struct nfs3_str *name, const struct krpc_sattr *sa);
int nfs3_aio_symlink(const struct nfs3_op *op, const struct ksf_rpc_call *call,
		     const struct nfs3_str *name, const struct nfs3_str *target,
		     const struct krpc_sattr *sa);
int nfs3_aio_link(const struct nfs3_op *obj, const struct nfs3_op *dir,
		  const struct ksf_rpc_call *call, const struct nfs3_str *name);
/* SETATTR of a size alone (and mtime to the server's time, which the
 * truncate sets) as an ftruncate of the worker, the same way
 * (nfs3proc_aio_attr.c); the reply is a struct nfs3_wcc_res. */
int nfs3_aio_truncate(const struct nfs3_op *op, const struct ksf_rpc_call *call,
		      const struct krpc_sattr *sa, const struct krpc_time *guard);
/* w's pre-operation part from a (the attributes before). */
void nfs3_wcc_pre(struct krpc_wcc *w, const struct krpc_attr *a);

/* The worker's ring personality of cr, which the calling worker thread
 * is now (registered if needed; a small per-worker cache): > 0, 0 on the
 * epoll backend, or -errno. */
int nfs3_aio_persona(const struct krpc_cred *cr);

/* The handlers, one per procedure (RFC 1813 §3.3.1-21). */
#define NFS3_HANDLER(name) \
	int nfs3_proc_##name(const struct ksf_rpc_call *call, void *args, void *res, void *ctx)
NFS3_HANDLER(getattr);
NFS3_HANDLER(setattr);
NFS3_HANDLER(lookup);
NFS3_HANDLER(access);
NFS3_HANDLER(readlink);
NFS3_HANDLER(read);
NFS3_HANDLER(write);
NFS3_HANDLER(create);
NFS3_HANDLER(mkdir);
NFS3_HANDLER(symlink);
NFS3_HANDLER(mknod);
NFS3_HANDLER(remove);
NFS3_HANDLER(rmdir);
NFS3_HANDLER(rename);
NFS3_HANDLER(link);
NFS3_HANDLER(readdir);
NFS3_HANDLER(readdirplus);
NFS3_HANDLER(fsstat);
NFS3_HANDLER(fsinfo);
NFS3_HANDLER(pathconf);
NFS3_HANDLER(commit);

#endif
