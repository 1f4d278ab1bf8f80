// SPDX-License-Identifier: BSD-2-Clause
/*
 * Preparing an NFS workload (--export): MOUNT's MNT for the export's root
 * handle (RFC 1813 Appendix I §5.2.1), then, over NFS, a scratch directory
 * of rpctest's own under it (.rpctest-<pid>-<random>), a test file "data"
 * in it, and for READ the pattern of nfs_call.c written over the whole
 * file, so that every READ can be checked. GETATTR gives the file's fileid
 * for the LOOKUP and GETATTR checks. nfs_clean.c removes it all.
 *
 * The calls carry the workload's credential (AUTH_SYS of the caller by
 * default), so the scratch directory must be creatable by that user after
 * the server maps it (root squash): a refusal says so and what to do.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include "rpctest.h"
#include "nfs_data.h"

#define DIR_MODE	0755u
#define FILE_MODE	0644u
#define FILE_NAME	"data"
#define FILL_CHUNK	(64u * 1024)	/* every server takes WRITEs this big */
#define FILE_MIN	(1u << 20)	/* READ/WRITE offsets: at least 1 MiB, */
#define FILE_SLOTS	16u		/* 16 sizes, */
#define FILE_MAX	(16u << 20)	/* at most 16 MiB */

/* Print why the preparation failed; returns 1, the exit status. */
static int prep_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int prep_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("rpctest: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* MNT of --export on the mount port: the root handle. */
static int mount_export(struct rt_ctx *ctx, struct rt_nfs_data *d)
{
	const struct rt_opts *o = ctx->o;
	uint16_t port = o->mount_port_set ? o->mount_port : ctx->eng.tgt.port;
	const uint8_t *res;
	struct rt_sess s;
	struct ksf_xdr x;
	uint32_t status;
	size_t len;
	int rc = -1;

	if (rt_sess_open(&s, &ctx->eng.tgt, port, o->l.stall_ns, d->cred, d->err, sizeof(d->err)))
		goto out;
	rt_sess_begin(&s, &x, MOUNT_PROGRAM, MOUNT_V3, MOUNTPROC3_MNT);
	rt_put_dirpath(&x, o->export);
	if (rt_sess_call(&s, &x, &res, &len))
		goto out;
	if (rt_mnt_res_decode(res, len, &status, &d->root)) {
		snprintf(d->err, sizeof(d->err), "a malformed MNT reply (%zu bytes)", len);
		goto out;
	}
	if (status != 0)
		snprintf(d->err, sizeof(d->err), "MNT3ERR_%s (%u)", rt_stat_name(status),
			 status);
	else
		rc = 0;
out:
	rt_sess_close(&s);
	if (rc)
		return prep_fail("MOUNT MNT of %s on port %u: %s", o->export,
				 (unsigned)port, d->err);
	d->mounted = 1;
	return 0;
}

/* One NFS call: queue the arguments encoded at x, then check the reply is
 * NFS3_OK with results that decode (into *r). 0, or -1 with d->err. */
int rt_nfs_rpc(struct rt_nfs_data *d, struct ksf_xdr *x, uint32_t proc, const char *what,
	       struct rt_nfs_res *r)
{
	const uint8_t *res;
	size_t len;

	memset(r, 0, sizeof(*r));
	if (rt_sess_call(&d->sess, x, &res, &len))
		return -1;
	if (rt_nfs_res_decode(proc, res, len, NFS3_MAXDATA, r)) {
		snprintf(d->err, sizeof(d->err), "%s: a malformed reply (%zu bytes of results)",
			 what, len);
		return -1;
	}
	if (r->status == NFS3_OK)
		return 0;
	snprintf(d->err, sizeof(d->err), "%s: NFS3ERR_%s (%u)", what, rt_stat_name(r->status),
		 r->status);
	return -1;
}

/* The handle of name in dir: from the reply of CREATE or MKDIR when it
 * has one (post_op_fh3 is optional), else by LOOKUP. */
static int handle_of(struct rt_nfs_data *d, const struct rt_fh *dir, const char *name,
		     struct rt_nfs_res *r)
{
	struct ksf_xdr x;

	if (r->has_fh)
		return 0;
	rt_sess_begin(&d->sess, &x, NFS_PROGRAM, NFS_V3, NFSPROC3_LOOKUP);
	rt_put_diropargs(&x, dir, name);
	return rt_nfs_rpc(d, &x, NFSPROC3_LOOKUP, "LOOKUP", r);
}

/* Why MKDIR was refused, and what to do, for a refusal by permissions. */
static int mkdir_refused(const struct rt_ctx *ctx, const struct rt_nfs_data *d)
{
	const struct ksf_rpc_cred_sys *c = d->cred;
	char who[64];

	if (c)
		snprintf(who, sizeof(who), "uid %u gid %u", c->uid, c->gid);
	else
		snprintf(who, sizeof(who), "AUTH_NONE (the server's anonymous user)");
	return prep_fail("cannot create rpctest's scratch directory "
			 "in %s: %s, calling as %s. The export's directory must be writable "
			 "by the user the server maps the calls to; a server that squashes "
			 "root (krpc and most NFS servers by default) maps uid 0 to nobody. "
			 "Run krpc with --no-root-squash, make the directory writable by "
			 "nobody, or call as a user who may write there (rpctest ... "
			 "user@host)", ctx->o->export, d->err, who);
}

static int make_dir(struct rt_ctx *ctx, struct rt_nfs_data *d)
{
	struct rt_nfs_res r;
	struct ksf_xdr x;

	rt_sess_begin(&d->sess, &x, NFS_PROGRAM, NFS_V3, NFSPROC3_MKDIR);
	rt_put_mkdir(&x, &d->root, d->dir_name, DIR_MODE);
	if (rt_nfs_rpc(d, &x, NFSPROC3_MKDIR, "MKDIR", &r)) {
		if (r.status == 13 || r.status == 1 || r.status == 30)	/* ACCES PERM ROFS */
			return mkdir_refused(ctx, d);
		return prep_fail("%s", d->err);
	}
	d->have_dir = 1;
	if (handle_of(d, &d->root, d->dir_name, &r))
		return prep_fail("%s", d->err);
	ctx->nfs.dir = r.fh;
	return 0;
}

static int make_file(struct rt_ctx *ctx, struct rt_nfs_data *d)
{
	struct rt_nfs_res r;
	struct ksf_xdr x;

	rt_sess_begin(&d->sess, &x, NFS_PROGRAM, NFS_V3, NFSPROC3_CREATE);
	rt_put_create(&x, &ctx->nfs.dir, FILE_NAME, FILE_MODE);
	if (rt_nfs_rpc(d, &x, NFSPROC3_CREATE, "CREATE of the test file", &r))
		return prep_fail("%s", d->err);
	d->have_file = 1;
	if (handle_of(d, &ctx->nfs.dir, FILE_NAME, &r))
		return prep_fail("%s", d->err);
	ctx->nfs.file = r.fh;
	return 0;
}

/* READ: the pattern over the whole file, in FILL_CHUNK WRITEs (a server
 * may write less than asked: go on from where it stopped). */
static int fill_file(struct rt_ctx *ctx, struct rt_nfs_data *d)
{
	const struct rt_nfs_work *nw = &ctx->nfs;
	struct rt_nfs_res r;
	struct ksf_xdr x;
	uint8_t *data;

	for (uint64_t off = 0; off < nw->file_size; off += r.count) {
		uint64_t left = nw->file_size - off;
		uint32_t n = left < FILL_CHUNK ? (uint32_t)left : FILL_CHUNK;

		rt_sess_begin(&d->sess, &x, NFS_PROGRAM, NFS_V3, NFSPROC3_WRITE);
		if (!rt_put_write(&x, &nw->file, off, n, NFS3_FILE_SYNC, &data))
			rt_pattern_fill(nw->salt, off, data, n);
		if (rt_nfs_rpc(d, &x, NFSPROC3_WRITE, "WRITE of the test file", &r))
			return prep_fail("%s", d->err);
		if (r.count == 0 || r.count > n)
			return prep_fail("WRITE of %u bytes of the test file at offset %"
					 PRIu64 " wrote %u", n, off, r.count);
		if (rt_nfs_signal())
			return prep_fail("interrupted");
	}
	return 0;
}

/* GETATTR of the test file: its fileid, and for READ its size. */
static int stat_file(struct rt_ctx *ctx, struct rt_nfs_data *d)
{
	struct rt_nfs_res r;
	struct ksf_xdr x;

	rt_sess_begin(&d->sess, &x, NFS_PROGRAM, NFS_V3, NFSPROC3_GETATTR);
	rt_put_fh(&x, &ctx->nfs.file);
	if (rt_nfs_rpc(d, &x, NFSPROC3_GETATTR, "GETATTR of the test file", &r))
		return prep_fail("%s", d->err);
	ctx->nfs.fileid = r.fileid;
	if (ctx->nfs.op == RT_OP_READ && r.size < ctx->nfs.file_size)
		return prep_fail("the test file has %" PRIu64 " bytes after rpctest wrote %"
				 PRIu64, r.size, ctx->nfs.file_size);
	return 0;
}

/* The workload's fixed parts: sizes, the offsets' range, the salt. */
static void plan(struct rt_ctx *ctx, struct rt_nfs_data *d)
{
	const struct rt_opts *o = ctx->o;
	struct rt_nfs_work *nw = &ctx->nfs;
	uint64_t want = (uint64_t)o->size * FILE_SLOTS;

	nw->op = o->op;
	nw->size = o->size;
	nw->stable = o->stable;
	nw->cred = d->cred;
	nw->stream = 1;
	nw->file_name = FILE_NAME;
	want = want < FILE_MIN ? FILE_MIN : want > FILE_MAX ? FILE_MAX : want;
	nw->nslots = want / o->size;
	nw->file_size = nw->nslots * o->size;
	if (getrandom(&nw->salt, sizeof(nw->salt), GRND_NONBLOCK) != sizeof(nw->salt))
		nw->salt = (uint64_t)getpid() * 0x100000001b3ull;
	snprintf(d->dir_name, sizeof(d->dir_name), ".rpctest-%d-%08x", (int)getpid(),
		 (unsigned)(nw->salt >> 32));
}

/* The scratch directory, the test file and its data. */
static int make_data(struct rt_ctx *ctx, struct rt_nfs_data *d)
{
	d->sess_open = 1;	/* rt_sess_close() is due even if it fails */
	if (rt_sess_open(&d->sess, &ctx->eng.tgt, ctx->eng.tgt.port, ctx->o->l.stall_ns, d->cred,
			 d->err, sizeof(d->err)))
		return prep_fail("NFS: %s", d->err);
	if (make_dir(ctx, d) || make_file(ctx, d))
		return 1;
	if (ctx->nfs.op == RT_OP_READ && fill_file(ctx, d))
		return 1;
	return stat_file(ctx, d);
}

int rt_nfs_prepare(struct rt_ctx *ctx)
{
	const struct rt_opts *o = ctx->o;
	struct rt_nfs_data *d = calloc(1, sizeof(*d));
	int rc;

	if (!d || !(d->calls = calloc(o->l.threads, sizeof(*d->calls)))) {
		free(d);
		fputs("rpctest: out of memory\n", stderr);
		return 1;
	}
	ctx->data = d;
	d->nthreads = o->l.threads;
	d->cred = o->auth == RT_AUTH_SYS ? &ctx->call.sys : NULL;
	plan(ctx, d);
	rc = mount_export(ctx, d);
	if (!rc && o->op != RT_OP_NULL)
		rc = make_data(ctx, d);
	if (d->sess_open)	/* idle during the runs; the cleanup opens its own */
		rt_sess_close(&d->sess);
	d->sess_open = 0;
	if (!rc && rt_nfs_signal())
		rc = prep_fail("interrupted");
	if (!rc && o->l.verbose)
		fprintf(stderr, "rpctest: mounted %s; scratch directory %s, test file %s of %"
			PRIu64 " bytes\n", o->export, o->op ? d->dir_name : "(none)",
			FILE_NAME, o->op == RT_OP_READ ? ctx->nfs.file_size : 0);
	return rc;
}
