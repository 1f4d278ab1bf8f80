// SPDX-License-Identifier: BSD-2-Clause
/*
 * kecho.ko: the echo service in the kernel. Every byte that arrives on a
 * TCP connection is queued back on it (what the output queue can take; the
 * rest is held and offered again once it drains, reading paused
 * meanwhile), every UDP datagram is sent back. Same service as svc/kecho,
 * on the kernel ksf core (kmod/core). Parameters: kmod/core/params.h plus
 * port and udp; counters in /sys/kernel/debug/kecho/stats.
 */
#include <linux/module.h>
#include "ksf_kmod.h"
#include "params.h"

static unsigned short port = 60007;	/* the seed's echotest default */
module_param(port, ushort, 0444);
MODULE_PARM_DESC(port, "TCP (and UDP) port (60007; 0: a free one, see dmesg)");
static bool udp = true;
module_param(udp, bool, 0444);
MODULE_PARM_DESC(udp, "echo UDP datagrams on the same port too (1)");

static struct ksf_pool *pool;
static struct ksf_svc *svc;

static ssize_t echo_recv(struct ksf_conn *c, const void *data, size_t len)
{
	size_t n = ksf_conn_room(c);
	int err;

	if (n > len)
		n = len;
	if (n && (err = ksf_conn_send(c, data, n)))
		return err;
	return (ssize_t)n;
}

static void echo_dgram(struct ksf_svc *s, const struct ksf_dgram *d)
{
	(void)ksf_dgram_reply(d, d->data, d->len);	/* a drop is counted */
}

static const struct ksf_svc_ops ops = { .recv_cb = echo_recv, .dgram_cb = echo_dgram };

static int __init kecho_init(void)
{
	struct ksf_svc_opts o;
	int p, err;

	ksf_params_opts(&o);
	err = ksf_pool_create(&pool, "kecho", workers);
	if (err)
		return err;
	err = ksf_svc_create(&svc, pool, "kecho", &ops, &o, NULL);
	if (err)
		goto fail_pool;
	p = ksf_svc_serve(svc, addr, port, udp, NULL);
	if (p < 0) {
		err = p;
		goto fail_svc;
	}
	pr_info("kecho: listening on %s:%d (tcp%s), %d workers\n", *addr ? addr : "0.0.0.0",
		p, udp ? "+udp" : "", ksf_pool_nworkers(pool));
	return 0;
fail_svc:
	ksf_svc_destroy(svc);
fail_pool:
	ksf_pool_destroy(pool);
	return err;
}

static void __exit kecho_exit(void)
{
	struct ksf_svc_stats st;

	ksf_svc_stop(svc);
	ksf_svc_stats(svc, &st);
	ksf_svc_destroy(svc);
	ksf_pool_destroy(pool);
	pr_info("kecho: stopped: conns %llu accepted %llu closed, %llu reset, bytes in %llu out %llu\n",
		st.conns_accepted, st.conns_closed, st.resets, st.bytes_in, st.bytes_out);
	WARN(ksf_kmod_live() != 0, "kecho: %ld objects leaked\n", ksf_kmod_live());
}

module_init(kecho_init);
module_exit(kecho_exit);
MODULE_DESCRIPTION("ksf echo service (TCP and UDP)");
MODULE_AUTHOR("ksf project");
MODULE_LICENSE("Dual BSD/GPL");
