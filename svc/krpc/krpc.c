// SPDX-License-Identifier: BSD-2-Clause
/*
 * krpc: an ONC RPC server (RFC 5531) answering NFS version 3 over TCP and
 * UDP on one port (default 62049, the seed's krpc2). --register announces
 * it to a running rpcbind (and withdraws it at exit); --portmap serves the
 * portmapper program from krpc itself for machines without rpcbind.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include "../common/svcopt.h"
#include "krpc.h"

enum { O_REGISTER = 512, O_PORTMAP, O_MAXREC };

struct krpc_opts {
	int reg;
	int portmap;		/* 0, or the portmapper port to serve */
	uint32_t max_record;
};

static const struct option krpc_longopts[] = {
	{ "register", no_argument, NULL, O_REGISTER },
	{ "portmap", optional_argument, NULL, O_PORTMAP },
	{ "max-record", required_argument, NULL, O_MAXREC },
	{ 0 }
};

static int krpc_parse(int val, const char *arg, void *ctx)
{
	struct krpc_opts *k = ctx;
	uint64_t v;
	int err = 0;

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

/* rpcbind registration (--register): SET each NFS mapping; UNSET at exit,
 * or at once if a SET fails, so nothing half-registered is left behind. */
static int do_register(const struct svcopt *o, const struct pmap_table *t, int set)
{
	for (int i = 0; i < t->n; i++) {
		if (t->map[i].prog != NFS_PROG)
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

static void print_rpc_stats(const struct svcopt *o, struct ksf_rpc_service *rs)
{
	struct ksf_rpc_service_stats s;
	const struct ksf_rpc_stats *r = &s.rpc;

	ksf_rpc_service_stats(rs, &s);
	fprintf(stderr, "%s: rpc calls=%lu replies=%lu nospace=%lu dropped_not_call=%lu "
		"garbage=%lu rpc_mismatch=%lu auth_err=%lu prog_unavail=%lu prog_mismatch=%lu "
		"proc_unavail=%lu garbage_args=%lu system_err=%lu encode_err=%lu success=%lu "
		"rec_too_big=%lu rec_bad=%lu\n", o->prog, r->calls, r->replies, r->nospace,
		r->dropped_not_call, r->garbage, r->rpc_mismatch, r->auth_err, r->prog_unavail,
		r->prog_mismatch, r->proc_unavail, r->garbage_args, r->system_err, r->encode_err,
		r->success, s.rec_too_big, s.rec_bad);
}

/* Listen on the service port (and the portmapper port), fill the table. */
static int listen_all(struct svcopt *o, struct krpc_opts *k, struct ksf_svc *svc,
		      struct pmap_table *t)
{
	int port, err;

	if ((err = svcopt_listen(o, svc, &port)))
		return err;
	add_mapping(t, NFS_PROG, NFS_V3, port, o->udp);
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

static int run(struct svcopt *o, struct krpc_opts *k)
{
	static struct krpc_ctx kc;
	struct pmap_table *table = &kc.pmap;
	struct ksf_rpc_srv srv;
	struct ksf_rpc_service *rs = NULL;
	struct ksf_pool *pool = NULL;
	int err, registered = 0;

	ksf_rpc_srv_init(&srv);
	ksf_rpc_srv_register(&srv, &krpc_nfs3_prog);
	if (k->portmap)
		ksf_rpc_srv_register(&srv, &krpc_pmap_prog);
	if (svcopt_pool(o, &pool))
		return 1;
	if ((err = ksf_rpc_service_create(&rs, pool, &srv, &o->svc, k->max_record, &kc))) {
		fprintf(stderr, "%s: cannot create service: %s\n", o->prog, ksf_strerror(err));
		goto fail;
	}
	if ((err = listen_all(o, k, ksf_rpc_service_svc(rs), table)))
		goto fail;
	if ((err = ksf_svc_start(ksf_rpc_service_svc(rs)))) {
		fprintf(stderr, "%s: cannot start: %s\n", o->prog, ksf_strerror(err));
		goto fail;
	}
	if (k->reg && (err = do_register(o, table, 1)))
		goto fail;
	registered = k->reg;
	svcopt_wait_signal(o);
	if (registered)
		do_register(o, table, 0);
	ksf_svc_stop(ksf_rpc_service_svc(rs));
	svcopt_print_stats(o, ksf_rpc_service_svc(rs), pool);
	print_rpc_stats(o, rs);
	ksf_rpc_service_destroy(rs);
	ksf_pool_destroy(pool);
	return 0;
fail:
	ksf_rpc_service_destroy(rs);
	ksf_pool_destroy(pool);
	return 1;
}

int main(int argc, char **argv)
{
	struct krpc_opts k = { 0 };
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
"                         above it closes the connection (counted: rec_too_big)\n",
	};
	struct svcopt o;
	int r;

	svcopt_init(&o, "krpc", KRPC_PORT);
	o.udp = 1;
	r = svcopt_parse(&o, argc, argv,
			 "ONC RPC server: NFS version 3 (program 100003) over TCP and UDP.", &extra);
	if (r)
		return r > 0 ? 0 : 2;
	if (k.reg && k.portmap) {
		fprintf(stderr, "krpc: --register and --portmap exclude each other: with --portmap "
			"krpc is the portmapper\n");
		return 2;
	}
	return run(&o, &k);
}
