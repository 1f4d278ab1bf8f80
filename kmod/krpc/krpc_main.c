// SPDX-License-Identifier: BSD-2-Clause
/*
 * krpc.ko: the NFS version 3 NULL procedure over TCP and UDP, on the kernel
 * ksf core (kmod/core) with the project's RPC layer (lib/rpc, compiled
 * unchanged). Every other call gets the error reply user-space krpc gives
 * (PROG_UNAVAIL, PROG_MISMATCH 3..3, RPC_MISMATCH, AUTH_ERROR ...), except
 * NFS procedures 1..21, which krpc.ko does not implement: PROC_UNAVAIL.
 * Parameters: kmod/core/params.h plus port, udp and max_record; counters
 * in /sys/kernel/debug/krpc/stats.
 */
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include "krpc.h"
#include "params.h"

static unsigned short port = 62049;	/* rpctest's default */
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "TCP (and UDP) port (62049; 0: a free one, see dmesg)");
static bool udp = true;
module_param(udp, bool, 0444);
MODULE_PARM_DESC(udp, "serve UDP on the same port too (1)");
static uint max_record = KSF_RPC_REC_MAX_DEFAULT;
module_param(max_record, uint, 0444);
MODULE_PARM_DESC(max_record, "largest RPC record over TCP; a larger one closes the connection (1 MiB + 4 KiB)");

#define NFS_PROG	100003u
#define NFS_V3_PROCS	22u	/* RFC 1813: NULL .. COMMIT */

static const struct ksf_rpc_proc nfs3_procs[NFS_V3_PROCS] = { KSF_RPC_NULL_PROC };
static const struct ksf_rpc_vers nfs_vers[] = { { 3, nfs3_procs, NFS_V3_PROCS } };
static const struct ksf_rpc_prog nfs_prog = { NFS_PROG, "nfs", nfs_vers, 1 };

static struct ksf_rpc_srv srv;
static struct krpc krpc;
static struct ksf_pool *pool;
static struct ksf_svc *svc;

static void krpc_dgram(struct ksf_svc *s, const struct ksf_dgram *d)
{
	struct krpc_worker *kw = krpc.w[d->worker];
	int n = ksf_rpc_dispatch(krpc.srv, d->data, d->len, kw->out, KRPC_OUT_CAP,
				 kw->scratch, sizeof(kw->scratch), NULL, &kw->rpc);

	if (n > 0)
		(void)ksf_dgram_reply(d, kw->out, (size_t)n);	/* drops are counted */
}

static void krpc_show(struct seq_file *m, void *udata)
{
	struct ksf_rpc_stats r = { 0 };
	u64 too_big = 0, bad = 0;

	for (int i = 0; i < krpc.nworkers; i++) {
		const struct krpc_worker *kw = krpc.w[i];
		const u64 *one = (const u64 *)&kw->rpc;
		u64 *sum = (u64 *)&r;

		for (size_t j = 0; j < sizeof(r) / sizeof(u64); j++)
			sum[j] += READ_ONCE(one[j]);
		too_big += READ_ONCE(kw->rec_too_big);
		bad += READ_ONCE(kw->rec_bad);
	}
#define P(f) seq_printf(m, "rpc_%s %llu\n", #f, (unsigned long long)r.f)
	P(calls); P(replies); P(nospace); P(dropped_not_call); P(garbage);
	P(rpc_mismatch); P(auth_err); P(prog_unavail); P(prog_mismatch);
	P(proc_unavail); P(garbage_args); P(system_err); P(encode_err); P(success);
#undef P
	seq_printf(m, "rpc_rec_too_big %llu\nrpc_rec_bad %llu\n", too_big, bad);
}

static void workers_free(void)
{
	for (int i = 0; krpc.w && i < krpc.nworkers; i++) {
		if (!krpc.w[i])
			continue;
		kfree(krpc.w[i]->out);
		kvfree(krpc.w[i]->gather);
		kfree(krpc.w[i]);
	}
	kfree(krpc.w);
	krpc.w = NULL;
}

static int workers_alloc(int n)
{
	krpc.nworkers = n;
	krpc.w = kcalloc(n, sizeof(*krpc.w), GFP_KERNEL);
	if (!krpc.w)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		struct krpc_worker *kw = kzalloc(sizeof(*kw), GFP_KERNEL);

		krpc.w[i] = kw;
		if (!kw || !(kw->out = kmalloc(KRPC_OUT_CAP, GFP_KERNEL)) ||
		    !(kw->gather = kvmalloc(krpc.max_record, GFP_KERNEL)))
			return -ENOMEM;
	}
	return 0;
}

static const struct ksf_svc_ops ops = { .recv_cb = krpc_tcp_recv, .dgram_cb = krpc_dgram };

static int __init krpc_init(void)
{
	struct ksf_svc_opts o;
	size_t need;
	int p, err;

	if (max_record < 64 || max_record > KSF_RPC_REC_MAX_LIMIT)
		return -EINVAL;
	ksf_rpc_srv_init(&srv);
	err = ksf_rpc_srv_register(&srv, &nfs_prog);
	if (err)
		return err;
	krpc.srv = &srv;
	krpc.max_record = max_record;
	ksf_params_opts(&o);
	/* a whole record, its fragment headers and what follows it */
	need = (size_t)max_record + 4u * KSF_RPC_REC_MAX_FRAGS + 65536u;
	if (o.max_msg < need)
		o.max_msg = need;
	err = ksf_pool_create(&pool, "krpc", workers);
	if (err)
		return err;
	err = workers_alloc(ksf_pool_nworkers(pool));
	if (err)
		goto fail_pool;
	err = ksf_svc_create(&svc, pool, "krpc", &ops, &o, &krpc);
	if (err)
		goto fail_pool;
	p = ksf_svc_serve(svc, addr, port, udp, krpc_show);
	if (p < 0) {
		err = p;
		goto fail_svc;
	}
	pr_info("krpc: NFS v3 NULL on %s:%d (tcp%s), %d workers\n", *addr ? addr : "0.0.0.0",
		p, udp ? "+udp" : "", ksf_pool_nworkers(pool));
	return 0;
fail_svc:
	ksf_svc_destroy(svc);
fail_pool:
	ksf_pool_destroy(pool);
	workers_free();
	return err;
}

static void __exit krpc_exit(void)
{
	struct ksf_svc_stats st;

	ksf_svc_stop(svc);
	ksf_svc_stats(svc, &st);
	ksf_svc_destroy(svc);
	ksf_pool_destroy(pool);
	workers_free();
	pr_info("krpc: stopped: conns %llu accepted %llu closed, %llu reset, dgrams %llu in %llu out\n",
		st.conns_accepted, st.conns_closed, st.resets, st.dgrams_in, st.dgrams_out);
	WARN(ksf_kmod_live() != 0, "krpc: %ld objects leaked\n", ksf_kmod_live());
}

module_init(krpc_init);
module_exit(krpc_exit);
MODULE_DESCRIPTION("ksf ONC RPC service: NFS v3 NULL over TCP and UDP");
MODULE_AUTHOR("ksf project");
MODULE_LICENSE("Dual BSD/GPL");
