// SPDX-License-Identifier: BSD-2-Clause
/*
 * krpc: an ONC RPC server (RFC 5531) answering NFS version 3 over TCP and
 * UDP on one port (default 62049, the seed's krpc2). --register announces
 * it to a running rpcbind (and withdraws it at exit); --portmap serves the
 * portmapper program from krpc itself for machines without rpcbind.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include "../common/svcopt.h"
#include "krpc.h"
#include "nfs3proc.h"
#include "mount3.h"

enum { O_REGISTER = 512, O_PORTMAP, O_MAXREC, O_EXPORT, O_STATEDIR, O_NOSQUASH, O_ANON,
       O_HELPERS, O_XFER, O_DRC };

struct krpc_opts {
	int reg;
	int portmap;		/* 0, or the portmapper port to serve */
	uint32_t max_record;
	const char *state_dir;
	int helpers;		/* helper threads per worker */
	uint32_t xfer;		/* rtmax and wtmax */
	unsigned drc;		/* duplicate request cache entries per worker */
	struct krpc_ctx *kc;
};

static const struct option krpc_longopts[] = {
	{ "register", no_argument, NULL, O_REGISTER },
	{ "portmap", optional_argument, NULL, O_PORTMAP },
	{ "max-record", required_argument, NULL, O_MAXREC },
	{ "export", required_argument, NULL, O_EXPORT },
	{ "state-dir", required_argument, NULL, O_STATEDIR },
	{ "no-root-squash", no_argument, NULL, O_NOSQUASH },
	{ "anon", required_argument, NULL, O_ANON },
	{ "helpers", required_argument, NULL, O_HELPERS },
	{ "xfer-size", required_argument, NULL, O_XFER },
	{ "drc", required_argument, NULL, O_DRC },
	{ 0 }
};

