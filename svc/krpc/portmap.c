// SPDX-License-Identifier: BSD-2-Clause
/*
 * The portmapper, program 100000 version 2 (RFC 1833 §3), served by krpc
 * itself for machines without rpcbind (--portmap): NULL, GETPORT and DUMP
 * over krpc's own mappings. SET, UNSET and CALLIT are not offered
 * (PROC_UNAVAIL): this portmapper only describes krpc.
 */
#include <errno.h>
#include "krpc.h"

int pmap_mapping_decode(struct ksf_xdr *x, void *arg)
{
	struct pmap_mapping *m = arg;

	ksf_xdr_get_u32(x, &m->prog);
	ksf_xdr_get_u32(x, &m->vers);
	ksf_xdr_get_u32(x, &m->prot);
	return ksf_xdr_get_u32(x, &m->port);
}

int pmap_mapping_encode(struct ksf_xdr *x, const struct pmap_mapping *m)
{
	ksf_xdr_put_u32(x, m->prog);
	ksf_xdr_put_u32(x, m->vers);
	ksf_xdr_put_u32(x, m->prot);
	return ksf_xdr_put_u32(x, m->port);
}

/* PMAPPROC_GETPORT: the port of (prog, vers, prot), or 0; port is ignored.
 * Like rpcbind, a version not registered gets the port of another version of
 * the program on that protocol, so that a client probing for the highest
 * version it shares (clnt_create_vers) reaches the server and learns the
 * range from its PROG_MISMATCH reply. */
static int getport(const struct ksf_rpc_call *call, void *args, void *res, void *ctx)
{
	const struct pmap_mapping *q = args;
	const struct pmap_table *t = &krpc_ctx_of(ctx)->pmap;
	uint32_t *port = res;

	(void)call;
	*port = 0;
	for (int i = 0; i < t->n; i++) {
		const struct pmap_mapping *m = &t->map[i];

		if (m->prog != q->prog || m->prot != q->prot)
			continue;
		if (m->vers == q->vers) {
			*port = m->port;
			break;
		}
		if (!*port)
			*port = m->port;
	}
	return 0;
}

static int u32_encode(struct ksf_xdr *x, const void *res)
{
	return ksf_xdr_put_u32(x, *(const uint32_t *)res);
}

/* PMAPPROC_DUMP: the whole table as a pmaplist (optional-data list). */
static int dump(const struct ksf_rpc_call *call, void *args, void *res, void *ctx)
{
	(void)call;
	(void)args;
	*(const struct pmap_table **)res = &krpc_ctx_of(ctx)->pmap;
	return 0;
}

static int dump_encode(struct ksf_xdr *x, const void *res)
{
	const struct pmap_table *t = *(const struct pmap_table *const *)res;

	for (int i = 0; i < t->n; i++) {
		ksf_xdr_put_bool(x, true);
		pmap_mapping_encode(x, &t->map[i]);
	}
	return ksf_xdr_put_bool(x, false);
}

static const struct ksf_rpc_proc pmap_procs[] = {
	KSF_RPC_NULL_PROC,				/* 0 NULL */
	{ "SET", NULL, NULL, NULL, 0, 0, 0 },		/* 1: not offered */
	{ "UNSET", NULL, NULL, NULL, 0, 0, 0 },		/* 2: not offered */
	{ "GETPORT", pmap_mapping_decode, getport, u32_encode,
	  sizeof(struct pmap_mapping), sizeof(uint32_t), 0 },
	{ "DUMP", ksf_rpc_void_decode, dump, dump_encode, 0, sizeof(void *), 0 },
};

static const struct ksf_rpc_vers pmap_vers[] = {
	{ PMAP_V2, pmap_procs, sizeof(pmap_procs) / sizeof(pmap_procs[0]) },
};

const struct ksf_rpc_prog krpc_pmap_prog = {
	.prog = PMAP_PROG, .name = "portmapper", .vers = pmap_vers, .nvers = 1,
};