/* --anon UID[:GID] */
static int parse_anon(const char *arg, struct krpc_exports *ex)
{
	char *end;
	unsigned long u = strtoul(arg, &end, 10), g = u;

	if (end == arg || u > UINT32_MAX - 1)
		return -EINVAL;
	if (*end == ':') {
		const char *gs = end + 1;
		g = strtoul(gs, &end, 10);
		if (end == gs || g > UINT32_MAX - 1)
			return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	ex->anon_uid = (uint32_t)u;
	ex->anon_gid = (uint32_t)g;
	return 0;
}

static int krpc_parse_nfs(int val, const char *arg, struct krpc_opts *k)
{
	struct krpc_exports *ex = &k->kc->exports;
	uint64_t v;
	int err = 0;

	switch (val) {
	case O_EXPORT:
		if ((err = krpc_export_add(ex, arg)))
			fprintf(stderr, "krpc: invalid --export '%s': %s\n", arg,
				err == -ENOSPC ? "too many exports" :
				"want an absolute PATH, optionally followed by ,ro or ,rw");
		break;
	case O_STATEDIR: k->state_dir = arg; break;
	case O_NOSQUASH: ex->no_root_squash = true; break;
	case O_ANON:
		if ((err = parse_anon(arg, ex)))
			fprintf(stderr, "krpc: invalid --anon '%s': want UID or UID:GID\n", arg);
		break;
	case O_HELPERS:
		if ((err = ksf_parse_uint(arg, 0, 64, &v)))
			fprintf(stderr, "krpc: invalid --helpers '%s': want 0..64\n", arg);
		k->helpers = (int)v;
		break;
	case O_XFER:
		if ((err = ksf_parse_size(arg, KRPC_XFER_MIN, KRPC_XFER_MAX, &v)))
			fprintf(stderr, "krpc: invalid --xfer-size '%s': want 64K..1M\n", arg);
		k->xfer = (uint32_t)v;
		break;
	case O_DRC:
		if ((err = ksf_parse_uint(arg, 0, 1u << 20, &v)))
			fprintf(stderr, "krpc: invalid --drc '%s': want 0..1048576\n", arg);
		k->drc = (unsigned)v;
		break;
	}
	return err ? -EINVAL : 0;
}

static int krpc_parse(int val, const char *arg, void *ctx)
{
	struct krpc_opts *k = ctx;
	uint64_t v;
	int err = 0;

	if (val >= O_EXPORT)
		return krpc_parse_nfs(val, arg, k);
	switch (val) {
	case O_REGISTER: k->reg = 1; break;
	case O_PORTMAP:
		k->portmap = PMAP_PORT;
		if (arg && !(err = ksf_parse_uint(arg, 1, 65535, &v)))
			k->portmap = (int)v;
		break;
	case O_MAXREC:
		if (!(err = ksf_parse_size(arg, 1024, KSF_RPC_REC_MAX_LIMIT, &v)))
			k->max_record = (uint32_t)v;
		break;
	}
	if (err)
		fprintf(stderr, "krpc: invalid %s '%s': %s\n",
			val == O_PORTMAP ? "--portmap port" : "--max-record", arg, ksf_strerror(err));
	return err ? -EINVAL : 0;
}

static void add_mapping(struct pmap_table *t, uint32_t prog, uint32_t vers, int port, int udp)
{
	struct pmap_mapping *m = &t->map[t->n++];

	m->prog = prog;
	m->vers = vers;
	m->prot = IPPROTO_TCP;
	m->port = (uint32_t)port;
	if (udp) {
		t->map[t->n] = *m;
		t->map[t->n++].prot = IPPROTO_UDP;
	}
}

/* rpcbind registration (--register): SET each NFS and MOUNT mapping; UNSET at exit,
 * or at once if a SET fails, so nothing half-registered is left behind. */
static int do_register(const struct svcopt *o, const struct pmap_table *t, int set)
{
	for (int i = 0; i < t->n; i++) {
		if (t->map[i].prog == PMAP_PROG)
			continue;
		int r = set ? pmap_set(&t->map[i]) : pmap_unset(&t->map[i]);
		if (r == 1 || (!set && r == 0))
			continue;	/* UNSET of the second protocol answers false */
		fprintf(stderr, "%s: rpcbind %s of program %u version %u %s port %u: %s\n", o->prog,
			set ? "SET" : "UNSET", t->map[i].prog, t->map[i].vers,
			t->map[i].prot == IPPROTO_TCP ? "tcp" : "udp", t->map[i].port,
			r < 0 ? ksf_strerror(r) : "refused");
		if (set) {
			do_register(o, t, 0);
			return -EPROTO;
		}
	}
	return 0;
}

static void print_rpc_stats(const struct svcopt *o, struct ksf_rpc_service *rs,
			    const struct ksf_pool *pool)
{
	struct ksf_rpc_service_stats s;
	const struct ksf_rpc_stats *r = &s.rpc;
	struct ksf_fileop_stats f;

	ksf_rpc_service_stats(rs, &s);
	ksf_fileop_stats(pool, &f);
	fprintf(stderr, "%s: rpc calls=%lu replies=%lu nospace=%lu dropped_not_call=%lu "
		"garbage=%lu rpc_mismatch=%lu auth_err=%lu prog_unavail=%lu prog_mismatch=%lu "
		"proc_unavail=%lu garbage_args=%lu system_err=%lu encode_err=%lu success=%lu "
		"rec_too_big=%lu rec_bad=%lu offloaded=%lu deferred=%lu drc_hits=%lu drc_inprog=%lu fileops_ring=%lu "
		"fileops_helper=%lu ref_bytes=%lu ref_copied=%lu\n",
		o->prog,
		r->calls, r->replies, r->nospace, r->dropped_not_call, r->garbage, r->rpc_mismatch,
		r->auth_err, r->prog_unavail, r->prog_mismatch, r->proc_unavail, r->garbage_args,
		r->system_err, r->encode_err, r->success, s.rec_too_big, s.rec_bad, s.offloaded,
		s.deferred, s.drc_hits, s.drc_inprog, f.ring, f.helper, s.ref_bytes, s.ref_copied);
}

/* Listen on the service port (and the portmapper port), fill the table. */
static int listen_all(struct svcopt *o, struct krpc_opts *k, struct ksf_svc *svc,
		      struct pmap_table *t)
{
	int port, err;

	if ((err = svcopt_listen(o, svc, &port)))
		return err;
	add_mapping(t, NFS_PROG, NFS_V3, port, o->udp);
	add_mapping(t, MOUNT_PROG, MOUNT_V3, port, o->udp);
	if (!k->portmap)
		return 0;
	for (int i = 0; i < o->naddrs; i++) {
		if ((err = ksf_svc_listen(svc, o->addrs[i], (uint16_t)k->portmap)) < 0 ||
		    (o->udp && (err = ksf_svc_listen_udp(svc, o->addrs[i], (uint16_t)k->portmap)) < 0)) {
			fprintf(stderr, "%s: cannot serve the portmapper on port %d: %s\n",
				o->prog, k->portmap, ksf_strerror(err));
			return err;
		}
	}
	printf("listening on portmapper port %d\n", k->portmap);
	fflush(stdout);
	add_mapping(t, PMAP_PROG, PMAP_V2, k->portmap, o->udp);
	return 0;
}

/* Open the exports (state directory, stores) and size the transfers. */
static int nfs_setup(struct svcopt *o, struct krpc_opts *k, struct krpc_ctx *kc)
{
	const char *what = "";
	uint32_t rec = k->max_record ? k->max_record : KSF_RPC_REC_MAX_DEFAULT;
	uint32_t xfer = k->xfer ? k->xfer : KRPC_XFER_DEFAULT;
	int err;

	/* a READ reply or WRITE call carries xfer bytes and at most 4 KiB
	 * more: a smaller --max-record lowers the transfer size */
	if (xfer + 4096 > rec)
		xfer = rec >= 8192 ? (rec - 4096) & ~4095u : 0;
	if (!xfer && kc->exports.n) {
		fprintf(stderr, "%s: --max-record %u leaves no room for NFS READ and WRITE data: "
			"give at least 8192\n", o->prog, rec);
		return -EINVAL;
	}
	kc->rtmax = kc->wtmax = xfer;
	kc->dtpref = 65536;
	if ((err = krpc_mounts_create(&kc->mounts)))
		return err;
	if (!(err = krpc_exports_open(&kc->exports, k->state_dir, &what)))
		return 0;
	if (err == -EPERM && kc->exports.n)
		fprintf(stderr, "%s: export %s: cannot open file handles (open_by_handle_at): "
			"krpc needs CAP_DAC_READ_SEARCH (run it as root)\n", o->prog, what);
	else
		fprintf(stderr, "%s: %s%s: %s\n", o->prog, what[0] == '/' ? "export " : "", what,
			ksf_strerror(err));
	return err;
}

/* The service with its programs, helpers and duplicate request cache. */
static int make_service(struct svcopt *o, struct krpc_opts *k, struct ksf_pool *pool,
			struct ksf_rpc_srv *srv, struct krpc_ctx *kc, struct ksf_rpc_service **rs)
{
	int err;

	ksf_rpc_srv_init(srv);
	ksf_rpc_srv_register(srv, &krpc_nfs3_prog);
	ksf_rpc_srv_register(srv, &krpc_mount3_prog);
	if (k->portmap)
		ksf_rpc_srv_register(srv, &krpc_pmap_prog);
	if ((err = ksf_rpc_service_create(rs, pool, srv, &o->svc, k->max_record, kc)) ||
	    (err = ksf_rpc_service_helpers(*rs, k->helpers, 0)) ||
	    (k->helpers && (err = ksf_rpc_service_helper_idle(*rs, nfs3_thread_buf_free))) ||
	    (err = ksf_rpc_service_drc(*rs, k->drc)))
		fprintf(stderr, "%s: cannot create service: %s\n", o->prog, ksf_strerror(err));
	return err;
}

static int run(struct svcopt *o, struct krpc_opts *k)
{
	struct krpc_ctx *kc = k->kc;
	struct pmap_table *table = &kc->pmap;
	struct ksf_rpc_srv srv;
	struct ksf_rpc_service *rs = NULL;
	struct ksf_pool *pool = NULL;
	int err, registered = 0, status = 1;

	if (nfs_setup(o, k, kc))
		goto out;
	if (svcopt_pool(o, &pool) || make_service(o, k, pool, &srv, kc, &rs))
		goto out;
	if ((err = listen_all(o, k, ksf_rpc_service_svc(rs), table)))
		goto out;
	if ((err = ksf_svc_start(ksf_rpc_service_svc(rs)))) {
		fprintf(stderr, "%s: cannot start: %s\n", o->prog, ksf_strerror(err));
		goto out;
	}
	if (k->reg && (err = do_register(o, table, 1)))
		goto out;
	registered = k->reg;
	svcopt_wait_signal(o);
	if (registered)
		do_register(o, table, 0);
	ksf_svc_stop(ksf_rpc_service_svc(rs));
	svcopt_print_stats(o, ksf_rpc_service_svc(rs), pool);
	print_rpc_stats(o, rs, pool);
	status = 0;
out:
	ksf_rpc_service_destroy(rs);
	ksf_pool_destroy(pool);
	krpc_exports_close(&kc->exports);
	krpc_mounts_destroy(kc->mounts);
	return status;
}

/*
 * Every offloaded call's reply (up to --xfer-size plus headers: 64 KiB for a
 * 64 KiB READ) is malloc'd on a helper thread and freed on the worker after
 * it is queued, and a large reply takes an output chunk of its own size that
 * is freed once sent. With glibc's defaults each free() at the top of an
 * arena gives the memory back (madvise, heap trim above 128 KiB) and the
 * next reply faults it in again: page faults, TLB shootdowns and madvise
 * were most of krpc's CPU for 64 KiB READs (bench/nfs_run.sh: 500-700 us of
 * server CPU per READ against 60-90 us with this). So keep freed memory up
 * to 64 MiB per arena, and keep blocks below 4 MiB (every reply and record)
 * out of mmap (setting one threshold turns off glibc's dynamic thresholds).
 */
static void malloc_tune(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return;		/* glibc's malloc is not the allocator under ASan */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return;
#endif
#endif
	(void)mallopt(M_TRIM_THRESHOLD, 64 << 20);
	(void)mallopt(M_MMAP_THRESHOLD, 4 << 20);
}

int main(int argc, char **argv)
{
	static struct krpc_ctx kc = { .exports = { .anon_uid = KRPC_NOBODY,
						   .anon_gid = KRPC_NOBODY } };
	struct krpc_opts k = { .state_dir = KRPC_STATE_DIR, .helpers = 4,
			       .drc = 1024, .kc = &kc };
	const struct svcopt_extra extra = {
		.opts = krpc_longopts, .parse = krpc_parse, .ctx = &k,
		.help =
"krpc options:\n"
"      --register         register NFS v3 (tcp, udp) with the local rpcbind at start,\n"
"                         unregister at exit; fail (and withdraw) if rpcbind does not\n"
"                         answer or refuses\n"
"      --portmap[=PORT]   (note the =) serve the portmapper (program 100000 v2: NULL, GETPORT, DUMP)\n"
"                         from krpc on PORT (default 111), for hosts without rpcbind\n"
"      --max-record BYTES largest RPC record accepted (default 1M + 4K); a record mark\n"
"                         above it closes the connection (counted: rec_too_big)\n"
"NFS server options:\n"
"      --export PATH[,ro] export the local directory PATH over NFS v3 and MOUNT v3\n"
"                         (repeatable; ro answers every change with NFS3ERR_ROFS).\n"
"                         Without it only NULL is served and EXPORT lists nothing.\n"
"      --state-dir DIR    where the file handle key is kept (default " KRPC_STATE_DIR ");\n"
"                         handles stay valid across restarts while it is kept\n"
"      --no-root-squash   let uid 0 act as root (default: root is squashed to --anon)\n"
"      --anon UID[:GID]   identity of squashed root and AUTH_NONE callers (65534)\n"
"      --helpers N        helper threads per worker for file operations (default 4;\n"
"                         0 runs them on the event loop)\n"
"      --xfer-size BYTES  largest READ and WRITE offered in FSINFO (64K..1M, default 1M)\n"
"      --drc N            duplicate request cache entries per worker (default 1024, 0 off)\n"
"NFS locking (NLM) is not served: clients mount with -o nolock.\n",
	};
	struct svcopt o;
	int r;

	malloc_tune();
	svcopt_init(&o, "krpc", KRPC_PORT);
	o.udp = 1;
	r = svcopt_parse(&o, argc, argv,
			 "ONC RPC server: NFS version 3 and MOUNT version 3 over TCP and UDP.", &extra);
	if (r)
		return r > 0 ? 0 : 2;
	if (k.reg && k.portmap) {
		fprintf(stderr, "krpc: --register and --portmap exclude each other: with --portmap "
			"krpc is the portmapper\n");
		return 2;
	}
	return run(&o, &k);
}
